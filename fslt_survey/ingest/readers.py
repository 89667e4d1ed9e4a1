"""Readers for every export format the surveys meet, their provenance, and column matching.

``read_export(path)`` detects the format and returns a :class:`RawExport`: a DataFrame of the
raw records (every value a ``str`` or ``pd.NA``, nothing coerced: ``"007"`` stays ``"007"``,
``"2,5"`` stays ``"2,5"``), the row number of each record as the user sees it, the file's
provenance (SHA-256, rows, encoding, delimiter, sheets) and what the layout says about the
columns (metadata roles, multi-select layout, value labels, user-missing codes).
``match_columns(raw, instrument)`` then says which column holds which item.

Formats (``RawExport.format``)
------------------------------
``csv``
    Delimiter ``,`` ``;`` or tab; UTF-8 (with or without BOM), UTF-16 (LE/BE, with or without
    BOM) or cp1252. See :mod:`fslt_survey.ingest.formats` for how they are recognised.
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
  ``match_columns`` recognises the same names only for columns that match no item.

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

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from fslt_survey.codebook import Instrument, Item, normalise
from fslt_survey.errors import ReadError
from fslt_survey.ingest import formats as fm

__all__ = [
    "FORMATS",
    "GOOGLE_COLUMNS",
    "METADATA_COLUMNS",
    "MSFORMS_COLUMNS",
    "PLATFORM_COLUMNS",
    "SURVEYXACT_COLUMNS",
    "ColumnMatch",
    "Matching",
    "Provenance",
    "RawExport",
    "detect_format",
    "match_columns",
    "option_selected",
    "read_csv_any",
    "read_export",
    "read_googleforms",
    "read_msforms",
    "read_spss",
    "read_surveyxact",
    "read_xlsx",
]

FORMATS = ("csv", "xlsx", "surveyxact", "msforms", "googleforms", "spss")
TEXT_SUFFIXES = frozenset({".csv", ".tsv", ".txt", ".tab", ""})
XLSX_SUFFIXES = fm.XLSX_SUFFIXES
SPSS_SUFFIXES = frozenset({".sav", ".zsav"})

#: Microsoft Forms metadata columns (role -> accepted headers, compared case- and
#: punctuation-insensitively). English UI first, then the Danish UI's names and variants.
MSFORMS_COLUMNS: dict[str, tuple[str, ...]] = {
    "respondent_id": ("ID", "Id", "Svar-id"),
    "started": ("Start time", "Starttidspunkt", "Starttid", "Tidspunkt for start"),
    "submitted": ("Completion time", "Fuldførelsestidspunkt", "Tidspunkt for fuldførelse",
                  "Afslutningstidspunkt", "Sluttidspunkt", "Sluttid"),
    "email": ("Email", "E-mail", "Mail", "Mailadresse", "E-mailadresse"),
    "name": ("Name", "Navn"),
    "modified": ("Last modified time", "Tidspunkt for seneste ændring",
                 "Tidspunkt for sidste ændring", "Seneste ændringstidspunkt", "Senest ændret",
                 "Sidst ændret"),
    "points": ("Total points", "Samlet antal point", "Point i alt", "Samlede point"),
    "feedback": ("Quiz feedback", "Quizfeedback", "Feedback på quiz"),
    "graded": ("Grade posted time", "Tidspunkt for offentliggørelse af karakter"),
}
#: Google Forms metadata columns (the first column must be the timestamp).
GOOGLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "submitted": ("Timestamp", "Tidsstempel"),
    "email": ("Email Address", "Email", "E-mailadresse", "Mailadresse", "E-mail"),
    "points": ("Score", "Samlet score"),
}
#: SurveyXact dataset columns that are not questions (plus ``stat*`` status columns).
SURVEYXACT_COLUMNS: dict[str, tuple[str, ...]] = {
    "respondent_id": ("respondentid", "respondent_id", "respondent"),
    "started": ("starttime", "startdate", "createtime", "created"),
    "submitted": ("closetime", "closedate", "completetime", "completiontime"),
    "modified": ("lastchanged", "lastmodified", "changetime", "modified"),
    "email": ("email", "e_mail", "mail"),
    "name": ("name", "navn"),
    "status": ("statoverall", "status", "statstatus"),
}
#: Other platforms' metadata (Qualtrics, LimeSurvey): used for SPSS files and as a fallback.
PLATFORM_COLUMNS: dict[str, tuple[str, ...]] = {
    "respondent_id": ("ResponseId", "ResponseID", "id", "token"),
    "started": ("StartDate", "startdate"),
    "submitted": ("EndDate", "submitdate", "RecordedDate"),
    "modified": ("datestamp",),
    "status": ("Status", "Finished", "Progress", "lastpage"),
    "email": ("RecipientEmail",),
    "name": ("RecipientFirstName", "RecipientLastName"),
    "ip": ("IPAddress", "ipaddr"),
    "duration": ("Duration (in seconds)", "Duration__in_seconds_"),
    "language": ("UserLanguage", "startlanguage"),
    "location": ("LocationLatitude", "LocationLongitude"),
    "channel": ("DistributionChannel", "refurl"),
    "external_id": ("ExternalReference", "ExternalDataReference"),
}
#: Every metadata table by layout (SPSS files: SurveyXact's names and the other platforms').
METADATA_COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "msforms": MSFORMS_COLUMNS, "googleforms": GOOGLE_COLUMNS,
    "surveyxact": SURVEYXACT_COLUMNS,
    "spss": {role: SURVEYXACT_COLUMNS.get(role, ()) + PLATFORM_COLUMNS.get(role, ())
             for role in {**SURVEYXACT_COLUMNS, **PLATFORM_COLUMNS}},
}

_QUIZ_RE = re.compile(r"^\s*(points?|pointtal|score|feedback|tilbagemelding)\s*[-–:]\s*(\S.*)$",
                      re.IGNORECASE)
_SX_STATUS_RE = fm.SX_STATUS_RE
_SELECTED = frozenset({"1", "valgt", "selected", "checked", "ja", "yes", "true", "sand", "x"})
_NOT_SELECTED = frozenset({"0", "ikke valgt", "not selected", "unchecked", "nej", "no", "false",
                           "falsk"})


_key = fm.name_key


def _role_table(*tables: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for table in tables:
        for role, names in table.items():
            for name in names:
                out.setdefault(_key(name), role)
    return out


_MS_ROLES = _role_table(MSFORMS_COLUMNS)
_GOOGLE_ROLES = _role_table(GOOGLE_COLUMNS)
_SX_ROLES = _role_table(SURVEYXACT_COLUMNS)
_SPSS_ROLES = _role_table(SURVEYXACT_COLUMNS, PLATFORM_COLUMNS)
_ANY_ROLES = _role_table(MSFORMS_COLUMNS, GOOGLE_COLUMNS, SURVEYXACT_COLUMNS, PLATFORM_COLUMNS)


# --------------------------------------------------------------------------- data classes


@dataclass(frozen=True)
class Provenance:
    """Where a raw export came from: the file, its SHA-256, the records read and how.

    ``parts`` lists ``(file, sha256)`` of further files the export was read from (the
    structure and labels files of a SurveyXact CSV trio).
    """

    file: str
    sha256: str
    rows: int
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    sheets: tuple[str, ...] = ()
    parts: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict:
        return {
            "file": self.file, "sha256": self.sha256, "rows": self.rows, "format": self.format,
            "encoding": self.encoding, "delimiter": self.delimiter, "sheets": list(self.sheets),
            "parts": [{"file": f, "sha256": h} for f, h in self.parts],
        }


@dataclass
class RawExport:
    """One raw export, read but not cleaned (see the module docstring for each field)."""

    frame: pd.DataFrame
    row_numbers: list[int]
    provenance: Provenance
    format: str
    metadata: dict[str, str] = field(default_factory=dict)
    multi_separator: str | None = None
    multi_columns: dict[str, tuple[str, str]] = field(default_factory=dict)
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    user_missing: dict[str, list[str]] = field(default_factory=dict)
    #: question text per column where the file has one apart from the header (SurveyXact
    #: structure, SPSS variable labels); used by :func:`match_columns`.
    column_labels: dict[str, str] = field(default_factory=dict)
    #: columns renamed by the reader -> the header in the file (``""`` for a blank header).
    renamed: dict[str, str] = field(default_factory=dict)
    #: everything the reader noticed and handled (renames, skipped empty rows, joins).
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if len(self.row_numbers) != len(self.frame):
            raise ValueError("row_numbers must have one entry per record")


@dataclass
class ColumnMatch:
    """A raw column and the item it holds; ``option`` for one-column-per-option layouts.

    ``how``: ``sx`` (SurveyXact/SPSS variable name), ``id`` (item id), ``text`` (question
    text), ``grid`` (row of a grid/battery) or ``option`` (``Question - Option`` header of a
    multi item).
    """

    column: str
    item_id: str
    option: str | None
    how: str


@dataclass
class Matching:
    """Every raw column accounted for: matched to an item, metadata or unmatched."""

    matches: list[ColumnMatch]
    metadata: dict[str, str]
    unmatched: list[str]
    missing_items: list[str]

    @property
    def by_column(self) -> dict[str, ColumnMatch]:
        return {m.column: m for m in self.matches}

    @property
    def multi_columns(self) -> dict[str, tuple[str, str]]:
        """Option columns -> ``(item id, option code)``."""
        return {m.column: (m.item_id, m.option) for m in self.matches if m.option is not None}

    def columns_of(self, item_id: str) -> list[str]:
        return [m.column for m in self.matches if m.item_id == item_id]


def option_selected(value: object) -> bool | None:
    """Whether a one-column-per-option cell means *chosen*: ``Valgt``/``1`` -> ``True``,
    ``Ikke valgt``/``0`` -> ``False``, missing or anything else -> ``None``.

    >>> option_selected("Valgt"), option_selected("Ikke valgt"), option_selected(pd.NA)
    (True, False, None)
    """
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    text = normalise(fm.canonical_code(value))
    if text in _SELECTED:
        return True
    if text in _NOT_SELECTED:
        return False
    return None


# --------------------------------------------------------------------------- detection


def detect_format(path: str | Path, *, sheet: str | None = None) -> str:
    """The format of an export: one of :data:`FORMATS` (a clear ReadError otherwise)."""
    p = Path(path)
    if p.is_dir():
        fm.sx_locate(p)
        return "surveyxact"
    raw = fm.read_bytes(p)
    data, suffix = raw.data, p.suffix.lower()
    if data.startswith(fm.MAGIC_SAV):
        return "spss"
    if suffix in SPSS_SUFFIXES:
        raise ReadError("not an SPSS .sav file", file=p, expected="an SPSS .sav file",
                        found=fm.describe_bytes(data))
    if data.startswith((fm.MAGIC_ZIP, fm.MAGIC_OLE)) or suffix in XLSX_SUFFIXES | {".xls"}:
        wb = fm.open_workbook(raw)
        try:
            if fm.sx_sheets(wb.sheetnames) is not None:
                return "surveyxact"
            header = fm.sheet_header(wb, _data_sheet(wb, sheet, p), p)
        finally:
            wb.close()
        return _layout(header) or "xlsx"
    if suffix not in TEXT_SUFFIXES:
        raise ReadError(
            f"unknown export format {suffix!r}", file=p,
            expected="a .csv/.tsv/.txt text export, an .xlsx workbook, an SPSS .sav file or a "
            "SurveyXact folder", found=fm.describe_bytes(data),
        )
    if p.stem.casefold() in fm.SX_PARTS and len(fm.sx_trio(p.parent)) == len(fm.SX_PARTS):
        return "surveyxact"
    if sheet is not None:
        raise ReadError("sheet= applies to xlsx workbooks only", file=p,
                        expected="an xlsx workbook", found="a text export")
    return _layout(fm.read_text_header(raw)) or "csv"


def _layout(header: list[str | None]) -> str | None:
    names = [h or "" for h in header]
    if _msforms_metadata(names) is not None:
        return "msforms"
    if _google_metadata(names) is not None:
        return "googleforms"
    return None


def _leading(names: list[str], roles: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name in names:
        role = roles.get(_key(name)) if name else None
        if role is None:
            break
        out[name] = role
    return out


def _quiz_role(name: str) -> str | None:
    m = _QUIZ_RE.match(name)
    if m is None:
        return None
    return "feedback" if m[1].casefold() in ("feedback", "tilbagemelding") else "points"


def _msforms_metadata(names: list[str]) -> dict[str, str] | None:
    meta = _leading(names, _MS_ROLES)
    roles = set(meta.values())
    if "respondent_id" not in roles or not roles & {"started", "submitted"}:
        return None
    for name in names:
        role = _quiz_role(name) or (_MS_ROLES.get(_key(name)) if name not in meta else None)
        if name not in meta and role in ("points", "feedback", "graded"):
            meta[name] = role
    return meta


def _google_metadata(names: list[str]) -> dict[str, str] | None:
    if not names or _GOOGLE_ROLES.get(_key(names[0])) != "submitted":
        return None
    return _leading(names, _GOOGLE_ROLES)


# --------------------------------------------------------------------------- generic readers


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
    raw = fm.read_bytes(path)
    _expect_text(raw)
    return _export(raw, fm.read_text_table(raw, columnar=True), "csv")


def read_xlsx(path: str | Path, *, sheet: str | None = None) -> RawExport:
    """One sheet of a workbook (the first non-empty one unless ``sheet``), as format ``xlsx``."""
    raw = fm.read_bytes(path)
    return _export(raw, _workbook_table(raw, sheet), "xlsx")


def read_msforms(path: str | Path, *, sheet: str | None = None) -> RawExport:
    """A Microsoft Forms export (xlsx, or csv if saved as such)."""
    raw, table = _load_table(path, sheet)
    meta = _msforms_metadata([h or "" for h in table.header])
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
    meta = _google_metadata([h or "" for h in table.header])
    if meta is None:
        raise ReadError(
            "not a Google Forms export: the first column is not the timestamp", file=path,
            expected="first column Timestamp (Danish: Tidsstempel)", found=_head(table.header),
        )
    return _export(raw, table, "googleforms", meta, multi_separator=",")


def _head(header: list[str | None]) -> str:
    return ", ".join(repr(h or "") for h in header[:4]) + (", ..." if len(header) > 4 else "")


def _expect_text(raw: fm.RawBytes) -> None:
    if raw.data.startswith((fm.MAGIC_ZIP, fm.MAGIC_OLE, *fm.MAGIC_SAV)):
        raise ReadError("expected a text (CSV) export", file=raw.path,
                        expected="delimited text", found=fm.describe_bytes(raw.data))


def _load_table(path: str | Path, sheet: str | None) -> tuple[fm.RawBytes, fm.Table]:
    raw = fm.read_bytes(path)
    if raw.data.startswith((fm.MAGIC_ZIP, fm.MAGIC_OLE)) or raw.path.suffix.lower() in (
        XLSX_SUFFIXES
    ):
        return raw, _workbook_table(raw, sheet)
    _expect_text(raw)
    if sheet is not None:
        raise ReadError("sheet= applies to xlsx workbooks only", file=path,
                        expected="an xlsx workbook", found="a text export")
    return raw, fm.read_text_table(raw, columnar=True)


def _workbook_table(raw: fm.RawBytes, sheet: str | None) -> fm.Table:
    wb = fm.open_workbook(raw)
    try:
        name = _data_sheet(wb, sheet, raw.path)
        table = fm.sheet_table(wb, name, raw.path)
        skipped = list(wb.sheetnames)[: list(wb.sheetnames).index(name)]
        if sheet is None and skipped:
            table.notes.insert(0, f"data read from sheet {name!r}; sheet(s) "
                               f"{', '.join(map(repr, skipped))} skipped (empty or notes only)")
        return table
    finally:
        wb.close()


def _data_sheet(wb: Any, sheet: str | None, file: str | Path) -> str:
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
        if fm.sheet_has_table(wb, name):
            return name
        if first is None and not fm.sheet_is_empty(wb, name):
            first = name
    if first is not None:
        return first
    raise ReadError("the workbook holds no data: every sheet is empty", file=file,
                    expected="a sheet with a header row", found=f"{len(names)} empty sheet(s)")


def _export(raw: fm.RawBytes, table: fm.Table, fmt: str, metadata: dict[str, str] | None = None,
            **extra: Any) -> RawExport:
    built = fm.build_frame(table)
    prov = Provenance(
        file=str(raw.path), sha256=raw.sha256, rows=len(built.frame), format=fmt,
        encoding=table.encoding, delimiter=table.delimiter,
        sheets=(table.sheet,) if table.sheet else (),
    )
    meta = {c: r for c, r in (metadata or {}).items() if c in built.frame.columns}
    return RawExport(built.frame, built.row_numbers, prov, fmt, meta,
                     renamed=built.renamed, notes=built.notes, **extra)


# --------------------------------------------------------------------------- SPSS and SurveyXact


def _binary_multi(columns: list[str], labels: Mapping[str, Mapping[str, str]],
                  taken: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """``<stem>_<code>`` columns whose labels are Valgt/Ikke valgt (or 1/0 equivalents)."""
    out: dict[str, tuple[str, str]] = {}
    for col in columns:
        table = labels.get(col)
        m = re.match(r"^(.+)_([A-Za-z0-9]+)$", col)
        if col in taken or not table or m is None:
            continue
        if {option_selected(lab) for lab in table.values()} == {True, False}:
            out[col] = (m[1], m[2])
    return out


def read_spss(path: str | Path) -> RawExport:
    """An SPSS ``.sav`` file: value labels applied, user-missing codes kept and listed."""
    raw = fm.read_bytes(path)
    table, meta = fm.read_sav(raw)
    built = fm.build_frame(table, drop_empty_unnamed=False)
    labels = fm.sav_labels(meta, built.frame.columns)
    user_missing = fm.sav_user_missing(meta, built.frame, labels, built.notes)
    frame = fm.apply_labels(built.frame, labels)
    names = getattr(meta, "column_names_to_labels", None) or {}
    column_labels = {c: str(lab) for c, lab in names.items() if lab and c in frame.columns}
    metadata = {c: _SPSS_ROLES[_key(c)] for c in frame.columns if _key(c) in _SPSS_ROLES}
    metadata.update({c: "status" for c in frame.columns if _SX_STATUS_RE.match(c)})
    prov = Provenance(file=str(raw.path), sha256=raw.sha256, rows=len(frame), format="spss",
                      encoding=table.encoding)
    return RawExport(
        frame, built.row_numbers, prov, "spss", metadata,
        multi_columns=_binary_multi(list(frame.columns), labels, metadata),
        value_labels=labels, user_missing=user_missing, column_labels=column_labels,
        renamed=built.renamed, notes=built.notes,
    )


def read_surveyxact(path_or_dir: str | Path) -> RawExport:
    """A SurveyXact export: the CSV trio (folder or any one file) or the xlsx workbook."""
    p = Path(path_or_dir)
    if not p.exists():
        raise ReadError("file not found", file=p)
    sx = fm.read_sx(fm.sx_locate(p))
    built = fm.build_frame(sx.data)
    sx.data.columns = None  # the frame holds them now (so that labelling can free them)
    notes = built.notes
    structure = fm.sx_structure(sx.structure, built.frame.columns, sx.structure_file, notes)
    labels = fm.sx_labels(sx.labels, built.frame.columns, sx.labels_file, sx.labels_delimiter,
                          notes)
    multi = dict(structure.multi)
    if not any(fm.name_key(h) == "subtype" for h in sx.structure.header if h):
        multi.update(_binary_multi(list(built.frame.columns), labels, multi))
    frame = fm.apply_labels(built.frame, labels, inplace=True)  # built.frame is not used again
    metadata: dict[str, str] = {}
    for col in frame.columns:
        role = _SX_ROLES.get(_key(col))
        if role is None and (col in structure.status or _SX_STATUS_RE.match(col)):
            role = "status"
        if role is not None:
            metadata[col] = role
    prov = Provenance(str(sx.dataset.path), sx.dataset.sha256, len(frame), "surveyxact",
                      sx.data.encoding, sx.data.delimiter, sx.sheets, sx.parts)
    return RawExport(frame, built.row_numbers, prov, "surveyxact", metadata,
                     multi_columns=multi, value_labels=labels,
                     column_labels=structure.column_labels, renamed=built.renamed, notes=notes)


# --------------------------------------------------------------------------- matching


def _splits(header: str) -> list[tuple[str, str]]:
    """Ways to read a header as ``(question, row)``: ``Q [Row]``, ``Q - Row``, ``Q.Row``."""
    out: list[tuple[str, str]] = []
    m = re.match(r"^(.*\S)\s*\[([^\[\]]+)\]\s*$", header, re.DOTALL)
    if m:
        out.append((m[1], m[2]))
    for sep in re.finditer(r"\s+[-–]\s+|\.", header):
        q, r = header[: sep.start()], header[sep.end():]
        if q.strip() and r.strip():
            out.append((q, r))
    return out


def _lead_words(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a.split(), b.split(), strict=False):
        if x != y:
            break
        n += 1
    return n


class _Matcher:
    def __init__(self, raw: RawExport, instrument: Instrument) -> None:
        self.raw, self.inst = raw, instrument
        self.file = raw.provenance.file
        self.sx: dict[str, Item] = {}
        self.ids = {it.id.casefold(): it for it in instrument}
        self.multi_sx: dict[str, Item] = {}
        self.multi_ids = {it.id.casefold(): it for it in instrument if it.type == "multi"}
        self.text: dict[str, list[Item]] = {}
        self.rows: dict[str, list[Item]] = {}
        titles = {s.id: s.title for s in instrument.sections}
        self.titles = {it.id: normalise(titles.get(it.section, "")) for it in instrument}
        for it in instrument:
            if it.sx:
                self.sx[it.sx.casefold()] = it
                if it.type == "multi":
                    self.multi_sx[it.sx.casefold()] = it
            self.text.setdefault(normalise(it.text), []).append(it)
            if it.battery:
                for key in {normalise(it.text), normalise(it.short or "")} - {""}:
                    self.rows.setdefault(key, []).append(it)

    def texts(self, col: str) -> list[str]:
        out = [self.raw.renamed.get(col, col), self.raw.column_labels.get(col, "")]
        return [t for t in out if t and t.strip()]

    def option(self, item: Item, code: str | None, text: str | None = None) -> str | None:
        scale = item.scale
        if scale is None or code is None:
            return code
        lab = scale.by_code(code) or next((x for x in scale.labels if x.key == code), None)
        if lab is None and text:
            lab = scale.match(text)
        return lab.key if lab is not None else code

    def ambiguous(self, col: str, items: list[Item]) -> ReadError:
        ids = ", ".join(dict.fromkeys(it.id for it in items))
        return ReadError(f"column matches several items ({ids}); make the item texts or sx "
                         "names distinct", file=self.file, column=col,
                         expected="one item per column", found=ids)

    def header(self, col: str) -> str:
        """The column's header as in the file (a repeated header was renamed ``Q (2)``)."""
        return self.raw.renamed.get(col) or col

    def by_name(self, col: str) -> ColumnMatch | None:
        """SurveyXact/SPSS option columns: the layout's map, then ``<sx>_<code>``."""
        if col in self.raw.multi_columns:
            qname, code = self.raw.multi_columns[col]
            item = self.multi_sx.get(qname.casefold())
            if item is not None:
                return ColumnMatch(col, item.id, self.option(item, code), "sx")
        head = self.header(col)
        folded = head.casefold()
        for names, how in ((self.multi_sx, "sx"), (self.multi_ids, "id")):
            best = max((n for n in names if folded.startswith(n + "_")
                        and len(folded) > len(n) + 1), key=len, default=None)
            if best is not None:
                item = names[best]
                return ColumnMatch(col, item.id, self.option(item, head[len(best) + 1:]), how)
        return None

    def by_option(self, col: str) -> ColumnMatch | None:
        found: dict[tuple[str, str], Item] = {}
        for text in self.texts(col):
            for q, r in _splits(text):
                for item in self.text.get(normalise(q), []):
                    lab = item.scale.match(r) if item.type == "multi" and item.scale else None
                    if lab is not None:
                        found[(item.id, lab.key)] = item
        if len(found) > 1:
            raise self.ambiguous(col, list(found.values()))
        if found:
            (item_id, key), = found
            return ColumnMatch(col, item_id, key, "option")
        return None

    def by_grid(self, col: str) -> tuple[ColumnMatch, int] | None:
        cands: dict[str, tuple[Item, int]] = {}
        for text in self.texts(col):
            for q, r in _splits(text):
                qn = normalise(q)
                for item in self.rows.get(normalise(r), []):
                    title = self.titles[item.id]
                    score = 1000 if qn and qn in (title, normalise(item.battery or "")) else (
                        _lead_words(qn, normalise(item.text)))
                    if score >= cands.get(item.id, (item, -1))[1]:
                        cands[item.id] = (item, score)
        if not cands:
            return None
        best = max(s for _, s in cands.values())
        top = [it for it, s in cands.values() if s == best]
        if len(top) > 1:
            raise self.ambiguous(col, top)
        return ColumnMatch(col, top[0].id, None, "grid"), best


