"""Bugs a user would hit, each pinned by a test that fails when the bug is put back.

Every test goes through the public API only (``fslt_survey.ingest.read_export``,
``fslt_survey.clean.clean_exports``, ``fslt_survey.clean.parse_danish_number``) with hand-made
exports shaped as the tools write them, and expected values written out by hand, so the tests
survive any reorganisation of the modules behind that API. The docstring of each test names the
mutation it was shown to kill: the mutation was applied to the source by hand, the test run and
seen to fail, and the source restored (see ``tests/mutation/equivalent.md`` for the method).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from fslt_survey import config
from fslt_survey.clean import clean_exports, parse_danish_number
from fslt_survey.codebook import Instrument
from fslt_survey.ingest import read_export


def registry() -> pd.DataFrame:
    """Three fictional member associations (the registry columns of ``surveys/members.csv``)."""
    return pd.DataFrame({
        "association_id": ["F001", "F002", "F003"],
        "name": ["Virum Kor", "Lyngby Besøgsvenner", "Sorggruppen"],
        "assoc_type": pd.Categorical(["Kultur", "Social", "Selvhjælp"]),
        "size_band": pd.Categorical(["25-99", "Under 25", "Under 25"], ordered=True),
        "locality": pd.Categorical(["Virum", "Kongens Lyngby", "Virum"]),
        "member_since": ["2001", "2010", "2020"],
    })


def write_csv(path: Path, rows: list[list[str]], *, delimiter: str = ";",
              encoding: str = "cp1252") -> Path:
    """Rows as SurveyXact writes its "ANSI" CSVs: cp1252, ``;``, CRLF, minimal quoting."""
    with path.open("w", encoding=encoding, newline="") as f:
        csv.writer(f, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return path


# --------------------------------------------------------------------------- numeric range


def test_a_number_equal_to_the_minimum_or_maximum_is_in_range(tmp_path, small_instrument):
    """``antal`` allows 0 to 50: 0 and 50 are kept, 51 is out of range (logged, set missing).

    Kills: ``vals < lo`` -> ``vals <= lo`` and ``vals > hi`` -> ``vals >= hi`` in the cleaner's
    range check (both applied by hand: this test failed, then the source was restored).
    """
    path = tmp_path / "svar.csv"
    path.write_text("forening;q2;q3\r\nF001;Ja;0\r\nF002;Ja;50\r\nF003;Ja;51\r\n",
                    encoding="utf-8")
    result = clean_exports(small_instrument, [(read_export(path), 2025)], registry())
    data = result.data.set_index("association_id")
    assert data.loc["F001", "antal"] == 0.0 and pd.isna(data.loc["F001", "antal__missing"])
    assert data.loc["F002", "antal"] == 50.0 and pd.isna(data.loc["F002", "antal__missing"])
    assert pd.isna(data.loc["F003", "antal"])
    assert data.loc["F003", "antal__missing"] == config.INVALID_ANSWER
    assert [(e["row"], e["column"], e["value"]) for e in result.log.out_of_range] == [
        (4, "q3", "51")]


# --------------------------------------------------------------------------- Danish numbers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234.567", 1_234_567.0),  # several thousands groups
        ("1.234.567,89", 1_234_567.89),
        ("-2.000.000", -2_000_000.0),
        ("1 234 567", 1_234_567.0),  # space as thousands separator (also no-break space)
        ("1\u00a0234\u00a0567,5", 1_234_567.5),
        ("1,234,567.25", 1_234_567.25),  # an English-formatted number pasted in
        ("1.200", 1_200.0),
        ("12,5", 12.5),
    ],
)
def test_numbers_with_several_thousands_groups(text, expected):
    """Kills: ``(\\.\\d{3})+`` -> ``(\\.\\d{3})?`` (one group only) and ``(,\\d{3})+`` ->
    ``(,\\d{3})?`` in ``parse_danish_number`` (applied by hand: the multi-group cases failed)."""
    assert parse_danish_number(text) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("text", ["1.23.456", "1.2345.678", "12.345.67", "1..234", "mange"])
def test_misgrouped_numbers_are_not_numbers(text):
    """A group of other than three digits is not a Danish thousands group: not a number."""
    assert parse_danish_number(text) is None


# --------------------------------------------------------------------------- delimiter


@pytest.mark.parametrize(
    ("text", "delimiter", "columns"),
    [
        # both ";" and "," split every record consistently: the one giving more columns wins
        ("a;b,c;d\r\n1;2,3;4\r\n", ";", ["a", "b,c", "d"]),
        ("x,y;z,w\r\n1,2;3,4\r\n", ",", ["x", "y;z", "w"]),
        # Danish decimal commas in the answers do not make "," the delimiter
        ("Forening;Beløb;Antal\r\nA;12,5;3\r\nB;1.200,50;4\r\n", ";",
         ["Forening", "Beløb", "Antal"]),
    ],
)
def test_delimiter_tie_goes_to_more_header_fields(tmp_path, text, delimiter, columns):
    """Kills: dropping the header width from the tie-break score (``(consistent, len(header))``
    -> ``(consistent, 0)``): csv.Sniffer then prefers ``,`` and the first case reads 2 columns
    (applied by hand: the test failed, then the source was restored)."""
    path = tmp_path / "svar.csv"
    path.write_text(text, encoding="utf-8")
    raw = read_export(path)
    assert raw.provenance.delimiter == delimiter
    assert list(raw.frame.columns) == columns


# --------------------------------------------------------------------------- SurveyXact trio

STRUCTURE_HEADER = ["questionName", "variableName", "questionType", "subType", "questionText",
                    "choiceValue", "choiceText"]


def sx_trio(folder: Path, *, label_codes: dict[str, str], choice_values: bool) -> Path:
    """A SurveyXact CSV trio for the small instrument (``forening``, ``q1_1``, ``q2``, ``q4``).

    ``label_codes`` maps the canonical code to how labels.csv writes it; without
    ``choice_values`` the structure's choiceValue cells of the multi-select are empty, so the
    option code comes from the variable name (``q4_3`` of question ``q4`` is option 3).
    """
    folder.mkdir()
    write_csv(folder / "dataset.csv", [
        ["respondentid", "forening", "q1_1", "q2", "q4_1", "q4_2", "q4_3"],
        ["11", "F001", "1", "1", "1", "0", "1"],
        ["12", "F002", "9", "2", "0", "0", "0"],
        ["13", "F003", "3", "", "0", "1", "0"],
    ])
    multi = [["q4", f"q4_{c}", "Closed", "Multiple", "Hvilke temaer?",
              c if choice_values else "", t]
             for c, t in (("1", "Frivillige"), ("2", "Fundraising, fonde og §18"),
                          ("3", "GDPR"))]
    write_csv(folder / "structure.csv", [
        [*STRUCTURE_HEADER, ""],  # the phantom empty column SurveyXact writes
        ["forening", "forening", "Open", "String", "Hvilken forening?", "", "", ""],
        ["q1_1", "q1_1", "Closed", "Single", "Behov for A?", "", "", ""],
        ["q2", "q2", "Closed", "Single", "Driver I grupper?", "", "", ""],
        *([*r, ""] for r in multi),
    ])
    grad = [("1", "I høj grad"), ("2", "I nogen grad"), ("3", "I mindre grad"),
            ("4", "Slet ikke"), ("9", "Ved ikke")]
    labels = [["q1_1", label_codes.get(c, c), t] for c, t in grad]
    labels += [["q2", label_codes.get(c, c), t] for c, t in (("1", "Ja"), ("2", "Nej"))]
    labels += [[f"q4_{o}", label_codes.get(c, c), t] for o in "123"
               for c, t in (("0", "Ikke valgt"), ("1", "Valgt"))]
    write_csv(folder / "labels.csv", labels)
    return folder


EXPECTED_BEHOV_A = ["I høj grad", None, "I mindre grad"]  # F002 answered "Ved ikke" (code 9)


def _ticks(data: pd.DataFrame, column: str) -> list[bool | None]:
    return [None if pd.isna(v) else bool(v) for v in data[column]]


def check_clean_trio(folder: Path, instrument: Instrument) -> pd.DataFrame:
    result = clean_exports(instrument, [(read_export(folder), 2025)], registry())
    data = result.data.set_index("association_id").loc[["F001", "F002", "F003"]]
    assert [None if pd.isna(v) else v for v in data["behov_a"]] == EXPECTED_BEHOV_A
    assert data.loc["F002", "behov_a__missing"] == "Ved ikke"
    assert [None if pd.isna(v) else v for v in data["driver"]] == ["Ja", "Nej", None]
    assert not result.log.unknown_values
    assert data.loc["F002", "temaer__missing"] == "Ikke besvaret"
    return data


@pytest.mark.parametrize(
    "label_codes",
    [
        {c: f"{c}.0" for c in "0123459"},  # labels written as decimals (via Excel)
        {c: f" {c}.00 " for c in "0123459"},
    ],
    ids=["1.0", "spaced 1.00"],
)
def test_surveyxact_labels_with_non_canonical_codes(tmp_path, small_instrument, label_codes):
    """labels.csv writing code 1 as ``1.0`` or `` 1.00 `` still labels the value 1.

    Kills: using the labels file's code as written (``canonical_code(cells[1])`` ->
    ``cells[1].strip()``) and ``_INT_CODE_RE`` losing its ``\\.0*`` part (applied by hand: the
    values stayed codes, "unknown label" was logged and the test failed).
    """
    folder = sx_trio(tmp_path / "sx", label_codes=label_codes, choice_values=True)
    raw = read_export(folder)
    assert raw.format == "surveyxact"
    assert raw.value_labels["q1_1"] == {"1": "I høj grad", "2": "I nogen grad",
                                        "3": "I mindre grad", "4": "Slet ikke", "9": "Ved ikke"}
    data = check_clean_trio(folder, small_instrument)
    # F002 ticked nothing: in a SurveyXact export that is "not answered", not three Falses
    assert _ticks(data, "temaer__gdpr") == [True, None, False]


def test_structure_variable_names_give_the_option_codes(tmp_path, small_instrument):
    """Without choiceValue, option ``q4_3`` of question ``q4`` is code 3 (``GDPR``).

    Kills: the variable-name slice off by one (``var[len(qname) + 1:]`` -> ``var[len(qname):]``
    gives ``_3``; ``+ 2`` gives an empty code): applied by hand, the options were not matched and
    the test failed.
    """
    folder = sx_trio(tmp_path / "sx", label_codes={}, choice_values=False)
    raw = read_export(folder)
    assert raw.multi_columns == {"q4_1": ("q4", "1"), "q4_2": ("q4", "2"), "q4_3": ("q4", "3")}
    data = check_clean_trio(folder, small_instrument)
    assert _ticks(data, "temaer__frivillige") == [True, None, False]
    assert _ticks(data, "temaer__fundraising") == [False, None, True]
    assert _ticks(data, "temaer__gdpr") == [True, None, False]
