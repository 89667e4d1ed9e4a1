"""The columnar fast path of :func:`fslt_survey.ingest.formats.parse_delimited` (large CSV exports).

:func:`~fslt_survey.ingest.formats.parse_delimited` walks the records in Python and keeps every
field
as a Python string: exact, but a million-row export then takes minutes and several gigabytes.
:func:`parse_columnar` gives the same header, values, row numbers and notes for *regular* files
and builds the columns with pyarrow's CSV reader as Arrow strings (a fraction of the memory).
It returns ``None`` whenever the file is not regular, and the caller then uses the exact
Python path, which also words every error. Regular means:

- every record has the header's number of fields (no short rows, no extra fields), apart from
  empty lines, which are skipped (and noted after the header) as the Python path does;
- the header is the first record and holds a value;
- quoting is what the csv module (``strict=True``) accepts. The csv module itself checks every
  line that holds a quote character, together with the lines between an opening and a closing
  quote (the whole text when the encoding is not ASCII-compatible); any error there, or any
  record of another width, means "not regular". A line without quotes outside quoted fields
  is one record, split exactly as the csv module splits it;
- no CR ends a line on its own (old Mac line ends go the exact way);
- no field is longer than :func:`csv.field_size_limit`.

A field holding only whitespace (``str.isspace``; pyarrow's ``utf8_is_space`` has the same
character table) or nothing becomes missing; records whose fields are all missing are skipped
and noted, with their row numbers, like the Python path. Columns are post-processed on all
CPUs (pyarrow releases the GIL).
"""

from __future__ import annotations

import codecs
import csv
import os
import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

#: Below this many characters the Python path is fast enough (and is the reference).
MIN_CHARS = 0
#: Encodings in which ``"``, CR, LF and the delimiters are single bytes that occur in no other
#: character, so that the file's bytes can be searched for them.
_ASCII_SAFE = frozenset({"utf-8", "utf-8-sig", "cp1252"})
_FIRST_LINE = re.compile(r"[^\r\n]*")
_CHUNK = 1 << 24  # bytes scanned at a time (bounds the temporary arrays)

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class Columnar:
    """Header, string columns (pandas ``string`` arrays), row numbers and skipped rows."""

    header: list[str | None]
    columns: list[Any]
    row_numbers: list[int]
    skipped: list[int]


def memory_pool() -> Any:
    """The Arrow memory pool for large columns: jemalloc where pyarrow has it.

    pyarrow's default pool on Linux is mimalloc, which keeps freed pages: reading and labelling
    a million-row export then leaves about 0.7 GB more resident than live (measured with
    ``benchmarks/``). pyarrow's jemalloc returns freed pages at once. Elsewhere (Windows) the
    default pool is used.
    """
    global _POOL
    if _POOL is None:
        try:
            _POOL = pa.jemalloc_memory_pool()
        except (NotImplementedError, AttributeError):
            _POOL = pa.default_memory_pool()
    return _POOL


_POOL: Any = None


def take_strings(values: list[str | None], codes: np.ndarray) -> Any:
    """A ``string`` array of ``values[code]`` per row (code ``-1`` -> missing)."""
    table = pa.array([*values, None], type=pa.large_string())
    index = pa.array(np.where(codes < 0, len(values), codes))
    taken = pc.take(table, index, memory_pool=memory_pool())
    return pd.arrays.ArrowStringArray(pa.chunked_array([taken]))


def thread_map(fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """``[fn(x) for x in items]`` on all CPUs (for functions that release the GIL)."""
    items = list(items)
    workers = min(os.cpu_count() or 1, len(items), 8)
    if workers <= 1:
        return [fn(x) for x in items]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(fn, items))


def _utf8_buffer(data: bytes | None, text: str, encoding: str | None) -> Any:
    """The text as UTF-8 bytes for pyarrow, without copying when the file already is UTF-8."""
    if data is not None and encoding == "utf-8":
        return pa.py_buffer(data)
    if data is not None and encoding == "utf-8-sig" and not data.startswith(codecs.BOM_UTF8 * 2):
        return pa.py_buffer(memoryview(data)[3:])
    return pa.py_buffer(text.encode("utf-8"))


def _lines(text: str) -> Iterator[str]:
    """The lines of a text without lone CRs, ends kept: what ``io.StringIO(text, newline="")``
    yields, without the four bytes per character that StringIO's buffer takes."""
    start, size, find = 0, len(text), text.find
    while start < size:
        end = find("\n", start)
        if end < 0:
            yield text[start:]
            return
        yield text[start : end + 1]
        start = end + 1


def _csv_widths(text: str, delimiter: str) -> list[int] | None:
    """The number of fields of every record as the csv module reads them (``None`` on error)."""
    try:
        return list(map(len, csv.reader(_lines(text), delimiter=delimiter, strict=True)))
    except csv.Error:
        return None


def _positions(arr: np.ndarray, byte: int) -> np.ndarray:
    """Offsets of ``byte`` in ``arr``, scanned in chunks."""
    parts = [np.flatnonzero(arr[i : i + _CHUNK] == byte) + i for i in range(0, len(arr), _CHUNK)]
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)


