"""The columnar CSV fast path gives exactly what the Python path gives, or steps aside."""

from __future__ import annotations

import codecs
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fslt_survey.errors import ReadError
from fslt_survey.ingest import fastcsv
from fslt_survey.ingest.raw import RawBytes, build_frame, read_bytes
from fslt_survey.ingest.text import decode_text, read_text_header, read_text_table, sniff_delimiter


def _raw(tmp_path: Path, data: bytes, name: str = "x.csv") -> RawBytes:
    p = tmp_path / name
    p.write_bytes(data)
    return read_bytes(p)


def _both(raw: RawBytes):
    """(slow, fast) results of reading ``raw``: frame, row numbers, notes, renames (or the
    error message)."""
    out = []
    for columnar in (False, True):
        try:
            table = read_text_table(raw, columnar=columnar)
            built = build_frame(table)
            out.append(
                (
                    [None if v is pd.NA else v for col in built.frame for v in built.frame[col]],
                    list(built.frame.columns),
                    [str(t) for t in built.frame.dtypes],
                    built.row_numbers,
                    built.notes,
                    built.renamed,
                    table.header,
                    table.encoding,
                    table.delimiter,
                )
            )
        except ReadError as exc:
            out.append(("error", str(exc)))
    return out


def _used_fast(raw: RawBytes) -> bool:
    text, encoding = decode_text(raw.data, raw.path)
    delimiter = sniff_delimiter(text)
    return fastcsv.parse_columnar(text, delimiter, data=raw.data, encoding=encoding) is not None


CASES = [
    "Forening;Antal\nÆblehaven;007\n",
    "a;b;c\r\n1;2;3\r\n;;\r\n4; ;\u00a0\r\n",
    'a,b\n"x, y","say ""hi"""\n"multi\nline",z\n',
    'a;b\nab"cd;x\n"";" "\n',
    "a;b\n\n1;2\n\n\n3;4\n",
    "\n\na;b\n1;2\n",
    "a;;b\n1;;2\n",  # a blank header in the middle, column without values
    "a;a;b\n1;2;3\n",  # repeated header
    "a;b\n1;2;\n",  # extra empty field: Python path (noted)
    "a;b;c\n1;2\n",  # short row: Python path (padded, noted)
    'a;b\n"x"y;2\n',  # strict csv error: Python path words it
    'a;b\n"never closed;2\n',
    "a\tb\n1\t2\n",
    "a;b\r1;2\r3;4\r",  # old Mac line ends
    "solo\nx\n \ny\n",  # one column: a whitespace-only value is a skipped row
    "a;b\n1;2",  # no final line end
    "a;b\n\u2003;\x1c\n1;2\n",  # unicode whitespace only: missing
]


@pytest.mark.parametrize("text", CASES)
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_fast_path_matches_python_path(tmp_path, text, encoding):
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        pytest.skip("not representable")
    raw = _raw(tmp_path, data)
    slow, fast = _both(raw)
    assert fast == slow


def test_regular_files_take_the_fast_path(tmp_path):
    for text in (CASES[0], CASES[1], CASES[2], CASES[4], CASES[15]):
        assert _used_fast(_raw(tmp_path, text.encode("utf-8"))), text
    assert _used_fast(_raw(tmp_path, codecs.BOM_UTF8 + CASES[0].encode("utf-8")))
    assert _used_fast(_raw(tmp_path, CASES[0].encode("utf-16")))
    for text in (CASES[8], CASES[9], CASES[10], "\n" + CASES[13]):
        assert not _used_fast(_raw(tmp_path, text.encode("utf-8"))), text


def test_arrow_whitespace_is_python_whitespace():
    """The fast path relies on pyarrow's utf8_is_space agreeing with str.isspace."""
    chars = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF]
    flags = pc.utf8_is_space(pa.array(chars)).to_pylist()
    assert [c for c, f in zip(chars, flags, strict=True) if f != c.isspace()] == []


def test_field_size_limit_respected(tmp_path, monkeypatch):
    monkeypatch.setattr(fastcsv.csv, "field_size_limit", lambda: 5)
    raw = _raw(tmp_path, b"a;b\n123456;1\n")
    assert fastcsv.parse_columnar("a;b\n123456;1\n", ";") is None
    assert raw.data


FIELD = st.sampled_from(
    ["", " ", "x", "007", "Ja", "a b", "æøå", '"q"', 'a"b', '"a;b"', '"l1\nl2"', '""', "\u00a0"]
)


@st.composite
def csv_texts(draw):
    delim = draw(st.sampled_from([";", ",", "\t"]))
    width = draw(st.integers(1, 4))
    lines = []
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["row", "row", "row", "blank", "short", "long"]))
        n = {"row": width, "blank": 0, "short": max(width - 1, 0), "long": width + 1}[kind]
        lines.append(delim.join(draw(FIELD) for _ in range(n)))
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    header = delim.join(f"h{j}" for j in range(width))
    return header + eol + eol.join(lines) + draw(st.sampled_from(["", eol]))


@settings(max_examples=150, deadline=None)
@given(text=csv_texts(), encoding=st.sampled_from(["utf-8", "cp1252", "utf-16"]))
def test_fast_path_property(tmp_path_factory, text, encoding):
    raw = _raw(tmp_path_factory.mktemp("p"), text.encode(encoding))
    slow, fast = _both(raw)
    assert fast == slow


@pytest.mark.parametrize("text", [*CASES, "a;b\n" + "x;y\n" * 20000])
def test_detection_reads_the_header_only_but_reading_fails_the_same(tmp_path, text):
    from fslt_survey.ingest import read_export

    raw = _raw(tmp_path, text.encode("utf-8"))
    try:
        full = read_text_table(raw).header
    except ReadError as exc:
        with pytest.raises(ReadError, match="malformed semicolon-separated text") as err:
            read_export(raw.path)
        assert str(err.value) == str(exc)
        return
    assert read_text_header(raw) == full


@pytest.mark.parametrize("text", CASES)
def test_fast_path_with_tiny_scan_chunks(tmp_path, monkeypatch, text):
    """The byte scans work chunk by chunk; chunk edges must not matter."""
    monkeypatch.setattr(fastcsv, "_CHUNK", 3)
    raw = _raw(tmp_path, text.encode("utf-8"))
    slow, fast = _both(raw)
    assert fast == slow


@pytest.mark.parametrize(
    "data",
    [
        b"Forening;Svar\n" + b"x;y\n" * 100_000,  # ASCII header, large
        "Forening;Svær\n".encode("cp1252") + b"x;y\n" * 100_000,
        "Forening;Svær\n".encode() + b"x;y\n" * 100_000,
        # valid UTF-8 at the start, a cp1252 byte at the end: the whole file is cp1252
        b"Forening;Svar\n" + b"x;y\n" * 100_000 + "ø;å\n".encode("cp1252"),
        "Forening;Svar\n".encode("utf-16") + "x;y\n".encode("utf-16-le") * 100_000,
    ],
)
def test_header_of_a_large_file_from_its_start(tmp_path, data):
    raw = _raw(tmp_path, data)
    assert read_text_header(raw) == read_text_table(raw).header
