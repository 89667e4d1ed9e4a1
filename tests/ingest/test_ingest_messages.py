"""What a refused file is told to be: the readers' error messages, written out whole.

An analyst who feeds the wrong file sees one line: where (file, row, column), what is wrong,
what was expected and what was found. Each expected message below is written out by hand from
the bytes of the fixture, so a message that loses its place or misdescribes the file fails.
"""

from __future__ import annotations

import codecs
from pathlib import Path

import openpyxl
import pytest

from fslt_survey.errors import ReadError
from fslt_survey.ingest import read_export, read_googleforms, read_msforms, read_spss
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


def test_sheet_is_for_workbooks_and_a_workbook_must_be_one(tmp_path):
    text = tmp_path / "svar.csv"
    text.write_bytes(b"a;b\r\n1;2\r\n")
    with pytest.raises(ReadError, match="sheet= applies") as info:
        read_msforms(text, sheet="Ark1")
    assert str(info.value) == (f"{text}: sheet= applies to xlsx workbooks only (expected an "
                               "xlsx workbook; found 'a text export')")
    fake = tmp_path / "svar.xlsx"  # text saved under a workbook's name
    fake.write_bytes(b"a;b\r\n1;2\r\n")
    with pytest.raises(ReadError, match="not an xlsx workbook") as info:
        read_msforms(fake)
    assert str(info.value) == (f"{fake}: not an xlsx workbook (expected an xlsx workbook (a zip "
                               "archive); found \"text starting 'a;b'\")")


def test_spss_refusals(tmp_path):
    text = tmp_path / "data.sav"
    text.write_bytes(b"a;b\r\n1;2\r\n")
    with pytest.raises(ReadError, match=r"not an SPSS \.sav file") as info:
        read_spss(text)
    assert str(info.value) == (f"{text}: not an SPSS .sav file (expected an SPSS .sav file "
                               "(starting $FL2); found \"text starting 'a;b'\")")
    broken = tmp_path / "kaput.sav"
    broken.write_bytes(b"$FL2" + b"\x00" * 100)
    with pytest.raises(ReadError, match="cannot be read") as info:
        read_spss(broken)
    assert info.value.message == "the SPSS file cannot be read (damaged or truncated?)"
    assert info.value.expected == "a valid SPSS .sav file"
    assert info.value.found.startswith("ReadstatError: ")


def test_many_skipped_rows_are_listed_ten_and_counted(tmp_path):
    path = tmp_path / "svar.csv"
    path.write_bytes(b"a;b\r\n" + b";\r\n" * 12 + b"1;2\r\n")
    raw = read_export(path)
    assert raw.row_numbers == [14]
    assert "12 empty row(s) skipped: rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 2 more" in raw.notes


def sx_folder(folder: Path, labels: bytes) -> Path:
    folder.mkdir()
    (folder / "dataset.csv").write_bytes(b"respondentid;q2\r\n1;1\r\n2;3\r\n")
    (folder / "structure.csv").write_bytes(
        b"questionName;variableName;questionType;subType;questionText;choiceValue;choiceText\r\n"
        b"q2;q2;Closed;Single;Driver I grupper?;;\r\n")
    (folder / "labels.csv").write_bytes(labels)
    return folder


def test_surveyxact_labels_rows_as_written(tmp_path):
    """A label holding the delimiter unquoted is joined back; a row without its label text
    labels the code with an empty text; a row without a code is refused with its place."""
    folder = sx_folder(tmp_path / "ok", b"q2;1;Ja; helt sikkert\r\nq2;3\r\n")
    raw = read_export(folder)
    assert raw.value_labels == {"q2": {"1": "Ja; helt sikkert", "3": ""}}
    assert "labels row 1: the label held the delimiter unquoted; joined" in raw.notes
    bad = sx_folder(tmp_path / "bad", b"q2;1;Ja\r\nq2;;Nej\r\n")
    with pytest.raises(ReadError, match="a labels row needs") as info:
        read_export(bad)
    exc = info.value
    assert (Path(exc.file).name, exc.row, exc.expected, exc.found) == (
        "labels.csv", 2, "variable; value; label", "q2 |  | Nej")


def test_a_surveyxact_folder_prefers_csv_parts(tmp_path):
    folder = sx_folder(tmp_path / "sx", b"q2;1;Ja\r\n")
    (folder / "Dataset.txt").write_bytes(b"respondentid\tq2\r\n9\t2\r\n")
    raw = read_export(folder)
    assert raw.frame["respondentid"].tolist() == ["1", "2"]
    assert Path(raw.provenance.file).name == "dataset.csv"
    assert [Path(f).name for f, _ in raw.provenance.parts] == ["structure.csv", "labels.csv"]


