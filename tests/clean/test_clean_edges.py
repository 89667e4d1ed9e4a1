"""Cleaning's corners, each with its answer written out by hand: which time is the submission,
exports cleaning must refuse, unknown associations, items of one wave only, repeated and
conflicting columns, and the exact records the log keeps."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from fslt_survey.clean import clean_exports
from fslt_survey.codebook import parse_instrument
from fslt_survey.errors import CleaningError, ReadError
from fslt_survey.ingest import read_export
from tests.clean.test_clean_known_answers import REGISTRY, cells
from tests.conftest import small_instrument_dict

NA = None


def export(tmp_path: Path, text: str, name: str = "svar.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.replace("\n", "\r\n").encode("cp1252"))
    return path


def clean(instrument, path: Path, **kw):
    return clean_exports(instrument, [(read_export(path), 2025)], REGISTRY, **kw)


def test_without_a_completion_time_the_last_change_is_the_submission(tmp_path,
                                                                      small_instrument):
    path = export(tmp_path, "Forening;q1_1;Senest ændret;Starttid\n"
                            "F001;1;14-03-2025 10:00;14-03-2025 09:00\n")
    result = clean(small_instrument, path)
    assert cells(result.data["submitted"]) == [pd.Timestamp("2025-03-14 10:00")]
    assert result.log.sources[0]["metadata_columns"] == {"Senest ændret": "modified",
                                                         "Starttid": "started"}


def test_only_a_start_time_is_the_submission(tmp_path, small_instrument):
    path = export(tmp_path, "Forening;q1_1;Starttid\nF001;1;14-03-2025 09:00\n")
    assert cells(clean(small_instrument, path).data["submitted"]) == [
        pd.Timestamp("2025-03-14 09:00")]


def test_an_export_of_the_association_alone_is_refused(tmp_path, small_instrument):
    path = export(tmp_path, "Forening;Noget andet\nF001;x\n")
    with pytest.raises(CleaningError, match="no column matches a question") as info:
        clean(small_instrument, path)
    exc = info.value
    assert exc.message == (
        "no column matches a question of instrument 'lille' (another survey's file? a merged "
        "header row? the answers on another sheet?)")
    assert Path(exc.file) == path and exc.found == "columns 'Forening', 'Noget andet'"


def test_a_member_export_without_the_association_is_refused(tmp_path, small_instrument):
    path = export(tmp_path, "q1_1;q2\n1;1\n")
    with pytest.raises(CleaningError, match="no column holds the association") as info:
        clean(small_instrument, path)
    assert info.value.expected == "a column 'forening' or headed 'Hvilken forening?'"


def test_an_evaluation_without_the_association_is_cleaned(tmp_path):
    spec = small_instrument_dict()
    spec["kind"] = "evaluation"
    path = export(tmp_path, "q1_1;q2\n1;1\n4;2\n")
    result = clean(parse_instrument(spec), path)
    assert cells(result.data["behov_a"]) == ["I høj grad", "Slet ikke"]
    assert cells(result.data["association_id"]) == [NA, NA]


def test_unknown_and_blank_associations_are_not_members(tmp_path, small_instrument):
    """The first row's association is unknown (the detail names it); a row with answers but no
    association is no member either, never a test response."""
    path = export(tmp_path, "Forening;q1_1\nUkendt Forening;1\n;2\nF001;1\n")
    result = clean(small_instrument, path)
    got = [(e["row"], e["reason"], e["detail"]) for e in result.log.exclusions]
    assert got == [(2, "not_member", "Ukendt Forening"), (3, "not_member", "<NA>")]
    assert cells(result.data["association_id"]) == ["F001"]


def test_an_item_of_another_wave_is_not_missing_from_this_one(tmp_path):
    spec = small_instrument_dict()
    items = spec["sections"][0]["items"]
    items.append({"id": "ny", "text": "Nyt i 2027?", "type": "single", "scale": "janej",
                  "sx": "q6", "waves": [2027]})
    instrument = parse_instrument(spec)
    path = export(tmp_path, "Forening;q1_1;q1_2;q2;q3;q4;q5\nF001;1;1;1;1;GDPR;x\n")
    result = clean(instrument, path)
    assert result.log.not_in_export == [{"wave": 2025, "items": [], "options": {}}]
    assert cells(result.data["ny"]) == [NA] and cells(result.data["ny__missing"]) == [NA]


def test_the_log_records_in_full(tmp_path, small_instrument):
    path = export(tmp_path, "Forening;q1_1;Sluttidspunkt\nF001;1;i går\nF001;1;14-03-2025 10:00\n")
    log = clean(small_instrument, path).log
    f = log.sources[0]["file"]
    assert log.bad_times == [{"file": f, "row": 2, "column": "Sluttidspunkt", "value": "i går",
                              "wave": 2025}]
    assert log.exclusions == [{
        "file": f, "row": 2, "wave": 2025, "reason": "duplicate",
        "reason_text": "dublet: erstattet af en mere komplet eller senere besvarelse",
        "detail": "F001: erstattet af 2025/svar.csv#3"}]
    assert set(log.sources[0]) == {
        "file", "sha256", "rows", "format", "encoding", "delimiter", "sheets", "parts", "key",
        "wave", "unmatched_columns", "missing_items", "metadata_columns", "notes", "kept",
        "excluded", "missing_options"}


def test_the_fail_policy_names_the_file_of_a_single_problem(tmp_path, small_instrument):
    path = export(tmp_path, "Forening;q1_1\nF001;Forkert\n")
    with pytest.raises(CleaningError, match=r"1 unknown or invalid answer value\(s\)") as info:
        clean(small_instrument, path, policy="fail")
    assert info.value.file == str(path)


def test_quiz_columns_before_the_questions(tmp_path, small_instrument):
    """Microsoft Forms puts ``Points - Q`` beside its question: the questions after it are
    still matched."""
    header = ["Id", "Starttidspunkt", "Fuldførelsestidspunkt", "Mail", "Navn",
              "Hvilken forening?", "Point - Behov for A?", "Behov for A?", "Behov for B?"]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    ws.append([1, dt.datetime(2025, 3, 3, 9), dt.datetime(2025, 3, 3, 9, 5), "anonymous", None,
               "Virum Kor", 1, "I høj grad", "Slet ikke"])
    path = tmp_path / "forms.xlsx"
    wb.save(path)
    result = clean(small_instrument, path)
    assert cells(result.data["behov_a"]) == ["I høj grad"]
    assert cells(result.data["behov_b"]) == ["Slet ikke"]
    assert result.log.sources[0]["metadata_columns"]["Point - Behov for A?"] == "points"


@pytest.mark.parametrize(("header", "message", "column"), [
    ("Forening;behov_a;behov_a",
     "columns 'behov_a', 'behov_a (2)' all match item 'behov_a'", "behov_a (2)"),
    ("Forening;Behov for A?;Behov for A?",
     "columns 'Behov for A?', 'Behov for A? (2)' all match item 'behov_a'", "Behov for A? (2)"),
    ("Forening;q4;q4_1",
     "item 'temaer' is matched both as one column and as option columns", "q4"),
])
def test_columns_in_conflict_are_refused(tmp_path, small_instrument, header, message, column):
    n = header.count(";") + 1
    path = export(tmp_path, header + "\n" + ";".join(["F001"] + ["1"] * (n - 1)) + "\n")
    with pytest.raises(ReadError, match="match") as info:
        clean(small_instrument, path)
    exc = info.value
    assert (exc.message, exc.column, Path(exc.file)) == (message, column, path)


def test_a_repeated_metadata_header_stays_metadata(tmp_path, small_instrument):
    path = export(tmp_path, "Forening;q1_1;Email;Email\nF001;1;a@b.dk;c@d.dk\n")
    source = clean(small_instrument, path).log.sources[0]
    assert source["metadata_columns"] == {"Email": "email", "Email (2)": "email"}
    assert source["unmatched_columns"] == []


def test_quiz_columns_in_a_plain_file(tmp_path, small_instrument):
    """A quiz column (``Point - <question>``) in a plain CSV is metadata when its question is a
    column of the file; the columns after it are still matched."""
    path = export(tmp_path, "Forening;Point - Behov for A?;Behov for A?;q2\nF001;1;I høj grad;1\n")
    result = clean(small_instrument, path)
    assert cells(result.data["behov_a"]) == ["I høj grad"]
    assert cells(result.data["driver"]) == ["Ja"]
    assert result.log.sources[0]["metadata_columns"] == {"Point - Behov for A?": "points"}
