"""Timestamps of the exports (``submitted``) as naive Danish local time."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from fslt_survey.clean.decode import factorize
from fslt_survey.clean.match import Matching
from fslt_survey.ingest import RawExport


def submitted_times(raw: RawExport, matching: Matching) -> np.ndarray:
    for role in ("submitted", "modified", "started"):
        col = next((c for c, r in matching.metadata.items() if r == role), None)
        if col is not None and col in raw.frame:
            return _parse_times(raw.frame[col]).to_numpy()
    return np.full(len(raw.frame), np.datetime64("NaT"), dtype="datetime64[ns]")


_DAY, _MONTH, _YEAR = r"(0[1-9]|[12]\d|3[01])", r"(0[1-9]|1[0-2])", r"(19|20)\d\d"
_CLOCK = r"([01]\d|2[0-3]):[0-5]\d:[0-5]\d"
#: Timestamp layouts of the exports (SurveyXact, Google Forms, xlsx cells written as ISO) that
#: :func:`_parse_times` reads column-wise: (exact pattern, strptime format, where the day is).
#: A value is taken only when the parsed day is the written one (strptime reads 31-02 as
#: 03-03; the pattern bounds every other field); every other value goes through
#: :func:`_parse_time`, as all values once did.
_TIME_LAYOUTS = (
    (rf"{_DAY}-{_MONTH}-{_YEAR} {_CLOCK}", "%d-%m-%Y %H:%M:%S", 0),
    (rf"{_DAY}/{_MONTH}/{_YEAR} {_CLOCK}", "%d/%m/%Y %H:%M:%S", 0),
    (rf"{_YEAR}-{_MONTH}-{_DAY}T{_CLOCK}", "%Y-%m-%dT%H:%M:%S", 8),
    (rf"{_YEAR}-{_MONTH}-{_DAY} {_CLOCK}", "%Y-%m-%d %H:%M:%S", 8),
    (rf"{_YEAR}-{_MONTH}-{_DAY}", "%Y-%m-%d", 8),
)


def _parse_time(v: object) -> Any:
    """One timestamp as naive local (Danish) time, or NaT."""
    if not isinstance(v, str) or not v.strip():
        return pd.NaT
    try:
        ts = (
            pd.Timestamp(v.strip())
            if re.match(r"^\d{4}-", v.strip())
            else pd.to_datetime(v.strip(), dayfirst=True)
        )
    except (ValueError, TypeError):
        return pd.NaT
    if ts is pd.NaT or not 1900 <= ts.year <= 2200:  # "3,5" parses as year 1: not a time
        return pd.NaT
    if ts.tzinfo is not None:
        ts = ts.tz_convert("Europe/Copenhagen").tz_localize(None)
    return ts


def _parse_times(s: pd.Series) -> pd.Series:
    """Timestamps as naive local (Danish) time; ISO with or without offset, or dd-mm-yyyy."""

    out = np.full(len(s), np.datetime64("NaT"), dtype="datetime64[ns]")
    todo = np.ones(len(s), dtype=bool)
    array = s.array
    if isinstance(array, pd.arrays.ArrowStringArray) and len(s):
        values = array._pa_array  # the Arrow data behind the column
        for pattern, fmt, day_at in _TIME_LAYOUTS:
            match = pc.fill_null(pc.match_substring_regex(values, f"^{pattern}$"), False)
            if not pc.any(match).as_py():
                continue
            parsed = pc.strptime(values, format=fmt, unit="s", error_is_null=True)
            day = pc.utf8_slice_codeunits(
                pc.if_else(match, values, "01-01-2000"), day_at, day_at + 2
            )
            same_day = pc.equal(pc.cast(day, pa.int64()), pc.day(parsed))
            good = pc.fill_null(pc.and_(match, same_day), False)
            ok = np.asarray(good.to_numpy(zero_copy_only=False), dtype=bool) & todo
            seconds = np.asarray(
                pc.fill_null(pc.cast(parsed, pa.int64()), 0).to_numpy(zero_copy_only=False)
            )
            out[ok] = seconds[ok].astype("datetime64[s]").astype("datetime64[ns]")
            todo &= ~ok
    rest = np.flatnonzero(todo)
    if len(rest):
        codes, uniques = factorize(s.iloc[rest].astype("object"))
        parsed_u = [_parse_time(u) for u in uniques]
        out[rest] = pd.Series([*parsed_u, pd.NaT], dtype="datetime64[ns]").to_numpy()[codes]
    return pd.Series(out, index=s.index, dtype="datetime64[ns]")
