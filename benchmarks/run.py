"""Benchmarks: cleaning throughput against pandas, and render times against nbconvert.

Usage (from the repository root, with the project's virtual environment)::

    python -m benchmarks.run                         # 1k, 10k, 100k, 1M; no render
    python -m benchmarks.run --sizes 1k --render     # quick, with the render benchmark
    python -m benchmarks.run --save-baseline         # also store the figures as the baseline

Needs no network. Writes a Markdown table with the machine and versions (``--out``, default
``benchmarks/results.md``) and prints how the figures compare with the stored baseline
(``benchmarks/baseline.json``). See ``benchmarks/README.md`` for what is measured and how.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchmarks import data as bdata
from benchmarks.render_report import render_markdown

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "benchmarks"
#: Targets from the issue: read+clean at most 2x pandas at 1M rows, peak at most 3x the frame.
TIME_TARGET = 2.0
MEMORY_TARGET = 3.0


@dataclass
class CleanRow:
    """One size and format: the toolkit's read+clean against the pandas baseline."""

    fmt: str
    rows: int
    file_mb: float
    pandas_seconds: float
    fslt_seconds: float
    read_seconds: float
    clean_seconds: float
    pandas_cpu: float
    fslt_cpu: float
    frame_mb: float  # the baseline DataFrame, memory_usage(deep=True)
    pandas_peak_mb: float
    fslt_peak_mb: float
    rows_kept: int
    repeats: int

    @property
    def ratio(self) -> float:
        return self.fslt_seconds / self.pandas_seconds

    @property
    def cpu_ratio(self) -> float:
        return self.fslt_cpu / self.pandas_cpu if self.pandas_cpu else float("nan")

    @property
    def memory_ratio(self) -> float:
        return self.fslt_peak_mb / self.frame_mb


# --------------------------------------------------------------------------- measuring


def _task(task: dict[str, Any]) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k != "FSLT_PROJECT_ROOT"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.measure", json.dumps(task)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"measurement {task['kind']} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure_clean(export: bdata.Export, repeats: int, log=print) -> CleanRow:
    """Time the baseline and the toolkit alternately; keep each one's fastest run."""
    if export.fmt == "msforms":
        base_task = {"kind": "pandas_xlsx", "path": str(export.baseline)}
    else:
        base_task = {
            "kind": "pandas_csv",
            "path": str(export.baseline),
            "encoding": export.encoding,
            "sep": export.sep,
        }
    ours_task = {"kind": "fslt", "path": str(export.path), "wave": bdata.WAVE}
    base: list[dict[str, Any]] = []
    ours: list[dict[str, Any]] = []
    for _ in range(repeats):
        base.append(_task(base_task))
        ours.append(_task(ours_task))
    b = min(base, key=lambda r: r["seconds"])
    o = min(ours, key=lambda r: r["seconds"])
    mb = 1024 * 1024
    row = CleanRow(
        fmt=export.fmt,
        rows=export.rows,
        file_mb=export.size_bytes / mb,
        pandas_seconds=b["seconds"],
        fslt_seconds=o["seconds"],
        read_seconds=o["read_seconds"],
        clean_seconds=o["clean_seconds"],
        pandas_cpu=b["cpu_seconds"],
        fslt_cpu=o["cpu_seconds"],
        frame_mb=b["df_bytes"] / mb,
        pandas_peak_mb=min(r["peak_bytes"] for r in base) / mb,
        fslt_peak_mb=min(r["peak_bytes"] for r in ours) / mb,
        rows_kept=o["rows_kept"],
        repeats=repeats,
    )
    log(
        f"  {export.fmt:12s} {bdata.size_label(export.rows):>5s}: pandas {row.pandas_seconds:7.2f}"
        f" s, fslt {row.fslt_seconds:7.2f} s (x{row.ratio:.2f}); peak {row.fslt_peak_mb:7.0f} MB"
        f" = x{row.memory_ratio:.2f} the frame"
    )
    return row


# --------------------------------------------------------------------------- machine


