"""Low-level decoding for :mod:`fslt_survey.ingest.readers`: bytes -> text -> records -> a string
frame.

This module turns a file's bytes into a :class:`Table` of strings (header, records, the row
number of each record) and that into a DataFrame whose every value is a ``str`` or ``pd.NA``;
it also takes apart the containers of SurveyXact (the dataset/structure/labels trio or
workbook, split ``Dataset(n)`` sheets) and SPSS (value labels, user-missing codes). What
the
columns *mean* (metadata roles, layouts, matching to items) is decided in :mod:`.readers`.
Every problem becomes a :class:`~fslt_survey.errors.ReadError` with the file, row and column
where it is known.

- Text: byte-order marks first (UTF-8, UTF-16 LE/BE), then UTF-16 without BOM recognised by its
  NUL-byte pattern, then strict UTF-8, then cp1252 (Danish "ANSI" exports). NUL bytes or many
  control characters in what should be text mean a binary file.
- Delimiter: ``,``, ``;`` or tab, chosen by which one splits the first records into the same
  number of fields as the header (quotes respected); ties go to more header fields, then to
  :class:`csv.Sniffer`, then to tab, ``;``, ``,``.
- xlsx: openpyxl in read-only mode on the bytes already read (the file is opened once, read
  only); encrypted (OLE) workbooks, legacy ``.xls``, truncated zips and other zips are refused
  with a message saying what was found.

Examples
--------
>>> decode_text("Forening;Svar\\nÆblet;Ja\\n".encode("cp1252"), "x.csv")[1]
'cp1252'
>>> sniff_delimiter("a;b,c;d\\n1;2,5;3\\n")
';'
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import datetime as dt
import hashlib
import io
import math
import os
import re
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from fslt_survey.errors import ReadError

#: dtype of every column of a raw frame: values are ``str`` or ``pd.NA``.
STRING_DTYPE = pd.StringDtype()
DELIMITERS = (",", ";", "\t")
MAGIC_ZIP = b"PK\x03\x04"
MAGIC_OLE = bytes.fromhex("D0CF11E0A1B11AE1")
MAGIC_SAV = (b"$FL2", b"$FL3")
_ENCRYPTION_MARK = "EncryptionInfo".encode("utf-16-le")
_SNIFF_CHARS = 65536
_SNIFF_RECORDS = 50
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_INT_CODE_RE = re.compile(r"^[+-]?\d+\.0*$")
_DELIM_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
#: UTF-8 sequences of the characters Danish text uses beyond ASCII (Latin-1 letters, no-break
#: space, § and «», dashes and curly quotes, €). In Windows-1252 they read as "Ã¦", "Â§", "â€"",
#: which genuine Danish cp1252 text never holds, so a file that is not valid UTF-8 but holds them
#: mixes the two encodings.
_UTF8_DANISH_RE = re.compile(
    rb"\xc3[\x80-\xbf]|\xc2[\xa0-\xbf]|\xe2\x80[\x90-\xbf]|\xe2\x82\xac"
)
#: Free-text answers can be long; the csv module's default limit (128 KiB per field) is not a
#: property of the data. An unclosed quote still fails at the end of the file.
FIELD_SIZE_LIMIT = 64 * 1024 * 1024
csv.field_size_limit(max(csv.field_size_limit(), FIELD_SIZE_LIMIT))


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


# --------------------------------------------------------------------------- bytes


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
        if not _CONTROL_RE.search(text):
            first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
            return f"text starting {first[:40]!r}"
    return "binary data (first bytes " + " ".join(f"{b:02X}" for b in data[:8]) + ")"


# --------------------------------------------------------------------------- text


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le``/``utf-16-be`` when the NUL bytes sit in every other position."""
    sample = data[:4096]
    sample = sample[: len(sample) // 2 * 2]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even = sum(1 for i in range(0, len(sample), 2) if sample[i] == 0)
    odd = sum(1 for i in range(1, len(sample), 2) if sample[i] == 0)
    if odd >= 0.4 * pairs and even <= 0.05 * pairs:
        return "utf-16-le"
    if even >= 0.4 * pairs and odd <= 0.05 * pairs:
        return "utf-16-be"
    return None


def _line_of(data: bytes, offset: int, encoding: str | None = None) -> int:
    if encoding:
        return data[: offset - offset % 2].decode(encoding, errors="replace").count("\n") + 1
    return data[:offset].count(b"\n") + 1


def decode_text(data: bytes, file: str | Path) -> tuple[str, str]:
    """Decode a text export; returns ``(text, encoding)``.

    Encodings returned: ``utf-8``, ``utf-8-sig``, ``utf-16-le``, ``utf-16-be``, ``cp1252``.
    """
    if data.startswith(codecs.BOM_UTF8):
        encoding, body = "utf-8-sig", data[3:]
    elif data.startswith(codecs.BOM_UTF16_LE):
        encoding, body = "utf-16-le", data[2:]
    elif data.startswith(codecs.BOM_UTF16_BE):
        encoding, body = "utf-16-be", data[2:]
    else:
        encoding, body = _utf16_without_bom(data) or "", data
    if encoding.startswith("utf-16"):
        if len(body) % 2:
            raise ReadError(
                "the UTF-16 text is cut off (odd number of bytes)", file=file,
                expected="UTF-16 text", found=f"{len(data)} bytes",
            )
        try:
            text = body.decode(encoding)
        except UnicodeDecodeError as exc:
            raise ReadError(
                "the file is not valid UTF-16 text", file=file,
                row=_line_of(body, exc.start, encoding), expected="UTF-16 text",
                found=f"invalid bytes at offset {exc.start}",
            ) from None
    else:
        nul = body.find(b"\x00")
        if nul >= 0:
            raise ReadError(
                "the file contains NUL bytes: it is binary, not a text (CSV) export", file=file,
                row=_line_of(body, nul), expected="text (CSV)", found=describe_bytes(data),
            )
        try:
            text, encoding = body.decode("utf-8"), encoding or "utf-8"
        except UnicodeDecodeError as exc:
            # (the lead bytes are fast to look for; the search is slow on a large file)
            lead = any(b in body for b in (b"\xc2", b"\xc3", b"\xe2"))
            utf8 = _UTF8_DANISH_RE.search(body) if lead else None
            if utf8 is not None:
                raise ReadError(
                    "the file mixes text encodings: some rows are UTF-8, others Windows-1252 "
                    "(ANSI); save it again in one encoding (UTF-8)", file=file,
                    row=_line_of(body, exc.start), expected="one encoding for the whole file",
                    found=f"UTF-8 text in row {_line_of(body, utf8.start())}, the "
                    f"Windows-1252 byte 0x{body[exc.start]:02X} in row "
                    f"{_line_of(body, exc.start)}",
                ) from None
            try:
                text, encoding = body.decode("cp1252"), "cp1252"
            except UnicodeDecodeError as exc:
                raise ReadError(
                    "the file is neither UTF-8 nor Windows-1252 text", file=file,
                    row=_line_of(body, exc.start), expected="text in UTF-8, UTF-16 or cp1252",
                    found=f"byte 0x{body[exc.start]:02X} at offset {exc.start}",
                ) from None
    if "\x00" in text:
        raise ReadError(
            "the text contains NUL characters", file=file,
            row=text[: text.index("\x00")].count("\n") + 1, expected="text (CSV)",
            found="NUL character",
        )
    controls = len(_CONTROL_RE.findall(text[:_SNIFF_CHARS]))
    if controls > max(16, len(text[:_SNIFF_CHARS]) // 20):  # a stray \x0b is not binary
        raise ReadError(
            "the file looks binary (many control characters), not a text export", file=file,
            expected="text (CSV)", found=describe_bytes(data),
        )
    return text.removeprefix("\ufeff"), encoding


# --------------------------------------------------------------------------- delimited text


def _records(text: str, delimiter: str, limit: int | None = None) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out: list[list[str]] = []
    for rec in reader:
        if not rec or all(not f.strip() for f in rec):
            continue
        out.append(rec)
        if limit is not None and len(out) >= limit:
            break
    return out


def sniff_delimiter(text: str) -> str:
    """The delimiter (``,``, ``;`` or tab) that splits the first records most consistently.

    For each candidate, the first records are parsed with quotes respected; the candidate whose
    header has more than one field and whose records most often have exactly the header's number
    of fields wins. Ties go to the candidate giving the header more fields (``a;b,c;d`` is
    ``;``), then to :class:`csv.Sniffer` limited to the tied candidates, then to tab, ``;``,
    ``,`` in that order. A file that no candidate splits is a single column (reported as
    ``,``).
    """
    truncated = len(text) > _SNIFF_CHARS
    sample = text[:_SNIFF_CHARS]
    scores: dict[str, tuple[float, int]] = {}
    for d in DELIMITERS:
        try:
            recs = _records(sample, d, _SNIFF_RECORDS + 1)
        except csv.Error:
            continue
        if truncated and len(recs) > 1:
            recs = recs[:-1]  # the last record may be cut by the sample
        if not recs or len(recs[0]) < 2:
            continue
        header, data = recs[0], recs[1:]
        consistent = sum(_fits(r, header) for r in data) / len(data) if data else 1.0
        scores[d] = (consistent, len(header))
    if not scores:
        return ","
    best = max(s for s in scores.values())
    tied = [d for d, s in scores.items() if s == best]
    if len(tied) > 1:
        try:
            sniffed = csv.Sniffer().sniff(sample, delimiters="".join(tied)).delimiter
        except csv.Error:
            sniffed = None
        if sniffed in tied:
            return sniffed
    for d in ("\t", ";", ","):
        if d in tied:
            return d
    return tied[0]  # pragma: no cover - tied is never empty


def _fits(rec: list[str], header: list[str]) -> bool:
    """Whether a record has the header's fields, up to empty fields at the end of either."""
    n, h = len(rec), len(header)
    if n >= h:
        return all(not f.strip() for f in rec[h:])
    return all(not f.strip() for f in header[n:])


def parse_delimited(text: str, delimiter: str, file: str | Path) -> Table:
    """Parse decoded text into a :class:`Table`.

    Row numbers are as a spreadsheet shows the file: the header is row 1 and each record (a
    quoted field may span lines) one row. Blank lines and records with no value are skipped
    (and noted). A record with more fields than the header is an error unless the extra
    fields are empty; a record with fewer fields is padded with empty cells (and noted).
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str | None] | None = None
    rows: list[list[str | None]] = []
    numbers: list[int] = []
    notes: list[str] = []
    skipped: list[int] = []
    short: list[int] = []
    trailing: list[int] = []
    row = 0
    try:
        for rec in reader:
            row += 1
            if header is None:
                if not rec or all(not f.strip() for f in rec):
                    continue
                header = [f if f.strip() else None for f in rec]
                continue
            if not rec or all(not f.strip() for f in rec):
                skipped.append(row)
                continue
            width = len(header)
            if len(rec) > width:
                extra = rec[width:]
                bad = next((i for i, f in enumerate(extra) if f.strip()), None)
                if bad is not None:
                    raise ReadError(
                        "this row has more fields than the header", file=file, row=row,
                        column=column_letter(width + bad),
                        expected=f"{width} fields (as in the header)",
                        found=f"{len(rec)} fields; extra value {extra[bad]!r}",
                    )
                trailing.append(row)
                rec = rec[:width]
            elif len(rec) < width:
                _check_other_delimiter(rec, header, delimiter, row, file)
                short.append(row)
            values: list[str | None] = [f if f.strip() else None for f in rec]
            values.extend([None] * (width - len(values)))
            rows.append(values)
            numbers.append(row)
    except csv.Error as exc:
        msg = str(exc)
        hint = ""
        if "field larger" in msg:
            hint = " (most likely a quote that is never closed)"
        elif "unexpected end of data" in msg:
            hint = " (a quote is never closed)"
        raise ReadError(
            f"malformed {_DELIM_NAMES.get(delimiter, repr(delimiter))}-separated text: "
            f"{msg}{hint}", file=file, row=row + 1, expected="well-formed CSV",
            found=f"problem near line {reader.line_num}",
        ) from None
    if header is None:
        raise ReadError(
            "the file has no header row (only blank lines)", file=file,
            expected="a header row with column names", found="blank text",
        )
    if skipped:
        notes.append(f"{len(skipped)} empty row(s) skipped: rows {_rows_text(skipped)}")
    if short:
        notes.append(f"{len(short)} row(s) had fewer fields than the header and were padded "
                     f"with empty cells: rows {_rows_text(short)}")
    if trailing:
        notes.append(f"{len(trailing)} row(s) had empty fields beyond the header (ignored): "
                     f"rows {_rows_text(trailing)}")
    return Table(header, rows, numbers, notes, delimiter=delimiter)


def _check_other_delimiter(rec: list[str], header: list[str | None], delimiter: str, row: int,
                           file: str | Path) -> None:
    """A one-field record that another delimiter splits like the header: mixed delimiters."""
    if len(rec) != 1 or len(header) < 3:
        return
    names = [h or "" for h in header]
    for other in DELIMITERS:
        if other == delimiter or other not in rec[0]:
            continue
        try:
            fields = next(csv.reader([rec[0]], delimiter=other), [])
        except csv.Error:  # pragma: no cover - a single line without the file's quotes
            continue
        if len(fields) >= len(names) - 1 and not any(f.strip() for f in fields[len(names):]):
            raise ReadError(
                f"this row is separated by {_DELIM_NAMES[other]}s, the rest of the file by "
                f"{_DELIM_NAMES.get(delimiter, repr(delimiter))}s (mixed delimiters); save the "
                "file again with one delimiter", file=file, row=row,
                expected=f"{len(names)} fields separated by {delimiter!r}",
                found=f"{len(fields)} fields separated by {other!r}",
            )


def read_text_table(raw: RawBytes, *, columnar: bool = False) -> Table:
    """Decode, sniff the delimiter and parse a text export.

    ``columnar=True`` (for the data of an export, which :func:`build_frame` turns into a frame)
    lets :mod:`fslt_survey.ingest.fastcsv` read a regular file column-wise: the same result as
    :func:`parse_delimited`, in ``columns`` instead of ``rows``.
    """
    text, encoding = decode_text(raw.data, raw.path)
    if not text or text.isspace():  # (text.strip() would copy a large text)
        raise ReadError(
            "the file holds only blank text", file=raw.path,
            expected="a header row with column names", found="blank text",
        )
    delimiter = sniff_delimiter(text)
    if columnar:
        from fslt_survey.ingest import fastcsv

        plan = fastcsv.prepare(text, delimiter, data=raw.data, encoding=encoding)
        if plan is not None:
            del text  # pyarrow reads the bytes: a large text need not stay in memory
            fast = fastcsv.build(plan)
            if fast is not None:
                notes = ([f"{len(fast.skipped)} empty row(s) skipped: rows "
                          f"{_rows_text(fast.skipped)}"] if fast.skipped else [])
                return Table(fast.header, [], fast.row_numbers, notes, encoding, delimiter,
                             columns=fast.columns)
            text, _ = decode_text(raw.data, raw.path)
    table = parse_delimited(text, delimiter, raw.path)
    table.encoding = encoding
    return table


def read_text_header(raw: RawBytes) -> list[str | None]:
    """The header :func:`read_text_table` finds (the first record with a value), decoding and
    parsing only the start of the file where that settles it (a large export is then not
    decoded twice); otherwise, or on any problem, it goes the full way."""
    head = raw.data[: _SNIFF_CHARS * 4]
    if len(head) < len(raw.data):
        try:
            text, encoding = decode_text(head, raw.path)
        except ReadError:  # a character cut at the end, or a problem the full way words
            text, encoding = "", ""
        header = _first_record(text, cut=True)
        # the rest of the file can change the encoding (UTF-8 -> cp1252), which changes
        # only non-ASCII text
        if header is not None and (encoding.startswith("utf-16")
                                   or all(h is None or h.isascii() for h in header)):
            return header
    text, _ = decode_text(raw.data, raw.path)
    header = _first_record(text[: _SNIFF_CHARS * 4], cut=len(text) > _SNIFF_CHARS * 4)
    if header is not None:
        return header
    return read_text_table(raw).header  # also raises what the full parse raises


def _first_record(text: str, *, cut: bool) -> list[str | None] | None:
    """The first record with a value in the start of a text (``None`` when not settled)."""
    if not text or text.isspace():
        return None
    lines = io.StringIO(text, newline="").readlines()
    if cut:
        lines = lines[:-1]  # the last line of a cut text may be cut too
    try:
        for rec in csv.reader(lines, delimiter=sniff_delimiter(text), strict=True):
            if rec and any(f.strip() for f in rec):
                return [f if f.strip() else None for f in rec]
    except csv.Error:
        pass
    return None


def _rows_text(rows: Sequence[int], limit: int = 10) -> str:
    shown = ", ".join(str(r) for r in rows[:limit])
    return shown + (f" and {len(rows) - limit} more" if len(rows) > limit else "")


# --------------------------------------------------------------------------- xlsx


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
            f"{_rows_text([n for n, _ in skipped_titles])}; the header is row {rows[0][0]}"
        )
    present = set(table.row_numbers)
    skipped = [n for n in range(rows[0][0] + 1, data[-1][0] if data else 0) if n not in present]
    if skipped:
        table.notes.append(f"sheet {name!r}: {len(skipped)} empty row(s) skipped: rows "
                           f"{_rows_text(skipped)}")
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


# --------------------------------------------------------------------------- SPSS


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


# --------------------------------------------------------------------------- frame


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
    from fslt_survey.ingest.fastcsv import memory_pool, take_strings, thread_map

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


# --------------------------------------------------------------------------- SPSS metadata


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


# --------------------------------------------------------------------------- SurveyXact

SX_PARTS = ("dataset", "structure", "labels")
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
_SX_SHEET_RE = re.compile(r"^\s*dataset\s*(?:\((\d+)\))?\s*$", re.IGNORECASE)
_SX_ID_KEYS = frozenset({"respondentid", "respondent"})
#: SurveyXact's status variables: ``statoverall`` and its option columns ``stato_1``, ...
SX_STATUS_RE = re.compile(r"^stat(o|overall|us|status)?(_\w+)?$", re.IGNORECASE)
_STRUCTURE_KEYS = ("questionname", "variablename", "questiontype", "subtype", "questiontext",
                   "choicevalue", "choicetext")


@dataclass
class SxParts:
    """The three parts of a SurveyXact export, read but not yet combined."""

    data: Table
    structure: Table
    labels: list[tuple[int, list[str | None]]]
    dataset: RawBytes
    structure_file: Path
    labels_file: Path
    labels_delimiter: str | None = None
    sheets: tuple[str, ...] = ()
    parts: tuple[tuple[str, str], ...] = ()


@dataclass
class SxStructure:
    """What the structure says about the dataset's columns."""

    column_labels: dict[str, str]
    multi: dict[str, tuple[str, str]]
    status: set[str]


def sx_trio(directory: Path) -> dict[str, Path]:
    """``dataset``/``structure``/``labels`` files (``.csv`` before ``.txt``) in a folder."""
    found: dict[str, Path] = {}
    try:
        children = sorted(directory.iterdir(), key=lambda c: (c.suffix.lower() != ".csv", c.name))
    except OSError:
        return found
    for child in children:
        stem = child.stem.casefold()
        if stem in SX_PARTS and child.suffix.lower() in (".csv", ".txt") and child.is_file():
            found.setdefault(stem, child)
    return found


def sx_sheets(names: list[str]) -> tuple[list[str], str, str] | None:
    """``(dataset sheets in order, structure sheet, labels sheet or "")`` of a workbook."""
    parts = []
    for name in names:
        m = _SX_SHEET_RE.match(name)
        if m:
            parts.append((int(m[1]) if m[1] else 0, name))
    folded = {n.strip().casefold(): n for n in names}
    if not parts or "structure" not in folded:
        return None
    return [n for _, n in sorted(parts)], folded["structure"], folded.get("labels", "")


def sx_locate(p: Path) -> dict[str, Path] | Path:
    """The trio's files, or the workbook, that ``p`` (a folder or one file) selects."""
    if p.is_dir():
        trio = sx_trio(p)
        if len(trio) == len(SX_PARTS):
            return trio
        books = [c for c in sorted(p.iterdir())
                 if c.suffix.lower() in XLSX_SUFFIXES and not c.name.startswith("~$")]
        if not trio and len(books) == 1:
            return books[0]
        missing = [f"{n}.csv" for n in SX_PARTS if n not in trio]
        raise ReadError(
            "the folder holds no complete SurveyXact export", file=p,
            expected="dataset.csv, structure.csv and labels.csv (or one SurveyXact xlsx)",
            found="missing " + ", ".join(missing) if trio else "none of them",
        )
    if p.suffix.lower() in XLSX_SUFFIXES or read_bytes(p).data.startswith(MAGIC_ZIP):
        return p
    if p.stem.casefold() not in SX_PARTS:
        raise ReadError(
            "not a SurveyXact export", file=p,
            expected="a folder, dataset.csv/structure.csv/labels.csv or a SurveyXact xlsx",
            found=p.name,
        )
    trio = sx_trio(p.parent)
    missing = [f"{n}.csv" for n in SX_PARTS if n not in trio]
    if missing:
        raise ReadError(f"the SurveyXact export is incomplete: {', '.join(missing)} not found "
                        "next to it", file=p, expected="dataset.csv, structure.csv and "
                        "labels.csv in one folder", found="missing " + ", ".join(missing))
    return trio


def read_sx(where: dict[str, Path] | Path) -> SxParts:
    """Read the trio (each file with its own encoding and delimiter) or the workbook."""
    if isinstance(where, Path):
        return _read_sx_workbook(where)
    raws = {k: read_bytes(v) for k, v in where.items()}
    text, _ = decode_text(raws["labels"].data, raws["labels"].path)
    delimiter = sniff_delimiter(text)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise ReadError(f"malformed labels file: {exc}", file=raws["labels"].path) from None
    labels = [(n, [f if f.strip() else None for f in rec])
              for n, rec in enumerate(records, start=1) if any(f.strip() for f in rec)]
    return SxParts(
        read_text_table(raws["dataset"], columnar=True), read_text_table(raws["structure"]),
        labels,
        # its path and hash: the bytes (as large as the export) are not needed any more
        dataclasses.replace(raws["dataset"], data=b""), raws["structure"].path,
        raws["labels"].path, delimiter,
        parts=tuple((str(raws[k].path), raws[k].sha256) for k in ("structure", "labels")),
    )


def _read_sx_workbook(path: Path) -> SxParts:
    raw = read_bytes(path)
    wb = open_workbook(raw)
    try:
        sheets = sx_sheets(list(wb.sheetnames))
        if sheets is None:
            raise ReadError("not a SurveyXact workbook", file=path,
                            expected="sheets Dataset (or Dataset(1), Dataset(2), ...), Structure "
                            "and Labels", found="sheets " + ", ".join(map(repr, wb.sheetnames)))
        data_names, structure_name, labels_name = sheets
        parts = [sheet_table(wb, n, path) for n in data_names]
        structure = sheet_table(wb, structure_name, path)
        labels = sheet_rows(wb, labels_name) if labels_name else []
    finally:
        wb.close()
    used = (*data_names, structure_name, *([labels_name] if labels_name else []))
    return SxParts(join_parts(parts, path), structure, labels, raw, path, path, None, used)


def join_parts(parts: list[Table], file: Path) -> Table:
    """Join ``Dataset(1)``, ``Dataset(2)``, ... side by side and check that they line up.

    With a respondent id column in every sheet the sheets are joined on it (in the order of
    the first sheet; an id missing from, repeated in or extra in a sheet is an error); without
    one they are joined by position and must hold records in the same rows.
    """
    for t in parts:  # pad so that every record has the header's width
        width = max([len(t.header), *(len(r) for r in t.rows)])
        t.header = t.header + [None] * (width - len(t.header))
        t.rows = [r + [None] * (width - len(r)) for r in t.rows]
    base = parts[0]
    if len(parts) == 1:
        return base
    ids = [next((j for j, h in enumerate(t.header) if h and name_key(h) in _SX_ID_KEYS), None)
           for t in parts]
    header, rows = list(base.header), [list(r) for r in base.rows]
    notes = [n for t in parts for n in t.notes]
    base_ids = [r[ids[0]] for r in base.rows] if ids[0] is not None else []
    by_id = None not in ids and len(set(base_ids)) == len(base_ids) and None not in base_ids
    for t, i in zip(parts[1:], ids[1:], strict=True):
        keep = list(range(len(t.header)))
        order = list(range(len(t.rows)))
        if by_id:
            assert i is not None and ids[0] is not None
            order = _align(base, t, base_ids, ids[0], i, file)
            keep.remove(i)
        elif t.row_numbers != base.row_numbers:
            raise ReadError(
                f"sheet {t.sheet!r} does not line up with {base.sheet!r} and there is no "
                "respondent id column to join them on", file=file,
                expected=f"{len(base.rows)} records in the same rows",
                found=f"{len(t.rows)} records in {t.sheet!r}")
        header += [t.header[j] for j in keep]
        for k, src in enumerate(order):
            rows[k] += [t.rows[src][j] for j in keep]
    how = "on the respondent id column" if by_id else "by position"
    notes.append("sheets " + ", ".join(repr(t.sheet) for t in parts)
                 + f" joined side by side {how}")
    return Table(header, rows, list(base.row_numbers), notes, sheet=base.sheet)


def _align(base: Table, t: Table, base_ids: list[str | None], i0: int, i: int,
           file: Path) -> list[int]:
    """For each record of ``base``, the index of the record of ``t`` with the same id."""
    def mismatch(what: str, row: int, column: str | None) -> ReadError:
        return ReadError(
            f"sheet {t.sheet!r} does not line up with {base.sheet!r}: {what}", file=file,
            row=row, column=column, expected="the same respondents in every Dataset sheet",
            found=f"{len(t.rows)} records in {t.sheet!r}, {len(base.rows)} in {base.sheet!r}")

    known = set(base_ids)
    pos: dict[str | None, int] = {}
    for k, (n, r) in enumerate(zip(t.row_numbers, t.rows, strict=True)):
        if r[i] in pos or r[i] not in known:
            what = "repeated" if r[i] in pos else f"not in {base.sheet!r}"
            raise mismatch(f"respondent {r[i]} is {what}", n, t.header[i])
        pos[r[i]] = k
    for n, rid in zip(base.row_numbers, base_ids, strict=True):
        if rid not in pos:
            raise mismatch(f"respondent {rid} is missing", n, base.header[i0])
    return [pos[rid] for rid in base_ids]


def sx_structure(structure: Table, columns: Iterable[str], file: Path,
                 notes: list[str]) -> SxStructure:
    """Question texts, multi-select option columns and status columns from the structure."""
    cols = {c.casefold(): c for c in columns}
    index = {name_key(h): j for j, h in enumerate(structure.header)
             if h and name_key(h) in _STRUCTURE_KEYS}
    if "variablename" not in index:
        where = f"sheet {structure.sheet!r}" if structure.sheet else "structure file"
        raise ReadError(f"the SurveyXact {where} has no variableName column", file=file, row=1,
                        expected="columns questionName; variableName; questionType; subType; "
                        "questionText; choiceValue; choiceText",
                        found=", ".join(repr(h or "") for h in structure.header[:8]))

    def get(rec: list[str | None], name: str) -> str | None:
        j = index.get(name)
        value = rec[j] if j is not None and j < len(rec) else None
        return value.strip() if value and value.strip() else None

    out = SxStructure({}, {}, set())
    absent: list[str] = []
    for rec in structure.rows:
        var = get(rec, "variablename")
        col = cols.get(var.casefold()) if var else None
        if var is None or col is None:
            absent += [var] if var else []
            continue
        qname = get(rec, "questionname") or var
        text, choice = get(rec, "questiontext"), get(rec, "choicetext")
        if (get(rec, "subtype") or "").casefold() == "multiple":
            code = get(rec, "choicevalue")
            if code is None and var.casefold().startswith(qname.casefold() + "_"):
                code = var[len(qname) + 1:]
            if code is not None:
                out.multi[col] = (qname, canonical_code(code))
            if text and choice:
                text = f"{text} - {choice}"
        if text:
            out.column_labels[col] = text
        if SX_STATUS_RE.match(qname):
            out.status.add(col)
    if absent:
        notes.append(f"{len(absent)} structure variable(s) not in the dataset: "
                     + ", ".join(absent[:10]))
    if "subtype" not in index:
        notes.append("the structure has no subType column; multi-select columns are "
                     "recognised by their Valgt/Ikke valgt labels")
    return out


def sx_labels(labels: list[tuple[int, list[str | None]]], columns: Iterable[str], file: Path,
              delimiter: str | None, notes: list[str]) -> dict[str, dict[str, str]]:
    """``{column: {code: label}}`` from the header-less labels file/sheet."""
    cols = {c.casefold(): c for c in columns}
    out: dict[str, dict[str, str]] = {}
    unknown: list[str] = []
    for row, rec in labels:
        cells = list(rec)
        while cells and cells[-1] is None:
            cells.pop()  # the phantom trailing column
        if len(cells) > 3 and delimiter:
            cells = [*cells[:2], delimiter.join(c or "" for c in cells[2:])]
            notes.append(f"labels row {row}: the label held the delimiter unquoted; joined")
        if len(cells) < 2 or cells[0] is None or cells[1] is None:
            raise ReadError("a labels row needs variable, value and label", file=file, row=row,
                            expected="variable; value; label",
                            found=" | ".join(c or "" for c in rec))
        if row == 1 and name_key(cells[1]) == "value" and name_key(cells[0]) in (
                "variable", "variablename"):
            continue  # a header row some exports add
        col = cols.get(cells[0].strip().casefold())
        if col is None:
            unknown.append(cells[0].strip())
            continue
        label = (cells[2] or "").strip() if len(cells) > 2 else ""
        out.setdefault(col, {})[canonical_code(cells[1])] = label
    if unknown:
        names = list(dict.fromkeys(unknown))
        notes.append(f"labels for {len(names)} variable(s) not in the dataset: "
                     + ", ".join(names[:10]))
    return out
