"""What every reader shares: a file's bytes, records of strings, the raw frame and its provenance.

A reader turns a file's bytes (:class:`RawBytes`, read once and hashed) into a :class:`Table` of
strings (header, records, the row number of each record), that into a string DataFrame
(:func:`build_frame`: every value a ``str`` or ``pd.NA``; blank and repeated headers renamed) and
that into a :class:`RawExport` with its :class:`Provenance`. The file endings the readers accept
are defined here once (:data:`EXPORT_SUFFIXES`), so that finding exports in a folder
(:mod:`fslt_survey.ingest.discover`) takes exactly the files :func:`~fslt_survey.ingest.read_export`
reads.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from fslt_survey.codebook import normalise
from fslt_survey.errors import ReadError
from fslt_survey.ingest.fastcsv import memory_pool, take_strings, thread_map

#: dtype of every column of a raw frame: values are ``str`` or ``pd.NA``.
STRING_DTYPE = pd.StringDtype()
MAGIC_ZIP = b"PK\x03\x04"
MAGIC_OLE = bytes.fromhex("D0CF11E0A1B11AE1")
MAGIC_SAV = (b"$FL2", b"$FL3")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_INT_CODE_RE = re.compile(r"^[+-]?\d+\.0*$")
#: File endings of delimited text exports (``""``: a file without an ending).
TEXT_SUFFIXES = frozenset({".csv", ".tsv", ".txt", ".tab", ""})
#: File endings of Excel workbooks (``.xls`` is recognised to refuse it with a clear message).
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
SPSS_SUFFIXES = frozenset({".sav", ".zsav"})
#: Every file ending :func:`~fslt_survey.ingest.read_export` takes, as export discovery uses it.
EXPORT_SUFFIXES = frozenset((TEXT_SUFFIXES - {""}) | XLSX_SUFFIXES | SPSS_SUFFIXES | {".xls"})
_SELECTED = frozenset({"1", "valgt", "selected", "checked", "ja", "yes", "true", "sand", "x"})
_NOT_SELECTED = frozenset({"0", "ikke valgt", "not selected", "unchecked", "nej", "no", "false",
                           "falsk"})

@dataclass(frozen=True)
class RawBytes:
    """A file's bytes, read once, and their SHA-256."""

    path: Path
    data: bytes
    sha256: str


@dataclass
class Table:
    """Records of strings as they are in the file (``None`` = empty cell)."""

    header: list[str | None]
    rows: list[list[str | None]]
    row_numbers: list[int]
    notes: list[str] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    #: the records column by column (``string`` arrays, one per header field) when the columnar
    #: fast path read them (:mod:`fslt_survey.ingest.fastcsv`); ``rows`` is then empty.
    columns: list[Any] | None = None


@dataclass
class Frame:
    """A table turned into a string DataFrame, with what was renamed or dropped on the way."""

    frame: pd.DataFrame
    row_numbers: list[int]
    renamed: dict[str, str]
    notes: list[str]


