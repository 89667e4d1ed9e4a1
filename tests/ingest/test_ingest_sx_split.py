"""A SurveyXact workbook whose dataset is split over sheets ``Dataset(1)``, ``Dataset(2)``:
joined as SurveyXact means it, or refused with the place that does not line up.

SurveyXact splits a wide dataset over several sheets; every sheet repeats ``respondentid``, not
necessarily in the same column, and a sheet re-sorted by hand holds the respondents in another
order. Expected frames and messages are written out by hand.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from fslt_survey.errors import ReadError
from fslt_survey.ingest import read_export

STRUCTURE = [
    ["questionName", "variableName", "questionType", "subType", "questionText", "choiceValue",
     "choiceText"],
    ["forening", "forening", "Open", "String", "Hvilken forening?", None, None],
    ["q1_1", "q1_1", "Closed", "Single", "Behov for A?", None, None],
    ["q2", "q2", "Closed", "Single", "Driver I grupper?", None, None],
    ["q3", "q3", "Open", "Double", "Hvor mange grupper?", None, None],
]
LABELS = [["q1_1", 1, "I høj grad"], ["q1_1", 3, "I mindre grad"], ["q1_1", 9, "Ved ikke"],
          ["q2", 1, "Ja"], ["q2", 2, "Nej"]]
LEFT = [["respondentid", "forening", "q1_1"], [11, "F001", 1], [12, "F002", 9], [13, "F003", 3]]
# the id in the last column, the respondents in another order
RIGHT = [["q2", "q3", "respondentid"], [2, None, 13], [1, 4, 11], [1, None, 12]]


def workbook(path: Path, left: list[list[object]], right: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in (("Dataset(1)", left), ("Dataset(2)", right), ("Structure", STRUCTURE),
                       ("Labels", LABELS)):
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path


def values(raw, column: str) -> list[object]:
    return [None if pd.isna(v) else v for v in raw.frame[column].astype(object)]


def test_sheets_joined_on_the_respondent_id(tmp_path):
    raw = read_export(workbook(tmp_path / "sx.xlsx", LEFT, RIGHT))
    assert raw.format == "surveyxact"
    assert list(raw.frame.columns) == ["respondentid", "forening", "q1_1", "q2", "q3"]
    assert values(raw, "respondentid") == ["11", "12", "13"]
    assert values(raw, "q1_1") == ["I høj grad", "Ved ikke", "I mindre grad"]
    assert values(raw, "q2") == ["Ja", "Ja", "Nej"]  # 11 -> 1, 12 -> 1, 13 -> 2
    assert values(raw, "q3") == ["4", None, None]
    assert raw.row_numbers == [2, 3, 4]  # the rows of Dataset(1)
    assert ("sheets 'Dataset(1)', 'Dataset(2)' joined side by side on the respondent id column"
            in raw.notes)


def test_sheets_without_ids_joined_by_position(tmp_path):
    left = [r[1:] for r in LEFT]
    right = [["q2", "q3"], [1, 4], [1, None], [2, None]]
    raw = read_export(workbook(tmp_path / "sx.xlsx", left, right))
    assert list(raw.frame.columns) == ["forening", "q1_1", "q2", "q3"]
    assert values(raw, "q2") == ["Ja", "Ja", "Nej"]
    assert values(raw, "q3") == ["4", None, None]
    assert "sheets 'Dataset(1)', 'Dataset(2)' joined side by side by position" in raw.notes


def refusal(path: Path) -> ReadError:
    with pytest.raises(ReadError, match="does not line up") as info:
        read_export(path)
    assert Path(info.value.file) == path
    return info.value


def test_sheets_without_ids_that_do_not_line_up(tmp_path):
    left = [r[1:] for r in LEFT]
    right = [["q2", "q3"], [1, 4], [1, None]]
    exc = refusal(workbook(tmp_path / "sx.xlsx", left, right))
    assert exc.message == ("sheet 'Dataset(2)' does not line up with 'Dataset(1)' and there "
                           "is no respondent id column to join them on")
    assert (exc.expected, exc.found) == ("3 records in the same rows",
                                         "2 records in 'Dataset(2)'")


@pytest.mark.parametrize(("right", "message", "row", "column"), [
    ([*RIGHT[:3], [1, None, 11]], "respondent 11 is repeated", 4, "respondentid"),
    ([*RIGHT[:3], [1, None, 14]], "respondent 14 is not in 'Dataset(1)'", 4, "respondentid"),
    (RIGHT[:3], "respondent 12 is missing", 3, "respondentid"),
])
def test_sheets_with_ids_that_do_not_line_up(tmp_path, right, message, row, column):
    exc = refusal(workbook(tmp_path / "sx.xlsx", LEFT, right))
    assert exc.message == f"sheet 'Dataset(2)' does not line up with 'Dataset(1)': {message}"
    assert (exc.row, exc.column) == (row, column)
    assert exc.expected == "the same respondents in every Dataset sheet"
    assert exc.found == f"{len(right) - 1} records in 'Dataset(2)', 3 in 'Dataset(1)'"
