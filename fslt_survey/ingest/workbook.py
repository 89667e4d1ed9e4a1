"""Excel workbooks: opening one safely, cell texts, the data sheet and its header row.

openpyxl reads in read-only mode from the bytes already read (the file is opened once, read
only); encrypted (OLE) workbooks, legacy ``.xls``, truncated zips and other zips are refused with
a message saying what was found.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import zipfile
import zlib
from pathlib import Path
from typing import Any

from fslt_survey.errors import ReadError
from fslt_survey.ingest.raw import MAGIC_OLE, MAGIC_ZIP, RawBytes, Table, describe_bytes
from fslt_survey.ingest.text import rows_text

_ENCRYPTION_MARK = "EncryptionInfo".encode("utf-16-le")

def open_workbook(raw: RawBytes) -> Any:
    """Open an xlsx workbook read-only from bytes; clear errors for what is not one."""
    data, file = raw.data, raw.path
    if data.startswith(MAGIC_OLE):
        if _ENCRYPTION_MARK in data:
            raise ReadError(
                "the workbook is password-protected (encrypted); open it in Excel, remove the "
                "password and save it again", file=file, expected="an unencrypted xlsx workbook",
                found="an encrypted Office file",
            )
        raise ReadError(
            "this is a legacy Excel 97-2003 (.xls) file; save it as .xlsx", file=file,
            expected="an xlsx workbook", found="a legacy .xls file (OLE2 container)",
        )
    if not data.startswith(MAGIC_ZIP):
        raise ReadError(
            "not an xlsx workbook", file=file, expected="an xlsx workbook (a zip archive)",
            found=describe_bytes(data),
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            broken = zf.testzip()
            mimetype = zf.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError,
            ValueError, NotImplementedError) as exc:
        raise ReadError(
            "the workbook is truncated or corrupt (broken zip archive)", file=file,
            expected="a complete xlsx workbook", found=str(exc),
        ) from None
    if broken is not None:
        raise ReadError(
            "the workbook is corrupt: a part fails its checksum", file=file,
            expected="a complete xlsx workbook", found=f"damaged part {broken}",
        )
    if "xl/workbook.xml" not in names:
        found = "a zip archive without xl/workbook.xml"
        if b"opendocument.spreadsheet" in mimetype:
            found = "an OpenDocument spreadsheet (.ods); save it as .xlsx"
        elif "word/document.xml" in names:
            found = "a Word document"
        raise ReadError("not an xlsx workbook", file=file, expected="an xlsx workbook",
                        found=found)
    import openpyxl  # local: keeps importing the package light

    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged parts
        raise ReadError(
            "the workbook cannot be opened", file=file, expected="a valid xlsx workbook",
            found=f"{type(exc).__name__}: {exc}",
        ) from None


def cell_text(value: object) -> str | None:
    """An xlsx cell value as the text a user sees (dates as ISO 8601); blank -> ``None``."""
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(value, ".15g")
    if isinstance(value, dt.datetime):
        if value.tzinfo is None and value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(timespec="seconds" if not value.microsecond else "auto")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    text = str(value)
    return text if text.strip() else None


def sheet_rows(wb: Any, name: str, limit: int | None = None) -> list[tuple[int, list[str | None]]]:
    """Non-empty rows of a sheet as ``(excel row number, cell texts)`` (the first ``limit``)."""
    ws = wb[name]
    if hasattr(ws, "reset_dimensions"):
        ws.reset_dimensions()  # some writers store a wrong dimension; never trust it
    out = []
    for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
        cells = [cell_text(v) for v in values]
        while cells and cells[-1] is None:
            cells.pop()
        if cells:
            out.append((number, cells))
            if limit is not None and len(out) >= limit:
                break
    return out


#: At most this many title rows (one cell in column A each) above a header are skipped.
MAX_TITLE_ROWS = 5


def _title_rows(rows: list[tuple[int, list[str | None]]]) -> int:
    """How many leading rows are a title above the header: rows holding one cell, in column A,
    followed by a row with two or more cells (a one-column sheet has no title rows)."""
    for k, (_, cells) in enumerate(rows[: MAX_TITLE_ROWS + 1]):
        if sum(c is not None for c in cells) >= 2:
            return k
        if len(cells) != 1:
            return 0
    return 0


def sheet_table(wb: Any, name: str, file: str | Path) -> Table:
    """A sheet as a :class:`Table`: the first non-empty row is the header.

    Title rows above the header (up to :data:`MAX_TITLE_ROWS` rows holding a single cell in
    column A, e.g. "Medlemsundersøgelse 2025 - udtræk") are skipped and noted.
    """
    rows = sheet_rows(wb, name)
    if not rows:
        raise ReadError(f"sheet {name!r} is empty", file=file,
                        expected="a header row with column names", found="no cells")
    titles = _title_rows(rows)
    skipped_titles, rows = rows[:titles], rows[titles:]
    (_, header), data = rows[0], rows[1:]
    table = Table(list(header), [r for _, r in data], [n for n, _ in data], sheet=name)
    if skipped_titles:
        table.notes.append(
            # the titles' text stays out of the log: it may name a person
            f"sheet {name!r}: {len(skipped_titles)} title row(s) above the header skipped: rows "
            f"{rows_text([n for n, _ in skipped_titles])}; the header is row {rows[0][0]}"
        )
    present = set(table.row_numbers)
    skipped = [n for n in range(rows[0][0] + 1, data[-1][0] if data else 0) if n not in present]
    if skipped:
        table.notes.append(f"sheet {name!r}: {len(skipped)} empty row(s) skipped: rows "
                           f"{rows_text(skipped)}")
    return table


def sheet_header(wb: Any, name: str, file: str | Path) -> list[str | None]:
    """The header :func:`sheet_table` finds, reading only the first rows of the sheet."""
    rows = sheet_rows(wb, name, limit=MAX_TITLE_ROWS + 1)
    if not rows:
        return sheet_table(wb, name, file).header  # raises the empty-sheet error
    return list(rows[_title_rows(rows)][1])


def sheet_has_table(wb: Any, name: str) -> bool:
    """Whether a sheet has a row with two or more cells (not just notes in one column)."""
    ws = wb[name]
    if hasattr(ws, "reset_dimensions"):
        ws.reset_dimensions()
    return any(sum(cell_text(v) is not None for v in row) >= 2
               for row in ws.iter_rows(values_only=True))


def sheet_is_empty(wb: Any, name: str) -> bool:
    ws = wb[name]
    if hasattr(ws, "reset_dimensions"):
        ws.reset_dimensions()
    return not any(cell_text(v) is not None for row in ws.iter_rows(values_only=True)
                   for v in row)


def workbook_table(raw: RawBytes, sheet: str | None) -> Table:
    wb = open_workbook(raw)
    try:
        name = data_sheet(wb, sheet, raw.path)
        table = sheet_table(wb, name, raw.path)
        skipped = list(wb.sheetnames)[: list(wb.sheetnames).index(name)]
        if sheet is None and skipped:
            table.notes.insert(0, f"data read from sheet {name!r}; sheet(s) "
                               f"{', '.join(map(repr, skipped))} skipped (empty or notes only)")
        return table
    finally:
        wb.close()


def data_sheet(wb: Any, sheet: str | None, file: str | Path) -> str:
    names = list(wb.sheetnames)
    if sheet is not None:
        if sheet in names:
            return sheet
        folded = [n for n in names if n.casefold() == sheet.casefold()]
        if len(folded) == 1:
            return folded[0]
        raise ReadError(f"the workbook has no sheet {sheet!r}", file=file,
                        expected="one of " + ", ".join(map(repr, names)), found=sheet)
    first = None
    for name in names:  # the first sheet with a table (a sheet of notes in one column is not)
        if sheet_has_table(wb, name):
            return name
        if first is None and not sheet_is_empty(wb, name):
            first = name
    if first is not None:
        return first
    raise ReadError("the workbook holds no data: every sheet is empty", file=file,
                    expected="a sheet with a header row", found=f"{len(names)} empty sheet(s)")