def read_bytes(path: str | Path) -> RawBytes:
    """Read a whole file (read-only) and hash it; a missing, unreadable or empty file is refused."""
    p = Path(path)
    if p.is_dir():
        raise ReadError("expected a file, found a folder", file=p)
    try:
        with p.open("rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        raise ReadError("file not found", file=p) from None
    except OSError as exc:
        raise ReadError(f"cannot open the file ({exc.strerror or exc})", file=p) from None
    if not data:
        raise ReadError("the file is empty", file=p, expected="a survey export", found="0 bytes")
    return RawBytes(p, data, hashlib.sha256(data).hexdigest())


def describe_bytes(data: bytes) -> str:
    """A short human description of what a file looks like (for error messages)."""
    if data.startswith(MAGIC_ZIP):
        return "a zip archive"
    if data.startswith(MAGIC_OLE):
        return "an OLE2 container (encrypted Office file or legacy .xls)"
    if data.startswith(MAGIC_SAV):
        return "an SPSS .sav file"
    for magic, what in ((b"%PDF", "a PDF document"), (b"\x89PNG", "a PNG image"),
                        (b"\xff\xd8\xff", "a JPEG image"), (b"\x1f\x8b", "a gzip archive"),
                        (b"{\\rtf", "an RTF document")):
        if data.startswith(magic):
            return what
    head = data[:200]
    if b"\x00" not in head:
        try:
            text = head.decode("utf-8")
        except UnicodeDecodeError:
            text = head.decode("cp1252", errors="replace")
        if not CONTROL_RE.search(text):
            first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
            return f"text starting {first[:40]!r}"
    return "binary data (first bytes " + " ".join(f"{b:02X}" for b in data[:8]) + ")"


def column_letter(index: int) -> str:
    """Spreadsheet letter of a 0-based column index (0 -> ``A``, 26 -> ``AA``)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def canonical_code(value: object) -> str:
    """A code as text for label look-up: ``1``, ``"1"``, ``1.0`` and ``" 1.00 "`` are ``"1"``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    if _INT_CODE_RE.match(text):
        return text.split(".")[0].lstrip("+") or "0"
    return text


def build_frame(table: Table, *, drop_empty_unnamed: bool = True) -> Frame:
    """Name the columns (blank -> ``Unnamed: C``, repeats -> ``Q (2)``) and build the frame.

    Columns without a header and without any value are dropped (a trailing delimiter, the
    phantom column of SurveyXact's structure.csv, an empty first column in a sheet); every
    rename and drop is recorded in ``notes`` and renames in ``renamed`` (new -> original).
    """
    cols = table.columns  # the columnar fast path: one array per header field, rows empty
    width = max([len(table.header), *(len(r) for r in table.rows)], default=0)
    header = list(table.header) + [None] * (width - len(table.header))
    rows = [list(r) + [None] * (width - len(r)) for r in table.rows]
    nrows = len(cols[0]) if cols else len(rows)
    notes = list(table.notes)
    where = f"sheet {table.sheet!r}, " if table.sheet else ""
    keep: list[int] = []
    for j in range(width):
        blank = header[j] is None or not str(header[j]).strip()
        empty = cols[j].isna().all() if cols is not None else all(r[j] is None for r in rows)
        if blank and drop_empty_unnamed and empty:
            notes.append(f"{where}column {column_letter(j)} has no header and no values; "
                         "ignored")
            continue
        keep.append(j)
    used = {h for h in header if h is not None and str(h).strip()}
    names: list[str] = []
    renamed: dict[str, str] = {}
    seen: set[str] = set()
    for j in keep:
        original = header[j]
        if original is None or not str(original).strip():
            name = _free(f"Unnamed: {column_letter(j)}", used | seen)
            renamed[name] = ""
            notes.append(f"{where}column {column_letter(j)} has no header; named {name!r}")
        elif original in seen:
            name = _free(f"{original} (2)", used | seen, base=original)
            renamed[name] = original
            notes.append(f"{where}header {original!r} repeats in column {column_letter(j)}; "
                         f"renamed {name!r}")
        else:
            name = original
        seen.add(name)
        names.append(name)
    columns = {
        name: cols[j] if cols is not None else pd.array([r[j] for r in rows], dtype=STRING_DTYPE)
        for name, j in zip(names, keep, strict=True)
    }
    frame = pd.DataFrame(columns, index=pd.RangeIndex(nrows))
    if not names:
        frame = pd.DataFrame(index=pd.RangeIndex(nrows))
    return Frame(frame, list(table.row_numbers), renamed, notes)


def _free(candidate: str, taken: set[str], base: str | None = None) -> str:
    if candidate not in taken:
        return candidate
    k = 2
    while True:
        name = f"{base} ({k})" if base is not None else f"{candidate} ({k})"
        if name not in taken:
            return name
        k += 1


def name_key(name: object) -> str:
    """A header reduced for look-up in name tables: case, spaces and punctuation ignored."""
    return re.sub(r"[\W_]+", "", str(name).casefold())


def apply_labels(frame: pd.DataFrame, labels: dict[str, dict[str, str]], *,
                 inplace: bool = False) -> pd.DataFrame:
    """A copy of ``frame`` with codes replaced by their labels (unlabelled values kept).

    ``inplace=True`` relabels ``frame`` itself, so that a large export's code columns are freed
    one by one as their labels are made (for a frame the reader owns).
    """

    out = frame if inplace else frame.copy()
    todo = [(col, table) for col, table in labels.items() if col in out.columns and table]

    def relabel(item: tuple[str, dict[str, str]]) -> tuple[str, Any]:
        col, table = item
        # per distinct value, not per row (a million-row export has a handful of codes)
        codes, uniques = pd.factorize(out[col], use_na_sentinel=True)
        return col, take_strings([table.get(canonical_code(v), v) for v in uniques], codes)

    step = os.cpu_count() or 1  # a few columns at a time, on all CPUs
    for i in range(0, len(todo), step):
        for col, values in thread_map(relabel, todo[i:i + step]):
            out[col] = values
    memory_pool().release_unused()
    return out


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


def option_selected(value: object) -> bool | None:
    """Whether a one-column-per-option cell means *chosen*: ``Valgt``/``1`` -> ``True``,
    ``Ikke valgt``/``0`` -> ``False``, missing or anything else -> ``None``.

    >>> option_selected("Valgt"), option_selected("Ikke valgt"), option_selected(pd.NA)
    (True, False, None)
    """
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    text = normalise(canonical_code(value))
    if text in _SELECTED:
        return True
    if text in _NOT_SELECTED:
        return False
    return None


def binary_multi(columns: list[str], labels: Mapping[str, Mapping[str, str]],
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
