"""Text exports: bytes -> text -> records (encodings, delimiters, quotes, row numbers).

- Encodings: byte-order marks first (UTF-8, UTF-16 LE/BE), then UTF-16 without BOM recognised by
  its NUL-byte pattern, then strict UTF-8, then cp1252 (Danish "ANSI" exports). NUL bytes or many
  control characters in what should be text mean a binary file.
- Delimiter: ``,``, ``;`` or tab, chosen by which one splits the first records into the same
  number of fields as the header (quotes respected); ties go to more header fields, then to
  :class:`csv.Sniffer`, then to tab, ``;``, ``,``.
- Records: see :func:`parse_delimited`; regular files are read column-wise by
  :mod:`fslt_survey.ingest.fastcsv`.

Every problem becomes a :class:`~fslt_survey.errors.ReadError` with the file and row where known.

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
import io
import re
from collections.abc import Sequence
from pathlib import Path

from fslt_survey.errors import ReadError
from fslt_survey.ingest import fastcsv
from fslt_survey.ingest.raw import CONTROL_RE, RawBytes, Table, column_letter, describe_bytes

DELIMITERS = (",", ";", "\t")
_SNIFF_CHARS = 65536
_SNIFF_RECORDS = 50
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
        text = _decode_utf16(body, encoding, data, file)
    else:
        text, encoding = _decode_8bit(body, encoding, data, file)
    _refuse_control_text(text, data, file)
    return text.removeprefix("\ufeff"), encoding


def _decode_utf16(body: bytes, encoding: str, data: bytes, file: str | Path) -> str:
    """UTF-16 text (with or without its BOM), refused when cut off or invalid."""
    if len(body) % 2:
        raise ReadError(
            "the UTF-16 text is cut off (odd number of bytes)", file=file,
            expected="UTF-16 text", found=f"{len(data)} bytes",
        )
    try:
        return body.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ReadError(
            "the file is not valid UTF-16 text", file=file,
            row=_line_of(body, exc.start, encoding), expected="UTF-16 text",
            found=f"invalid bytes at offset {exc.start}",
        ) from None


def _decode_8bit(body: bytes, encoding: str, data: bytes, file: str | Path) -> tuple[str, str]:
    """UTF-8 (``encoding`` is ``utf-8-sig`` after a BOM), else Windows-1252; binary data and a
    file mixing the two encodings are refused."""
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
    return text, encoding


def _refuse_control_text(text: str, data: bytes, file: str | Path) -> None:
    """Decoded text holding NUL characters, or many control characters, is not an export."""
    if "\x00" in text:
        raise ReadError(
            "the text contains NUL characters", file=file,
            row=text[: text.index("\x00")].count("\n") + 1, expected="text (CSV)",
            found="NUL character",
        )
    controls = len(CONTROL_RE.findall(text[:_SNIFF_CHARS]))
    if controls > max(16, len(text[:_SNIFF_CHARS]) // 20):  # a stray \x0b is not binary
        raise ReadError(
            "the file looks binary (many control characters), not a text export", file=file,
            expected="text (CSV)", found=describe_bytes(data),
        )


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
                rec = _cut_empty_tail(rec, width, row, file)
                trailing.append(row)
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
    return Table(header, rows, numbers, _row_notes(skipped, short, trailing),
                 delimiter=delimiter)


def _cut_empty_tail(rec: list[str], width: int, row: int, file: str | Path) -> list[str]:
    """A record longer than the header, cut to it: refused when a field beyond it has a value
    (named by its column letter), else the empty fields are dropped (Excel writes them)."""
    extra = rec[width:]
    bad = next((i for i, f in enumerate(extra) if f.strip()), None)
    if bad is not None:
        raise ReadError(
            "this row has more fields than the header", file=file, row=row,
            column=column_letter(width + bad),
            expected=f"{width} fields (as in the header)",
            found=f"{len(rec)} fields; extra value {extra[bad]!r}",
        )
    return rec[:width]


def _row_notes(skipped: list[int], short: list[int], trailing: list[int]) -> list[str]:
    """What parsing handled, for the cleaning log (rows as the spreadsheet numbers them)."""
    notes = []
    if skipped:
        notes.append(f"{len(skipped)} empty row(s) skipped: rows {rows_text(skipped)}")
    if short:
        notes.append(f"{len(short)} row(s) had fewer fields than the header and were padded "
                     f"with empty cells: rows {rows_text(short)}")
    if trailing:
        notes.append(f"{len(trailing)} row(s) had empty fields beyond the header (ignored): "
                     f"rows {rows_text(trailing)}")
    return notes


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
    _refuse_blank_header(text, delimiter, raw.path)
    if columnar:
        plan = fastcsv.prepare(text, delimiter, data=raw.data, encoding=encoding)
        if plan is not None:
            del text  # pyarrow reads the bytes: a large text need not stay in memory
            fast = fastcsv.build(plan)
            if fast is not None:
                notes = ([f"{len(fast.skipped)} empty row(s) skipped: rows "
                          f"{rows_text(fast.skipped)}"] if fast.skipped else [])
                return Table(fast.header, [], fast.row_numbers, notes, encoding, delimiter,
                             columns=fast.columns)
            text, _ = decode_text(raw.data, raw.path)
    table = parse_delimited(text, delimiter, raw.path)
    table.encoding = encoding
    return table


def _refuse_blank_header(text: str, delimiter: str, file: str | Path) -> None:
    """A first line of empty fields (``;;;``) above data: the header is blank. Read past it,
    the first record would become the header and a raw row would disappear."""
    offset = 0
    for number, line in enumerate(io.StringIO(text[: _SNIFF_CHARS * 4], newline=""), start=1):
        offset += len(line)
        if not line.strip():
            continue  # a blank line above the header
        if delimiter not in line or line.strip().strip(delimiter + '" '):
            return
        rest = re.search(rf'[^\s"{re.escape(delimiter)}]', text[offset:offset + _SNIFF_CHARS])
        if rest is None:
            return  # nothing but empty fields: "no header row" is raised when parsing
        raise ReadError(
            "the header row is blank (empty fields only); the column names are missing", file=file,
            row=number, expected="a header row with column names",
            found=f"{line.count(delimiter) + 1} empty fields",
        )
    return


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


def rows_text(rows: Sequence[int], limit: int = 10) -> str:
    shown = ", ".join(str(r) for r in rows[:limit])
    return shown + (f" and {len(rows) - limit} more" if len(rows) > limit else "")
