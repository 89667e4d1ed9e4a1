"""SPSS ``.sav`` files (SurveyXact, Qualtrics, LimeSurvey exports) via pyreadstat.

Read with ``user_missing=True``: value labels are applied (the codes are kept in
``value_labels``), user-missing codes listed per column in ``user_missing`` (e.g.
``{"q1": ["9"]}`` with ``9 = "Ved ikke"``), variable labels kept in ``column_labels``. Row numbers
are SPSS case numbers (1, 2, ...).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from fslt_survey.errors import ReadError
from fslt_survey.ingest.metadata import SPSS_ROLES, SX_STATUS_RE
from fslt_survey.ingest.raw import (
    MAGIC_SAV,
    Provenance,
    RawBytes,
    RawExport,
    Table,
    apply_labels,
    binary_multi,
    build_frame,
    canonical_code,
    describe_bytes,
    name_key,
    read_bytes,
)
from fslt_survey.ingest.workbook import cell_text


def spss_text(value: object) -> str | None:
    """An SPSS value as text: whole numbers without ``.0``, dates as ISO 8601."""
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return cell_text(value)
    if isinstance(value, pd.Timestamp):
        if pd.isna(value):
            return None
        return cell_text(value.to_pydatetime())
    if value is pd.NaT or value is pd.NA:
        return None
    return cell_text(value)


def read_sav(raw: RawBytes) -> tuple[Table, Any]:
    """Read an SPSS file with pyreadstat (user-missing values kept as values)."""
    if not raw.data.startswith(MAGIC_SAV):
        raise ReadError("not an SPSS .sav file", file=raw.path,
                        expected="an SPSS .sav file (starting $FL2)",
                        found=describe_bytes(raw.data))
    import pyreadstat

    try:
        df, meta = pyreadstat.read_sav(str(raw.path), user_missing=True)
    except Exception as exc:  # pyreadstat.ReadstatError and friends
        raise ReadError("the SPSS file cannot be read (damaged or truncated?)", file=raw.path,
                        expected="a valid SPSS .sav file",
                        found=f"{type(exc).__name__}: {exc}") from None
    columns = [str(c) for c in df.columns]
    data = [list(map(spss_text, df[c].tolist())) for c in df.columns]
    rows = [list(r) for r in zip(*data, strict=True)] if data else []
    rows = rows or [[] for _ in range(len(df))]
    return Table(list(columns), rows, list(range(1, len(df) + 1)),
                 encoding=getattr(meta, "file_encoding", None)), meta


def sav_labels(meta: Any, columns: Iterable[str]) -> dict[str, dict[str, str]]:
    """Value labels per column, codes as canonical text (``9.0`` -> ``"9"``)."""
    present = set(columns)
    return {col: {canonical_code(k): str(v) for k, v in table.items()}
            for col, table in (getattr(meta, "variable_value_labels", None) or {}).items()
            if col in present}


def sav_user_missing(meta: Any, frame: pd.DataFrame, labels: dict[str, dict[str, str]],
                     notes: list[str]) -> dict[str, list[str]]:
    """User-missing codes per column; a range lists the labelled and observed codes in it."""
    out: dict[str, list[str]] = {}
    for col, ranges in (getattr(meta, "missing_ranges", None) or {}).items():
        if col not in frame.columns:
            continue
        codes: list[str] = []
        seen = set(frame[col].dropna().tolist()) | set(labels.get(col, {}))
        for rng in ranges:
            lo, hi = rng.get("lo"), rng.get("hi")
            if lo == hi:
                codes.append(canonical_code(lo))
                continue
            for v in sorted(seen):
                try:
                    if float(lo) <= float(v) <= float(hi):
                        codes.append(canonical_code(v))
                except (TypeError, ValueError):
                    continue
            notes.append(f"column {col!r}: user-missing range {lo}..{hi}")
        out[col] = list(dict.fromkeys(codes))
    return out


def read_spss(path: str | Path) -> RawExport:
    """An SPSS ``.sav`` file: value labels applied, user-missing codes kept and listed."""
    raw = read_bytes(path)
    table, meta = read_sav(raw)
    built = build_frame(table, drop_empty_unnamed=False)
    labels = sav_labels(meta, built.frame.columns)
    user_missing = sav_user_missing(meta, built.frame, labels, built.notes)
    frame = apply_labels(built.frame, labels)
    names = getattr(meta, "column_names_to_labels", None) or {}
    column_labels = {c: str(lab) for c, lab in names.items() if lab and c in frame.columns}
    metadata = {c: SPSS_ROLES[name_key(c)] for c in frame.columns if name_key(c) in SPSS_ROLES}
    metadata.update({c: "status" for c in frame.columns if SX_STATUS_RE.match(c)})
    prov = Provenance(file=str(raw.path), sha256=raw.sha256, rows=len(frame), format="spss",
                      encoding=table.encoding)
    return RawExport(
        frame, built.row_numbers, prov, "spss", metadata,
        multi_columns=binary_multi(list(frame.columns), labels, metadata),
        value_labels=labels, user_missing=user_missing, column_labels=column_labels,
        renamed=built.renamed, notes=built.notes,
    )
