"""Multi-selects with a typed "Ved ikke" option in both layouts, odd option cells, and whole raw
folders (Kobo beside SurveyXact, paths in the log): known answers by hand.

The instrument is the one of ``tests/ingest/test_real_exports.py``: ``sh_behov`` (Lokaler,
Supervision, "Ved ikke" code 9 declared missing) asked when ``driver`` is "Ja", ``tilbud``
(Kurser, Rådgivning, "Ingen af dem").
"""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from fslt_survey.clean import clean_directory, clean_exports
from fslt_survey.codebook import parse_instrument
from fslt_survey.ingest import read_export
from tests.ingest.test_real_exports import INSTRUMENT, REGISTRY

NA = None


@pytest.fixture
def instrument():
    return parse_instrument(INSTRUMENT)


def cells(column: pd.Series) -> list[object]:
    return [NA if pd.isna(v) else v for v in column.astype(object)]


GOOGLE = (
    "Timestamp,Hvilken forening svarer du for?,Driver foreningen en selvhjælpsgruppe?,"
    "Hvad har gruppen brug for?\r\n"
    "2025/03/14 1:22:31 PM CET,Alfa Forening,Ja,Ved ikke\r\n"  # only the typed missing
    '2025/03/14 1:23:31 PM CET,Beta Klub,Ja,"Lokaler, Ved ikke"\r\n'  # an option beside it
    "2025/03/14 1:24:31 PM CET,Gamma Selvhjælp,Ja,ved IKKE\r\n"  # in another case
    "2025/03/14 1:25:31 PM CET,Delta Ældreråd,Ja,Lokaler\r\n"
)


def test_ved_ikke_in_a_joined_multi_select_cell(tmp_path, instrument):
    path = tmp_path / "svar.csv"
    path.write_bytes(GOOGLE.encode())
    result = clean_exports(instrument, [(read_export(path), 2025)], REGISTRY)
    data = result.data
    assert cells(data["association_id"]) == ["F001", "F002", "F003", "F004"]
    assert cells(data["sh_behov__lokaler"]) == [NA, True, NA, True]
    assert cells(data["sh_behov__supervision"]) == [NA, False, NA, False]
    assert cells(data["sh_behov__missing"]) == ["Ved ikke", NA, "Ved ikke", NA]
    assert cells(data["n_answered"]) == [2, 2, 2, 2]  # driver, and sh_behov ("Ved ikke" too)
    assert result.log.unknown_values == []


SX_HEADER = ["respondentid", "s_1", "s_2", "s_3_1", "s_3_2", "s_3_3", "s_3_4"]
SX_STRUCTURE = [
    ["questionName", "variableName", "questionType", "subType", "questionText", "choiceValue",
     "choiceText"],
    ["s_1", "s_1", "Open", "String", "Hvilken forening svarer du for?", "", ""],
    ["s_2", "s_2", "Closed", "Single", "Driver foreningen en selvhjælpsgruppe?", "", ""],
    ["s_3", "s_3_1", "Closed", "Multiple", "Hvad har gruppen brug for?", "1", "Lokaler"],
    ["s_3", "s_3_2", "Closed", "Multiple", "Hvad har gruppen brug for?", "2", "Supervision"],
    ["s_3", "s_3_3", "Closed", "Multiple", "Hvad har gruppen brug for?", "9", "Ved ikke"],
    ["s_3", "s_3_4", "Closed", "Multiple", "Hvad har gruppen brug for?", "7", "Andet"],
]


def sx_trio(folder, rows: list[list[str]]):
    folder.mkdir(parents=True)
    labels = [["s_2", "1", "Ja"], ["s_2", "2", "Nej"]]
    for name, content in (("dataset", [SX_HEADER, *rows]), ("structure", SX_STRUCTURE),
                          ("labels", labels)):
        buf = io.StringIO()
        csv.writer(buf, delimiter=";", lineterminator="\r\n").writerows(content)
        (folder / f"{name}.csv").write_bytes(buf.getvalue().encode("cp1252"))
    return folder / "dataset.csv"


def test_option_columns_ved_ikke_unknown_options_and_odd_values(tmp_path, instrument):
    """SurveyXact option columns: "Ved ikke" ticked alone is a typed missing answer; a tick in
    an option the instrument lacks ("Andet", code 7) and a value other than 0/1 are listed
    with their column and what was expected; a row holding only those is "Ugyldigt svar"."""
    rows = [
        ["1", "Alfa Forening", "1", "0", "0", "1", "0"],  # Ved ikke
        ["2", "Beta Klub", "1", "1", "0", "0", "0"],  # Lokaler
        ["3", "Gamma Selvhjælp", "1", "0", "0", "0", "1"],  # only the unknown option
        ["4", "Delta Ældreråd", "1", "0", "2", "0", "0"],  # a value that is no tick
    ]
    result = clean_exports(instrument, [(read_export(sx_trio(tmp_path / "2025", rows)), 2025)],
                           REGISTRY)
    data = result.data
    assert cells(data["sh_behov__lokaler"]) == [NA, True, NA, NA]
    assert cells(data["sh_behov__supervision"]) == [NA, False, NA, NA]
    assert cells(data["sh_behov__missing"]) == ["Ved ikke", NA, "Ugyldigt svar", "Ugyldigt svar"]
    assert [(u["row"], u["column"], u["value"], u["expected"]) for u in
            result.log.unknown_values] == [  # in column order
        (5, "s_3_2", "2", "0/1 or Valgt/Ikke valgt"),
        (4, "s_3_4", "s_3_4: valgt", "an option of scale 'gruppebehov'"),
    ]


def test_a_raw_folder_with_a_kobo_export_and_paths_relative_to_the_project(
        tmp_path, monkeypatch, instrument):
    """``clean_directory`` reads a KoboToolbox export with the instrument (its XML names would
    match nothing otherwise), and the log names files relative to the project folder."""
    (tmp_path / "_quarto.yml").write_text("project:\n  type: website\n", encoding="utf-8")
    monkeypatch.setenv("FSLT_PROJECT_ROOT", str(tmp_path))
    raw_dir = tmp_path / "surveys" / "x" / "raw"
    wave = raw_dir / "2025"
    wave.mkdir(parents=True)
    (raw_dir / "noter.md").write_text("husk", encoding="utf-8")
    header = ["om/forening", "om/driver", "om/sh_behov", "_id", "_uuid", "_submission_time"]
    rows = [["F001", "1", "lokaler", "1", "u1", "2025-03-14T09:30:00"],
            ["F002", "2", "", "2", "u2", "2025-03-15T09:30:00"]]
    (wave / "kobo.csv").write_bytes(("\r\n".join(
        ";".join(f'"{v}"' for v in r) for r in [header, *rows]) + "\r\n").encode())
    result = clean_directory(instrument, raw_dir, REGISTRY)
    assert cells(result.data["driver"]) == ["Ja", "Nej"]
    assert cells(result.data["sh_behov__lokaler"]) == [True, NA]
    assert cells(result.data["sh_behov__missing"]) == [NA, "Ikke relevant"]
    assert result.log.sources[0]["file"] == "surveys/x/raw/2025/kobo.csv"
    assert [(f["file"], f["reason"]) for f in result.log.ignored_files] == [
        ("surveys/x/raw/noter.md", "not in a wave folder (raw/<year>/)")]