def _record_widths_bytes(
    data: bytes, start: int, encoding: str, delimiter: str, text: str
) -> tuple[np.ndarray, bool] | None:
    """Record widths as the csv module reads the file, running it only over the quoted lines.

    Lines without a quote outside quoted fields are records of their own: ``0`` fields when
    empty, else (for the caller, which lets pyarrow check it) ``-1``. Returns the widths and
    whether a quoted field spans lines, or ``None`` when the csv module refuses a part.
    """
    arr = np.frombuffer(data, dtype=np.uint8)[start:]
    ends = _positions(arr, 0x0A)
    if len(ends) == 0 or ends[-1] != len(arr) - 1:
        ends = np.append(ends, len(arr))  # a last line without LF ends at the end of the text
    starts = np.concatenate(([0], ends[:-1] + 1))
    quotes = _positions(arr, 0x22)
    per_line = np.bincount(np.searchsorted(ends, quotes), minlength=len(ends))[: len(ends)]
    odd = per_line % 2
    inside = (np.cumsum(odd) - odd) % 2 == 1  # the line starts within an open quoted field
    member = (per_line > 0) | inside
    content = ends - starts  # bytes before the LF
    has_cr = content > 0
    has_cr[has_cr] = arr[ends[has_cr] - 1] == 0x0D
    content = content - has_cr
    widths = np.where(content == 0, 0, -1).astype(np.int64)
    if not member.any():
        return widths, False
    if (content[member].sum() + member.sum()) * 4 > len(arr):  # quotes all over: check it all
        found = _csv_widths(text, delimiter)
        if found is None:
            return None
        return np.asarray(found, dtype=np.int64), bool(inside.any())
    # runs of member lines, each checked by the csv module from a record boundary
    edges = np.flatnonzero(np.diff(np.concatenate(([0], member.astype(np.int8), [0]))))
    out: list[np.ndarray] = []
    done = 0
    codec = "utf-8" if encoding == "utf-8-sig" else encoding
    for first, last in zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True):
        out.append(widths[done:first])
        begin = start + int(starts[first])
        stop = start + int(min(ends[last - 1] + 1, len(arr)))
        found = _csv_widths(data[begin:stop].decode(codec), delimiter)
        if found is None:
            return None
        out.append(np.asarray(found, dtype=np.int64))
        done = last
    out.append(widths[done:])
    return np.concatenate(out), bool(inside.any())


@dataclass
class Plan:
    """What :func:`prepare` found: the bytes for pyarrow and the records' layout."""

    buffer: Any  # the text as UTF-8 (a pyarrow buffer)
    delimiter: str
    widths: np.ndarray  # fields per record (0 = empty line, -1 = a plain line)
    width: int
    multiline: bool  # a quoted field spans lines (or may: quotes were found)
    text_chars: int


def parse_columnar(
    text: str, delimiter: str, *, data: bytes | None = None, encoding: str | None = None
) -> Columnar | None:
    """Parse a decoded delimited text column-wise, or ``None`` if it needs the Python path.

    ``data`` and ``encoding`` (the file's bytes and the encoding :func:`decode_text` found) let
    the checks run on the bytes, and a UTF-8 file go to pyarrow without being encoded again.
    The same as :func:`prepare` followed by :func:`build`, which let a caller drop the decoded
    text in between (pyarrow reads the bytes).
    """
    plan = prepare(text, delimiter, data=data, encoding=encoding)
    return build(plan) if plan is not None else None


def prepare(
    text: str, delimiter: str, *, data: bytes | None = None, encoding: str | None = None
) -> Plan | None:
    """The checks of the fast path (see the module docstring); ``None``: use the Python path."""
    if len(text) < MIN_CHARS or not text or text.isspace():
        return None
    on_bytes = data is not None and encoding in _ASCII_SAFE
    scan: str | bytes = data if on_bytes else text  # type: ignore[assignment]
    if isinstance(scan, bytes):
        if b"\r" in scan and scan.count(b"\r") != scan.count(b"\r\n"):
            return None  # lone CRs end lines too: the exact path
        multiline = b'"' in scan
    else:
        if "\r" in scan and scan.count("\r") != scan.count("\r\n"):
            return None
        multiline = '"' in scan
    widths: np.ndarray | None
    if on_bytes:
        assert data is not None and encoding is not None
        bom = len(codecs.BOM_UTF8) if encoding == "utf-8-sig" else 0
        if data.startswith(codecs.BOM_UTF8 * 2) and bom:
            return None  # (decode_text drops a second BOM too; rare enough for the exact path)
        found = _record_widths_bytes(data, bom, encoding, delimiter, text)
        if found is None:
            return None
        widths, multiline = found
    else:
        listed = _csv_widths(text, delimiter) if multiline else None
        widths = np.asarray(listed, dtype=np.int64) if listed is not None else None
        if multiline and widths is None:
            return None
        if widths is None:  # no quotes: every line is a record
            lines = np.asarray([len(x.rstrip("\r\n")) for x in _lines(text)], dtype=np.int64)
            widths = np.where(lines == 0, 0, -1)
    nonblank = np.flatnonzero(widths != 0)
    if not len(nonblank):
        return None
    header_record = int(nonblank[0])
    if widths[header_record] > 0:
        width = int(widths[header_record])
    else:
        line = _FIRST_LINE.match(text.lstrip("\r\n")).group()  # type: ignore[union-attr]
        width = line.count(delimiter) + 1  # (no quotes in it: a plain split)
    known = widths[widths > 0]
    if len(known) and not (known == width).all():
        return None
    return Plan(_utf8_buffer(data, text, encoding), delimiter, widths, width, multiline, len(text))


