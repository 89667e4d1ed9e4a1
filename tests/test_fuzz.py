"""Property-based fuzzing of the readers and the cleaner (hypothesis).

Invariants, for any input:

- the only exception is the documented one: :class:`~fslt_survey.errors.SurveyDataError`
  (``ReadError``, ``CleaningError``);
- no raw row is lost: every record of a file the reader accepts is in the frame with its row
  number, and cleaning accounts for every record (kept, or excluded with a reason);
- no category is invented: a clean value is exactly the scale label the raw text or code means,
  a ticked option was ticked in the raw data, a number is the number written (within range);
- cleaning is idempotent: the same input gives the same table, and cleaning the clean table
  written back as an export gives the same table again.

``max_examples`` is kept moderate so the module runs in well under a minute.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import random

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from fslt_survey import config
from fslt_survey.clean import clean_exports, parse_danish_number
from fslt_survey.errors import SurveyDataError
from fslt_survey.ingest import Provenance, RawExport, read_export
from fslt_survey.ingest.workbook import cell_text
from fslt_survey.privacy import scan_for_personal_data

#: ``FSLT_FUZZ_EXAMPLES=2000 pytest tests/test_fuzz.py`` fuzzes harder, with fresh random
#: examples; by default every run tries the same moderate set (reproducible in CI).
HARD = int(os.environ.get("FSLT_FUZZ_EXAMPLES", "0") or 0)
SETTINGS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=not HARD,
)


def fuzz(n: int) -> settings:
    return settings(SETTINGS, max_examples=HARD or n)
DANISH = "abcdefghijklmnopqrstuvwxyzæøåABCDEFGHIJKLMNOPQRSTUVWXYZÆØÅé0123456789 .-_!?()/§'"


@pytest.fixture(scope="module")
def member(member_instrument):
    return member_instrument


def _is_na(v: object) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))


# --------------------------------------------------------------------------- CSV readers


NAME = st.text(alphabet=DANISH, min_size=1, max_size=12).filter(lambda s: s.strip() != "")
CELL = st.one_of(
    st.just(""), st.just("  "),
    st.text(alphabet=DANISH + '"\n', max_size=20),
)


@st.composite
def tables(draw):
    """A header of distinct names and records of cells (some blank, some with quotes/newlines)."""
    header = draw(st.lists(NAME, min_size=2, max_size=6, unique=True))
    rows = draw(st.lists(st.lists(CELL, min_size=len(header), max_size=len(header)),
                         max_size=8))
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    newline = draw(st.sampled_from(["\r\n", "\n"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "utf-16-le",
                                     "utf-16-be"]))
    cells = draw(st.lists(st.sampled_from([delimiter, " "]), min_size=0, max_size=3))
    rows = [[c + "".join(cells) if c.strip() else c for c in r] for r in rows]
    return header, rows, delimiter, quoting, newline, encoding


def encode_table(header, rows, delimiter, quoting, newline, encoding) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, quoting=quoting, lineterminator=newline)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode(encoding)


@fuzz(100)
@given(table=tables())
def test_csv_reader_keeps_every_record_and_value(table, tmp_path_factory):
    header, rows, delimiter, *_ = table
    path = tmp_path_factory.mktemp("csv") / "svar.csv"
    path.write_bytes(encode_table(*table))
    raw = read_export(path)
    assert raw.format == "csv" and raw.provenance.delimiter == delimiter
    assert list(raw.frame.columns) == header
    kept = [(i + 2, r) for i, r in enumerate(rows) if any(c.strip() for c in r)]
    assert raw.row_numbers == [n for n, _ in kept]
    for k, (_, r) in enumerate(kept):
        got = raw.frame.iloc[k].tolist()
        want = [c if c.strip() else None for c in r]
        assert [None if _is_na(g) else g for g in got] == want
    assert hashlib.sha256(path.read_bytes()).hexdigest() == raw.provenance.sha256


MUTATIONS = st.lists(
    st.tuples(st.sampled_from(["insert", "delete", "flip", "truncate", "nul", "bom", "quote"]),
              st.integers(0, 10_000),
              st.one_of(st.binary(min_size=1, max_size=4),
                        st.sampled_from([b";", b",", b"\t", b"\r\n", b'"', b"\xe6", b"\xc3\xa6",
                                         b"\xff", b" ", b"\x0b"]))),
    min_size=0, max_size=3,
)
MEMBER_HEADER = ["forening", "s_1", "s_6_1", "s_4", "s_31", "s_7"]
MEMBER_CELL = st.sampled_from([
    "Lyngby Seniorklub", "Lyngby Skakklub", "F003", "Formand", "I høj grad", "Ved ikke", "2",
    "120", "1.200", "12,5", "Kurser;Netværksmøder;", "Ring 12 34 56 78", "", "x", "Æblet",
])


@st.composite
def member_tables(draw):
    """A table with the member survey's columns and plausible (and implausible) answers."""
    width = draw(st.integers(2, len(MEMBER_HEADER)))
    rows = draw(st.lists(st.lists(MEMBER_CELL, min_size=width, max_size=width), max_size=8))
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    return MEMBER_HEADER[:width], rows, delimiter, csv.QUOTE_MINIMAL, "\r\n", encoding


