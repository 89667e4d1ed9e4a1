"""Reader edge cases an analyst meets, each with its answer written out by hand: which sheet
is read, how repeated headers are named, Danish quiz columns, option suffixes in capitals, SPSS
dates, notes beside the exports, and a workbook that is not SurveyXact's."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyreadstat
import pytest

from fslt_survey.clean import match_columns
from fslt_survey.codebook import parse_instrument
from fslt_survey.errors import ReadError
from fslt_survey.ingest import (
    find_exports,
    kobo_frame,
    read_export,
    read_googleforms,
    read_kobo_export,
    read_msforms,
    read_surveyxact,
)


def book(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path


MS = [["Id", "Starttidspunkt", "Fuldførelsestidspunkt", "Mail", "Navn", "Antal?",
       "Tilbagemelding - Antal?", "Point - Antal?"],
      [1, dt.datetime(2025, 3, 3, 9), dt.datetime(2025, 3, 3, 9, 5), "anonymous", None, 3, "Godt",
       1]]
GOOGLE = [["Tidsstempel", "Antal?"], ["14/03/2025 10.22.31", 3]]


def test_the_named_sheet_is_read_by_the_forms_readers(tmp_path):
    path = book(tmp_path / "svar.xlsx", {"Noter": [["Husk at rykke"]], "Ark": [["a", "b"], [1, 2]],
                                         "Forms": MS, "Google": GOOGLE})
    ms = read_msforms(path, sheet="Forms")
    assert ms.provenance.sheets == ("Forms",) and ms.format == "msforms"
    # Danish quiz columns: feedback and points, never questions
    assert ms.metadata["Tilbagemelding - Antal?"] == "feedback"
    assert ms.metadata["Point - Antal?"] == "points"
    google = read_googleforms(path, sheet="google")  # a sheet name in another case
    assert google.provenance.sheets == ("Google",) and google.metadata == {
        "Tidsstempel": "submitted"}
    assert read_export(path).provenance.sheets == ("Ark",)  # the first sheet with a table
    with pytest.raises(ReadError, match="the workbook has no sheet 'Svar'") as info:
        read_msforms(path, sheet="Svar")
    assert info.value.expected == "one of 'Noter', 'Ark', 'Forms', 'Google'"


def test_without_a_table_the_first_sheet_with_a_value_is_read(tmp_path):
    wb = openpyxl.Workbook()
    empty = wb.active
    empty.title = "Tom"
    empty["C5"] = "midlertidig"
    empty["C5"] = None  # a cell once written: the sheet's dimension reaches C5, no value
    notes = wb.create_sheet("Noter")
    notes["A1"] = "Ingen svar endnu"
    path = tmp_path / "svar.xlsx"
    wb.save(path)
    raw = read_export(path)
    assert raw.provenance.sheets == ("Noter",)
    assert list(raw.frame.columns) == ["Ingen svar endnu"] and len(raw.frame) == 0


@pytest.mark.parametrize(("header", "columns"), [
    (b"a;a;a", ["a", "a (2)", "a (3)"]),
    # a header the file already has keeps its name; the repeats take the next free numbers
    (b"a;a;a;a (2)", ["a", "a (3)", "a (4)", "a (2)"]),
    # a blank header is named by its column letter, also when a column is headed so already
    (b"x;;Unnamed: B", ["x", "Unnamed: B (2)", "Unnamed: B"]),
])
def test_repeated_and_blank_headers_get_free_names(tmp_path, header, columns):
    path = tmp_path / "svar.csv"
    n = header.count(b";") + 1
    path.write_bytes(header + b"\r\n" + b";".join(str(i).encode() for i in range(n)) + b"\r\n")
    raw = read_export(path)
    assert list(raw.frame.columns) == columns
    assert raw.frame.iloc[0].tolist() == [str(i) for i in range(n)]


def test_option_columns_with_letter_codes_in_spss(tmp_path):
    frame = pd.DataFrame({"q4_A": [1.0, 0.0], "q4_b": [0.0, 1.0], "dato": [
        dt.datetime(2025, 3, 14, 10, 0), pd.NaT], "antal": [2.0, np.nan]})
    valgt = {0.0: "Ikke valgt", 1.0: "Valgt"}
    path = tmp_path / "data.sav"
    pyreadstat.write_sav(frame, str(path), variable_value_labels={"q4_A": valgt, "q4_b": valgt})
    raw = read_export(path)
    assert raw.multi_columns == {"q4_A": ("q4", "A"), "q4_b": ("q4", "b")}
    assert raw.frame["dato"].tolist()[0] == "2025-03-14T10:00:00"
    assert pd.isna(raw.frame["dato"].tolist()[1])
    assert raw.frame["antal"].tolist()[0] == "2" and pd.isna(raw.frame["antal"].tolist()[1])


def test_text_files_beside_the_exports(tmp_path):
    """A ``.txt`` with one field per line is notes (not read); with two fields it is a table;
    one the reader cannot read is an export, so that reading names the problem."""
    wave = tmp_path / "raw" / "2025"
    wave.mkdir(parents=True)
    (wave / "noter.txt").write_bytes("Husk at rykke F003\r\nog F004\r\n".encode("cp1252"))
    (wave / "tabel.txt").write_bytes(b"Forening\tAntal\r\nF001\t3\r\n")
    (wave / "binaer.txt").write_bytes(b"a\x00b")
    found = find_exports(tmp_path / "raw")
    assert sorted(p.name for _, p in found.exports) == ["binaer.txt", "tabel.txt"]
    assert [(Path(f["file"]).name, f["reason"]) for f in found.ignored] == [
        ("noter.txt", "a text file without a table (notes?)")]


def test_a_workbook_that_is_not_surveyxacts(tmp_path):
    path = book(tmp_path / "svar.xlsx", {"Ark1": [["a", "b"], [1, 2]], "Ark2": [["c"]]})
    with pytest.raises(ReadError, match="not a SurveyXact workbook") as info:
        read_surveyxact(path)
    assert str(info.value) == (
        f"{path}: not a SurveyXact workbook (expected sheets Dataset (or Dataset(1), "
        "Dataset(2), ...), Structure and Labels; found \"sheets 'Ark1', 'Ark2'\")")


# --------------------------------------------------------------------------- KoboToolbox


def vals(column: pd.Series) -> list[object]:
    return [None if pd.isna(v) else v for v in column.tolist()]


def kobo_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    lines = [";".join(f'"{v}"' for v in r) for r in [header, *rows]]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


def test_kobo_options_notes_and_the_submission_time(tmp_path, small_instrument):
    """An option the form does not know keeps a column of its own (reported unmatched by the
    cleaner); a section note is dropped; without ``end`` the server's ``_submission_time`` is
    the submission time."""
    header = ["a/a_intro", "a/forening", "a/temaer/frivillige", "a/temaer/andet", "_id", "_uuid",
              "_submission_time"]
    rows = [["", "F001", "1", "1", "1", "u-1", "2025-03-14T09:30:00"],
            ["", "F002", "0", "0", "2", "u-2", "2025-03-15T09:30:00"]]
    raw = read_kobo_export(kobo_csv(tmp_path / "kobo.csv", header, rows), small_instrument)
    assert raw.format == "kobo" and raw.provenance.format == "kobo"
    assert list(raw.frame.columns) == ["Hvilken forening?", "Hvilke temaer? - Frivillige",
                                       "Hvilke temaer? - andet", "_id", "_uuid",
                                       "_submission_time"]
    assert raw.frame["Hvilke temaer? - andet"].tolist() == ["1", "0"]
    assert raw.metadata == {"_id": "respondent_id", "_uuid": "uuid",
                            "_submission_time": "submitted"}
    assert raw.notes[-2:] == ["read as a KoboToolbox export",
                              "column 'a/a_intro': a note of the form (no answers); dropped"]
    m = match_columns(raw, small_instrument)
    assert m.unmatched == ["Hvilke temaer? - andet"]


def test_kobo_summaries_with_labels_inside_labels_and_unknown_names():
    """Labels containing another label are found longest first; an unknown choice name in an
    XML-values summary becomes an option column of its own, the known ones keep their labels."""
    inst = parse_instrument(INSTRUMENT_K)
    frame = pd.DataFrame({"_id": ["1", "2", "3"], "_uuid": ["u1", "u2", "u3"],
                          "udstyr": ["Lokaler og udstyr Lokaler", "Lokaler", None],
                          "temaer": ["lokaler andet", "udstyr", ""]})
    out, metadata, _ = kobo_frame(frame, inst)
    assert vals(out["Hvad mangler I? - Lokaler"]) == ["1", "1", None]
    assert vals(out["Hvad mangler I? - Lokaler og udstyr"]) == ["1", "0", None]
    assert list(out.columns) == [
        "_id", "_uuid", "Hvad mangler I? - Lokaler", "Hvad mangler I? - Lokaler og udstyr",
        "Hvilke temaer? - Lokaler", "Hvilke temaer? - Lokaler og udstyr",
        "Hvilke temaer? - andet"]
    assert vals(out["Hvilke temaer? - Lokaler"]) == ["1", "0", None]
    assert vals(out["Hvilke temaer? - Lokaler og udstyr"]) == ["0", "1", None]
    assert vals(out["Hvilke temaer? - andet"]) == ["1", "0", None]
    assert metadata == {"_id": "respondent_id", "_uuid": "uuid"}


INSTRUMENT_K = {
    "instrument": "kobo", "title": "Kobo", "kind": "member",
    "scales": {"udstyr": {"ordered": False, "labels": [
        {"code": 1, "label": "Lokaler", "key": "lokaler"},
        {"code": 2, "label": "Lokaler og udstyr", "key": "udstyr"}]}},
    "sections": [{"id": "a", "title": "A", "items": [
        {"id": "forening", "text": "Hvilken forening?", "type": "association"},
        {"id": "udstyr", "text": "Hvad mangler I?", "type": "multi", "scale": "udstyr"},
        {"id": "temaer", "text": "Hvilke temaer?", "type": "multi", "scale": "udstyr"},
    ]}],
}


def test_kobo_column_names_that_collide_are_kept_as_they_are(small_instrument):
    frame = pd.DataFrame({"_id": ["1"], "_uuid": ["u"], "a/driver": ["1"], "driver": ["2"],
                          "a/note": [None]})
    out, _, notes = kobo_frame(frame, small_instrument)
    assert list(out.columns) == ["_id", "_uuid", "Driver I grupper?", "driver", "a/note"]
    assert out["driver"].tolist() == ["Nej"]
    assert "column 'driver': 'Driver I grupper?' already taken; kept as it is" in notes
    only_notes = kobo_frame(pd.DataFrame({"a/intro": [None, None]}), small_instrument)[0]
    assert only_notes.shape == (2, 0)


# --------------------------------------------------------------------------- mixed delimiters


@pytest.mark.parametrize(("text", "row"), [
    (b"a;b;c\r\n1;2;3\r\n4,5,6\r\n", 3),
    (b"a;b;c\r\n1;2;3\r\n4,5\r\n", 3),  # one field fewer: still the other delimiter
])
def test_a_row_with_the_other_delimiter_is_refused(tmp_path, text, row):
    path = tmp_path / "svar.csv"
    path.write_bytes(text)
    with pytest.raises(ReadError, match="mixed delimiters") as info:
        read_export(path)
    assert info.value.row == row
    assert info.value.message == (
        "this row is separated by commas, the rest of the file by semicolons (mixed "
        "delimiters); save the file again with one delimiter")


@pytest.mark.parametrize("text", [
    b"a;b\r\n1;2\r\n3,4\r\n",  # a two-column file: a comma in an answer is just a comma
    b"a;b;c\r\n1;2;3\r\n4,5,6;x\r\n",  # two fields: a short row, not another delimiter
    b"a;b;c;d\r\n1;2;3;4\r\n5,6\r\n",  # half the fields: a short row
])
def test_short_rows_with_commas_are_padded(tmp_path, text):
    path = tmp_path / "svar.csv"
    path.write_bytes(text)
    raw = read_export(path)
    assert raw.provenance.delimiter == ";"
    assert len(raw.frame) == 2 and raw.frame.iloc[1].isna().sum() >= 1
