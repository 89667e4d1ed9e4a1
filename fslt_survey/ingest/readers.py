"""Readers for every export format the surveys meet, their provenance, and column matching.

``read_export(path)`` detects the format and returns a :class:`RawExport`: a DataFrame of the
raw records (every value a ``str`` or ``pd.NA``, nothing coerced: ``"007"`` stays ``"007"``,
``"2,5"`` stays ``"2,5"``), the row number of each record as the user sees it, the file's
provenance (SHA-256, rows, encoding, delimiter, sheets) and what the layout says about the
columns (metadata roles, multi-select layout, value labels, user-missing codes).
:func:`fslt_survey.clean.match_columns` then says which column holds which item.

Formats (``RawExport.format``)
------------------------------
``csv``
    Delimiter ``,`` ``;`` or tab; UTF-8 (with or without BOM), UTF-16 (LE/BE, with or without
    BOM) or cp1252. See :mod:`fslt_survey.ingest.text` for how they are recognised.
``xlsx``
    The first non-empty sheet (or ``sheet=``); the first non-empty row is the header. Numbers
    are written as Excel shows them (``1`` not ``1.0``), dates and times as ISO 8601.
``msforms``
    Microsoft Forms (xlsx or csv) recognised by its leading metadata columns
    (:data:`MSFORMS_COLUMNS`, English and Danish UI); multi-select in one cell ``A;B;`` ->
    ``multi_separator=";"``; quiz columns ``Points - Q`` / ``Feedback - Q`` are metadata.
``googleforms``
    Google Forms (csv or xlsx) recognised by a first column ``Timestamp``/``Tidsstempel``
    (:data:`GOOGLE_COLUMNS`); multi-select ``A, B`` -> ``multi_separator=","`` (an option
    containing a comma must be matched against the known options by the cleaner); grids
    ``Question [Row]``.
``surveyxact``
    The trio dataset/structure/labels as CSV (a folder, or any one of the three files) or one
    xlsx with sheets ``Dataset`` (or ``Dataset(1)``, ``Dataset(2)``, ... joined side by side),
    ``Structure`` and ``Labels``. Value labels are applied (the frame holds label texts;
    the codes are kept in ``value_labels``). A multi-select question is one column per option
    (``<questionName>_<n>``, labels ``Ikke valgt``/``Valgt``); ``multi_columns`` maps each to
    ``(questionName, choiceValue)`` from the structure, because SurveyXact numbers the columns
    by position, not by code.
``spss``
    ``.sav`` via pyreadstat with ``user_missing=True``: value labels applied, user-missing codes
    in ``user_missing`` (e.g. ``{"q1": ["9"]}`` with ``9 = "Ved ikke"``), variable labels in
    ``column_labels``. Row numbers are SPSS case numbers (1, 2, ...).

Decisions
---------
- A zero-byte file is an error; a header without records is a valid export with 0 rows.
- A repeated header is renamed ``Q (2)``, ``Q (3)``; a blank header becomes
  ``Unnamed: <column letter>``; both are recorded in ``renamed`` and ``notes``. A column with
  neither header nor values (a trailing delimiter, SurveyXact's phantom column) is dropped and
  noted.
- Records with no value at all (blank lines, ``;;;``) are skipped and noted, so that row
  numbers still point at the file. A record with more fields than the header is an error
  naming the row, unless the extra fields are empty.
- Metadata roles come from the layout (:data:`METADATA_COLUMNS`); in generic csv/xlsx files
  column matching recognises the same names only for columns that match no item.

Examples
--------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "svar.csv"
>>> _ = p.write_bytes("Forening;Antal\\nÆblehaven;007\\n".encode("cp1252"))
>>> raw = read_export(p)
>>> raw.format, raw.provenance.encoding, raw.provenance.delimiter, raw.frame.iloc[0, 1]
('csv', 'cp1252', ';', '007')
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fslt_survey.errors import ReadError
from fslt_survey.ingest.metadata import google_metadata, layout_of, msforms_metadata
from fslt_survey.ingest.raw import (
    MAGIC_OLE,
    MAGIC_SAV,
    MAGIC_ZIP,
    SPSS_SUFFIXES,
    TEXT_SUFFIXES,
    XLSX_SUFFIXES,
    Provenance,
    RawBytes,
    RawExport,
    Table,
    build_frame,
    describe_bytes,
    read_bytes,
)
from fslt_survey.ingest.spss import read_spss
from fslt_survey.ingest.surveyxact import SX_PARTS, read_surveyxact, sx_locate, sx_sheets, sx_trio
from fslt_survey.ingest.text import read_text_header, read_text_table
from fslt_survey.ingest.workbook import data_sheet, open_workbook, sheet_header, workbook_table

FORMATS = ("csv", "xlsx", "surveyxact", "msforms", "googleforms", "spss")


def detect_format(path: str | Path, *, sheet: str | None = None) -> str:
    """The format of an export: one of :data:`FORMATS` (a clear ReadError otherwise)."""
    p = Path(path)
    if p.is_dir():
        sx_locate(p)
        return "surveyxact"
    raw = read_bytes(p)
    data, suffix = raw.data, p.suffix.lower()
    if data.startswith(MAGIC_SAV):
        return "spss"
    if suffix in SPSS_SUFFIXES:
        raise ReadError("not an SPSS .sav file", file=p, expected="an SPSS .sav file",
                        found=describe_bytes(data))
    if data.startswith((MAGIC_ZIP, MAGIC_OLE)) or suffix in XLSX_SUFFIXES | {".xls"}:
        wb = open_workbook(raw)
        try:
            if sx_sheets(wb.sheetnames) is not None:
                return "surveyxact"
            header = sheet_header(wb, data_sheet(wb, sheet, p), p)
        finally:
            wb.close()
        return layout_of(header) or "xlsx"
    if suffix not in TEXT_SUFFIXES:
        raise ReadError(
            f"unknown export format {suffix!r}", file=p,
            expected="a .csv/.tsv/.txt text export, an .xlsx workbook, an SPSS .sav file or a "
            "SurveyXact folder", found=describe_bytes(data),
        )
    if p.stem.casefold() in SX_PARTS and len(sx_trio(p.parent)) == len(SX_PARTS):
        return "surveyxact"
    if sheet is not None:
        raise ReadError("sheet= applies to xlsx workbooks only", file=p,
                        expected="an xlsx workbook", found="a text export")
    return layout_of(read_text_header(raw)) or "csv"


def read_export(path: str | Path, *, format: str = "auto", sheet: str | None = None) -> RawExport:
    """Read any supported export (see the module docstring); ``format`` overrides detection."""
    if format not in ("auto", *FORMATS):
        raise ReadError(f"unknown format {format!r}", file=path,
                        expected="auto or one of " + ", ".join(FORMATS), found=format)
    fmt = detect_format(path, sheet=sheet) if format == "auto" else format
    if sheet is not None and fmt in ("csv", "spss", "surveyxact"):
        raise ReadError(f"sheet= does not apply to format {fmt!r}", file=path,
                        expected="an xlsx, msforms or googleforms export", found=fmt)
    if fmt == "csv":
        return read_csv_any(path)
    if fmt == "spss":
        return read_spss(path)
    if fmt == "surveyxact":
        return read_surveyxact(path)
    readers: dict[str, Callable[..., RawExport]] = {
        "xlsx": read_xlsx, "msforms": read_msforms, "googleforms": read_googleforms,
    }
    return readers[fmt](path, sheet=sheet)


def read_csv_any(path: str | Path) -> RawExport:
    """A delimited text export in any supported encoding and delimiter, as format ``csv``."""
    raw = read_bytes(path)
    _expect_text(raw)
    return _export(raw, read_text_table(raw, columnar=True), "csv")


def read_xlsx(path: str | Path, *, sheet: str | None = None) -> RawExport:
    """One sheet of a workbook (the first non-empty one unless ``sheet``), as format ``xlsx``."""
    raw = read_bytes(path)
    return _export(raw, workbook_table(raw, sheet), "xlsx")


def read_msforms(path: str | Path, *, sheet: str | None = None) -> RawExport:
    """A Microsoft Forms export (xlsx, or csv if saved as such)."""
    raw, table = _load_table(path, sheet)
    meta = msforms_metadata([h or "" for h in table.header])
    if meta is None:
        raise ReadError(
            "not a Microsoft Forms export: its metadata columns are missing", file=path,
            expected="leading columns ID, Start time, Completion time (Danish: Id, "
            "Starttidspunkt, Fuldførelsestidspunkt)", found=_head(table.header),
        )
    return _export(raw, table, "msforms", meta, multi_separator=";")


def read_googleforms(path: str | Path, *, sheet: str | None = None) -> RawExport:
    """A Google Forms export (csv download, or xlsx from Google Sheets)."""
    raw, table = _load_table(path, sheet)
    meta = google_metadata([h or "" for h in table.header])
    if meta is None:
        raise ReadError(
            "not a Google Forms export: the first column is not the timestamp", file=path,
            expected="first column Timestamp (Danish: Tidsstempel)", found=_head(table.header),
        )
    return _export(raw, table, "googleforms", meta, multi_separator=",")


def _head(header: list[str | None]) -> str:
    return ", ".join(repr(h or "") for h in header[:4]) + (", ..." if len(header) > 4 else "")


def _expect_text(raw: RawBytes) -> None:
    if raw.data.startswith((MAGIC_ZIP, MAGIC_OLE, *MAGIC_SAV)):
        raise ReadError("expected a text (CSV) export", file=raw.path,
                        expected="delimited text", found=describe_bytes(raw.data))


def _load_table(path: str | Path, sheet: str | None) -> tuple[RawBytes, Table]:
    raw = read_bytes(path)
    if raw.data.startswith((MAGIC_ZIP, MAGIC_OLE)) or raw.path.suffix.lower() in (
        XLSX_SUFFIXES
    ):
        return raw, workbook_table(raw, sheet)
    _expect_text(raw)
    if sheet is not None:
        raise ReadError("sheet= applies to xlsx workbooks only", file=path,
                        expected="an xlsx workbook", found="a text export")
    return raw, read_text_table(raw, columnar=True)




def _export(raw: RawBytes, table: Table, fmt: str, metadata: dict[str, str] | None = None,
            **extra: Any) -> RawExport:
    built = build_frame(table)
    prov = Provenance(
        file=str(raw.path), sha256=raw.sha256, rows=len(built.frame), format=fmt,
        encoding=table.encoding, delimiter=table.delimiter,
        sheets=(table.sheet,) if table.sheet else (),
    )
    meta = {c: r for c, r in (metadata or {}).items() if c in built.frame.columns}
    return RawExport(built.frame, built.row_numbers, prov, fmt, meta,
                     renamed=built.renamed, notes=built.notes, **extra)