def mutate(data: bytes, mutations) -> bytes:
    for kind, pos, junk in mutations:
        p = pos % (len(data) + 1)
        if kind == "insert":
            data = data[:p] + junk + data[p:]
        elif kind == "delete":
            data = data[:p] + data[p + len(junk):]
        elif kind == "flip" and data:
            q = p % len(data)
            data = data[:q] + bytes([data[q] ^ junk[0]]) + data[q + 1:]
        elif kind == "truncate":
            data = data[:p]
        elif kind == "nul":
            data = data[:p] + b"\x00" + data[p:]
        elif kind == "bom":
            data = random.Random(pos).choice([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"]) + data
        else:
            data = data[:p] + b'"' + data[p:]
    return data


def check_raw_invariants(raw: RawExport) -> None:
    assert len(raw.frame) == len(raw.row_numbers) == raw.provenance.rows
    assert raw.row_numbers == sorted(set(raw.row_numbers))
    assert all(n >= 2 for n in raw.row_numbers)
    for col in raw.frame.columns:
        assert all(_is_na(v) or isinstance(v, str) for v in raw.frame[col].tolist())


def check_cleaning_accounts(raw: RawExport, instrument, registry) -> None:
    try:
        result = clean_exports(instrument, [(raw, 2025)], registry)
    except SurveyDataError as exc:
        event(f"cleaning refused: {type(exc).__name__}")
        return
    event(f"cleaned: {'some rows kept' if result.log.rows_kept else 'nothing kept'}")
    log = result.log
    assert log.rows_in == len(raw.frame) == log.rows_kept + log.rows_excluded
    rows = result.data["row"].astype(int).tolist() + [e["row"] for e in log.exclusions]
    assert sorted(rows) == sorted(raw.row_numbers)


@fuzz(120)
@given(table=st.one_of(tables(), member_tables()), mutations=MUTATIONS)
def test_csv_chaos_only_documented_errors(table, mutations, tmp_path_factory, member, registry):
    data = mutate(encode_table(*table), mutations)
    path = tmp_path_factory.mktemp("chaos") / "svar.csv"
    path.write_bytes(data)
    try:
        raw = read_export(path)
    except SurveyDataError as exc:
        assert exc.file is not None and str(exc)
        event(f"read refused: {exc.message[:40]}")
        return
    check_raw_invariants(raw)
    check_cleaning_accounts(raw, member, registry)


@fuzz(60)
@given(data=st.binary(max_size=600), suffix=st.sampled_from([".csv", ".txt", ".xlsx", ".sav"]))
def test_random_bytes_only_documented_errors(data, suffix, tmp_path_factory, member, registry):
    path = tmp_path_factory.mktemp("bytes") / f"svar{suffix}"
    path.write_bytes(data)
    try:
        raw = read_export(path)
    except SurveyDataError as exc:
        assert str(exc)
        event(f"read refused: {exc.message[:40]}")
        return
    check_raw_invariants(raw)
    check_cleaning_accounts(raw, member, registry)


# --------------------------------------------------------------------------- xlsx reader

_ILLEGAL = set(range(0x00, 0x09)) | {0x0B, 0x0C} | set(range(0x0E, 0x20))
XCELL = st.one_of(
    st.none(),
    st.text(max_size=15).map(lambda s: "".join(c for c in s if ord(c) not in _ILLEGAL
                                               and not 0xD800 <= ord(c) <= 0xDFFF)),
    st.sampled_from(["I høj grad", "Lyngby Skakklub", "=1+1", "#N/A", "  ", "Ved ikke"]),
    st.integers(-10**6, 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2040, 1, 1)),
)


@fuzz(40)
@given(
    sheets=st.lists(st.lists(st.lists(XCELL, max_size=6), max_size=7), min_size=1, max_size=3),
    member_header=st.booleans(),
)
def test_xlsx_reader_only_documented_errors_and_no_row_lost(sheets, member_header,
                                                             tmp_path_factory, member, registry):
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for k, rows in enumerate(sheets):
        ws = wb.create_sheet(f"Ark{k + 1}")
        if member_header and k == 0:
            ws.append(["forening", "s_1", "s_6_1", "s_4", "s_31", "s_7"])
        for r in rows:
            ws.append(r)
    path = tmp_path_factory.mktemp("xlsx") / "svar.xlsx"
    wb.save(path)
    try:
        raw = read_export(path)
    except SurveyDataError as exc:
        assert str(exc)
        return
    check_raw_invariants(raw)
    # every non-empty row below the header of the sheet read is a record: the rows that are
    # not records are a prefix (title rows and the header) of the sheet's non-empty rows
    from openpyxl import load_workbook

    saved = load_workbook(path, data_only=True)  # as the reader sees it: formulas have no value
    sheet = saved[raw.provenance.sheets[0]]
    filled = [i for i, row in enumerate(sheet.iter_rows(values_only=True), start=1)
              if any(cell_text(v) is not None for v in row)]
    head = [n for n in filled if n not in set(raw.row_numbers)]
    assert head == filled[: len(head)] and 1 <= len(head) <= 6
    check_cleaning_accounts(raw, member, registry)


# --------------------------------------------------------------------------- the cleaner

MEMBERS = ["Lyngby Seniorklub", "lyngby skakklub", "F003", " Virum Repair Café ", "F001"]
ASSOC = st.one_of(st.sampled_from([*MEMBERS, "Test", "Ukendt forening", "", "x@y.dk"]),
                  st.none())


def label_variants(labels: list[str]) -> st.SearchStrategy[str]:
    return st.sampled_from(labels).flatmap(
        lambda s: st.sampled_from([s, s.upper(), f"  {s} ", s.lower()]))


@st.composite
def answer_frames(draw, instrument):
    """A raw export of the member survey: labels, codes, junk and blanks in every item type."""
    rolle = instrument.item("rolle").scale
    grad = instrument.item("behov_rekruttering").scale
    tilbud = instrument.item("kendskab_tilbud").scale
    junk = st.sampled_from(["?", "x", "Meget høj grad", "99", "-", "Ved ikke/ikke relevant"])
    choice = lambda scale: st.one_of(  # noqa: E731
        st.none(), label_variants([lab.label for lab in scale.labels]),
        st.sampled_from([str(lab.code) for lab in scale.labels]), junk)
    number = st.one_of(st.none(), st.integers(-50, 30000).map(str),
                       st.sampled_from(["1.200", "12,5", "1 200", "mange", "Ved ikke", "3.0"]))
    multi = st.one_of(
        st.none(),
        st.lists(st.sampled_from([lab.label for lab in tilbud.labels] + ["Andet"]),
                 max_size=4).map(lambda xs: "".join(f"{x};" for x in xs)),
    )
    tick = st.sampled_from([None, "0", "1", "Valgt", "Ikke valgt", "ja", "2"])
    text = st.one_of(st.none(), st.text(max_size=25),
                     st.sampled_from(["Ring 12 34 56 78", "mail: a.b@c.dk", "cpr 010190-1234"]))
    n = draw(st.integers(0, 8))
    rows = []
    for _ in range(n):
        rows.append({
            "forening": draw(ASSOC), "s_1": draw(choice(rolle)), "s_6_1": draw(choice(grad)),
            "s_4": draw(number), "kendskab_tilbud": draw(multi), "s_8_1": draw(tick),
            "s_8_3": draw(tick), "s_31": draw(text),
        })
    frame = pd.DataFrame(rows, columns=["forening", "s_1", "s_6_1", "s_4", "kendskab_tilbud",
                                        "s_8_1", "s_8_3", "s_31"], dtype="object")
    return frame.where(frame.notna(), pd.NA)


def as_export(frame: pd.DataFrame) -> RawExport:
    data = frame.to_csv(index=False).encode()
    prov = Provenance("svar.csv", hashlib.sha256(data).hexdigest(), len(frame), "csv")
    return RawExport(frame=frame.copy(), row_numbers=list(range(2, len(frame) + 2)),
                     provenance=prov, format="csv", multi_separator=";")


def written_back(clean: pd.DataFrame, instrument) -> pd.DataFrame:
    """The clean table written back as an export of labels (the cleaner's own output)."""
    tilbud = instrument.item("kendskab_tilbud")
    brug = instrument.item("brug_tilbud")
    rows = []
    for _, r in clean.iterrows():
        row: dict = {"forening": r["association_id"]}
        for col, item_id in (("s_1", "rolle"), ("s_6_1", "behov_rekruttering")):
            item = instrument.item(item_id)
            value, reason = r[item.id], r[item.missing_column]
            row[col] = (str(value) if pd.notna(value) else
                        reason if pd.notna(reason) and reason != config.NOT_ANSWERED else None)
        value, reason = r["medlemmer"], r["medlemmer__missing"]
        row["s_4"] = (f"{value:g}" if pd.notna(value) else
                      reason if pd.notna(reason) and reason != config.NOT_ANSWERED else None)
        chosen = [lab.label for lab in tilbud.scale.substantive
                  if r[tilbud.option_column(lab)] is True]
        reason = r[tilbud.missing_column]
        if pd.notna(reason):
            row["kendskab_tilbud"] = None if reason == config.NOT_ANSWERED else reason
        else:  # answered; ";" alone is an answer that ticks nothing
            row["kendskab_tilbud"] = "".join(f"{x};" for x in chosen) or ";"
        for code in ("1", "3"):
            lab = brug.scale.by_code(code)
            v = r[brug.option_column(lab)]
            row[f"s_8_{code}"] = None if pd.isna(v) else ("1" if v else "0")
        row["s_31"] = None if pd.isna(r["stoerste_udfordring"]) else r["stoerste_udfordring"]
        rows.append(row)
    frame = pd.DataFrame(rows, columns=["forening", "s_1", "s_6_1", "s_4", "kendskab_tilbud",
                                        "s_8_1", "s_8_3", "s_31"], dtype="object")
    return frame.where(frame.notna(), pd.NA)


ITEM_COLUMNS = ["association_id", "rolle", "rolle__missing", "behov_rekruttering",
                "behov_rekruttering__missing", "medlemmer", "medlemmer__missing",
                "stoerste_udfordring"]


@fuzz(30)
@given(data=st.data())
def test_cleaner_invariants(data, member, registry):
    inst = member
    frame = data.draw(answer_frames(inst))
    before = frame.copy()
    raw = as_export(frame)
    result = clean_exports(inst, [(raw, 2025)], registry)  # policy "warn": never refused
    pd.testing.assert_frame_equal(frame, before)  # input untouched
    log = result.log
    event(f"kept {min(log.rows_kept, 3)}+ rows, {min(len(log.unknown_values), 3)}+ unknown")
    # no raw row lost
    assert log.rows_in == len(frame) == log.rows_kept + log.rows_excluded
    rows = result.data["row"].astype(int).tolist() + [e["row"] for e in log.exclusions]
    assert sorted(rows) == raw.row_numbers
    # no category invented
    by_row = frame.set_axis(raw.row_numbers)
    for col, item_id in (("s_1", "rolle"), ("s_6_1", "behov_rekruttering")):
        scale = inst.item(item_id).scale
        assert list(result.data[item_id].cat.categories) == list(scale.categories)
        for r, value in zip(result.data["row"], result.data[item_id], strict=True):
            if pd.isna(value):
                continue
            text = by_row.loc[r, col]
            lab = scale.match(text) or scale.by_code(str(text).strip())
            assert lab is not None and lab.label == value and not lab.missing
    for r, value in zip(result.data["row"], result.data["medlemmer"], strict=True):
        if pd.notna(value):
            assert value == parse_danish_number(by_row.loc[r, "s_4"]) and 0 <= value <= 20000
    tilbud = inst.item("kendskab_tilbud")
    for lab in tilbud.scale.substantive:
        for r, ticked in zip(result.data["row"], result.data[tilbud.option_column(lab)],
                             strict=True):
            if ticked is True:
                assert lab.label.casefold() in str(by_row.loc[r, "kendskab_tilbud"]).casefold()
    for value in result.data["stoerste_udfordring"].dropna():
        assert not scan_for_personal_data(value)
    # idempotent: the same input gives the same table, and so does the table written back
    again = clean_exports(inst, [(as_export(frame), 2025)], registry)
    pd.testing.assert_frame_equal(again.data, result.data)
    assert again.log.to_dict() == log.to_dict()
    back = clean_exports(inst, [(as_export(written_back(result.data, inst)), 2025)], registry)
    cols = [*ITEM_COLUMNS, *(c for c in result.data.columns if c.startswith("kendskab_tilbud__"))]
    pd.testing.assert_frame_equal(back.data[cols].reset_index(drop=True),
                                  result.data[cols].reset_index(drop=True))


@fuzz(25)
@given(data=st.data())
def test_cleaner_strict_policy_refuses_with_the_documented_error(data, member, registry):
    frame = data.draw(answer_frames(member))
    try:
        result = clean_exports(member, [(as_export(frame), 2025)], registry, policy="fail")
    except SurveyDataError as exc:
        assert exc.problems and all("row " in p and "column " in p for p in exc.problems
                                    if not p.startswith("..."))
        return
    assume(len(frame) > 0)
    assert not result.log.unknown_values and not result.log.out_of_range
