"""SurveyXact's overall status as one ``statoverall`` column holding codes or texts: who was
invited and never answered, and who left a blank response. Expected outcomes by hand.

A row with no answer is "inviteret, ikke besvaret" only when its status says so (Ny 1,
Distribueret 2, Frafaldet 5, in Danish or English); a blank, unknown or other status leaves it
"tom besvarelse".
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from fslt_survey.clean import clean_exports
from fslt_survey.ingest import read_export
from tests.clean.test_clean_known_answers import REGISTRY

HEADER = ["respondentid", "forening", "q1_1", "statoverall"]
ROWS = [
    ["1", "F001", "1", "Gennemført"],  # answered: kept
    ["2", "F002", "", "distributed"],  # English text of code 2: invited
    ["3", "F003", "", "7"],  # a code SurveyXact does not have: blank
    ["4", "F004", "", ""],  # no status: blank
    ["5", "F005", "", "Ukendt status"],  # an unknown text: blank
    ["6", "F006", "", "5"],  # Frafaldet as its code: invited
    ["7", "F001", "", " Ny "],  # Danish text, spaced: invited
]
STRUCTURE = [
    ["questionName", "variableName", "questionType", "subType", "questionText", "choiceValue",
     "choiceText"],
    ["forening", "forening", "Open", "String", "Hvilken forening?", "", ""],
    ["q1_1", "q1_1", "Closed", "Single", "Behov for A?", "", ""],
    ["statoverall", "statoverall", "Closed", "Single", "Samlet status", "", ""],
]
LABELS = [["q1_1", "1", "I høj grad"], ["q1_1", "4", "Slet ikke"]]


def trio(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name, rows in (("dataset", [HEADER, *ROWS]), ("structure", STRUCTURE),
                       ("labels", LABELS)):
        buf = io.StringIO()
        csv.writer(buf, delimiter=";", lineterminator="\r\n").writerows(rows)
        (folder / f"{name}.csv").write_bytes(buf.getvalue().encode("cp1252"))
    return folder / "dataset.csv"


def test_status_texts_and_codes_decide_who_never_answered(tmp_path, small_instrument):
    result = clean_exports(small_instrument, [(read_export(trio(tmp_path / "2025")), 2025)],
                           REGISTRY)
    got = sorted((e["row"], e["reason"]) for e in result.log.exclusions)
    assert got == [(3, "invited"), (4, "blank"), (5, "blank"), (6, "blank"), (7, "invited"),
                   (8, "invited")]
    assert result.data["association_id"].tolist() == ["F001"]
    assert result.log.sources[0]["metadata_columns"] == {"respondentid": "respondent_id",
                                                         "statoverall": "status"}


def test_the_status_code_comes_from_the_structure_choice_value(tmp_path, small_instrument):
    """Status option columns carry their code in the structure's choiceValue, which need not
    be the number in the column's name: ``statoverall_3`` here is code 5 (Frafaldet)."""
    header = ["respondentid", "forening", "q1_1", "statoverall_1", "statoverall_2",
              "statoverall_3"]
    rows = [["1", "F001", "1", "1", "0", "0"],  # code 4, answered: kept
            ["2", "F002", "", "0", "1", "0"],  # code 2, nothing answered: invited
            ["3", "F003", "", "0", "0", "1"],  # code 5, nothing answered: invited
            ["4", "F004", "", "0", "0", "0"]]  # no status, nothing answered: blank
    structure = [*STRUCTURE[:3], *(
        ["statoverall", f"statoverall_{k}", "Closed", "Multiple", "Samlet status", code, text]
        for k, code, text in ((1, "4", "Gennemført"), (2, "2", "Distribueret"),
                              (3, "5", "Frafaldet")))]
    labels = [*LABELS, *([f"statoverall_{k}", c, t] for k in (1, 2, 3)
                         for c, t in (("0", "Ikke valgt"), ("1", "Valgt")))]
    folder = tmp_path / "2025"
    folder.mkdir()
    for name, content in (("dataset", [header, *rows]), ("structure", structure),
                          ("labels", labels)):
        buf = io.StringIO()
        csv.writer(buf, delimiter=";", lineterminator="\r\n").writerows(content)
        (folder / f"{name}.csv").write_bytes(buf.getvalue().encode("cp1252"))
    result = clean_exports(small_instrument, [(read_export(folder), 2025)], REGISTRY)
    got = sorted((e["row"], e["reason"]) for e in result.log.exclusions)
    assert got == [(3, "invited"), (4, "invited"), (5, "blank")]