def _memory_total() -> float | None:
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        return pages * size / 1024**3
    except (ValueError, OSError, AttributeError):
        return None


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(module: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(module)
    except PackageNotFoundError:
        return "not installed"


def _git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "fslt_survey"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        commit = out.stdout.strip() or "unknown"
        return commit + (" + uncommitted changes" if dirty.stdout.strip() else "")
    except OSError:
        return "unknown"


def machine() -> dict[str, Any]:
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    mem = _memory_total()
    return {
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "memory_gb": round(mem, 1) if mem else None,
        "load_average": [round(x, 2) for x in load] if load else None,
        "python": platform.python_version(),
        "versions": {
            m: _version(m)
            for m in ("fslt-survey", "pandas", "numpy", "pyarrow", "openpyxl", "nbconvert")
        },
        "commit": _git_commit(),
    }


# --------------------------------------------------------------------------- report


def _f(x: float | None, digits: int = 2) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def _mark(ok: bool) -> str:
    return "yes" if ok else "**no**"


def markdown(
    info: dict[str, Any],
    rows: list[CleanRow],
    render: Any,
    argv: list[str],
    comparison: list[str],
) -> str:
    out = [
        "# Benchmark results",
        "",
        f"Written by `python -m benchmarks.run {' '.join(argv)}` on "
        f"{dt.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}.",
        "",
        "## Machine",
        "",
        "| | |",
        "| --- | --- |",
        f"| Platform | {info['platform']} |",
        f"| CPU | {info['cpu']} ({info['cpu_count']} logical CPUs) |",
        f"| Memory | {_f(info['memory_gb'], 1)} GB |",
        f"| Load average at start (1, 5, 15 min) | {info['load_average']} |",
        f"| Python | {info['python']} |",
    ]
    out += [f"| {name} | {v} |" for name, v in info["versions"].items()]
    out += [f"| Commit | {info['commit']} |", ""]
    if rows:
        out += [
            "## Cleaning throughput",
            "",
            "Read + clean of the member survey (`read_export` + `clean_exports`, one wave) "
            "against the pandas baseline reading the same file: `pd.read_csv(path, dtype=str, "
            "keep_default_na=False)` with the file's encoding and delimiter (for SurveyXact the "
            'trio\'s `dataset.csv`), or `pd.read_excel(path, engine="openpyxl", dtype=str)`. '
            "Each measurement runs in a fresh interpreter; seconds are the fastest of the "
            "repeats (baseline and toolkit alternate). *Peak* is the rise of the resident set "
            "size during the call; *frame* is the baseline DataFrame's "
            "`memory_usage(deep=True)`. CPU seconds count every thread of the process and are "
            "less disturbed by other load on the machine than wall-clock seconds.",
            "",
            "| format | rows | file MB | pandas s | fslt s | ratio | read s | clean s "
            "| CPU ratio | frame MB | pandas peak MB | fslt peak MB | memory ratio "
            "| rows kept | runs |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
            "| ---: | ---: | ---: | ---: |",
        ]
        for r in rows:
            out.append(
                f"| {r.fmt} | {r.rows:,} | {r.file_mb:.1f} | {r.pandas_seconds:.2f} | "
                f"{r.fslt_seconds:.2f} | {r.ratio:.2f} | {r.read_seconds:.2f} | "
                f"{r.clean_seconds:.2f} | {r.cpu_ratio:.2f} | {r.frame_mb:.1f} | "
                f"{r.pandas_peak_mb:.0f} | {r.fslt_peak_mb:.0f} | {r.memory_ratio:.2f} | "
                f"{r.rows_kept:,} | {r.repeats} |"
            )
        big = [r for r in rows if r.rows >= 1_000_000]
        out.append("")
        if big:
            out += ["Targets at 1M rows (time ratio <= 2, memory ratio <= 3):", ""]
            for r in big:
                out.append(
                    f"- {r.fmt}: time x{r.ratio:.2f} ({_mark(r.ratio <= TIME_TARGET)}), "
                    f"memory x{r.memory_ratio:.2f} ({_mark(r.memory_ratio <= MEMORY_TARGET)})"
                )
            out.append("")
        out += [
            "The demo generator draws the associations of `n` responses from the ~90 in the "
            "registry, so almost every response is a duplicate: all rows are decoded, then "
            "one per association is kept and every other one is logged as superseded.",
            "",
        ]
    if render is not None:
        out += render_markdown(render)
    if comparison:
        out += ["## Compared with the stored baseline", "", *comparison, ""]
    return "\n".join(out).rstrip() + "\n"


# --------------------------------------------------------------------------- baseline


def as_json(info: dict[str, Any], rows: list[CleanRow], render: Any) -> dict[str, Any]:
    return {
        "machine": info,
        "clean": [
            {
                **asdict(r),
                "ratio": r.ratio,
                "cpu_ratio": r.cpu_ratio,
                "memory_ratio": r.memory_ratio,
            }
            for r in rows
        ],
        "render": asdict(render) if render is not None else None,
    }


def compare(stored: dict[str, Any] | None, rows: list[CleanRow], render: Any) -> list[str]:
    """Lines comparing this run with the stored baseline (ratios travel across machines
    better than seconds)."""
    if not stored:
        return ["No stored baseline (`--save-baseline` writes one)."]
    old = {(r["fmt"], r["rows"]): r for r in stored.get("clean") or []}
    lines = [
        f"Baseline from commit {stored['machine'].get('commit', '?')} on "
        f"{stored['machine'].get('cpu', '?')}.",
        "",
    ]
    table = [
        "| format | rows | time ratio then | now | fslt s then | now | memory ratio then | now |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        o = old.get((r.fmt, r.rows))
        if o is None:
            continue
        table.append(
            f"| {r.fmt} | {r.rows:,} | {o['ratio']:.2f} | {r.ratio:.2f} | "
            f"{o['fslt_seconds']:.2f} | {r.fslt_seconds:.2f} | {o['memory_ratio']:.2f} | "
            f"{r.memory_ratio:.2f} |"
        )
    if len(table) > 2:
        lines += table
    else:
        lines.append("No size and format of this run is in the baseline.")
    old_render = stored.get("render")
    if render is not None and not render.error and old_render and not old_render.get("error"):
        lines += [
            "",
            f"Render ({old_render['project']} then, {render.project} now): cold "
            f"{old_render['cold_seconds']:.2f} -> {render.cold_seconds:.2f} s, warm "
            f"{old_render['warm_seconds']:.2f} -> {render.warm_seconds:.2f} s, one page changed "
            f"{old_render['changed_seconds']:.2f} -> {render.changed_seconds:.2f} s.",
        ]
    return lines


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n")[0])
    p.add_argument(
        "--sizes", default="1k,10k,100k,1m", help="comma-separated (default: %(default)s)"
    )
    p.add_argument(
        "--formats",
        default=",".join(bdata.FORMATS),
        help="surveyxact, googleforms, msforms (default: all)",
    )
    p.add_argument(
        "--xlsx-max", default="10k", help="largest size for the xlsx export (default: %(default)s)"
    )
    p.add_argument(
        "--repeat",
        type=int,
        default=None,
        help="runs per measurement (default: 3 up to 10k rows, 2 above)",
    )
    p.add_argument("--render", action="store_true", help="also run the render benchmark")
    p.add_argument("--render-only", action="store_true", help="only the render benchmark")
    p.add_argument(
        "--render-project", choices=("demo", "tiny"), default="demo", help="(default: demo)"
    )
    p.add_argument("--no-nbconvert", action="store_true", help="skip the nbconvert comparison")
    p.add_argument("--out", type=Path, default=HERE / "results.md")
    p.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")
    p.add_argument("--data-dir", type=Path, default=HERE / ".data")
    p.add_argument("--baseline", type=Path, default=HERE / "baseline.json")
    p.add_argument("--save-baseline", action="store_true", help="store this run as the baseline")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    t0 = time.perf_counter()
    info = machine()
    rows: list[CleanRow] = []
    if not args.render_only:
        sizes = [bdata.parse_size(s) for s in args.sizes.split(",") if s.strip()]
        formats = [f.strip() for f in args.formats.split(",") if f.strip()]
        unknown = [f for f in formats if f not in bdata.FORMATS]
        if unknown:
            raise SystemExit(f"unknown format(s): {', '.join(unknown)}")
        xlsx_max = bdata.parse_size(args.xlsx_max)
        for n in sorted(sizes):
            wanted = [f for f in formats if f != "msforms" or n <= xlsx_max]
            exports = bdata.ensure(n, wanted, args.data_dir)
            repeats = args.repeat or (3 if n <= 10_000 else 2)
            print(f"{bdata.size_label(n)} rows ({repeats} run(s) each):", flush=True)
            for fmt in wanted:
                rows.append(measure_clean(exports[fmt], repeats))
    render = None
    if args.render or args.render_only:
        from benchmarks import render_bench

        render = render_bench.run(args.render_project, nbconvert=not args.no_nbconvert)
        if render.error:
            print(f"render benchmark: {render.error}")
        else:
            print(
                f"render: cold {render.cold_seconds:.2f} s, warm {render.warm_seconds:.2f} s "
                f"({len(render.warm_executed)} executed), {render.changed_page} changed "
                f"{render.changed_seconds:.2f} s (executed: {', '.join(render.changed_executed)})"
            )
    stored = json.loads(args.baseline.read_text("utf-8")) if args.baseline.exists() else None
    comparison = compare(stored, rows, render)
    if args.save_baseline:
        comparison = [
            f"This run is stored as the new baseline (`{args.baseline.name}`)"
            + ("; compared with the one it replaces:" if stored else "."),
            *(["", *comparison] if stored else []),
        ]
    print("\n".join(comparison))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(markdown(info, rows, render, argv, comparison), "utf-8")
    figures = as_json(info, rows, render)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", "utf-8")
    if args.save_baseline:
        args.baseline.write_text(json.dumps(figures, indent=2) + "\n", "utf-8")
        print(f"baseline stored in {args.baseline}")
    print(f"results written to {args.out} ({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
