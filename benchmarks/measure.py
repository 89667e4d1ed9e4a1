"""One measurement, run in a fresh interpreter so that runs do not pollute each other.

``python -m benchmarks.measure '<json task>'`` prints one JSON line with the result. Tasks:

``{"kind": "fslt", "path": ..., "wave": 2025}``
    :func:`fslt_survey.ingest.readers.read_export` + :func:`fslt_survey.clean.clean_exports` of the
    member
    survey (read and clean timed separately).
``{"kind": "pandas_csv", "path": ..., "encoding": ..., "sep": ...}``
    the baseline ``pd.read_csv(path, dtype=str, keep_default_na=False)`` of the same CSV.
``{"kind": "pandas_xlsx", "path": ...}``
    the baseline ``pd.read_excel(path, engine="openpyxl", dtype=str)``.

Imports (and the instrument and registry) are loaded before the clock starts, for the baseline
as for the toolkit. Memory: the peak resident set size (RSS) during the measured call, minus
the RSS just before it. On Linux the kernel's
high-water mark is reset before the call (``/proc/self/clear_refs``); elsewhere the process's
``ru_maxrss`` is used, which also counts the imports.
"""

from __future__ import annotations

import gc
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _rss() -> int:
    """Current RSS in bytes (Linux), else the peak so far."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * _PAGE
    except OSError:
        return _maxrss()


def _maxrss() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def _reset_peak() -> bool:
    """Reset the kernel's RSS high-water mark (Linux >= 4.0); ``False`` where not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _peak() -> int:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return _maxrss()


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


def measure(task: dict[str, Any]) -> dict[str, Any]:
    import pandas as pd

    kind = task["kind"]
    path = Path(task["path"])
    if kind == "fslt":
        from fslt_survey import config
        from fslt_survey.clean import clean_exports
        from fslt_survey.codebook import load_instrument
        from fslt_survey.ingest.readers import read_export
        from fslt_survey.registry import load_registry

        instrument = load_instrument(config.SURVEYS_DIR / "medlemsundersoegelse" / "instrument.yml")
        registry = load_registry()
        # what a long-running session has imported already (pandas is, for the baseline too)
        import pyarrow.compute
        import pyarrow.csv  # noqa: F401

        from fslt_survey import forms  # noqa: F401
        from fslt_survey.ingest import fastcsv

        fastcsv.memory_pool()
    gc.collect()
    before = _rss()
    exact = _reset_peak()
    c0, t0 = _cpu(), time.perf_counter()
    out: dict[str, Any] = {"kind": kind}
    if kind == "fslt":
        raw = read_export(path)
        t1 = time.perf_counter()
        result = clean_exports(instrument, [(raw, int(task.get("wave", 2025)))], registry)
        t2 = time.perf_counter()
        out.update(
            read_seconds=t1 - t0,
            clean_seconds=t2 - t1,
            rows_in=result.log.rows_in,
            rows_kept=result.log.rows_kept,
            rows_excluded=result.log.rows_excluded,
            format=raw.format,
        )
    elif kind == "pandas_csv":
        df = pd.read_csv(
            path, dtype=str, keep_default_na=False, encoding=task["encoding"], sep=task["sep"]
        )
        t2 = time.perf_counter()
        out.update(rows_in=len(df), df_bytes=int(df.memory_usage(deep=True).sum()))
    elif kind == "pandas_xlsx":
        df = pd.read_excel(path, engine="openpyxl", dtype=str)
        t2 = time.perf_counter()
        out.update(rows_in=len(df), df_bytes=int(df.memory_usage(deep=True).sum()))
    else:
        raise SystemExit(f"unknown task kind {kind!r}")
    out.update(
        seconds=t2 - t0,
        cpu_seconds=_cpu() - c0,
        peak_bytes=max(_peak() - before, 0),
        peak_exact=exact,
    )
    return out


def main() -> None:
    print(json.dumps(measure(json.loads(sys.argv[1]))))


if __name__ == "__main__":
    main()
