"""Files an analyst may hand the readers by mistake, refused with the whole message written out
by hand: what it is, where, what was expected and what was found."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from fslt_survey.codebook import parse_instrument
from fslt_survey.errors import ReadError
from fslt_survey.ingest import kobo_frame, read_export, read_surveyxact
from tests.ingest.test_ingest_edges import INSTRUMENT_K


def refused(path: Path, match: str, reader=read_export) -> str:
    with pytest.raises(ReadError, match=match) as info:
        reader(path)
    return str(info.value)


def zip_bytes(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_a_legacy_xls(tmp_path):
    path = tmp_path / "svar.xls"
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 512)
    assert refused(path, "legacy") == (
        f"{path}: this is a legacy Excel 97-2003 (.xls) file; save it as .xlsx (expected an "
        "xlsx workbook; found 'a legacy .xls file (OLE2 container)')")


@pytest.mark.parametrize(("parts", "found"), [
    ({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<x/>"}, "a Word document"),
    ({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"},
     "an OpenDocument spreadsheet (.ods); save it as .xlsx"),
    ({"noget.txt": b"x"}, "a zip archive without xl/workbook.xml"),
])
def test_zip_archives_that_are_no_workbook(tmp_path, parts, found):
    path = tmp_path / "svar.xlsx"
    path.write_bytes(zip_bytes(parts))
    assert refused(path, "not an xlsx workbook") == (
        f"{path}: not an xlsx workbook (expected an xlsx workbook; found {found!r})")


def test_a_truncated_workbook(tmp_path):
    path = tmp_path / "svar.xlsx"
    path.write_bytes(zip_bytes({"xl/workbook.xml": b"<w/>" * 100})[:60])
    text = refused(path, "truncated")
    assert text.startswith(f"{path}: the workbook is truncated or corrupt (broken zip archive) "
                           "(expected a complete xlsx workbook; found ")


def test_a_workbook_openpyxl_cannot_open(tmp_path):
    path = tmp_path / "svar.xlsx"
    path.write_bytes(zip_bytes({"xl/workbook.xml": b"not xml", "[Content_Types].xml": b"x"}))
    text = refused(path, "cannot be opened")
    assert text.startswith(f"{path}: the workbook cannot be opened (expected a valid xlsx "
                           "workbook; found ")


def test_a_workbook_with_only_empty_sheets(tmp_path):
    wb = openpyxl.Workbook()
    wb.create_sheet("Ark2")
    path = tmp_path / "svar.xlsx"
    wb.save(path)
    assert refused(path, "every sheet is empty") == (
        f"{path}: the workbook holds no data: every sheet is empty (expected a sheet with a "
        "header row; found '2 empty sheet(s)')")


def test_booleans_and_times_in_cells(tmp_path):
    import datetime as dt

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["a", "b", "c", "d"])
    ws.append([True, False, dt.datetime(2025, 3, 14, 10, 0, 5, 250000),
               dt.datetime(2025, 3, 14, 10, 0, 5)])
    path = tmp_path / "svar.xlsx"
    wb.save(path)
    row = read_export(path).frame.iloc[0].tolist()
    assert row == ["TRUE", "FALSE", "2025-03-14T10:00:05.250000", "2025-03-14T10:00:05"]


def test_surveyxact_folders_and_files_that_are_not_one(tmp_path):
    empty = tmp_path / "tom"
    empty.mkdir()
    assert refused(empty, "no complete SurveyXact export", read_surveyxact) == (
        f"{empty}: the folder holds no complete SurveyXact export (expected dataset.csv, "
        "structure.csv and labels.csv (or one SurveyXact xlsx); found 'none of them')")
    half = tmp_path / "halv"
    half.mkdir()
    (half / "dataset.csv").write_bytes(b"a;b\r\n1;2\r\n")
    (half / "svar.xlsx").write_bytes(b"PK")  # a workbook beside part of a trio: still refused
    assert refused(half, "no complete SurveyXact export", read_surveyxact).endswith(
        "found 'missing structure.csv, labels.csv')")
    other = tmp_path / "svar.csv"
    other.write_bytes(b"a;b\r\n1;2\r\n")
    assert refused(other, "not a SurveyXact export", read_surveyxact) == (
        f"{other}: not a SurveyXact export (expected a folder, dataset.csv/structure.csv/"
        "labels.csv or a SurveyXact xlsx; found 'svar.csv')")
    alone = tmp_path / "alene"
    alone.mkdir()
    (alone / "structure.csv").write_bytes(b"a;b\r\n")
    text = refused(alone / "structure.csv", "incomplete", read_surveyxact)
    assert text == (
        f"{alone / 'structure.csv'}: the SurveyXact export is incomplete: dataset.csv, "
        "labels.csv not found next to it (expected dataset.csv, structure.csv and labels.csv "
        "in one folder; found 'missing dataset.csv, labels.csv')")


def test_surveyxact_structure_and_labels_oddities(tmp_path):
    folder = tmp_path / "sx"
    folder.mkdir()
    (folder / "dataset.csv").write_bytes(b"respondentid;q2\r\n1;1\r\n")
    (folder / "structure.csv").write_bytes(b"navn;tekst\r\nq2;Driver I grupper?\r\n")
    (folder / "labels.csv").write_bytes(b"q2;1;Ja\r\n")
    assert refused(folder, "has no variableName column") == (
        f"{folder / 'structure.csv'}, row 1: the SurveyXact structure file has no variableName "
        "column (expected columns questionName; variableName; questionType; subType; "
        "questionText; choiceValue; choiceText; found \"'navn', 'tekst'\")")
    # a header row in the labels file, a label cell left empty, no subType column
    (folder / "structure.csv").write_bytes(
        b"questionName;variableName;questionText\r\nq2;q2;Driver I grupper?\r\n")
    (folder / "labels.csv").write_bytes(b"variable;value;label\r\nq2;1;\r\nq2;2;Nej\r\n")
    raw = read_export(folder)
    assert raw.value_labels == {"q2": {"1": "", "2": "Nej"}}
    assert any(n.startswith("the structure has no subType column; multi-select columns are ")
               for n in raw.notes)


def test_a_dataset_sheet_without_a_number_comes_first(tmp_path):
    """``Dataset`` and ``Dataset(2)``: the unnumbered sheet is the first part; the labels sheet
    may be missing."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in (("Dataset(2)", [["q3"], [4]]), ("Dataset", [["q2"], [1]]),
                       ("Structure", [["questionName", "variableName", "questionType",
                                       "subType", "questionText"],
                                      ["q2", "q2", "Closed", "Single", "Driver I grupper?"]])):
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    path = tmp_path / "sx.xlsx"
    wb.save(path)
    raw = read_export(path)
    assert list(raw.frame.columns) == ["q2", "q3"]
    assert raw.value_labels == {}


