"""Each reader on a small export shaped as its tool writes it, cleaned, compared cell by cell.

The readers not already pinned this way elsewhere (the SurveyXact trio, workbook and SPSS file,
and Google Forms are in ``tests/ingest/test_real_exports.py``; a Danish Excel CSV in
``tests/clean/test_clean_known_answers.py``): Microsoft Forms (xlsx, Danish UI), a workbook an
analyst made by hand (a title row above the header, numbers as numbers), a plain SPSS file with a
user-missing code and 0/1 option variables, and KoboToolbox (CSV with XML names and ``;``,
every value quoted; and xlsx with the "Labels" headers).

All use the small test instrument of ``tests/conftest.py``. Every expected value below, raw and
clean, was written out by hand from the rows of the fixture, never computed by the library; the
comments say why each cell is what it is.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyreadstat

from fslt_survey.clean import clean_exports
from fslt_survey.ingest import read_export, read_kobo_export
from tests.clean.test_clean_known_answers import REGISTRY, cells

NA = None

# the small instrument's question texts (tests/conftest.py)
Q = {"forening": "Hvilken forening?", "behov_a": "Behov for A?", "behov_b": "Behov for B?",
     "driver": "Driver I grupper?", "antal": "Hvor mange grupper?", "temaer": "Hvilke temaer?",
     "fritekst": "Største udfordring?"}
TEMAER = ["temaer__frivillige", "temaer__fundraising", "temaer__gdpr"]


def clean(raw, instrument):
    return clean_exports(instrument, [(raw, 2025)], REGISTRY)


def compare(data: pd.DataFrame, expected: dict[str, list[object]]) -> None:
    assert len(data) == len(next(iter(expected.values())))
    for column, want in expected.items():
        assert cells(data[column]) == want, column


def exclusions(log) -> list[tuple[int, str, str | None]]:
    return sorted((e["row"], e["reason"], e["detail"]) for e in log.exclusions)


def write_xlsx(path: Path, rows: list[list[object]], sheet: str) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


# --------------------------------------------------------------------------- Microsoft Forms

MS_HEADER = ["Id", "Starttidspunkt", "Fuldførelsestidspunkt", "Mail", "Navn",
             "Tidspunkt for seneste ændring", *Q.values()]
T = dt.datetime
MS_ROWS = [
    # Excel row 2: everything answered ("Ved ikke" counts); multi-select ends with ";"
    [1, T(2025, 3, 3, 9, 0), T(2025, 3, 3, 9, 6, 30), "anonymous", None, None, "Virum Kor",
     "I høj grad", "Ved ikke", "Ja", 3, "Frivillige;GDPR;", "Vi mangler lokaler"],
    # row 3: "Nej" routes past antal; an option holding a comma
    [2, T(2025, 3, 4, 10, 0), T(2025, 3, 4, 10, 2), "anonymous", None, None,
     "Lyngby Besøgsvenner", "Slet ikke", "I nogen grad", "Nej", None,
     "Fundraising, fonde og §18;", None],
    # row 4: "Ja" but antal left blank: "Ikke besvaret"; a phone number in the free text
    [3, T(2025, 3, 5, 10, 58), T(2025, 3, 5, 11, 0), "anonymous", None, None, "Sorggruppen",
     None, None, "Ja", None, None, "Ring på 22 33 44 55"],
    # row 5: Virum Kor again, later but with 5 answers: row 2 (6 answers) stays
    [4, T(2025, 3, 6, 12, 0), T(2025, 3, 6, 12, 30), "anonymous", None, None, "Virum Kor",
     "I nogen grad", "I nogen grad", "Ja", 4, "Frivillige;", None],
]
MS_EXPECTED = {
    "response_id": ["2025/forms.xlsx#2", "2025/forms.xlsx#3", "2025/forms.xlsx#4"],
    "association_id": ["F001", "F002", "F003"],
    "row": [2, 3, 4],
    "n_answered": [6, 4, 2],
    "submitted": [pd.Timestamp("2025-03-03 09:06:30"), pd.Timestamp("2025-03-04 10:02"),
                  pd.Timestamp("2025-03-05 11:00")],
    "behov_a": ["I høj grad", "Slet ikke", NA],
    "behov_a__missing": [NA, NA, "Ikke besvaret"],
    "behov_b": [NA, "I nogen grad", NA],
    "behov_b__missing": ["Ved ikke", NA, "Ikke besvaret"],
    "driver": ["Ja", "Nej", "Ja"],
    "antal": [3.0, NA, NA],
    "antal__missing": [NA, "Ikke relevant", "Ikke besvaret"],
    "temaer__frivillige": [True, False, NA],
    "temaer__fundraising": [False, True, NA],
    "temaer__gdpr": [True, False, NA],
    "temaer__missing": [NA, NA, "Ikke besvaret"],
    "fritekst": ["Vi mangler lokaler", NA, "Ring på [telefon]"],
}


def test_microsoft_forms_danish_ui(tmp_path, small_instrument):
    path = write_xlsx(tmp_path / "forms.xlsx", [MS_HEADER, *MS_ROWS], "Sheet1")
    raw = read_export(path)
    assert raw.format == "msforms" and raw.multi_separator == ";"
    assert raw.row_numbers == [2, 3, 4, 5]
    # times as ISO text, numbers as Excel shows them, nothing else changed
    assert raw.frame["Fuldførelsestidspunkt"].tolist() == [
        "2025-03-03T09:06:30", "2025-03-04T10:02:00", "2025-03-05T11:00:00",
        "2025-03-06T12:30:00"]
    assert cells(raw.frame[Q["antal"]]) == ["3", NA, NA, "4"]
    assert raw.metadata == {"Id": "respondent_id", "Starttidspunkt": "started",
                            "Fuldførelsestidspunkt": "submitted", "Mail": "email",
                            "Navn": "name", "Tidspunkt for seneste ændring": "modified"}
    result = clean(raw, small_instrument)
    compare(result.data, MS_EXPECTED)
    assert exclusions(result.log) == [(5, "duplicate", "F001: erstattet af 2025/forms.xlsx#2")]
    assert result.log.sources[0]["unmatched_columns"] == []
    assert result.log.unknown_values == [] and result.log.out_of_range == []


# --------------------------------------------------------------------------- a hand-made workbook

BOOK_ROWS = [
    ["Medlemsundersøgelse 2025 - udtræk"],  # Excel row 1: a title
    [],  # row 2: empty
    ["forening", "behov_a", "behov_b", "driver", "antal", "temaer", "Sluttidspunkt"],  # row 3
    # row 4: codes as numbers (1 = I høj grad, 9 = Ved ikke), a decimal number
    ["F001", 1, 9, "Ja", 2.5, "GDPR", T(2025, 3, 14, 10, 0)],
    # row 5: the maximum as an integer cell; a code the scale does not have (7)
    ["Lyngby Besøgsvenner", 7, "Slet ikke", "Ja", 50, None, T(2025, 3, 15, 9, 0)],
    # row 6: out of range (51): set missing, logged
    ["Sorggruppen", "I mindre grad", 4, "Ja", 51, "Frivillige", None],
]
BOOK_EXPECTED = {
    "response_id": ["2025/bog.xlsx#4", "2025/bog.xlsx#5", "2025/bog.xlsx#6"],
    "association_id": ["F001", "F002", "F003"],
    "row": [4, 5, 6],
    "n_answered": [5, 3, 4],
    "submitted": [pd.Timestamp("2025-03-14 10:00"), pd.Timestamp("2025-03-15 09:00"), NA],
    "behov_a": ["I høj grad", NA, "I mindre grad"],
    "behov_a__missing": [NA, "Ugyldigt svar", NA],
    "behov_b": [NA, "Slet ikke", "Slet ikke"],
    "behov_b__missing": ["Ved ikke", NA, NA],
    "antal": [2.5, 50.0, NA],
    "antal__missing": [NA, NA, "Ugyldigt svar"],
    "temaer__frivillige": [False, NA, True],
    "temaer__gdpr": [True, NA, False],
    "temaer__missing": [NA, "Ikke besvaret", NA],
    "fritekst": [NA, NA, NA],
    "fritekst__missing": [NA, NA, NA],  # not in the export: not asked, no reason
}


def test_a_hand_made_workbook_with_a_title_row(tmp_path, small_instrument):
    path = write_xlsx(tmp_path / "bog.xlsx", BOOK_ROWS, "Ark1")
    raw = read_export(path)
    assert raw.format == "xlsx" and raw.provenance.sheets == ("Ark1",)
    assert raw.row_numbers == [4, 5, 6]
    assert cells(raw.frame["behov_a"]) == ["1", "7", "I mindre grad"]
    assert cells(raw.frame["antal"]) == ["2.5", "50", "51"]
    result = clean(raw, small_instrument)
    compare(result.data, BOOK_EXPECTED)
    assert exclusions(result.log) == []
    assert [(u["row"], u["column"], u["value"]) for u in result.log.unknown_values] == [
        (5, "behov_a", "7")]
    assert [(u["row"], u["column"], u["value"]) for u in result.log.out_of_range] == [
        (6, "antal", "51")]
    assert result.log.not_in_export == [{"wave": 2025, "items": ["fritekst"], "options": {}}]


# --------------------------------------------------------------------------- SPSS

def write_plain_sav(path: Path) -> Path:
    """An SPSS file as a colleague saves it: variables named like SurveyXact's, value labels,
    9 declared user-missing ("Ved ikke"), 0/1 option variables labelled Ikke valgt/Valgt."""
    frame = pd.DataFrame({
        "forening": ["Virum Kor", "F002", "Sorggruppen"],
        "q1_1": [2.0, 9.0, np.nan],
        "q2": [1.0, 2.0, 1.0],
        "q3": [12.0, np.nan, 0.0],
        "q4_1": [1.0, 0.0, 0.0],
        "q4_2": [0.0, 0.0, 1.0],
        "q4_3": [1.0, 0.0, 0.0],
    })
    grad = {1.0: "I høj grad", 2.0: "I nogen grad", 3.0: "I mindre grad", 4.0: "Slet ikke",
            9.0: "Ved ikke"}
    valgt = {0.0: "Ikke valgt", 1.0: "Valgt"}
    pyreadstat.write_sav(
        frame, str(path),
        variable_value_labels={"q1_1": grad, "q2": {1.0: "Ja", 2.0: "Nej"}, "q4_1": valgt,
                               "q4_2": valgt, "q4_3": valgt},
        missing_ranges={"q1_1": [9]},
    )
    return path


SAV_EXPECTED = {
    "response_id": ["2025/data.sav#1", "2025/data.sav#2", "2025/data.sav#3"],
    "association_id": ["F001", "F002", "F003"],
    "row": [1, 2, 3],  # SPSS case numbers
    # case 2 ticked nothing: all-zero options are no answer, "Nej" routes past q3
    "n_answered": [4, 2, 3],
    "behov_a": ["I nogen grad", NA, NA],
    "behov_a__missing": [NA, "Ved ikke", "Ikke besvaret"],
    "driver": ["Ja", "Nej", "Ja"],
    "antal": [12.0, NA, 0.0],
    "antal__missing": [NA, "Ikke relevant", NA],
    "temaer__frivillige": [True, NA, False],
    "temaer__fundraising": [False, NA, True],
    "temaer__gdpr": [True, NA, False],
    "temaer__missing": [NA, "Ikke besvaret", NA],
}


def test_a_plain_spss_file(tmp_path, small_instrument):
    raw = read_export(write_plain_sav(tmp_path / "data.sav"))
    assert raw.format == "spss" and raw.row_numbers == [1, 2, 3]
    assert cells(raw.frame["q1_1"]) == ["I nogen grad", "Ved ikke", NA]
    assert raw.user_missing == {"q1_1": ["9"]}
    assert raw.multi_columns == {"q4_1": ("q4", "1"), "q4_2": ("q4", "2"), "q4_3": ("q4", "3")}
    result = clean(raw, small_instrument)
    compare(result.data, SAV_EXPECTED)
    assert exclusions(result.log) == []


# --------------------------------------------------------------------------- KoboToolbox

KOBO_HEADER = ["start", "end", "a/forening", "a/behov_a", "a/behov_b", "a/driver", "a/antal",
               "a/temaer", "a/temaer/frivillige", "a/temaer/fundraising", "a/temaer/gdpr",
               "a/fritekst", "_id", "_uuid", "_submission_time", "_validation_status", "_notes",
               "_status", "_submitted_by", "__version__", "_tags", "_index"]


def kobo_meta(n: int) -> list[str]:
    return [str(500 + n), f"8a1c-{n:04d}", f"2025-03-1{n}T09:30:00", "", "",
            "submitted_via_web", "", "vA1b2C3", "", str(n)]


KOBO_ROWS = [
    # device time with its offset: Danish winter time 10:05:13.512; single choices as names
    # (codes), the multi-select both as a summary of choice names and as 0/1 columns
    ["2025-03-14T10:00:00.000+01:00", "2025-03-14T10:05:13.512+01:00", "F001", "1", "9", "1",
     "3", "frivillige gdpr", "1", "0", "1", "Mail: info@virumkor.dk", *kobo_meta(1)],
    # "Nej" (2): antal not relevant; nothing ticked: the option columns are empty
    ["2025-03-15T07:55:00.000+01:00", "2025-03-15T08:00:00.000+01:00", "F002", "4", "", "2", "",
     "", "", "", "", "", *kobo_meta(2)],
    # summer time (+02:00) stays the local wall-clock time; a decimal point
    ["2025-07-01T11:50:00.000+02:00", "2025-07-01T12:00:00.000+02:00", "F003", "", "", "1", "2.5",
     "fundraising", "0", "1", "0", "", *kobo_meta(3)],
]
KOBO_EXPECTED = {
    "association_id": ["F001", "F002", "F003"],
    "row": [2, 3, 4],
    "n_answered": [6, 2, 3],
    # the offset removed, the fraction of a second dropped
    "submitted": [pd.Timestamp("2025-03-14 10:05:13.512"), pd.Timestamp("2025-03-15 08:00"),
                  pd.Timestamp("2025-07-01 12:00")],
    "behov_a": ["I høj grad", "Slet ikke", NA],
    "behov_b__missing": ["Ved ikke", "Ikke besvaret", "Ikke besvaret"],
    "driver": ["Ja", "Nej", "Ja"],
    "antal": [3.0, NA, 2.5],
    "antal__missing": [NA, "Ikke relevant", NA],
    "temaer__frivillige": [True, NA, False],
    "temaer__fundraising": [False, NA, True],
    "temaer__gdpr": [True, NA, False],
    "temaer__missing": [NA, "Ikke besvaret", NA],
    "fritekst": ["Mail: [e-mail]", NA, NA],
}


def test_kobo_csv_with_xml_names(tmp_path, small_instrument):
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    w.writerows([KOBO_HEADER, *KOBO_ROWS])
    path = tmp_path / "kobo.csv"
    path.write_bytes(buf.getvalue().encode("utf-8"))
    raw = read_kobo_export(path, small_instrument)
    assert raw.format == "kobo"
    # the summary column is dropped for the option columns; headers become the item texts
    assert "column 'a/temaer': summary of 'temaer'; its option columns are used" in raw.notes
    assert cells(raw.frame[Q["driver"]]) == ["Ja", "Nej", "Ja"]
    assert cells(raw.frame["end"]) == ["2025-03-14T10:05:13.512", "2025-03-15T08:00:00.000",
                                       "2025-07-01T12:00:00.000"]
    assert raw.metadata["end"] == "submitted" and raw.metadata["_submission_time"] == "received"
    result = clean(raw, small_instrument)
    compare(result.data, {"response_id": [f"2025/kobo.csv#{r}" for r in (2, 3, 4)],
                          **KOBO_EXPECTED})
    assert result.log.sources[0]["unmatched_columns"] == []
    assert exclusions(result.log) == []


def test_kobo_xlsx_with_labels_and_only_the_summary(tmp_path, small_instrument):
    """The "Labels" export: question texts under the group label, answer labels, and the
    multi-select only as its summary of labels joined by spaces."""
    header = ["start", "end", *[f"Del A/{Q[k]}" for k in Q], "_id", "_uuid", "_submission_time",
              "_index"]
    label = {"1": "I høj grad", "4": "Slet ikke", "9": "Ved ikke", "": None}
    janej = {"1": "Ja", "2": "Nej"}
    summary = {"frivillige gdpr": "Frivillige GDPR", "": None,
               "fundraising": "Fundraising, fonde og §18"}
    rows = [header]
    for r in KOBO_ROWS:
        rows.append([r[0], r[1], r[2], label[r[3]], label[r[4]], janej[r[5]],
                     float(r[6]) if r[6] else None, summary[r[7]], r[11] or None, int(r[12]),
                     r[13], r[14], int(r[21])])
    path = write_xlsx(tmp_path / "kobo.xlsx", rows, "Lille testskema")
    raw = read_kobo_export(path, small_instrument)
    result = clean(raw, small_instrument)
    compare(result.data, {"response_id": [f"2025/kobo.xlsx#{r}" for r in (2, 3, 4)],
                          **KOBO_EXPECTED})
    assert result.log.sources[0]["unmatched_columns"] == []
    assert result.log.unknown_values == []


def test_spss_user_missing_ranges_and_values(tmp_path):
    """SPSS declares user-missing codes as up to three values or a range plus a value. The codes
    of a range are the labelled and the observed ones inside it (both ends included); a
    discrete code is listed even when nobody has it."""
    frame = pd.DataFrame({"q1_1": [1.0, 9.0, 1.0, 10.0, 7.0], "q3": [5.0, 99.0, np.nan, 0.0, 3.0]})
    path = tmp_path / "data.sav"
    pyreadstat.write_sav(
        frame, str(path),
        variable_value_labels={"q1_1": {1.0: "I høj grad", 8.0: "Ikke relevant",
                                        9.0: "Ved ikke", 10.0: "Andet"}},
        missing_ranges={"q1_1": [{"lo": 8.0, "hi": 9.0}], "q3": [99.0, -8.0]},
    )
    raw = read_export(path)
    # q1_1: 8 (labelled, nobody has it) and 9 (at the upper end); not 7 or 10, outside
    assert raw.user_missing == {"q1_1": ["8", "9"], "q3": ["99", "-8"]}
    assert "column 'q1_1': user-missing range 8.0..9.0" in raw.notes
    assert not any("'q3': user-missing range" in n for n in raw.notes)
    assert cells(raw.frame["q1_1"]) == ["I høj grad", "Ved ikke", "I høj grad", "Andet", "7"]
    assert cells(raw.frame["q3"]) == ["5", "99", NA, "0", "3"]
