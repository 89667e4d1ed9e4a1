"""What a refused file is told to be: the readers' error messages, written out whole.

An analyst who feeds the wrong file sees one line: where (file, row, column), what is wrong,
what was expected and what was found. Each expected message below is written out by hand from
the bytes of the fixture, so a message that loses its place or misdescribes the file fails.
"""

from __future__ import annotations

import codecs

import pytest

from fslt_survey.errors import ReadError
from fslt_survey.ingest import read_export, read_googleforms, read_msforms
from fslt_survey.ingest.raw import describe_bytes


@pytest.mark.parametrize(("data", "described"), [
    (b"PK\x03\x04rest", "a zip archive"),
    (bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 8,
     "an OLE2 container (encrypted Office file or legacy .xls)"),
    (b"$FL2@(#) IBM SPSS", "an SPSS .sav file"),
    (b"$FL3@(#) IBM SPSS", "an SPSS .sav file"),
    (b"%PDF-1.7\n", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff\xe0", "a JPEG image"),
    (b"\x1f\x8b\x08\x00", "a gzip archive"),
    (b"{\\rtf1\\ansi", "an RTF document"),
    ("Forening;Antal\r\nÆblehaven;7\r\n".encode(), "text starting 'Forening;Antal'"),
    ("Forening;Beløb\r\n".encode("cp1252"), "text starting 'Forening;Beløb'"),
    (codecs.BOM_UTF8 + b"a;b\n", "text starting 'a;b'"),
    (b"x" * 60, "text starting '" + "x" * 40 + "'"),
    (b"\n\nz", "text starting ''"),
    (b"   ", "text starting ''"),
    (b"", "text starting ''"),
    # a NUL within the first 200 bytes makes it binary; one after them does not
    (b"a" * 199 + b"\x00", "binary data (first bytes 61 61 61 61 61 61 61 61)"),
    (b"a" * 200 + b"\x00", "text starting '" + "a" * 40 + "'"),
    (b"ab\x01\x02cd", "binary data (first bytes 61 62 01 02 63 64)"),
    (b"\x7fELF\x02\x01\x01\x00\x00\x00", "binary data (first bytes 7F 45 4C 46 02 01 01 00)"),
])
def test_what_a_file_is_described_as(data, described):
    assert describe_bytes(data) == described


def refusal(path) -> str:
    with pytest.raises(ReadError, match=r"^" + str(path).replace("\\", "\\\\")) as info:
        read_export(path)
    return str(info.value)


def test_invalid_utf16_names_its_row(tmp_path):
    """A lone high surrogate on the third line of a UTF-16 file with a BOM."""
    body = "a\tb\r\n1\t2\r\n3\t".encode("utf-16-le") + b"\x00\xd8" + "x\r\n".encode("utf-16-le")
    path = tmp_path / "svar.csv"
    path.write_bytes(codecs.BOM_UTF16_LE + body)
    assert refusal(path) == (
        f"{path}, row 3: the file is not valid UTF-16 text (expected UTF-16 text; found "
        "'invalid bytes at offset 24')")


def test_nul_bytes_name_their_row(tmp_path):
    path = tmp_path / "svar.csv"
    path.write_bytes(b"a;b\n1;2\n3;4\n5\x00;6\n")
    assert refusal(path) == (
        f"{path}, row 4: the file contains NUL bytes: it is binary, not a text (CSV) export "
        "(expected text (CSV); found 'binary data (first bytes 61 3B 62 0A 31 3B 32 0A)')")


def test_mixed_encodings_name_both_rows(tmp_path):
    path = tmp_path / "svar.csv"
    path.write_bytes("Forening;By\nÆblehaven;Virum\n".encode() + "Kløver;Holte\n".encode("cp1252"))
    assert refusal(path) == (
        f"{path}, row 3: the file mixes text encodings: some rows are UTF-8, others "
        "Windows-1252 (ANSI); save it again in one encoding (UTF-8) (expected one encoding for "
        "the whole file; found 'UTF-8 text in row 2, the Windows-1252 byte 0xF8 in row 3')")


@pytest.mark.parametrize(("header", "found"), [
    (["a", "b"], "'a', 'b'"),
    (["a", "b", "c", "d"], "'a', 'b', 'c', 'd'"),
    (["a", "b", "c", "d", "e"], "'a', 'b', 'c', 'd', ..."),
    # the header as written, before a blank one is named
    (["a", "", "c", "d", "e", "f"], "'a', '', 'c', 'd', ..."),
])
def test_a_file_that_is_not_the_tool_export_says_what_its_header_is(tmp_path, header, found):
    path = tmp_path / "x.csv"
    path.write_bytes((";".join(header) + "\r\n" + ";".join("1" * len(header)) + "\r\n").encode())
    with pytest.raises(ReadError, match="not a Microsoft Forms export") as ms:
        read_msforms(path)
    assert str(ms.value) == (
        f"{path}: not a Microsoft Forms export: its metadata columns are missing (expected "
        "leading columns ID, Start time, Completion time (Danish: Id, Starttidspunkt, "
        f"Fuldførelsestidspunkt); found {found!r})")
    with pytest.raises(ReadError, match="not a Google Forms export") as google:
        read_googleforms(path)
    assert google.value.expected == "first column Timestamp (Danish: Tidsstempel)"
    assert google.value.found == found and google.value.file == path