def sx(folder: Path, structure: bytes, labels: bytes) -> Path:
    folder.mkdir()
    (folder / "dataset.csv").write_bytes(b"respondentid;q2\r\n1;1\r\n")
    (folder / "structure.csv").write_bytes(structure)
    (folder / "labels.csv").write_bytes(labels)
    return folder


FULL = (b"questionName;variableName;questionType;subType;questionText;choiceValue;choiceText\r\n"
        b"q2;q2;Closed;Single;Driver I grupper?;;\r\n")


def test_surveyxact_notes_only_what_is_so(tmp_path):
    """With a subType column, a labels header row and a structure row without a variable name,
    nothing is noted: no missing subType, no unknown label variable, no absent variable."""
    folder = sx(tmp_path / "sx", FULL + b"q9;;Closed;Single;Uden variabel;;\r\n",
                b"Variable;Value;Label\r\nq2;1;Ja\r\n")
    raw = read_export(folder)
    assert raw.value_labels == {"q2": {"1": "Ja"}}
    assert not [n for n in raw.notes if "subType" in n or "not in the dataset" in n]
    assert raw.frame["q2"].tolist() == ["Ja"]


def test_kobo_names_beside_an_unknown_choice():
    """An XML-values summary with a choice name whose label differs from it ("udstyr" is
    "Lokaler og udstyr") next to an unknown name keeps the label of the known one."""
    frame = pd.DataFrame({"_id": ["1"], "_uuid": ["u1"], "temaer": ["udstyr andet"]})
    out = kobo_frame(frame, parse_instrument(INSTRUMENT_K))[0]
    assert out["Hvilke temaer? - Lokaler og udstyr"].tolist() == ["1"]
    assert out["Hvilke temaer? - andet"].tolist() == ["1"]
    assert "Hvilke temaer? - udstyr" not in out.columns


def test_with_a_subtype_column_the_structure_decides_what_is_multiple(tmp_path):
    """A Single question whose variable looks like an option (``samtykke_1``) and whose labels
    are Valgt/Ikke valgt stays a single column when the structure says Single."""
    folder = tmp_path / "sx"
    folder.mkdir()
    (folder / "dataset.csv").write_bytes(b"respondentid;samtykke_1\r\n1;1\r\n")
    (folder / "structure.csv").write_bytes(
        b"questionName;variableName;questionType;subType;questionText;choiceValue;choiceText\r\n"
        b"samtykke_1;samtykke_1;Closed;Single;Samtykke?;;\r\n")
    (folder / "labels.csv").write_bytes(b"samtykke_1;0;Ikke valgt\r\nsamtykke_1;1;Valgt\r\n")
    raw = read_export(folder)
    assert raw.multi_columns == {}
    assert raw.frame["samtykke_1"].tolist() == ["Valgt"]
