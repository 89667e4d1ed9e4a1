"""Tests for fslt_survey.ingest.readers / fslt_survey.ingest.formats: every export format,
encoding, quirk and error.

Fixture files are generated in ``tmp_path`` by the helpers below, so that each test shows the
exact bytes it reads (the SurveyXact layout follows the public readSX example exports: structure
``questionName;variableName;questionType;subType;questionText;choiceValue;choiceText``, labels
without a header, multi-select columns ``<question>_<n>`` numbered by position).
"""

from __future__ import annotations

import csv
import datetime as dt
import doctest
import hashlib
import io
import os
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pyreadstat
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fslt_survey.clean import ColumnMatch, match_columns
from fslt_survey.codebook import parse_instrument
from fslt_survey.errors import ReadError
from fslt_survey.ingest import (
    RawExport,
    detect_format,
    option_selected,
    read_csv_any,
    read_export,
    read_googleforms,
    read_msforms,
    read_spss,
    read_surveyxact,
    read_xlsx,
)
from fslt_survey.ingest.raw import canonical_code, column_letter
from fslt_survey.ingest.text import decode_text, sniff_delimiter

# --------------------------------------------------------------------------- fixtures

INSTRUMENT = {
    "instrument": "testundersoegelse",
    "title": "Testundersøgelse",
    "kind": "member",
    "scales": {
        "grad": {"labels": [
            {"code": 1, "label": "I høj grad"},
            {"code": 2, "label": "I nogen grad"},
            {"code": 3, "label": "I mindre grad"},
            {"code": 4, "label": "Slet ikke"},
            {"code": 9, "label": "Ved ikke", "missing": True},
        ]},
        "aktiviteter": {"ordered": False, "labels": [
            {"code": 1, "label": "Café"},
            {"code": 2, "label": "Samtalegrupper"},
            {"code": 3, "label": "Rådgivning, juridisk", "key": "raadgivning"},
            {"code": 9, "label": "Ved ikke", "missing": True},
        ]},
        "tilfreds": {"labels": [
            {"code": 1, "label": "Meget tilfreds"},
            {"code": 2, "label": "Tilfreds"},
            {"code": 3, "label": "Utilfreds"},
        ]},
    },
    "sections": [
        {"id": "om", "title": "Om foreningen", "items": [
            {"id": "forening", "text": "Hvilken forening svarer du for?", "type": "association",
             "sx": "s_1"},
            {"id": "frivillige", "text": "Hvor mange frivillige har foreningen?",
             "type": "numeric", "sx": "s_2"},
            {"id": "aktiviteter", "text": "Hvilke aktiviteter har foreningen?", "type": "multi",
             "scale": "aktiviteter", "sx": "s_3"},
        ]},
        {"id": "behov", "title": "Foreningens behov", "items": [
            {"id": "behov_frivillige", "type": "likert", "scale": "grad", "sx": "q12_1",
             "text": "I hvilken grad har foreningen behov for hjælp til rekruttering af "
                     "frivillige?",
             "short": "Rekruttering af frivillige", "battery": "behov"},
            {"id": "behov_lokaler", "type": "likert", "scale": "grad", "sx": "q12_2",
             "text": "I hvilken grad har foreningen behov for hjælp til lokaler?",
             "short": "Lokaler", "battery": "behov"},
        ]},
        {"id": "tilfredshed", "title": "Tilfredshed med Frivilligcentret", "items": [
            {"id": "tilf_lokaler", "type": "single", "scale": "tilfreds", "sx": "t_1",
             "text": "Hvor tilfreds er foreningen med lokalerne?", "short": "Lokaler",
             "battery": "tilfredshed"},
            {"id": "kommentar", "text": "Har I andre kommentarer?", "type": "text", "sx": "k_1"},
        ]},
    ],
}

Q_FORENING = "Hvilken forening svarer du for?"
Q_FRIVILLIGE = "Hvor mange frivillige har foreningen?"
Q_AKTIVITETER = "Hvilke aktiviteter har foreningen?"
Q_KOMMENTAR = "Har I andre kommentarer?"
Q_BEHOV = "I hvilken grad har foreningen behov for hjælp til følgende?"
Q_TILFREDS = "Hvor tilfreds er foreningen med følgende?"


@pytest.fixture(scope="module")
def instrument():
    return parse_instrument(INSTRUMENT)


ROWS = [
    ["Forening", "Antal", "Beløb", "Kommentar"],
    ["Ældresagen Lyngby", "007", "2,5", "Tak; vi er glade, meget"],
    ["Café Ø", "12", "", "To linjer\nher"],
    ["Sorgenfri Støttekreds", " ", "1.000,50", "Å"],
]


def write_text(path: Path, rows: list[list[str]], *, delimiter: str = ",",
               encoding: str = "utf-8", bom: bool = False) -> Path:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    data = buf.getvalue().encode(encoding)
    if bom:
        data = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff",
                "utf-8": b"\xef\xbb\xbf"}[encoding] + data
    path.write_bytes(data)
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def values(raw: RawExport, column: str) -> list[object]:
    return [None if v is pd.NA else v for v in raw.frame[column].tolist()]