def test_a_surveyxact_workbook_names_itself_in_structure_errors(tmp_path):
    path = tmp_path / "sx.xlsx"
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in (("Dataset", [["q2"], [1]]), ("Structure", [["questionName", "tekst"]]),
                       ("Labels", [["q2", 1, "Ja"]])):
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    wb.save(path)
    with pytest.raises(ReadError, match="has no variableName column") as info:
        read_export(path)
    assert Path(info.value.file) == path and info.value.row == 1
    assert info.value.message == "the SurveyXact sheet 'Structure' has no variableName column"


def test_a_workbook_given_to_the_text_reader_is_named(tmp_path):
    from fslt_survey.ingest import read_csv_any

    path = tmp_path / "svar.csv"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    with pytest.raises(ReadError, match="expected a text") as info:
        read_csv_any(path)
    assert str(info.value) == (f"{path}: expected a text (CSV) export (expected delimited "
                               "text; found 'a zip archive')")


@pytest.mark.parametrize(("data", "message"), [
    (b"a;b\r\n\x81\x8d\x8f\x90\x9d;x\r\n",
     "row 2: the file is neither UTF-8 nor Windows-1252 text (expected text in UTF-8, UTF-16 or "
     "cp1252; found 'byte 0x81 at offset 5')"),
    (codecs.BOM_UTF16_LE + "a;b\r\n1;2\x00\r\n".encode("utf-16-le"),
     "row 2: the text contains NUL characters (expected text (CSV); found 'NUL character')"),
    (b"   \r\n\r\n",
     "the file holds only blank text (expected a header row with column names; found "
     "'blank text')"),
    (b";;\r\n1;2;3\r\n",
     "row 1: the header row is blank (empty fields only); the column names are missing "
     "(expected a header row with column names; found '3 empty fields')"),
])
def test_text_refusals_written_out(tmp_path, data, message):
    path = tmp_path / "svar.csv"
    path.write_bytes(data)
    where = f"{path}, " if message.startswith("row") else f"{path}: "
    assert refusal(path) == where + message


def test_text_oddities_that_are_read(tmp_path):
    from fslt_survey.ingest import is_kobo_export

    twice = tmp_path / "bom.csv"  # saved twice with a BOM: both are dropped
    twice.write_bytes(codecs.BOM_UTF8 * 2 + b"a;b\r\n1;2\r\n")
    assert list(read_export(twice).frame.columns) == ["a", "b"]
    forms = tmp_path / "forms.csv"  # a Microsoft Forms CSV read as a plain CSV on request
    forms.write_bytes("Id;Starttidspunkt;Fuldførelsestidspunkt;Antal?\r\n1;x;y;3\r\n"
                      .encode("cp1252"))
    assert read_export(forms).format == "msforms"
    assert read_export(forms, format="csv").format == "csv"
    with pytest.raises(ReadError, match="sheet= does not apply to format 'csv'"):
        read_export(forms, format="csv", sheet="Ark1")
    assert is_kobo_export(["_uuid", "_id", "svar"]) and not is_kobo_export(["_id", "svar"])


def test_the_provenance_of_a_trio_lists_its_parts(tmp_path):
    folder = tmp_path / "sx"
    folder.mkdir()
    (folder / "dataset.csv").write_bytes(b"respondentid;q2\r\n1;1\r\n")
    (folder / "structure.csv").write_bytes(
        b"questionName;variableName;questionType;subType;questionText;choiceValue;choiceText\r\n"
        b"q2;q2;Closed;Single;Driver I grupper?;;\r\n")
    (folder / "labels.csv").write_bytes(b"q2;1;Ja\r\n")
    parts = read_export(folder).provenance.to_dict()["parts"]
    assert [sorted(p) for p in parts] == [["file", "sha256"], ["file", "sha256"]]
    assert [Path(p["file"]).name for p in parts] == ["structure.csv", "labels.csv"]


def test_a_raw_folder_that_is_not_there(tmp_path):
    from fslt_survey.errors import SurveyDataError
    from fslt_survey.ingest import find_exports

    with pytest.raises(SurveyDataError, match="raw data folder not found") as info:
        find_exports(tmp_path / "mangler")
    assert info.value.expected == "a folder with one sub-folder per wave (e.g. 2025/)"
    assert Path(info.value.file) == tmp_path / "mangler"