def match_columns(raw: RawExport, instrument: Instrument) -> Matching:
    """Match every raw column to an item, to a metadata role, or report it unmatched.

    In this order, the first rule that applies wins:

    1. the column name equals an item's ``sx`` (case-insensitive): ``how="sx"``;
    2. the reader's metadata roles (``raw.metadata``);
    3. the column name equals an item's ``id`` (XLSForm/Kobo exports, files written by this
       toolkit): ``how="id"``;
    4. one column per option of a multi item: SurveyXact's structure map
       (``raw.multi_columns``), or the name ``<sx>_<option code>`` (``how="sx"``) or
       ``<id>_<option code>`` (``how="id"``). The option code is resolved against the item's
       scale (by code, else by option text) and given as the label's ``key``;
    5. Microsoft Forms quiz columns ``Points - Q`` / ``Feedback - Q``: metadata;
    6. the header (or the column label of a SurveyXact/SPSS file) equals an item's text
       after :func:`~fslt_survey.codebook.normalise` (case, whitespace, punctuation; so
       ``Q [Row]`` also matches an item whose text is ``Q Row``): ``how="text"``. Items that
       share a text are paired with the columns sharing it in questionnaire order;
    7. ``Question - Option`` / ``Question [Option]`` / ``Question.Option`` where the question
       is a multi item's text and the option one of its scale's labels: ``how="option"``;
    8. grid rows: the part after ``[``, `` - `` or ``.`` equals the ``text`` or ``short`` of
       an item in a battery (``battery:`` set): ``how="grid"``. When several batteries share
       that row, the question part decides: equal to the section title or battery id, else
       the item whose text shares the most leading words with it; a tie is an error. When
       several columns land on one item that way, the best question wins and the others are
       reported unmatched;
    9. known metadata names of any platform (``Email``, ``Navn``, ``respondentid``, ...);
    10. otherwise the column is reported in ``unmatched``.

    A column that matches two items, or two columns that match one item (and option), is a
    :class:`ReadError` naming the column(s). Items without a column are in ``missing_items``.
    """
    m = _Matcher(raw, instrument)
    columns = [str(c) for c in raw.frame.columns]
    names = set(columns)
    found: dict[str, ColumnMatch] = {}
    grid_scores: dict[str, int] = {}
    metadata: dict[str, str] = {}
    text_cols: dict[str, list[str]] = {}
    for col in columns:
        # a repeated header (renamed ``Q (2)`` by the reader) matches like the original, so
        # that two columns claiming one item are an error rather than one silently unmatched
        item = m.sx.get(m.header(col).casefold())
        if item is not None:
            found[col] = ColumnMatch(col, item.id, None, "sx")
            continue
        if col in raw.metadata:
            metadata[col] = raw.metadata[col]
            continue
        item = m.ids.get(col.casefold())
        if item is not None:
            found[col] = ColumnMatch(col, item.id, None, "id")
            continue
        hit = m.by_name(col)
        if hit is not None:
            found[col] = hit
            continue
        quiz = _QUIZ_RE.match(raw.renamed.get(col, col))
        if quiz and (raw.format == "msforms" or quiz[2] in names):
            metadata[col] = _quiz_role(quiz[0]) or "points"
            continue
        key = next((normalise(t) for t in m.texts(col) if normalise(t) in m.text), None)
        if key is not None:
            text_cols.setdefault(key, []).append(col)
    for key, cols in text_cols.items():
        items = m.text[key]
        if len(items) == len(cols):
            for col, item in zip(cols, items, strict=True):
                found[col] = ColumnMatch(col, item.id, None, "text")
        elif len(items) > 1:
            raise m.ambiguous(cols[0], items)
        else:
            raise ReadError(
                f"columns {', '.join(map(repr, cols))} all match item {items[0].id!r}",
                file=m.file, column=cols[1], expected="one column per item",
                found=f"{len(cols)} columns")
    unmatched: list[str] = []
    for col in columns:
        if col in found or col in metadata:
            continue
        hit = m.by_option(col)
        grid = None if hit is not None else m.by_grid(col)
        if grid is not None:
            hit, grid_scores[col] = grid
        if hit is not None:
            found[col] = hit
        elif col in raw.renamed and m.header(col).casefold() in m.ids:  # a repeated item id
            found[col] = ColumnMatch(col, m.ids[m.header(col).casefold()].id, None, "id")
        elif _ANY_ROLES.get(_key(raw.renamed.get(col, col))):
            metadata[col] = _ANY_ROLES[_key(raw.renamed.get(col, col))]
        else:
            unmatched.append(col)
    _resolve_duplicates(found, grid_scores, unmatched, m.file)
    matches = [found[c] for c in columns if c in found]
    have = {x.item_id for x in matches}
    return Matching(matches, metadata, [c for c in columns if c in unmatched],
                    [it.id for it in instrument if it.id not in have])