def fingerprint(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


# --------------------------------------------------------------------------- CSV


ENCODINGS = [
    ("utf-8", False, ",", "utf-8"),
    ("utf-8", True, ";", "utf-8-sig"),
    ("utf-16-le", True, "\t", "utf-16-le"),
    ("utf-16-be", True, ";", "utf-16-be"),
    ("utf-16-le", False, "\t", "utf-16-le"),
    ("cp1252", False, ";", "cp1252"),
    ("cp1252", False, ",", "cp1252"),
]


@pytest.mark.parametrize(("encoding", "bom", "delimiter", "reported"), ENCODINGS)
def test_csv_encodings_and_delimiters(tmp_path, encoding, bom, delimiter, reported):
    path = write_text(tmp_path / "svar.csv", ROWS, delimiter=delimiter, encoding=encoding,
                      bom=bom)
    raw = read_export(path)
    assert raw.format == "csv"
    assert raw.provenance.encoding == reported
    assert raw.provenance.delimiter == delimiter
    assert list(raw.frame.columns) == ROWS[0]
    assert values(raw, "Forening") == ["Ældresagen Lyngby", "Café Ø", "Sorgenfri Støttekreds"]
    assert values(raw, "Antal") == ["007", "12", None]  # not coerced; blank -> NA
    assert values(raw, "Beløb") == ["2,5", None, "1.000,50"]
    assert values(raw, "Kommentar") == ["Tak; vi er glade, meget", "To linjer\nher", "Å"]
    assert raw.row_numbers == [2, 3, 4]  # header is row 1; a quoted newline stays one row
    assert raw.provenance.rows == 3
    assert list(raw.frame.index) == [0, 1, 2]
    assert all(isinstance(v, str) or v is pd.NA for col in raw.frame for v in raw.frame[col])


def test_csv_values_are_strings_or_na(tmp_path):
    raw = read_csv_any(write_text(tmp_path / "a.csv", [["a", "b"], ["0012", "  "], ["1e5", "x"]]))
    assert raw.frame.iloc[0, 0] == "0012" and raw.frame.iloc[1, 0] == "1e5"
    assert raw.frame.iloc[0, 1] is pd.NA
    assert all(str(t) == "string" for t in raw.frame.dtypes)


def test_delimiter_decided_by_consistency_not_by_count():
    # The header holds more commas than semicolons, but only ";" splits every record alike.
    text = "Tidsstempel;Hvad, hvor, hvornår, hvordan?\n2024-01-01;Her, der\n2024-01-02;Nej\n"
    assert sniff_delimiter(text) == ";"
    assert sniff_delimiter('a,"b;c",d\n1,"2;3",4\n') == ","
    assert sniff_delimiter("enkelt kolonne\nværdi\n") == ","
    assert sniff_delimiter("a;b,c;d\n1;2,5;3\n") == ";"  # tie: more header fields wins
    # A trailing delimiter on every record (but not the header) still counts as consistent.
    assert sniff_delimiter("Navn;Beløb, kr\nA;2,5;\nB;3;\n") == ";"


def test_header_only_is_an_empty_export(tmp_path):
    raw = read_export(write_text(tmp_path / "tom.csv", [["ID", "Navn"]], delimiter=";"))
    assert len(raw.frame) == 0 and raw.provenance.rows == 0 and raw.row_numbers == []
    assert list(raw.frame.columns) == ["ID", "Navn"]


def test_empty_rows_are_skipped_and_noted(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("a;b\n1;2\n;;\n\n3;4\n", encoding="utf-8")
    raw = read_csv_any(path)
    assert values(raw, "a") == ["1", "3"]
    assert raw.row_numbers == [2, 5]  # the blank line is row 4 in a spreadsheet
    assert any("empty row" in n for n in raw.notes)


def test_duplicated_and_blank_headers(tmp_path):
    path = write_text(tmp_path / "a.csv", [["Q", "", "Q", "Q (2)", "Q"], list("12345")])
    raw = read_csv_any(path)
    assert list(raw.frame.columns) == ["Q", "Unnamed: B", "Q (3)", "Q (2)", "Q (4)"]
    assert raw.renamed == {"Unnamed: B": "", "Q (3)": "Q", "Q (4)": "Q"}
    assert values(raw, "Q (3)") == ["3"]
    assert sum("repeats" in n for n in raw.notes) == 2 and any("no header" in n
                                                                for n in raw.notes)


def test_empty_unnamed_trailing_column_is_dropped(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("a;b;\n1;2;\n3;4;\n", encoding="utf-8")
    raw = read_csv_any(path)
    assert list(raw.frame.columns) == ["a", "b"]
    assert any("no header and no values" in n for n in raw.notes)


def test_short_rows_padded_and_empty_extras_tolerated(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("a;b;c\n1;2\n4;5;6;;\n", encoding="utf-8")
    raw = read_csv_any(path)
    assert values(raw, "c") == [None, "6"]
    assert any("fewer fields" in n for n in raw.notes)
    assert any("beyond the header" in n for n in raw.notes)


def test_ragged_row_is_an_error_naming_the_row(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("a;b\n1;2\n3;4;oops\n", encoding="utf-8")
    with pytest.raises(ReadError, match="this row has more fields than the header") as exc:
        read_csv_any(path)
    err = exc.value
    assert err.row == 3 and err.column == "C" and Path(err.file) == path
    assert "more fields" in str(err) and "oops" in str(err)


def test_unclosed_quote_is_an_error(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text('a,b\n1,"never closed\n2,3\n', encoding="utf-8")
    with pytest.raises(ReadError, match="a quote is never closed") as exc:
        read_csv_any(path)
    assert exc.value.row == 2 and "quote" in str(exc.value)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\n\r\n  \n", "blank"),
        (b"a;b\n1;\x002\n", "NUL"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "NUL"),
        (bytes(range(1, 32)) * 20, "binary"),
        (b"a;b\n\x81\x8d;\x9d\n", "neither UTF-8 nor Windows-1252"),
    ],
)
def test_broken_text_files(tmp_path, content, message):
    path = tmp_path / "a.csv"
    path.write_bytes(content)
    with pytest.raises(ReadError, match=re.escape(message)) as exc:
        read_export(path)
    assert message in str(exc.value)
    assert Path(exc.value.file) == path


def test_nul_bytes_error_names_the_line(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(b"a;b\n1;2\n3;\x00\n")
    with pytest.raises(ReadError, match="the file contains NUL bytes") as exc:
        read_csv_any(path)
    assert exc.value.row == 3


def test_utf16_with_odd_length_is_refused():
    with pytest.raises(ReadError, match="cut off"):
        decode_text(b"\xff\xfea\x00b", "x.csv")


def test_missing_file_and_unknown_formats(tmp_path):
    with pytest.raises(ReadError, match="not found"):
        read_export(tmp_path / "nope.csv")
    (tmp_path / "data.json").write_text('{"a": 1}', encoding="utf-8")
    with pytest.raises(ReadError, match="unknown export format") as exc:
        read_export(tmp_path / "data.json")
    assert exc.value.expected and ".csv" in exc.value.expected
    path = write_text(tmp_path / "a.csv", [["a"], ["1"]])
    with pytest.raises(ReadError, match="unknown format 'pdf'"):
        read_export(path, format="pdf")
    with pytest.raises(ReadError, match="sheet="):
        read_export(path, sheet="Ark1")
    with pytest.raises(ReadError, match="expected a file"):
        read_csv_any(tmp_path)


@given(
    table=st.lists(
        st.lists(st.text(alphabet="abcæøåÆØÅ 0123456789,;\t\"'\r\n-", max_size=8), min_size=3,
                 max_size=3),
        min_size=1, max_size=6,
    ),
    encoding=st.sampled_from(ENCODINGS),
)
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_csv_round_trip_keeps_every_value(tmp_path, table, encoding):
    enc, bom, delimiter, _ = encoding
    path = write_text(tmp_path / "rt.csv", [["Første", "Anden", "Tredje"], *table],
                      delimiter=delimiter, encoding=enc, bom=bom)
    raw = read_csv_any(path)
    kept = [r for r in table if any(v.strip() for v in r)]
    assert len(raw.frame) == len(kept)
    for i, row in enumerate(kept):
        got = [None if v is pd.NA else v for v in raw.frame.iloc[i].tolist()]
        assert got == [v if v.strip() else None for v in row]


# --------------------------------------------------------------------------- xlsx


def test_xlsx_cells_become_text(tmp_path):
    path = write_xlsx(tmp_path / "ark.xlsx", {
        "Tom": [],
        "Svar": [
            ["Forening", "Dato", "Tid", "Antal", "Andel", "Ja", "Tekst"],
            ["Ældresagen", dt.date(2025, 3, 1), dt.datetime(2025, 3, 1, 14, 5, 9), 12, 2.5,
             True, "007"],
            [None, None, None, None, None, None, None],
            ["Café Ø", dt.datetime(2025, 3, 2), None, 3.0, 0.1 + 0.2, False, "  "],
        ],
    })
    raw = read_export(path)
    assert raw.format == "xlsx" and raw.provenance.sheets == ("Svar",)
    assert raw.frame.iloc[0].tolist() == ["Ældresagen", "2025-03-01", "2025-03-01T14:05:09",
                                          "12", "2.5", "TRUE", "007"]
    assert values(raw, "Antal") == ["12", "3"]
    assert values(raw, "Andel") == ["2.5", "0.3"]
    assert values(raw, "Tekst") == ["007", None]
    assert raw.row_numbers == [2, 4]


def test_xlsx_sheet_selection(tmp_path):
    path = write_xlsx(tmp_path / "ark.xlsx", {"A": [["x"], ["1"]], "B": [["y"], ["2"], ["3"]]})
    assert values(read_xlsx(path), "x") == ["1"]
    assert values(read_export(path, sheet="b"), "y") == ["2", "3"]
    with pytest.raises(ReadError, match="no sheet 'C'") as exc:
        read_export(path, sheet="C")
    assert "'A'" in exc.value.expected


def test_xlsx_value_without_header_gets_a_name(tmp_path):
    path = write_xlsx(tmp_path / "ark.xlsx", {"S": [["a", None, "c"], [1, 2, 3, 4]]})
    raw = read_xlsx(path)
    assert list(raw.frame.columns) == ["a", "Unnamed: B", "c", "Unnamed: D"]
    assert raw.frame.iloc[0].tolist() == ["1", "2", "3", "4"]


def test_xlsx_all_sheets_empty(tmp_path):
    path = write_xlsx(tmp_path / "tom.xlsx", {"Ark1": [], "Ark2": []})
    with pytest.raises(ReadError, match="every sheet is empty"):
        read_export(path)


def _ole(marker: str) -> bytes:
    return bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 504 + marker.encode("utf-16-le") + (
        b"\x00" * 512)


@pytest.mark.parametrize(
    ("name", "make", "message", "found"),
    [
        ("kode.xlsx", lambda good: _ole("EncryptionInfo"), "password-protected", "encrypted"),
        ("gammel.xls", lambda good: _ole("Workbook"), "legacy", ".xls"),
        ("halv.xlsx", lambda good: good[: len(good) // 2], "truncated or corrupt", None),
        ("tekst.xlsx", lambda good: b"ID;Navn\n1;A\n", "not an xlsx workbook", "text"),
        ("pdf.xlsx", lambda good: b"%PDF-1.4\n%\xe2\xe3", "not an xlsx workbook", "PDF"),
    ],
)
def test_broken_workbooks(tmp_path, name, make, message, found):
    good = write_xlsx(tmp_path / "good.xlsx", {"S": [["a"], [1]]}).read_bytes()
    path = tmp_path / name
    path.write_bytes(make(good))
    with pytest.raises(ReadError, match=message) as exc:
        read_export(path)
    assert Path(exc.value.file) == path and exc.value.expected
    if found:
        assert found in exc.value.found


def test_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "brev.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", "<w/>")
    with pytest.raises(ReadError, match="not an xlsx workbook") as exc:
        read_export(path)
    assert "Word" in exc.value.found


def test_damaged_zip_member(tmp_path):
    good = write_xlsx(tmp_path / "good.xlsx", {"S": [["a"], [1]]}).read_bytes()
    with zipfile.ZipFile(io.BytesIO(good)) as zf:
        info = zf.getinfo("xl/workbook.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 5
    bad = bytearray(good)
    bad[start] ^= 0xFF
    path = tmp_path / "skadet.xlsx"
    path.write_bytes(bytes(bad))
    with pytest.raises(ReadError, match="the workbook is truncated or corrupt") as exc:
        read_export(path)
    assert Path(exc.value.file) == path


# --------------------------------------------------------------------------- Microsoft Forms

MS_EN = ["ID", "Start time", "Completion time", "Email", "Name", "Last modified time"]
MS_DA = ["Id", "Starttidspunkt", "Fuldførelsestidspunkt", "Mail", "Navn",
         "Tidspunkt for seneste ændring"]


def ms_rows(meta: list[str]) -> list[list[object]]:
    t0 = dt.datetime(2025, 2, 3, 9, 15, 0)
    return [
        [*meta, Q_FORENING, Q_FRIVILLIGE, Q_AKTIVITETER, f"{Q_BEHOV}.Lokaler",
         f"Points - {Q_FRIVILLIGE}", f"Feedback - {Q_FRIVILLIGE}", "Total points"],
        [1, t0, t0 + dt.timedelta(minutes=7), "anonymous", None, None, "Ældresagen", 12,
         "Café;Rådgivning, juridisk;", "I høj grad", 1, "Godt", 1],
        [2, t0, t0 + dt.timedelta(minutes=9), "a@b.dk", "Åse Øster", None, "Café Ø", "007",
         "Samtalegrupper;", "Ved ikke", 0, None, 0],
    ]


@pytest.mark.parametrize("meta", [MS_EN, MS_DA], ids=["english", "danish"])
def test_msforms_xlsx(tmp_path, instrument, meta):
    path = write_xlsx(tmp_path / "forms.xlsx", {"Sheet1": ms_rows(meta)})
    assert detect_format(path) == "msforms"
    raw = read_export(path)
    assert raw.format == "msforms" and raw.multi_separator == ";"
    roles = ["respondent_id", "started", "submitted", "email", "name", "modified"]
    assert {raw.metadata[c]: c for c in meta} == dict(zip(roles, meta, strict=True))
    assert values(raw, meta[2]) == ["2025-02-03T09:22:00", "2025-02-03T09:24:00"]
    assert values(raw, Q_AKTIVITETER) == ["Café;Rådgivning, juridisk;", "Samtalegrupper;"]
    assert values(raw, Q_FRIVILLIGE) == ["12", "007"]
    assert raw.metadata[f"Points - {Q_FRIVILLIGE}"] == "points"
    assert raw.metadata[f"Feedback - {Q_FRIVILLIGE}"] == "feedback"
    assert raw.metadata["Total points"] == "points"

    m = match_columns(raw, instrument)
    by = m.by_column
    assert by[Q_FORENING] == ColumnMatch(Q_FORENING, "forening", None, "text")
    assert by[Q_AKTIVITETER].item_id == "aktiviteter" and by[Q_AKTIVITETER].option is None
    assert by[f"{Q_BEHOV}.Lokaler"] == ColumnMatch(f"{Q_BEHOV}.Lokaler", "behov_lokaler", None,
                                                   "grid")
    assert m.metadata[f"Points - {Q_FRIVILLIGE}"] == "points"
    assert m.unmatched == []
    assert m.missing_items == ["behov_frivillige", "tilf_lokaler", "kommentar"]


def test_msforms_question_named_like_metadata(tmp_path):
    inst = parse_instrument({"instrument": "navn", "title": "Navn", "sections": [
        {"id": "a", "title": "A", "items": [{"id": "navn", "text": "Navn", "type": "association"}]},
    ]})
    rows = [[*MS_DA[:5], "Navn"], [1, dt.datetime(2025, 1, 1, 9), dt.datetime(2025, 1, 1, 9, 5),
                                  "anonymous", None, "Ældresagen"]]
    raw = read_export(write_xlsx(tmp_path / "forms.xlsx", {"Sheet1": rows}))
    assert raw.metadata["Navn"] == "name" and raw.renamed == {"Navn (2)": "Navn"}
    m = match_columns(raw, inst)
    assert m.matches == [ColumnMatch("Navn (2)", "navn", None, "text")]
    assert m.metadata["Navn"] == "name"


def test_msforms_reader_refuses_other_layouts(tmp_path):
    path = write_xlsx(tmp_path / "x.xlsx", {"S": [["a", "b"], [1, 2]]})
    with pytest.raises(ReadError, match="not a Microsoft Forms export") as exc:
        read_msforms(path)
    assert "Start time" in exc.value.expected
    assert detect_format(path) == "xlsx"


def test_msforms_saved_as_csv(tmp_path):
    rows = [[str(v) if v is not None else "" for v in r] for r in ms_rows(MS_DA)]
    path = write_text(tmp_path / "forms.csv", rows, delimiter=";", encoding="cp1252")
    raw = read_export(path)
    assert raw.format == "msforms" and raw.metadata["Fuldførelsestidspunkt"] == "submitted"


# --------------------------------------------------------------------------- Google Forms


def google_rows(first: str = "Timestamp", email: str = "Email Address") -> list[list[str]]:
    return [
        [first, email, Q_FORENING, Q_AKTIVITETER, f"{Q_BEHOV} [Lokaler]",
         f"{Q_BEHOV} [Rekruttering af frivillige]", f"{Q_TILFREDS} [Lokaler]", "Ekstra spørgsmål"],
        ["2025/03/05 10:15:32 AM CET", "a@b.dk", "Ældresagen", "Café, Rådgivning, juridisk",
         "I høj grad", "Slet ikke", "Tilfreds", "x"],
        ["2025/03/06 8:01:02 PM CET", "", "Café Ø", "", "Ved ikke", "", "", ""],
    ]


@pytest.mark.parametrize(("first", "email"), [("Timestamp", "Email Address"),
                                               ("Tidsstempel", "Mailadresse")])
def test_googleforms_csv(tmp_path, instrument, first, email):
    path = write_text(tmp_path / "google.csv", google_rows(first, email))
    assert detect_format(path) == "googleforms"
    raw = read_export(path)
    assert raw.format == "googleforms" and raw.multi_separator == ","
    assert raw.metadata == {first: "submitted", email: "email"}
    assert values(raw, Q_AKTIVITETER) == ["Café, Rådgivning, juridisk", None]

    m = match_columns(raw, instrument)
    by = m.by_column
    assert by[f"{Q_BEHOV} [Lokaler]"].item_id == "behov_lokaler"
    assert by[f"{Q_BEHOV} [Rekruttering af frivillige]"].item_id == "behov_frivillige"
    # "Lokaler" is a row of two batteries: the question part decides.
    assert by[f"{Q_TILFREDS} [Lokaler]"] == ColumnMatch(f"{Q_TILFREDS} [Lokaler]",
                                                        "tilf_lokaler", None, "grid")
    assert m.unmatched == ["Ekstra spørgsmål"]
    assert m.missing_items == ["frivillige", "kommentar"]


def test_googleforms_reader_refuses_other_layouts(tmp_path):
    path = write_text(tmp_path / "x.csv", [["Forening", "Svar"], ["a", "b"]])
    with pytest.raises(ReadError, match="not a Google Forms export"):
        read_googleforms(path)


def test_googleforms_from_sheets_xlsx(tmp_path):
    path = write_xlsx(tmp_path / "g.xlsx", {"Formularsvar 1": google_rows()})
    raw = read_export(path)
    assert raw.format == "googleforms" and raw.provenance.sheets == ("Formularsvar 1",)


# --------------------------------------------------------------------------- SurveyXact

SX_DATASET = [
    ["respondentid", "s_1", "s_2", "s_3_1", "s_3_2", "s_3_3", "s_3_4", "q12_1", "q12_2", "t_1",
     "k_1", "stato_1", "stato_2"],
    ["101", "Ældresagen Lyngby", "12", "1", "0", "1", "0", "1", "9", "2", "Tak; god service",
     "0", "1"],
    ["102", "Café Ø", "007", "0", "0", "0", "1", "3", "", "1", "", "0", "1"],
]
SX_STRUCTURE = [
    ["questionName", "variableName", "questionType", "subType", "questionText", "choiceValue",
     "choiceText"],
    ["s_1", "s_1", "Open", "String", Q_FORENING, "", ""],
    ["s_2", "s_2", "Open", "Integer", Q_FRIVILLIGE, "", ""],
    ["s_3", "s_3_1", "Closed", "Multiple", Q_AKTIVITETER, "1", "Café"],
    ["s_3", "s_3_2", "Closed", "Multiple", Q_AKTIVITETER, "2", "Samtalegrupper"],
    ["s_3", "s_3_3", "Closed", "Multiple", Q_AKTIVITETER, "3", "Rådgivning, juridisk"],
    ["s_3", "s_3_4", "Closed", "Multiple", Q_AKTIVITETER, "9", "Ved ikke"],
    ["q12_1", "q12_1", "Closed", "Single", f"{Q_BEHOV} - Rekruttering af frivillige", "", ""],
    ["q12_2", "q12_2", "Closed", "Single", f"{Q_BEHOV} - Lokaler", "", ""],
    ["t_1", "t_1", "Closed", "Single", f"{Q_TILFREDS} - Lokaler", "", ""],
    ["k_1", "k_1", "Open", "String", Q_KOMMENTAR, "", ""],
    ["statoverall", "stato_1", "Closed", "Multiple", "Samlet status", "1", "Ny"],
    ["statoverall", "stato_2", "Closed", "Multiple", "Samlet status", "4", "Gennemført"],
]
GRAD = [("1", "I høj grad"), ("2", "I nogen grad"), ("3", "I mindre grad"), ("4", "Slet ikke"),
        ("9", "Ved ikke")]
VALGT = [("0", "Ikke valgt"), ("1", "Valgt")]
SX_LABELS = (
    [[v, c, lab] for v in ("s_3_1", "s_3_2", "s_3_3", "s_3_4", "stato_1", "stato_2")
     for c, lab in VALGT]
    + [[v, c, lab] for v in ("q12_1", "q12_2") for c, lab in GRAD]
    + [["t_1", "1", "Meget tilfreds"], ["t_1", "2", "Tilfreds"], ["t_1", "3", "Utilfreds"]]
)


def write_sx_trio(folder: Path, *, encoding: str, delimiter: str, bom: bool = False,
                  phantom: str = "both") -> Path:
    """``phantom``: the empty extra column in the header and rows, in the rows only, or none."""
    folder.mkdir(parents=True, exist_ok=True)
    structure = [[*r, ""] if phantom == "both" or (phantom == "rows" and i) else r
                 for i, r in enumerate(SX_STRUCTURE)]
    write_text(folder / "dataset.csv", SX_DATASET, delimiter=delimiter, encoding=encoding,
               bom=bom)
    write_text(folder / "structure.csv", structure, delimiter=delimiter, encoding=encoding,
               bom=bom)
    write_text(folder / "labels.csv", SX_LABELS, delimiter=delimiter, encoding=encoding, bom=bom)
    return folder


def check_sx(raw: RawExport, instrument) -> None:
    assert raw.format == "surveyxact"
    assert raw.provenance.rows == 2 and raw.row_numbers == [2, 3]
    assert values(raw, "q12_1") == ["I høj grad", "I mindre grad"]  # labels applied
    assert values(raw, "q12_2") == ["Ved ikke", None]
    assert values(raw, "s_3_1") == ["Valgt", "Ikke valgt"]
    assert values(raw, "s_2") == ["12", "007"]
    assert values(raw, "k_1") == ["Tak; god service", None]
    assert raw.value_labels["q12_1"]["9"] == "Ved ikke"
    assert raw.value_labels["s_3_4"] == {"0": "Ikke valgt", "1": "Valgt"}
    assert raw.multi_columns["s_3_4"] == ("s_3", "9")  # by choiceValue, not by position
    assert raw.column_labels["s_3_2"] == f"{Q_AKTIVITETER} - Samtalegrupper"
    assert raw.metadata == {"respondentid": "respondent_id", "stato_1": "status",
                            "stato_2": "status"}
    m = match_columns(raw, instrument)
    by = m.by_column
    assert by["s_1"] == ColumnMatch("s_1", "forening", None, "sx")
    assert by["s_3_4"] == ColumnMatch("s_3_4", "aktiviteter", "9", "sx")
    assert m.multi_columns == {"s_3_1": ("aktiviteter", "1"), "s_3_2": ("aktiviteter", "2"),
                               "s_3_3": ("aktiviteter", "raadgivning"),  # the label's key
                               "s_3_4": ("aktiviteter", "9")}
    assert m.unmatched == [] and m.missing_items == []
    assert m.metadata["stato_2"] == "status"


@pytest.mark.parametrize(
    ("encoding", "delimiter", "bom", "phantom"),
    [("cp1252", ";", False, "both"), ("cp1252", ",", False, "rows"),
     ("utf-16-le", "\t", True, "both"), ("utf-8", ";", True, "none")],
)
def test_surveyxact_csv_trio(tmp_path, instrument, encoding, delimiter, bom, phantom):
    folder = write_sx_trio(tmp_path / "sx", encoding=encoding, delimiter=delimiter, bom=bom,
                           phantom=phantom)
    for target in (folder, folder / "dataset.csv", folder / "structure.csv",
                   folder / "labels.csv"):
        assert detect_format(target) == "surveyxact"
        raw = read_export(target)
        check_sx(raw, instrument)
    assert raw.provenance.encoding == {"utf-8": "utf-8-sig"}.get(encoding, encoding)
    assert raw.provenance.delimiter == delimiter
    assert Path(raw.provenance.file).name == "dataset.csv"
    assert [Path(f).name for f, _ in raw.provenance.parts] == ["structure.csv", "labels.csv"]
    parts = dict(raw.provenance.parts)
    assert parts[str(folder / "labels.csv")] == hashlib.sha256(
        (folder / "labels.csv").read_bytes()).hexdigest()


def test_surveyxact_incomplete_trio(tmp_path):
    folder = write_sx_trio(tmp_path / "sx", encoding="cp1252", delimiter=";")
    (folder / "labels.csv").unlink()
    with pytest.raises(ReadError, match=r"labels\.csv") as exc:
        read_surveyxact(folder / "dataset.csv")
    assert exc.value.found == "missing labels.csv"
    with pytest.raises(ReadError, match="no complete SurveyXact export"):
        read_export(folder)
    # Without its siblings a dataset.csv is an ordinary CSV.
    assert detect_format(folder / "dataset.csv") == "csv"


def test_surveyxact_structure_without_variable_name(tmp_path):
    folder = write_sx_trio(tmp_path / "sx", encoding="utf-8", delimiter=";")
    write_text(folder / "structure.csv", [["a", "b"], ["1", "2"]], delimiter=";")
    with pytest.raises(ReadError, match="variableName") as exc:
        read_surveyxact(folder)
    assert Path(exc.value.file).name == "structure.csv"


def test_surveyxact_labels_for_unknown_variables_are_noted(tmp_path):
    folder = write_sx_trio(tmp_path / "sx", encoding="utf-8", delimiter=";")
    write_text(folder / "labels.csv", [*SX_LABELS, ["gone_1", "1", "Væk"]], delimiter=";")
    raw = read_surveyxact(folder)
    assert any("gone_1" in n for n in raw.notes)


def sx_sheet_rows(rows: list[list[str]]) -> list[list[object]]:
    """As SurveyXact writes a workbook: numbers as numbers."""
    return [[int(v) if v.isdigit() and not v.startswith("0") else (v or None) for v in r]
            for r in rows]


def test_surveyxact_xlsx(tmp_path, instrument):
    path = write_xlsx(tmp_path / "sx.xlsx", {
        "Dataset": sx_sheet_rows(SX_DATASET),
        "Structure": sx_sheet_rows(SX_STRUCTURE),
        "Labels": sx_sheet_rows(SX_LABELS),
    })
    assert detect_format(path) == "surveyxact"
    raw = read_export(path)
    check_sx(raw, instrument)
    assert raw.provenance.sheets == ("Dataset", "Structure", "Labels")


def split_dataset(order: list[int] | None = None, with_id: bool = True):
    left = [r[:7] for r in SX_DATASET]
    right = [([r[0]] if with_id else []) + r[7:] for r in SX_DATASET]
    if order is not None:
        right = [right[0], *(right[1:][i] for i in order)]
    return sx_sheet_rows(left), sx_sheet_rows(right)


@pytest.mark.parametrize(("order", "with_id"), [(None, True), ([1, 0], True), (None, False)],
                         ids=["aligned", "shuffled-by-id", "by-position"])
def test_surveyxact_xlsx_split_dataset(tmp_path, instrument, order, with_id):
    left, right = split_dataset(order, with_id)
    path = write_xlsx(tmp_path / "sx.xlsx", {
        "Dataset(1)": left, "Dataset(2)": right, "Structure": sx_sheet_rows(SX_STRUCTURE),
        "Labels": sx_sheet_rows(SX_LABELS),
    })
    raw = read_surveyxact(path)
    check_sx(raw, instrument)
    assert list(raw.frame.columns) == SX_DATASET[0]
    assert any("joined side by side" in n for n in raw.notes)


def test_surveyxact_split_dataset_that_does_not_line_up(tmp_path):
    left, right = split_dataset()
    right[2][0] = 999  # an id that Dataset(1) does not have
    path = write_xlsx(tmp_path / "sx.xlsx", {
        "Dataset(1)": left, "Dataset(2)": right, "Structure": sx_sheet_rows(SX_STRUCTURE),
        "Labels": [],
    })
    with pytest.raises(ReadError, match="does not line up") as exc:
        read_surveyxact(path)
    assert exc.value.row == 3 and exc.value.column == "respondentid"
    left, right = split_dataset(with_id=False)
    path = write_xlsx(tmp_path / "sx2.xlsx", {
        "Dataset(1)": left, "Dataset(2)": right[:2], "Structure": sx_sheet_rows(SX_STRUCTURE),
    })
    with pytest.raises(ReadError, match="does not line up"):
        read_surveyxact(path)


def test_surveyxact_workbook_without_the_sheets(tmp_path):
    path = write_xlsx(tmp_path / "x.xlsx", {"Ark1": [["a"], [1]]})
    with pytest.raises(ReadError, match="not a SurveyXact workbook") as exc:
        read_surveyxact(path)
    assert "Structure" in exc.value.expected


# --------------------------------------------------------------------------- SPSS


def write_sav(path: Path) -> Path:
    df = pd.DataFrame({
        "respondentid": ["101", "102", "103"],
        "s_1": ["Ældresagen", "Café Ø", ""],
        "s_2": [12.0, 7.0, float("nan")],
        "q12_1": [1.0, 9.0, 2.0],
        "s_3_1": [1.0, 0.0, 1.0],
        "s_3_2": [0.0, 0.0, 1.0],
        "dato": [dt.date(2025, 1, 2), None, dt.date(2025, 3, 4)],
        "x_andet": [1.5, 2.25, 3.0],
    })
    pyreadstat.write_sav(
        df, str(path),
        column_labels={"s_1": Q_FORENING, "q12_1": f"{Q_BEHOV} - Rekruttering af frivillige",
                       "s_3_1": f"{Q_AKTIVITETER} - Café",
                       "s_3_2": f"{Q_AKTIVITETER} - Samtalegrupper"},
        variable_value_labels={"q12_1": {1: "I høj grad", 2: "I nogen grad", 9: "Ved ikke"},
                               "s_3_1": {0: "Ikke valgt", 1: "Valgt"},
                               "s_3_2": {0: "Ikke valgt", 1: "Valgt"}},
        missing_ranges={"q12_1": [9]},
    )
    return path


def test_spss(tmp_path, instrument):
    path = write_sav(tmp_path / "data.sav")
    assert detect_format(path) == "spss"
    raw = read_export(path)
    assert raw.format == "spss" and raw.row_numbers == [1, 2, 3]
    assert values(raw, "q12_1") == ["I høj grad", "Ved ikke", "I nogen grad"]
    assert raw.user_missing == {"q12_1": ["9"]}
    assert raw.value_labels["q12_1"] == {"1": "I høj grad", "2": "I nogen grad", "9": "Ved ikke"}
    assert values(raw, "s_2") == ["12", "7", None]
    assert values(raw, "s_1") == ["Ældresagen", "Café Ø", None]
    assert values(raw, "dato") == ["2025-01-02", None, "2025-03-04"]
    assert values(raw, "x_andet") == ["1.5", "2.25", "3"]
    assert values(raw, "s_3_1") == ["Valgt", "Ikke valgt", "Valgt"]
    assert raw.multi_columns == {"s_3_1": ("s_3", "1"), "s_3_2": ("s_3", "2")}
    assert raw.metadata == {"respondentid": "respondent_id"}
    assert raw.column_labels["s_1"] == Q_FORENING
    m = match_columns(raw, instrument)
    by = m.by_column
    assert by["q12_1"].how == "sx" and by["s_3_2"] == ColumnMatch("s_3_2", "aktiviteter", "2",
                                                                  "sx")
    assert m.unmatched == ["dato", "x_andet"]


def test_spss_label_text_matching_without_sx(tmp_path):
    inst = dict(INSTRUMENT)
    inst["sections"] = [{**s, "items": [{k: v for k, v in it.items() if k != "sx"}
                                        for it in s["items"]]} for s in INSTRUMENT["sections"]]
    raw = read_spss(write_sav(tmp_path / "data.sav"))
    m = match_columns(raw, parse_instrument(inst))
    by = m.by_column
    assert by["s_1"] == ColumnMatch("s_1", "forening", None, "text")
    assert by["q12_1"] == ColumnMatch("q12_1", "behov_frivillige", None, "grid")
    assert by["s_3_2"] == ColumnMatch("s_3_2", "aktiviteter", "2", "option")


@pytest.mark.parametrize("content", [b"$FL2" + b"\x00" * 40, b"not spss at all"])
def test_broken_spss(tmp_path, content):
    path = tmp_path / "x.sav"
    path.write_bytes(content)
    with pytest.raises(ReadError, match="SPSS") as exc:
        read_export(path)
    assert Path(exc.value.file) == path and "SPSS" in str(exc.value)


# --------------------------------------------------------------------------- provenance


def _every_format(tmp_path: Path) -> list[Path]:
    return [
        write_text(tmp_path / "a.csv", ROWS, delimiter=";", encoding="cp1252"),
        write_xlsx(tmp_path / "ms.xlsx", {"Sheet1": ms_rows(MS_EN)}),
        write_text(tmp_path / "g.csv", google_rows()),
        write_sav(tmp_path / "d.sav"),
        write_sx_trio(tmp_path / "sx", encoding="utf-16-le", delimiter="\t", bom=True)
        / "dataset.csv",
    ]


def test_provenance_and_raw_files_untouched(tmp_path):
    for path in _every_format(tmp_path):
        siblings = sorted(path.parent.glob("*.csv")) if path.parent.name == "sx" else [path]
        before = {p: fingerprint(p) for p in siblings}
        os.chmod(path, 0o444)  # read-only: any attempt to write would fail
        raw = read_export(path)
        assert raw.provenance.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
        assert raw.provenance.file == str(path)
        assert raw.provenance.rows == len(raw.frame) == len(raw.row_numbers)
        assert {p: fingerprint(p) for p in siblings} == before
        d = raw.provenance.to_dict()
        assert d["sha256"] == raw.provenance.sha256 and d["format"] == raw.format


def test_reading_twice_gives_equal_frames(tmp_path):
    path = write_xlsx(tmp_path / "ms.xlsx", {"Sheet1": ms_rows(MS_DA)})
    a, b = read_export(path), read_export(path)
    pd.testing.assert_frame_equal(a.frame, b.frame)
    assert a.provenance == b.provenance


# --------------------------------------------------------------------------- matching


def raw_from(tmp_path: Path, header: list[str], name: str = "m.csv") -> RawExport:
    return read_csv_any(write_text(tmp_path / name, [header, ["x"] * len(header)]))


def test_match_by_sx_is_case_insensitive(tmp_path, instrument):
    raw = raw_from(tmp_path, ["S_1", "Q12_1", "k_1", "S_3_2", "ukendt"])
    m = match_columns(raw, instrument)
    assert [(c.column, c.item_id, c.option, c.how) for c in m.matches] == [
        ("S_1", "forening", None, "sx"), ("Q12_1", "behov_frivillige", None, "sx"),
        ("k_1", "kommentar", None, "sx"), ("S_3_2", "aktiviteter", "2", "sx"),
    ]
    assert m.unmatched == ["ukendt"]


def test_match_by_item_id(tmp_path, instrument):
    raw = raw_from(tmp_path, ["Forening", "aktiviteter_raadgivning", "aktiviteter_2", "kommentar"])
    m = match_columns(raw, instrument)
    assert [(c.column, c.item_id, c.option, c.how) for c in m.matches] == [
        ("Forening", "forening", None, "id"), ("aktiviteter_raadgivning", "aktiviteter",
                                               "raadgivning", "id"),
        ("aktiviteter_2", "aktiviteter", "2", "id"), ("kommentar", "kommentar", None, "id"),
    ]


@pytest.mark.parametrize("variant", [
    "hvilken forening svarer du for", "  HVILKEN   forening svarer du for?? ",
    "Hvilken forening, svarer du for.", "Hvilken\u00a0forening svarer du for?",
])
def test_match_by_text_variants(tmp_path, instrument, variant):
    m = match_columns(raw_from(tmp_path, [variant]), instrument)
    assert m.matches == [ColumnMatch(variant, "forening", None, "text")]


def test_match_options_grids_and_metadata(tmp_path, instrument):
    header = [
        "Email", f"{Q_AKTIVITETER} - Café", f"{Q_AKTIVITETER} [Rådgivning, juridisk]",
        f"{Q_BEHOV} - Rekruttering af frivillige", f"{Q_TILFREDS}.Lokaler",
        "hvor tilfreds er foreningen med lokalerne? (2)", "Noget helt andet",
    ]
    m = match_columns(raw_from(tmp_path, header), instrument)
    by = m.by_column
    assert by[header[1]] == ColumnMatch(header[1], "aktiviteter", "1", "option")
    assert by[header[2]] == ColumnMatch(header[2], "aktiviteter", "raadgivning", "option")
    assert by[header[3]].item_id == "behov_frivillige" and by[header[3]].how == "grid"
    assert by[header[4]] == ColumnMatch(header[4], "tilf_lokaler", None, "grid")
    assert m.metadata == {"Email": "email"}
    assert m.unmatched == [header[5], "Noget helt andet"]


def test_two_columns_for_one_item_is_an_error(tmp_path, instrument):
    raw = raw_from(tmp_path, ["k_1", Q_KOMMENTAR])
    with pytest.raises(ReadError, match="all match item 'kommentar'") as exc:
        match_columns(raw, instrument)
    assert exc.value.column == Q_KOMMENTAR


def test_column_matching_two_items_is_an_error(tmp_path):
    inst = parse_instrument({
        "instrument": "dobbelt", "title": "Dobbelt",
        "sections": [{"id": "a", "title": "A", "items": [
            {"id": "x", "text": "Hvem er I?", "type": "text"},
            {"id": "y", "text": "Hvem er I", "type": "text"},
        ]}],
    })
    with pytest.raises(ReadError, match=r"several items \(x, y\)") as exc:
        match_columns(raw_from(tmp_path, ["hvem er i"]), inst)
    assert exc.value.column == "hvem er i"
    # ...but as many columns as items with that text are paired in order.
    m = match_columns(raw_from(tmp_path, ["Hvem er I?", "Hvem er I?"], "p.csv"), inst)
    assert [(c.column, c.item_id) for c in m.matches] == [("Hvem er I?", "x"),
                                                          ("Hvem er I? (2)", "y")]


def test_grid_rows_shared_by_batteries_need_a_question(tmp_path, instrument):
    with pytest.raises(ReadError, match="several items") as exc:
        match_columns(raw_from(tmp_path, ["Noget andet [Lokaler]"]), instrument)
    assert exc.value.column == "Noget andet [Lokaler]"


def test_grid_conflict_goes_to_the_best_question(tmp_path, instrument):
    header = [f"{Q_BEHOV} [Lokaler]", "Hvor tilfreds er foreningen med følgende? [Lokaler]",
              "Hvor tilfreds er I med os? [Lokaler]"]
    m = match_columns(raw_from(tmp_path, header), instrument)
    assert m.by_column[header[1]].item_id == "tilf_lokaler"
    assert m.unmatched == [header[2]]


def test_quiz_columns_outside_msforms(tmp_path, instrument):
    m = match_columns(raw_from(tmp_path, [Q_FRIVILLIGE, f"Points - {Q_FRIVILLIGE}"]),
                      instrument)
    assert m.metadata == {f"Points - {Q_FRIVILLIGE}": "points"}
    assert m.by_column[Q_FRIVILLIGE].item_id == "frivillige"


def test_match_columns_does_not_mutate(tmp_path, instrument):
    raw = read_export(write_text(tmp_path / "g.csv", google_rows()))
    before = (raw.frame.copy(), dict(raw.metadata), dict(raw.multi_columns))
    match_columns(raw, instrument)
    pd.testing.assert_frame_equal(raw.frame, before[0])
    assert (raw.metadata, raw.multi_columns) == before[1:]


# --------------------------------------------------------------------------- helpers


def test_option_selected():
    assert [option_selected(v) for v in ("Valgt", "1", "1.0", " valgt ", "Selected")] == [
        True] * 5
    assert [option_selected(v) for v in ("Ikke valgt", "0", "not selected")] == [False] * 3
    assert [option_selected(v) for v in (pd.NA, None, float("nan"), "måske")] == [None] * 4


def test_docstring_examples():
    import fslt_survey.ingest.readers
    import fslt_survey.ingest.text

    for module in (fslt_survey.ingest.readers, fslt_survey.ingest.text):
        assert doctest.testmod(module).failed == 0


def test_small_helpers():
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]
    assert [canonical_code(v) for v in (1, 1.0, "1.00", " 9 ", "A1", "2.5")] == [
        "1", "1", "1", "9", "A1", "2.5"]
