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

from fslt_survey.errors import ReadError
from fslt_survey.ingest import (
    find_exports,
    read_export,
    read_googleforms,
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