def _resolve_duplicates(found: dict[str, ColumnMatch], grid_scores: dict[str, int],
                        unmatched: list[str], file: str) -> None:
    groups: dict[tuple[str, str | None], list[str]] = {}
    for col, hit in found.items():
        groups.setdefault((hit.item_id, hit.option), []).append(col)
    for (item_id, option), cols in groups.items():
        if len(cols) == 1:
            continue
        if all(c in grid_scores for c in cols):
            best = max(grid_scores[c] for c in cols)
            winners = [c for c in cols if grid_scores[c] == best]
            if len(winners) == 1:
                for c in cols:
                    if c != winners[0]:
                        del found[c]
                        unmatched.append(c)
                continue
        what = f"item {item_id!r}" + (f" option {option!r}" if option is not None else "")
        raise ReadError(f"columns {', '.join(map(repr, cols))} all match {what}", file=file,
                        column=cols[1], expected="one column per item",
                        found=f"{len(cols)} columns")
    by_item: dict[str, set[str | None]] = {}
    for hit in found.values():
        by_item.setdefault(hit.item_id, set()).add(hit.option)
    for item_id, options in by_item.items():
        if None in options and len(options) > 1:
            cols = [c for c, h in found.items() if h.item_id == item_id]
            raise ReadError(f"item {item_id!r} is matched both as one column and as option "
                            "columns", file=file, column=cols[0],
                            expected="one layout per item", found=", ".join(cols))
