"""Output safety: nothing the toolkit writes or shows can run as a formula or as HTML.

* :func:`neutralise_formula` / :func:`neutralise_frame`: a string a spreadsheet would evaluate
  (first character in :data:`FORMULA_PREFIXES`, OWASP CSV injection) gets a leading ``'``.
* :func:`write_csv_safe` (a CSV that Danish Excel opens: UTF-8 with BOM, ``;``, decimal comma)
  and :func:`write_xlsx_safe` (every string a shared string, never a formula): neutralised and
  written atomically (a temporary file, then a rename).
* :func:`escape_html`: HTML escaping, quotes included (the one place the toolkit does it).

Split from :mod:`fslt_survey.privacy`, which re-exports every name here.
"""

from __future__ import annotations

import html
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "FORMULA_PREFIXES",
    "escape_html",
    "neutralise_formula",
    "neutralise_frame",
    "write_csv_safe",
    "write_xlsx_safe",
]


# NA test shared with the redaction (privacy) and the recoverability checks.
def _is_na(value: object) -> bool:
    try:
        return bool(pd.isna(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):  # array-likes are not NA scalars
        return False


# ---------------------------------------------------------------------------------------------
# Output safety
# ---------------------------------------------------------------------------------------------

#: First characters that make Excel/LibreOffice evaluate a cell (OWASP CSV injection).
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: object) -> object:
    """Prefix ``'`` to a string that a spreadsheet would take as a formula; leave others alone.

    >>> neutralise_formula("=HYPERLINK(\\"http://x\\")"), neutralise_formula(-5)
    ('\\'=HYPERLINK("http://x")', -5)
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _neutralise_label(label: object) -> object:
    if isinstance(label, tuple):
        return tuple(neutralise_formula(part) for part in label)
    return neutralise_formula(label)


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy in which every string cell, column name and index label is neutralised.

    Numeric, boolean and date columns are untouched: ``-5`` as a number is a number, ``"-5"`` as
    text gets the apostrophe.
    """
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            out[col] = s.cat.rename_categories([_neutralise_label(c) for c in s.cat.categories])
        elif s.dtype == object or isinstance(s.dtype, pd.StringDtype):
            out[col] = s.map(neutralise_formula, na_action="ignore").astype(s.dtype)
    out.columns = out.columns.map(_neutralise_label)
    out.index = out.index.map(_neutralise_label)
    return out


def _atomic_write(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Write via a temporary file in the target folder, then ``os.replace`` it into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def write_csv_safe(df: pd.DataFrame, path: str | Path, *, index: bool = False) -> Path:
    """Write ``df`` as a CSV that Danish Excel opens correctly, neutralised and atomically.

    Format: UTF-8 with BOM (``utf-8-sig``, so Excel detects the encoding and shows æøå), ``;``
    as delimiter and ``,`` as decimal separator (the Danish list and decimal separators, so a
    double-click opens the file in columns with numbers as numbers), NA as an empty field.
    """
    safe = neutralise_frame(df)

    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8-sig", newline="") as handle:
            safe.to_csv(handle, sep=";", decimal=",", index=index, lineterminator="\r\n")
            handle.flush()
            os.fsync(handle.fileno())

    return _atomic_write(path, write)


#: Control characters an XLSX cell cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE); dropped.
_XLSX_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")


def _cell_value(value: object) -> object:
    if _is_na(value):
        return None
    if isinstance(value, str):
        return _XLSX_ILLEGAL.sub("", value)
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.tz_localize(None).to_pydatetime() if value.tzinfo else value.to_pydatetime()
    if isinstance(value, str | int | float | bool) or hasattr(value, "isoformat"):
        return value
    return str(value)


def write_xlsx_safe(
    df: pd.DataFrame, path: str | Path, *, sheet_name: str = "Data", index: bool = False
) -> Path:
    """Write ``df`` to an Excel workbook, neutralised and atomically.

    Every string (header included) is written with cell type ``"s"`` (shared string), so
    openpyxl never turns ``=...`` into a formula; neutralised strings keep their leading ``'``.
    """
    from openpyxl import Workbook

    safe = neutralise_frame(df.reset_index() if index else df)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_name

    def put(row: int, col: int, value: Any) -> None:
        cell = sheet.cell(row=row, column=col)
        cell.value = _cell_value(value)
        if isinstance(cell.value, str):
            cell.data_type = "s"

    for j, label in enumerate(safe.columns, start=1):
        put(1, j, " / ".join(map(str, label)) if isinstance(label, tuple) else str(label))
    for i, row in enumerate(safe.itertuples(index=False, name=None), start=2):
        for j, value in enumerate(row, start=1):
            put(i, j, value)
    sheet.freeze_panes = "A2"
    return _atomic_write(path, lambda tmp: workbook.save(tmp))


def escape_html(text: object) -> str:
    """Escape text for HTML, quotes included (the one place the toolkit does it). NA -> ``""``."""
    if _is_na(text):
        return ""
    return html.escape(str(text), quote=True)
