"""Every cleaning rule on one small export whose whole clean table is written out by hand.

The export is a CSV saved from Danish Excel ("CSV (semikolonsepareret)"): cp1252, ``;``, CRLF,
a cell holding the delimiter quoted, dates as ``dd-mm-yyyy hh:mm``. Its columns are named by the
SurveyXact variables of the small test instrument (``tests/conftest.py``: two likert items
``behov_a``/``behov_b`` with "Ved ikke" = 9, ``driver`` Ja/Nej, ``antal`` 0-50 asked only when
``driver`` is "Ja", the multi-select ``temaer``, the free text ``fritekst``). Each row exercises
rules the comment beside it names: recoding (label in any case and spacing, numeric code),
typed missing in every item type, skip logic both ways, de-duplication by completeness and by
time (the later answer first in the file, and last), the registry link by name and by id,
boundaries of the numeric range, and redaction of free text.

Nothing expected below is computed by the library: the clean cells, ``n_answered``, the
exclusions, the logged values and the bases and counts of the published frequency tables were
worked out from the rows by hand (the counts are repeated in comments).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from fslt_survey import stats
from fslt_survey.clean import clean_directory, clean_exports
from fslt_survey.codebook import parse_instrument
from fslt_survey.ingest import read_export
from tests.conftest import small_instrument_dict

NA = None

REGISTRY = pd.DataFrame({
    "association_id": ["F001", "F002", "F003", "F004", "F005", "F006"],
    "name": ["Virum Kor", "Lyngby Besøgsvenner", "Sorggruppen", "Ældre Sagen Lyngby", "Café Ø",
             "Holte Skakklub"],
    "assoc_type": pd.Categorical(["Kultur", "Social", "Selvhjælp", "Social", "Kultur", "Kultur"]),
    "size_band": pd.Categorical(["25-99", "Under 25", "Under 25", "100+", "25-99", "Under 25"]),
    "locality": pd.Categorical(["Virum", "Kongens Lyngby", "Virum", "Kongens Lyngby", "Holte",
                                "Holte"]),
    "member_since": ["2001", "2010", "2020", "1998", "2015", "1980"],
})

HEADER = "Forening;q1_1;q1_2;q2;q3;q4;q5;Sluttidspunkt"
ROWS = [
    # row 2: name in another case and spacing; label with spaces; code 2; the minimum 0;
    #        two options quoted; a phone number -> F001, 6 items answered
    'virum  KOR; i HØJ grad ;2;Ja;0;"Frivillige;GDPR";Ring 12 34 56 78;14-03-2025 10:00',
    # row 3: by id; "Ved ikke" as label and as code 9; "Nej" routes past antal -> F002, 3
    "F002;Ved ikke;9;Nej;;;;15-03-2025 09:30",
    # row 4: the filter unanswered: antal is "Ikke besvaret", not "Ikke relevant"; an option
    #        holding a comma; an e-mail address -> F003, 4
    "Sorggruppen;Slet ikke;I mindre grad;;;Fundraising, fonde og §18;"
    "Skriv til anna@example.dk;16-03-2025 08:00",
    # row 5: F004's earlier answer (3 items) -> replaced by row 10 (3 items, later)
    "Ældre Sagen Lyngby;I nogen grad;;Nej;5;;;17-03-2025 12:00",
    # row 6: an unknown label; the maximum 50; options in another order; no time -> F005, 4
    'Café Ø;Meget høj grad;1;Ja;50;"Fundraising, fonde og §18;Frivillige";;',
    # row 7: F005 again, later but with 1 item -> the more complete row 6 wins
    "CAFÉ Ø;I høj grad;;;;;;01-04-2025 10:00",
    # row 8: "Ved ikke" written in the number field -> F006, 2 items, 20 March
    "Holte Skakklub;Slet ikke;;;Ved ikke;;;20-03-2025 10:00",
    # row 9: F006 again, 2 items, 19 March: the later answer (row 8) came first in the file
    "F006;I høj grad;;;;GDPR;;19-03-2025 10:00",
    # row 10: answered antal although "Nej": the answer is kept, never "Ikke relevant"; a
    #         decimal comma -> F004, 3 items, 18 March: the later answer, last in the file
    "Ældre sagen lyngby;I høj grad;;Nej;2,5;;;18-03-2025 12:00",
    # row 11: a test response
    "Test;I høj grad;1;Ja;3;;;11-03-2025 10:00",
    # row 12: not a member
    "Ukendt Forening;I høj grad;;;;;;12-03-2025 10:00",
    # row 13: nothing answered
    "Holte Skakklub;;;;;;;",
    # row 14: only an unknown label and an out-of-range number: nothing usable -> blank
    "Sorggruppen;Meget høj grad;;;1.200;;;",
    # row 15: F002 again, 3 items, 14 March: earlier than row 3, which stays
    "F002;Ved ikke;Ved ikke;Nej;;;;14-03-2025 09:00",
]

#: The clean table, by hand (sorted by association).
EXPECTED = {
    "response_id": [f"2025/svar.csv#{r}" for r in (2, 3, 4, 10, 6, 8)],
    "wave": [2025] * 6,
    "association_id": ["F001", "F002", "F003", "F004", "F005", "F006"],
    "assoc_type": ["Kultur", "Social", "Selvhjælp", "Social", "Kultur", "Kultur"],
    "row": [2, 3, 4, 10, 6, 8],
    "n_answered": [6, 3, 4, 3, 4, 2],
    "submitted": [pd.Timestamp("2025-03-14 10:00"), pd.Timestamp("2025-03-15 09:30"),
                  pd.Timestamp("2025-03-16 08:00"), pd.Timestamp("2025-03-18 12:00"), NA,
                  pd.Timestamp("2025-03-20 10:00")],
    "behov_a": ["I høj grad", NA, "Slet ikke", "I høj grad", NA, "Slet ikke"],
    "behov_a__missing": [NA, "Ved ikke", NA, NA, "Ugyldigt svar", NA],
    "behov_b": ["I nogen grad", NA, "I mindre grad", NA, "I høj grad", NA],
    "behov_b__missing": [NA, "Ved ikke", NA, "Ikke besvaret", NA, "Ikke besvaret"],
    "driver": ["Ja", "Nej", NA, "Nej", "Ja", NA],
    "driver__missing": [NA, NA, "Ikke besvaret", NA, NA, "Ikke besvaret"],
    "antal": [0.0, NA, NA, 2.5, 50.0, NA],
    "antal__missing": [NA, "Ikke relevant", "Ikke besvaret", NA, NA, "Ved ikke"],
    "temaer__frivillige": [True, NA, False, NA, True, NA],
    "temaer__fundraising": [False, NA, True, NA, True, NA],
    "temaer__gdpr": [True, NA, False, NA, False, NA],
    "temaer__missing": [NA, "Ikke besvaret", NA, "Ikke besvaret", NA, "Ikke besvaret"],
    "fritekst": ["Ring [telefon]", NA, "Skriv til [e-mail]", NA, NA, NA],
    "fritekst__missing": [NA, "Ikke besvaret", NA, "Ikke besvaret", "Ikke besvaret",
                          "Ikke besvaret"],
}
EXCLUDED = [
    (5, "duplicate", "F004: erstattet af 2025/svar.csv#10"),
    (7, "duplicate", "F005: erstattet af 2025/svar.csv#6"),
    (9, "duplicate", "F006: erstattet af 2025/svar.csv#8"),
    (11, "test", NA),
    (12, "not_member", "Ukendt Forening"),
    (13, "blank", NA),
    (14, "blank", NA),
    (15, "duplicate", "F002: erstattet af 2025/svar.csv#3"),
]


def cells(column: pd.Series) -> list[object]:
    return [NA if pd.isna(v) else v for v in column.astype(object)]


@pytest.fixture
def cleaned(tmp_path_factory):
    # (function-scoped on purpose: mutation testing credits a function to the tests that call
    # it, and a module-scoped fixture would credit only the first test of the module)
    folder = tmp_path_factory.mktemp("known") / "2025"
    folder.mkdir()
    path = folder / "svar.csv"
    path.write_bytes(("\r\n".join([HEADER, *ROWS]) + "\r\n").encode("cp1252"))
    raw = read_export(path)
    return raw, clean_exports(parse_instrument(small_instrument_dict()), [(raw, 2025)], REGISTRY)


def test_the_file_is_read_as_danish_excel_writes_it(cleaned):
    raw, _ = cleaned
    assert raw.format == "csv"
    assert raw.provenance.encoding == "cp1252" and raw.provenance.delimiter == ";"
    assert raw.row_numbers == list(range(2, 16))
    assert raw.frame.loc[0, "q4"] == "Frivillige;GDPR"  # the quoted delimiter stays in the cell
    assert raw.frame.loc[0, "q1_1"] == " i HØJ grad "  # nothing trimmed or coerced by reading
    assert raw.frame.loc[4, "Forening"] == "Café Ø"


@pytest.mark.parametrize("column", list(EXPECTED))
def test_every_clean_cell(cleaned, column):
    _, result = cleaned
    assert cells(result.data[column]) == EXPECTED[column]


def test_the_clean_table_has_exactly_these_columns(cleaned):
    _, result = cleaned
    assert list(result.data.columns) == [
        "response_id", "wave", "association_id", "assoc_type", "size_band", "locality",
        "submitted", "source", "row", "n_answered",
        "behov_a", "behov_a__missing", "behov_b", "behov_b__missing", "driver",
        "driver__missing", "antal", "antal__missing", "temaer__frivillige",
        "temaer__fundraising", "temaer__gdpr", "temaer__missing", "fritekst",
        "fritekst__missing",
    ]
    assert cells(result.data["source"]) == ["svar.csv"] * 6
    assert list(result.data["behov_a"].cat.categories) == [
        "I høj grad", "I nogen grad", "I mindre grad", "Slet ikke"]
    assert result.data["behov_a"].cat.ordered and not result.data["driver"].cat.ordered


def test_exclusions_and_their_reasons(cleaned):
    _, result = cleaned
    log = result.log
    got = sorted((e["row"], e["reason"], e["detail"]) for e in log.exclusions)
    assert got == EXCLUDED
    assert log.rows_in == 14 and log.rows_kept == 6 and log.rows_excluded == 8
    assert log.excluded_by_reason() == {
        "invited": 0, "duplicate": 4, "test": 1, "not_member": 1, "blank": 2}
    assert {e["wave"] for e in log.exclusions} == {2025}


def test_unknown_and_out_of_range_values_are_listed_with_their_place(cleaned):
    _, result = cleaned
    log = result.log
    assert [(u["row"], u["column"], u["item"], u["value"]) for u in log.unknown_values] == [
        (6, "q1_1", "behov_a", "Meget høj grad"), (14, "q1_1", "behov_a", "Meget høj grad")]
    assert log.unknown_values[0]["expected"] == (
        "one of: I høj grad, I nogen grad, I mindre grad, Slet ikke, Ved ikke")
    assert [(u["row"], u["column"], u["value"], u["expected"]) for u in log.out_of_range] == [
        (14, "q3", "1.200", "a number from 0 to 50")]
    assert log.redactions == {"fritekst": {"phone": 1, "email": 1}}
    assert log.bad_times == []  # row 6 has no time: missing, not unreadable


# The bases and counts the site publishes for these answers, by hand from EXPECTED:
# behov_a  answered F001, F003, F004, F006 (base 4): I høj grad 2, I nogen grad 0,
#          I mindre grad 0, Slet ikke 2; typed missing Ved ikke 1 (F002), Ugyldigt svar 1 (F005)
# driver   answered F001, F002, F004, F005 (base 4): Ja 2, Nej 2; Ikke besvaret 2
# temaer   answered F001, F003, F005 (base 3): Frivillige 2, Fundraising 2, GDPR 1
# antal    answered F001 0, F004 2.5, F005 50 (base 3): mean 52.5 / 3 = 17.5


def test_published_bases_and_counts(cleaned):
    _, result = cleaned
    data, instrument = result.data, result.instrument
    a = stats.tab_single(data, "behov_a")
    sub = a[~a["missing"]]
    assert sub["category"].tolist() == ["I høj grad", "I nogen grad", "I mindre grad",
                                        "Slet ikke"]
    assert sub["n"].tolist() == [2, 0, 0, 2] and set(sub["base"]) == {4}
    assert sub["pct"].tolist() == pytest.approx([50.0, 0.0, 0.0, 50.0])
    miss = a[a["missing"]].set_index("category")["n"]
    assert miss["Ved ikke"] == 1 and miss["Ugyldigt svar"] == 1

    d = stats.tab_single(data, "driver")
    d = d[~d["missing"]]
    assert d["n"].tolist() == [2, 2] and set(d["base"]) == {4}

    t = stats.tab_multi(data, instrument.item("temaer"))
    t = t[~t["missing"]]
    assert t["category"].tolist() == ["Frivillige", "Fundraising, fonde og §18", "GDPR"]
    assert t["n"].tolist() == [2, 2, 1] and set(t["base"]) == {3}
    assert t["pct"].tolist() == pytest.approx([200 / 3, 200 / 3, 100 / 3])

    assert int(data["antal"].notna().sum()) == 3
    assert float(data["antal"].mean()) == pytest.approx(17.5)


# --------------------------------------------------------------------------- multi-select cells

MULTI_ROWS = [
    # row 2: two options, the second in another case          -> answered
    ("F001", "Frivillige;gdpr", [True, False, True], NA, 1),
    # row 3: only a label the scale does not know                -> invalid, not an answer
    ("F002", "Foo", [NA, NA, NA], "Ugyldigt svar", 0),
    # row 4: a known option beside an unknown one                 -> answered (GDPR only)
    ("F003", "Foo;GDPR", [False, False, True], NA, 1),
    # row 5: only the separator Microsoft Forms ends a cell with -> not answered
    ("F004", ";", [NA, NA, NA], "Ikke besvaret", 0),
    # row 6: empty                                                -> not answered
    ("F005", "", [NA, NA, NA], "Ikke besvaret", 0),
]


def test_a_multi_select_cell_is_answered_only_by_a_known_option(tmp_path, small_instrument):
    """A joined multi-select cell holding only unknown labels is "Ugyldigt svar" and counts as
    no answer (the documented rule for unknown labels), not as "answered, nothing ticked":
    that would put the row into the base of every option and lower every share.

    Failed before the fix: F002 was kept with ``n_answered`` 1 and three Falses, and F004's
    lone ``;`` likewise counted as an answer.
    """
    lines = ["Forening;q1_1;q4"] + [f'{a};Slet ikke;"{cell}"' for a, cell, *_ in MULTI_ROWS]
    path = tmp_path / "svar.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    result = clean_exports(small_instrument, [(read_export(path), 2025)], REGISTRY)
    data = result.data
    keys = ["temaer__frivillige", "temaer__fundraising", "temaer__gdpr"]
    for i, (aid, _, ticks, reason, answered) in enumerate(MULTI_ROWS):
        assert data.loc[i, "association_id"] == aid
        assert [cells(data[k])[i] for k in keys] == ticks, aid
        assert cells(data["temaer__missing"])[i] == reason, aid
        assert data.loc[i, "n_answered"] == 1 + answered, aid  # behov_a plus temaer
    assert [(u["row"], u["value"]) for u in result.log.unknown_values] == [
        (3, "Foo"), (4, "Foo;GDPR")]
    t = stats.tab_multi(data, small_instrument.item("temaer"))
    t = t[~t["missing"]]
    assert t["n"].tolist() == [1, 0, 2] and set(t["base"]) == {2}  # F001 and F003 only


# --------------------------------------------------------------------------- the log, for people


def test_the_summary_in_danish_and_english(cleaned):
    _, result = cleaned
    log = result.log
    f = log.sources[0]["file"]
    assert log.summary("da") == (
        "Rensning af lille\n"
        "Rækker ind: 14; beholdt: 6; udeladt: 8\n"
        "  - tom besvarelse (intet besvaret): 2\n"
        "  - testbesvarelse: 1\n"
        "  - foreningen findes ikke i medlemsregistret: 1\n"
        "  - dublet: erstattet af en mere komplet eller senere besvarelse: 4\n"
        f"Fil {f} (csv, bølge 2025): 14 rækker, 6 beholdt\n"
        "  Metadata (ikke spørgsmål): Sluttidspunkt\n"
        "Ukendte svarværdier: 2 (regel: advar og sæt til manglende)\n"
        f"  - {f}, række 6, 'q1_1': 'Meget høj grad'\n"
        f"  - {f}, række 14, 'q1_1': 'Meget høj grad'\n"
        "Tal uden for gyldigt interval: 1\n"
        f"  - {f}, række 14, 'q3': '1.200' (et tal fra 0 til 50)\n"
        "Fjernede personoplysninger i fritekst: 2\n"
    )
    assert log.summary("en") == (
        "Cleaning of lille\n"
        "Rows in: 14; kept: 6; excluded: 8\n"
        "  - blank response (nothing answered): 2\n"
        "  - test response: 1\n"
        "  - association not in the member registry: 1\n"
        "  - duplicate: superseded by a more complete or later response: 4\n"
        f"File {f} (csv, wave 2025): 14 rows, 6 kept\n"
        "  Metadata (not questions): Sluttidspunkt\n"
        "Unknown answer values: 2 (policy: warn)\n"
        f"  - {f}, row 6, 'q1_1': 'Meget høj grad'\n"
        f"  - {f}, row 14, 'q1_1': 'Meget høj grad'\n"
        "Numbers out of range: 1\n"
        f"  - {f}, row 14, 'q3': '1.200' (a number from 0 to 50)\n"
        "Personal data redacted from free text: 2\n"
    )
    assert log.warnings("da") == [] and log.warnings("en") == []


def test_the_json_log(cleaned):
    _, result = cleaned
    text = result.log.to_json()
    assert text.endswith("}\n") and "\n  \"instrument\": \"lille\"," in text
    record = json.loads(text)
    assert record["instrument"] == "lille" and record["policy"] == "warn"
    assert record["duplicate_rule"] == (
        "most complete, then latest submitted, then last in file order")
    assert (record["rows_in"], record["rows_kept"], record["rows_excluded"]) == (14, 6, 8)
    assert record["excluded_by_reason"] == {
        "invited": 0, "blank": 2, "test": 1, "not_member": 1, "duplicate": 4}
    source = record["sources"][0]
    assert (source["rows"], source["kept"], source["excluded"], source["format"]) == (
        14, 6, 8, "csv")
    assert source["metadata_columns"] == {"Sluttidspunkt": "submitted"}
    assert record["redactions"] == {"fritekst": {"phone": 1, "email": 1}}
    assert sorted(e["row"] for e in record["exclusions"]) == [r for r, *_ in EXCLUDED]
    assert record["not_in_export"] == [{"wave": 2025, "items": [], "options": {}}]
    assert record["ignored_files"] == [] and record["bad_times"] == []


def test_warnings_for_what_a_person_must_look_at(tmp_path, small_instrument):
    """An empty export, files not read, an item the export lacks, unreadable timestamps (the
    first 20 of them), each in Danish and English."""
    raw_dir = tmp_path / "raw"
    wave = raw_dir / "2025"
    wave.mkdir(parents=True)
    (raw_dir / "løs.csv").write_bytes(b"a;b\r\n1;2\r\n")
    (raw_dir / "gammel").mkdir()
    (wave / "noter.txt").write_bytes("Husk at rykke F003\r\n".encode("cp1252"))
    (wave / "billede.png").write_bytes(b"\x89PNG")
    (wave / "a_tom.csv").write_bytes(b"Forening;q1_1\r\n")
    lines = ["Forening;q1_1;q1_2;q2;q3;q4;Sluttidspunkt"]
    lines += [f"F00{1 + i % 3};I høj grad;;;;;i går {i}" for i in range(22)]
    (wave / "b_svar.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    result = clean_directory(small_instrument, raw_dir, REGISTRY)
    log = result.log
    tom, svar = (s["file"] for s in log.sources)
    ignored = {Path(i["file"]).name: i["reason"] for i in log.ignored_files}
    assert ignored == {"gammel": "folder name is not a wave year",
                       "løs.csv": "not in a wave folder (raw/<year>/)",
                       "billede.png": "not an export file ending",
                       "noter.txt": "a text file without a table (notes?)"}
    da = log.warnings("da")
    en = log.warnings("en")
    assert len(da) == len(en) == 1 + 4 + 1 + 20
    assert da[0] == f"0 besvarelser i {tom}" and en[0] == f"0 responses in {tom}"
    by_name = {Path(i["file"]).name: i["file"] for i in log.ignored_files}
    assert f"Ikke læst: {by_name['gammel']} (mappens navn er ikke et bølgeår)" in da
    assert f"Not read: {by_name['noter.txt']} (a text file without a table (notes?))" in en
    assert "Ikke i eksporten (bølge 2025): fritekst" in da
    assert "Not in the export (wave 2025): fritekst" in en
    assert da[6] == f"Ulæseligt tidspunkt: {svar}, række 2, 'Sluttidspunkt': 'i går 0'"
    assert en[-1] == f"Unreadable timestamp: {svar}, row 21, 'Sluttidspunkt': 'i går 19'"
    assert len(log.bad_times) == 22
    summary = log.summary("da")
    assert "Advarsel: 0 besvarelser i " in summary and summary.count("Advarsel: ") == 26
    # the three associations answered 22 times: the last row of each (equally complete, no
    # readable time) is kept: row 23 (i = 21) is F001's, 21 (i = 19) F002's, 22 (i = 20) F003's
    assert cells(result.data["row"]) == [23, 21, 22]
    assert cells(result.data["association_id"]) == ["F001", "F002", "F003"]


def test_no_export_gives_the_typed_empty_table(small_instrument):
    """Cleaning no export at all: no rows, and every column of the clean table, typed."""
    result = clean_exports(small_instrument, [], REGISTRY)
    data = result.data
    assert data.empty and result.log.rows_in == 0 and result.log.sources == []
    dtypes = {c: str(t) for c, t in data.dtypes.items()}
    reasons = data["behov_a__missing"].cat.categories.tolist()
    assert reasons == ["Ved ikke", "Ikke relevant", "Ønsker ikke at svare", "Ikke besvaret",
                       "Ugyldigt svar"]
    assert list(data["behov_a"].cat.categories) == [
        "I høj grad", "I nogen grad", "I mindre grad", "Slet ikke"]
    assert data["behov_a"].cat.ordered and not data["driver"].cat.ordered
    assert list(data["driver"].cat.categories) == ["Ja", "Nej"]
    assert dtypes == {
        "response_id": "string", "wave": "int64", "association_id": "string",
        "assoc_type": "category", "size_band": "category", "locality": "category",
        "submitted": "datetime64[ns]", "source": "string", "row": "int64",
        "n_answered": "int64",
        "behov_a": "category", "behov_a__missing": "category", "behov_b": "category",
        "behov_b__missing": "category", "driver": "category", "driver__missing": "category",
        "antal": "Float64", "antal__missing": "category", "temaer__frivillige": "boolean",
        "temaer__fundraising": "boolean", "temaer__gdpr": "boolean",
        "temaer__missing": "category", "fritekst": "string", "fritekst__missing": "category",
    }


def test_the_log_lists_unmatched_columns_and_the_first_20_values(tmp_path, small_instrument):
    """An export with a column no item holds and 22 numbers out of range: the summary names the
    column and lists the first 20 values (rows 2 to 21); the JSON keeps all 22 and its Danish
    letters as they are."""
    lines = ["Forening;q1_1;q3;Bemærkning"]
    lines += [f"F00{1 + i % 3};I høj grad;{60 + i};Ønske {i}" for i in range(22)]
    path = tmp_path / "svar.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    log = clean_exports(small_instrument, [(read_export(path), 2025)], REGISTRY).log
    f = log.sources[0]["file"]
    da, en = log.summary("da").splitlines(), log.summary("en").splitlines()
    assert "  Kolonner uden spørgsmål: Bemærkning" in da
    assert "  Unmatched columns: Bemærkning" in en
    assert "Tal uden for gyldigt interval: 22" in da and "Numbers out of range: 22" in en
    listed = [line for line in en if line.startswith(f"  - {f}, row ")]
    assert listed[0] == f"  - {f}, row 2, 'q3': '60' (a number from 0 to 50)"
    assert listed[-1] == f"  - {f}, row 21, 'q3': '79' (a number from 0 to 50)"
    assert len(listed) == 20
    text = log.to_json()
    assert '"Bemærkning"' in text  # not "Bem\u00e6rkning"
    record = json.loads(text)
    assert [u["value"] for u in record["out_of_range"]] == [str(60 + i) for i in range(22)]
    assert record["unknown_values"] == []
    assert record["sources"][0]["unmatched_columns"] == ["Bemærkning"]


def test_redactions_are_counted_per_row_and_odd_option_names_unmatched(tmp_path,
                                                                        small_instrument):
    """Three rows with the same two phone numbers: 6 redactions (each distinct text is redacted
    once, and counted for every row holding it). ``q4_`` is no option column of ``q4``."""
    text = "Ring 12 34 56 78 eller 87 65 43 21"
    lines = ["Forening;q5;q4_"] + [f"F00{i};{text};1" for i in (1, 2, 3)] + ["F004;Tak;"]
    path = tmp_path / "svar.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    result = clean_exports(small_instrument, [(read_export(path), 2025)], REGISTRY)
    assert result.log.redactions == {"fritekst": {"phone": 6}}
    assert cells(result.data["fritekst"]) == ["Ring [telefon] eller [telefon]"] * 3 + ["Tak"]
    assert result.log.sources[0]["unmatched_columns"] == ["q4_"]


def test_a_range_with_one_end_only(tmp_path):
    """``min: 0`` without a maximum: negative numbers are out of range, large ones are not."""
    spec = small_instrument_dict()
    antal = next(i for i in spec["sections"][0]["items"] if i["id"] == "antal")
    del antal["max"]
    antal.pop("relevant")
    instrument = parse_instrument(spec)
    path = tmp_path / "svar.csv"
    # (F001 also answers q1_1: a row whose only answer is invalid would be blank)
    path.write_bytes(b"Forening;q1_1;q3\r\nF001;1;-1\r\nF002;;100000\r\nF003;;Ved ikke\r\n")
    result = clean_exports(instrument, [(read_export(path), 2025)], REGISTRY)
    assert cells(result.data["antal"]) == [NA, 100000.0, NA]
    assert cells(result.data["antal__missing"]) == ["Ugyldigt svar", NA, "Ved ikke"]
    assert [(u["row"], u["column"], u["value"], u["expected"], u["expected_da"]) for u in
            result.log.out_of_range] == [
        (2, "q3", "-1", "a number of at least 0", "et tal mindst 0")]
    assert result.log.unknown_values == []


def test_codes_written_as_decimals_are_their_labels(tmp_path, small_instrument):
    """A code exported through Excel as ``1.0`` or `` 2.00 `` is the label of code 1 or 2; a
    code the scale lacks (``7.0``) is an unknown value."""
    path = tmp_path / "svar.csv"
    path.write_bytes(b"Forening;q1_1;q2\r\nF001; 2.00 ;1.0\r\nF002;9.0;2\r\nF003;7.0;1\r\n")
    result = clean_exports(small_instrument, [(read_export(path), 2025)], REGISTRY)
    assert cells(result.data["behov_a"]) == ["I nogen grad", NA, NA]
    assert cells(result.data["behov_a__missing"]) == [NA, "Ved ikke", "Ugyldigt svar"]
    assert cells(result.data["driver"]) == ["Ja", "Nej", "Ja"]
    assert [(u["row"], u["value"]) for u in result.log.unknown_values] == [(4, "7.0")]


def test_an_invalid_filter_answer_says_nothing_about_the_routing(tmp_path, small_instrument):
    """``antal`` is asked only when ``driver`` is "Ja". A filter answered with a value the
    instrument does not know ("Måske") is "Ugyldigt svar": whether the tool showed ``antal`` is
    unknown, so an empty ``antal`` stays "Ikke besvaret", never "Ikke relevant"; "Nej" routes past
    it ("Ikke relevant"); an answered ``antal`` is kept whatever the filter says."""
    wave = tmp_path / "2025"
    wave.mkdir()
    lines = ["Forening;q1_1;q2;q3;Sluttidspunkt",
             "F001;I høj grad;Måske;;14-03-2025 10:00",  # invalid filter, antal empty
             "F002;I høj grad;Nej;;14-03-2025 10:00",  # routed past antal
             "F003;I høj grad;Måske;4;14-03-2025 10:00"]  # invalid filter, antal answered
    (wave / "svar.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    data = clean_directory(small_instrument, tmp_path, REGISTRY).data
    assert cells(data["driver"]) == [NA, "Nej", NA]
    assert cells(data["driver__missing"]) == ["Ugyldigt svar", NA, "Ugyldigt svar"]
    assert cells(data["antal"]) == [NA, NA, 4.0]
    assert cells(data["antal__missing"]) == ["Ikke besvaret", "Ikke relevant", NA]


def test_fractions_of_a_second_decide_between_two_answers(tmp_path, small_instrument):
    """Kobo writes its times to the millisecond with an offset (``10:00:05.750+01:00``): two
    equally complete answers from one association in the same second are told apart by the
    fraction (the later one, first in the file, is kept), and the time is kept whole."""
    wave = tmp_path / "2025"
    wave.mkdir()
    lines = ["Forening;q1_1;q2;Sluttidspunkt",
             "F001;I høj grad;Ja;2025-03-14T10:00:05.750+01:00",
             "F001;Slet ikke;Nej;2025-03-14T10:00:05.250+01:00"]
    (wave / "svar.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    result = clean_directory(small_instrument, tmp_path, REGISTRY)
    assert cells(result.data["row"]) == [2]
    assert cells(result.data["behov_a"]) == ["I høj grad"]
    assert cells(result.data["submitted"]) == [pd.Timestamp("2025-03-14 10:00:05.750")]
