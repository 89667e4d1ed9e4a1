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


def submitted_times(raw: RawExport, matching: Matching) -> tuple[np.ndarray, str | None]:
    """When each response was submitted (else last modified, else started), as naive Danish
    time, and the column it was read from (``None`` when the export has none)."""
    for role in ("submitted", "modified", "started"):
        col = next((c for c, r in matching.metadata.items() if r == role), None)
        if col is not None and col in raw.frame:
            return _parse_times(raw.frame[col]).to_numpy(), col
    return np.full(len(raw.frame), np.datetime64("NaT"), dtype="datetime64[ns]"), None


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


#: Time zone names the survey tools write after a time (Google Forms: ``CET``/``CEST``), as
#: minutes east of UTC.
_ZONES = {"UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": 60, "BST": 60, "CET": 60, "CEST": 120,
          "MET": 60, "MEST": 120, "EET": 120, "EEST": 180}
#: A date (year first: ``2025/03/14``, ``2025-03-14``; or day first as Danes write it:
#: ``14/03/2025``, ``14.03.2025``, ``14-03-2025``), an optional time (``:`` or ``.`` between its
#: parts, optional ``AM``/``PM``) and an optional zone (``CET``, ``GMT+2``, ``+01:00``, ``Z``).
_STAMP_RE = re.compile(
    r"^(?:(?P<Y>\d{4})[/.-](?P<m>\d{1,2})[/.-](?P<d>\d{1,2})"
    r"|(?P<d2>\d{1,2})[/.-](?P<m2>\d{1,2})[/.-](?P<Y2>\d{4}))"
    r"(?:(?:[ T]|,\s*|\s+kl\.?\s*)(?P<H>\d{1,2})[:.](?P<M>\d{2})"
    r"(?:[:.](?P<S>\d{2})(?P<frac>[.,]\d+)?)?"
    r"(?:\s*(?P<ampm>[AaPp]\.?\s?[Mm]\.?))?)?"
    r"(?:\s*(?P<zone>[A-Za-z]{1,5})?(?P<off>[+-]\d{1,2}(?::?\d{2})?)?)?$"
)


def _offset_minutes(zone: str | None, off: str | None) -> int | None:
    """Minutes east of UTC of a written zone (``None``: no zone written; ``-1``: unknown)."""
    if zone is None and off is None:
        return None
    base = 0
    if zone is not None:
        if zone.upper() not in _ZONES:
            return -1
        base = _ZONES[zone.upper()]
    if off is None:
        return base
    sign = -1 if off[0] == "-" else 1
    digits = off[1:].replace(":", "")
    hours, minutes = (int(digits[:-2]), int(digits[-2:])) if len(digits) > 2 else (int(digits), 0)
    return base + sign * (60 * hours + minutes)


def _parse_stamp(text: str) -> Any:
    """A timestamp in one of the layouts of :data:`_STAMP_RE` (``None``: not such a layout)."""
    m = _STAMP_RE.match(text)
    if m is None:
        return None
    year, month, day = (m["Y"], m["m"], m["d"]) if m["Y"] else (m["Y2"], m["m2"], m["d2"])
    hour, minute, second = int(m["H"] or 0), int(m["M"] or 0), int(m["S"] or 0)
    # a fraction of a second (Kobo writes milliseconds: 10:00:05.250+01:00) to the microsecond
    micro = int((m["frac"][1:] + "000000")[:6]) if m["frac"] else 0
    if m["ampm"]:
        if not 1 <= hour <= 12:
            return pd.NaT
        hour = hour % 12 + (12 if m["ampm"][0] in "pP" else 0)
    offset = _offset_minutes(m["zone"], m["off"])
    if offset == -1 and m["zone"] is not None:
        return pd.NaT
    try:
        ts = pd.Timestamp(int(year), int(month), int(day), hour, minute, second, micro)
    except ValueError:  # 31/02, 25:00
        return pd.NaT
    if offset is not None:
        ts = (ts - pd.Timedelta(minutes=offset)).tz_localize("UTC")
        ts = ts.tz_convert("Europe/Copenhagen").tz_localize(None)
    return ts


def _parse_time(v: object) -> Any:
    """One timestamp as naive local (Danish) time, or NaT.

    Year-first dates are never read day first; day-first dates are the Danish ``dd/mm/yyyy``,
    ``dd.mm.yyyy`` and ``dd-mm-yyyy``. A written zone or offset is converted to Danish time.
    """
    if not isinstance(v, str) or not v.strip():
        return pd.NaT
    text = v.strip()
    ts = _parse_stamp(text)
    if ts is None:
        if not re.match(r"^\d{4}-\d{2}-\d{2}", text):  # only ISO 8601 is left to pandas
            return pd.NaT
        try:
            ts = pd.Timestamp(text)
        except (ValueError, TypeError):
            return pd.NaT
    if ts is pd.NaT or not 1900 <= ts.year <= 2200:
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
