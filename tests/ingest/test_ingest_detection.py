"""Format detection and the start of a file: what ``read_export`` decides from the first bytes,
the header and the chosen sheet, and the refusals it gives on the way, written out whole.

Each expected value is written by hand from the fixture's bytes. These pin the cases the mutation
run of 2026-12-04 found unguarded (``tests/mutation/equivalent.md``): refusals read only in part,
a workbook whose stored sheet size is wrong, Forms' "Grade posted time", a line of spaces above
the header, a file whose start and end are in different encodings, and ``sheet=`` while
detecting the layout.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from fslt_survey.errors import ReadError
from fslt_survey.ingest import detect_format, read_export, read_surveyxact
from fslt_survey.ingest.metadata import msforms_metadata
from fslt_survey.ingest.raw import read_bytes
from fslt_survey.ingest.surveyxact import sx_labels
from fslt_survey.ingest.text import decode_text


def refusal(call, *args, **kwargs) -> ReadError:
    with pytest.raises(ReadError) as info:
        call(*args, **kwargs)
    return info.value


# --------------------------------------------------------------------------- refusals, whole


def test_text_saved_as_sav_is_refused_while_detecting(tmp_path):
    path = tmp_path / "svar.sav"
    path.write_bytes(b"Forening;Antal\r\nA;1\r\n")
    err = refusal(read_export, path)
    assert (err.message, err.file, err.expected, err.found) == (
        "not an SPSS .sav file", path, "an SPSS .sav file", "text starting 'Forening;Antal'")


def test_an_unknown_ending_lists_what_is_read(tmp_path):
    path = tmp_path / "svar.pdf"
    path.write_bytes(b"%PDF-1.7\n")
    assert str(refusal(read_export, path)) == (
        f"{path}: unknown export format '.pdf' (expected a .csv/.tsv/.txt text export, an .xlsx "
        "workbook, an SPSS .sav file or a SurveyXact folder; found 'a PDF document')")


def test_sheet_is_refused_for_a_text_export_while_detecting(tmp_path):
    path = tmp_path / "svar.csv"
    path.write_bytes(b"a;b\r\n1;2\r\n")
    err = refusal(detect_format, path, sheet="Ark1")
    assert (err.message, err.file, err.expected, err.found) == (
        "sheet= applies to xlsx workbooks only", path, "an xlsx workbook", "a text export")
    forced = refusal(read_export, path, format="csv", sheet="Ark1")
    assert str(forced) == (f"{path}: sheet= does not apply to format 'csv' (expected an xlsx, "
                           "msforms or googleforms export; found 'csv')")


def test_a_folder_or_an_empty_file_given_as_a_file(tmp_path):
    folder = tmp_path / "eksport"
    folder.mkdir()
    assert str(refusal(read_bytes, folder)) == f"{folder}: expected a file, found a folder"
    empty = tmp_path / "svar.csv"
    empty.write_bytes(b"")
    assert str(refusal(read_export, empty)) == (
        f"{empty}: the file is empty (expected a survey export; found '0 bytes')")


def test_utf16_cut_off_by_one_byte(tmp_path):
    data = codecs.BOM_UTF16_LE + "a;b\r\n1;2\r\n".encode("utf-16-le") + b"x"
    err = refusal(decode_text, data, tmp_path / "svar.csv")
    assert str(err) == (f"{tmp_path / 'svar.csv'}: the UTF-16 text is cut off (odd number of "
                        "bytes) (expected UTF-16 text; found '23 bytes')")


def test_only_empty_fields_is_no_header(tmp_path):
    path = tmp_path / "svar.csv"
    path.write_bytes(b",,,\r\n,,,\r\n")
    assert str(refusal(read_export, path)) == (
        f"{path}: the file has no header row (only blank lines) (expected a header row with "
        "column names; found 'blank text')")


@pytest.fixture
def small_field_limit():
    """A field-size limit of 1 KiB (the readers raise the csv module's to 64 MiB, which only an
    unclosed quote in a file of that size reaches): the same refusal on a small fixture."""
    old = csv.field_size_limit(1024)
    yield
    csv.field_size_limit(old)


def test_an_unclosed_quote_in_a_large_file_is_named_as_such(tmp_path, small_field_limit):
    path = tmp_path / "svar.csv"
    path.write_bytes(b"navn;svar\r\n" + b"B;tekst\r\n" * 60 + b'A;"ingen slutning\r\n'
                     + b"B;tekst\r\n" * 200)
    err = refusal(read_export, path)
    assert err.message == ("malformed semicolon-separated text: field larger than field limit "
                           "(1024) (most likely a quote that is never closed)")
    assert (err.file, err.row, err.expected) == (path, 62, "well-formed CSV")


def test_a_malformed_surveyxact_labels_file_is_named(tmp_path, small_field_limit):
    (tmp_path / "dataset.csv").write_bytes(b"respondent;q1\r\n1;1\r\n")
    (tmp_path / "structure.csv").write_bytes(
        b"variableName;questionText;variableType\r\nq1;Q?;single\r\n")
    labels = tmp_path / "labels.csv"
    labels.write_bytes(b"q1;1;Ja\r\n" * 60 + b'q1;2;"Nej\r\n' + b"q1;3;Ved ikke\r\n" * 200)
    err = refusal(read_surveyxact, tmp_path)
    assert err.file == labels
    assert err.message == "malformed labels file: field larger than field limit (1024)"


# --------------------------------------------------------------------------- what is read


def test_an_empty_label_cell_in_a_labels_sheet_stays_empty():
    notes: list[str] = []
    labels = [(1, ["q1", "1", "Ja"]), (2, ["q1", "2", None, "note"])]
    got = sx_labels(labels, ["q1"], Path("svar.xlsx"), None, notes)
    assert got == {"q1": {"1": "Ja", "2": ""}}


def _with_dimension(path: Path, ref: str) -> None:
    """Rewrite the sheet's stored size (``<dimension ref=...>``), as some tools write it wrong."""
    buf = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data, n = re.subn(rb'<dimension ref="[^"]*"\s*/>',
                                  f'<dimension ref="{ref}"/>'.encode(), data)
                assert n == 1
            dst.writestr(item, data)
    path.write_bytes(buf.getvalue())