def _read_arrow(plan: Plan, pool: Any) -> Any:
    """The table pyarrow reads from the plan's buffer (every field a string), or ``None`` when
    it refuses the file or reads it otherwise than the plan says (the Python path then reads)."""
    width = plan.width
    try:
        table = pacsv.read_csv(
            pa.BufferReader(plan.buffer),
            read_options=pacsv.ReadOptions(autogenerate_column_names=True, block_size=1 << 22),
            parse_options=pacsv.ParseOptions(
                delimiter=plan.delimiter,
                quote_char='"',
                double_quote=True,
                escape_char=False,
                newlines_in_values=plan.multiline,
                ignore_empty_lines=True,
            ),
            convert_options=pacsv.ConvertOptions(
                check_utf8=False,  # decoded by Python already
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                null_values=[],
                auto_dict_encode=False,
                column_types={f"f{j}": pa.large_string() for j in range(width)},
            ),
            memory_pool=pool,
        )
    except (pa.ArrowException, ValueError):
        return None
    plan.buffer = None  # pyarrow copied what it needs
    if table.num_rows == 0 or table.num_columns != width:
        return None
    if any(c.type != pa.large_string() for c in table.columns):
        return None
    if int(np.count_nonzero(plan.widths)) != table.num_rows:
        return None
    limit = csv.field_size_limit()
    if plan.text_chars > limit and any(
        (pc.max(pc.binary_length(col)).as_py() or 0) > limit
        and (pc.max(pc.utf8_length(col)).as_py() or 0) > limit
        for col in table.columns
    ):
        return None
    return table


def _blank_to_missing(column: Any, pool: Any) -> tuple[Any, Any]:
    """A column without its header cell, blank fields made missing by giving it a validity
    bitmap (no copy), and the column's blank mask (also without the header)."""
    chunks, blanks = [], []
    for chunk in column.chunks:
        blank = pc.or_(pc.equal(pc.binary_length(chunk), 0), pc.utf8_is_space(chunk))
        blanks.append(blank)
        n_blank = pc.sum(blank).as_py() or 0
        valid = pc.invert(blank) if n_blank else None
        if valid is not None and chunk.offset == valid.offset == chunk.null_count == 0:
            chunk = pa.Array.from_buffers(
                chunk.type,
                len(chunk),
                [valid.buffers()[1], *chunk.buffers()[1:]],
                null_count=n_blank,
            )
        elif n_blank:
            chunk = pc.if_else(blank, pa.scalar(None, chunk.type), chunk, memory_pool=pool)
        chunks.append(chunk)
    return (pa.chunked_array(chunks, type=column.type).slice(1),
            pa.chunked_array(blanks, type=pa.bool_()).slice(1))


def build(plan: Plan) -> Columnar | None:
    """Read the columns with pyarrow as :func:`prepare` planned; ``None``: use the Python path."""
    widths = plan.widths
    pool = memory_pool()
    table = _read_arrow(plan, pool)
    if table is None:
        return None
    records = np.flatnonzero(widths != 0) + 1
    header = [
        v if v is not None and v.strip() else None
        for v in (c[0].as_py() for c in table.slice(0, 1).columns)
    ]
    if all(h is None for h in header):
        return None  # a blank first record: the Python path looks further for the header
    cleaned = thread_map(lambda c: _blank_to_missing(c, pool), list(table.columns))
    del table
    columns = [c for c, _ in cleaned]
    blanks = [b for _, b in cleaned]
    del cleaned
    rows = records[1:]
    header_row = int(records[0])
    skipped = [int(r) for r in np.flatnonzero(widths == 0) + 1 if r > header_row]
    if blanks and len(rows):
        all_missing = blanks[0]
        for b in blanks[1:]:
            all_missing = pc.and_(all_missing, b)
        empty = np.asarray(all_missing.to_numpy(zero_copy_only=False), dtype=bool)
        if empty.any():
            skipped = sorted(skipped + rows[empty].tolist())
            keep = pa.array(~empty)
            columns = thread_map(lambda c: pc.filter(c, keep, memory_pool=pool), columns)
            rows = rows[~empty]
    del blanks
    arrays = [pd.arrays.ArrowStringArray(c) for c in columns]
    pool.release_unused()  # the parser's buffers
    return Columnar(header, arrays, rows.tolist(), skipped)