def test_a_workbook_storing_a_wrong_sheet_size_is_read_whole(tmp_path):
    """The data sheet claims to be one cell; a summary sheet follows it. The data sheet is still
    the one read, and read whole."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Svar"
    ws.append(["Forening", "Antal frivillige"])
    ws.append(["Æblehaven", 7])
    ws.append(["Bien", 12])
    summary = wb.create_sheet("Opsummering")
    summary.append(["Svar i alt", 2])
    path = tmp_path / "svar.xlsx"
    wb.save(path)
    _with_dimension(path, "A1")  # the file claims one cell
    raw = read_export(path)
    assert list(raw.frame.columns) == ["Forening", "Antal frivillige"]
    assert raw.frame.to_numpy().tolist() == [["Æblehaven", "7"], ["Bien", "12"]]


def test_decimal_commas_and_blank_rows_in_a_semicolon_export(tmp_path):
    """Excel's Danish CSV: a comma in a column name and in every amount (so ``,`` also splits
    each data row in two) and blank rows written as ``;;`` (blank only for ``;``)."""
    path = tmp_path / "svar.csv"
    path.write_bytes("Forening;Kontingent, kr.;By\r\nA;150,50;Lyngby\r\n;;\r\nB;75,00;Virum\r\n"
                     ";;\r\nC;200,00;Taarbæk\r\n".encode("cp1252"))
    raw = read_export(path)
    assert list(raw.frame.columns) == ["Forening", "Kontingent, kr.", "By"]
    assert raw.frame.to_numpy().tolist() == [["A", "150,50", "Lyngby"], ["B", "75,00", "Virum"],
                                            ["C", "200,00", "Taarbæk"]]


def test_forms_grade_posted_time_after_the_questions_is_metadata():
    names = ["Id", "Starttidspunkt", "Fuldførelsestidspunkt", "Hvor mange?",
             "Total points", "Grade posted time"]
    assert msforms_metadata(names) == {
        "Id": "respondent_id", "Starttidspunkt": "started", "Fuldførelsestidspunkt": "submitted",
        "Total points": "points", "Grade posted time": "graded"}


def test_a_line_of_spaces_above_the_header(tmp_path):
    path = tmp_path / "svar.csv"
    path.write_bytes(b"   \r\nForening;Antal;By\r\nA;1;Lyngby\r\nB;2;Virum\r\n")
    raw = read_export(path)
    assert list(raw.frame.columns) == ["Forening", "Antal", "By"]
    assert raw.frame.to_numpy().tolist() == [["A", "1", "Lyngby"], ["B", "2", "Virum"]]


def test_a_large_file_in_two_encodings_is_refused_while_detecting(tmp_path):
    """The start of a large file (UTF-8, with "Æ" in the header) settles the header only when
    the rest cannot change it; here the last row is Windows-1252 (appended in an old editor)."""
    rows = b"".join(b"%d;Lyngby\r\n" % i for i in range(30000))
    path = tmp_path / "svar.csv"
    path.write_bytes("Ærinde;By\r\n".encode() + rows + "30000;Kgs. Lyngby \u00e6\r\n"
                     .encode("cp1252"))
    assert len(path.read_bytes()) > 4 * 65536
    err = refusal(detect_format, path)
    assert err.message.startswith("the file mixes text encodings")
    assert err.row == 30002


def test_sheet_chooses_the_sheet_whose_layout_is_detected(tmp_path):
    wb = openpyxl.Workbook()
    forms = wb.active
    forms.title = "Forms"
    forms.append(["Id", "Start time", "Completion time", "Email", "Name", "Hvor mange?"])
    forms.append([1, "3/14/25 10:00:05", "3/14/25 10:03:00", "anonymous", "", 4])
    plain = wb.create_sheet("Rettet")
    plain.append(["Forening", "Hvor mange?"])
    plain.append(["A", 4])
    path = tmp_path / "svar.xlsx"
    wb.save(path)
    assert detect_format(path) == "msforms"
    assert detect_format(path, sheet="Rettet") == "xlsx"
    assert detect_format(path, sheet="Forms") == "msforms"
