"""Property-based fuzzing of the readers and the cleaner (hypothesis).

Invariants, for any input:

- the only exception is the documented one: :class:`~fslt_survey.errors.SurveyDataError`
  (``ReadError``, ``CleaningError``), and a refusal is checked, not taken on trust: its reason
  must be one of the documented ones (``READ_REFUSALS``, the cleaner's "no column matches" and
  "no column holds the association", the strict policy's unknown labels) *and* be true of the
  input, judged independently of the library; well-formed input must be accepted;
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
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from fslt_survey import config
from fslt_survey.clean import clean_exports, parse_danish_number
from fslt_survey.errors import CleaningError, SurveyDataError
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


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _utf16(data: bytes) -> bool:
    """Valid UTF-16 in the byte order its BOM names (without a BOM: in either order)."""
    if data.startswith(b"\xff\xfe"):
        return _decodes(data[2:], "utf-16-le")
    if data.startswith(b"\xfe\xff"):
        return _decodes(data[2:], "utf-16-be")
    return _decodes(data, "utf-16-le") or _decodes(data, "utf-16-be")


#: Every reason the readers give for refusing a file, with what must be true of the bytes (or the
#: suffix) for that reason to be honest. A refusal whose reason is not here, or whose condition is
#: false of the bytes, fails the test.
READ_REFUSALS = {
    "the file is empty": lambda d, s: d == b"",
    "the file holds only blank text": lambda d, s: any(
        _decodes(d, e) and not d.decode(e).strip() for e in ("utf-8-sig", "utf-16", "cp1252")),
    "the file contains NUL bytes": lambda d, s: b"\x00" in d,
    "the UTF-16 text is cut off": lambda d, s: len(d) % 2 == 1,
    "the file is not valid UTF-16 text": lambda d, s: not _utf16(d),
    "the text contains NUL characters": lambda d, s: b"\x00\x00" in d,
    "the file mixes text encodings": lambda d, s: not _decodes(d, "utf-8")
    and re.search(rb"[\xc2-\xf4][\x80-\xbf]", d) is not None,
    "neither UTF-8 nor Windows-1252": lambda d, s: not _decodes(d, "utf-8")
    and not _decodes(d, "cp1252"),
    "the file looks binary": lambda d, s: re.search(rb"[\x01-\x08\x0e-\x1f]", d) is not None,
    "not an xlsx workbook": lambda d, s: s == ".xlsx",
    # a zip signature makes any file a workbook, whatever its name
    "the workbook is truncated or corrupt": lambda d, s: s == ".xlsx"
    or d.startswith(b"PK\x03\x04"),
    "not an SPSS .sav file": lambda d, s: s == ".sav",
    "a quote is never closed": lambda d, s: b'"' in d,
    "expected after '\"'": lambda d, s: b'"' in d,
    "more fields than the header": lambda d, s: d.count(b"\n") >= 1,
}
#: Refusals of something at one place in the text: the error must name its row.
LOCATED_REFUSALS = {"the file contains NUL bytes", "the text contains NUL characters",
                    "the file mixes text encodings", "neither UTF-8 nor Windows-1252",
                    "the file is not valid UTF-16 text", "a quote is never closed",
                    "expected after '\"'", "more fields than the header"}


def check_read_refusal(exc: SurveyDataError, data: bytes, suffix: str) -> None:
    """The refusal names the file and gives a documented reason that is true of the bytes."""
    assert exc.file is not None and str(exc)
    reasons = [r for r in READ_REFUSALS if r in exc.message]
    assert reasons, f"undocumented refusal: {exc}"
    assert any(READ_REFUSALS[r](data, suffix) for r in reasons), f"not borne out: {exc} {data!r}"
    if any(r in LOCATED_REFUSALS for r in reasons):  # a place in the text: the row is named
        lines = data.count(b"\n") + data.count(b"\r") + 2
        assert exc.row is not None and 1 <= exc.row <= lines, f"no row in: {exc}"
        assert f"row {exc.row}" in str(exc), exc
    if "more fields than the header" in reasons:
        assert exc.column is not None and f"column {exc.column!r}" in str(exc), exc
    event(f"read refused: {reasons[0]}")


def check_read_acceptance(raw: RawExport, data: bytes) -> None:
    """What an accepted text file must be: not empty, decodable as the reader says, no NUL."""
    assert data != b""
    encoding = raw.provenance.encoding
    assert encoding is not None and _decodes(data, encoding), encoding
    assert "\x00" not in data.decode(encoding)
    check_raw_invariants(raw)


def _name(header: object) -> str:
    return " ".join(str(header).split()).casefold()


def check_cleaning_accounts(raw: RawExport, instrument, registry, *, must_clean: bool) -> None:
    """Cleaning refuses exactly the exports with records but no question column or no association
    column (judged from the header and the instrument's names; an export without records is never
    refused), and accounts for every row of the others."""
    names = {_name(c) for c in raw.frame.columns}
    assoc = instrument.association_item
    assoc_names = {_name(x) for x in (assoc.id, assoc.sx, assoc.text) if x}
    question_names = {_name(x) for it in instrument.items if it is not assoc
                      for x in (it.id, it.sx, it.text) if x}
    try:
        result = clean_exports(instrument, [(raw, 2025)], registry)
    except CleaningError as exc:
        assert not must_clean, f"a well-formed export was refused: {exc}"
        assert len(raw.frame) > 0, f"an export without records was refused: {exc}"
        if "no column matches a question" in exc.message:
            assert not names & question_names, (names & question_names, exc)
        elif "no column holds the association" in exc.message:
            assert not names & assoc_names and names & question_names, exc
        else:
            pytest.fail(f"undocumented cleaning refusal: {exc}")
        event(f"cleaning refused: {exc.message[:30]}")
        return
    if len(raw.frame):
        assert names & assoc_names and names & question_names, names
    event(f"cleaned: {'some rows kept' if result.log.rows_kept else 'nothing kept'}")
    log = result.log
    assert log.rows_in == len(raw.frame) == log.rows_kept + log.rows_excluded
    rows = result.data["row"].astype(int).tolist() + [e["row"] for e in log.exclusions]
    assert sorted(rows) == sorted(raw.row_numbers)


@fuzz(120)
@given(table=st.one_of(tables(), member_tables()), mutations=MUTATIONS)
def test_csv_chaos_refuses_for_a_true_reason_and_accepts_the_rest(
        table, mutations, tmp_path_factory, member, registry):
    """A well-formed table is read (and, with the member survey's columns, cleaned); damaged
    bytes are either read, and then decode as the reader says, or refused for a documented
    reason that is true of the bytes."""
    data = mutate(encode_table(*table), mutations)
    path = tmp_path_factory.mktemp("chaos") / "svar.csv"
    path.write_bytes(data)
    try:
        raw = read_export(path)
    except SurveyDataError as exc:
        assert mutations, f"a well-formed table was refused: {exc}"
        check_read_refusal(exc, data, ".csv")
        return
    check_read_acceptance(raw, data)
    well_formed_member = not mutations and table[0][:2] == MEMBER_HEADER[:2]
    check_cleaning_accounts(raw, member, registry, must_clean=well_formed_member)


@fuzz(60)
@given(data=st.binary(max_size=600), suffix=st.sampled_from([".csv", ".txt", ".xlsx", ".sav"]))
def test_random_bytes_refused_for_a_true_reason(data, suffix, tmp_path_factory, member,
                                                registry):
    """Random bytes are never a workbook or an SPSS file; as text they are read only when they
    decode, and otherwise refused for a documented reason that is true of them."""
    path = tmp_path_factory.mktemp("bytes") / f"svar{suffix}"
    path.write_bytes(data)
    try:
        raw = read_export(path)
    except SurveyDataError as exc:
        check_read_refusal(exc, data, suffix)
        return
    assert suffix in (".csv", ".txt"), f"random bytes accepted as {suffix}"
    check_read_acceptance(raw, data)
    check_cleaning_accounts(raw, member, registry, must_clean=False)


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


def check_xlsx_refusal(exc: SurveyDataError, path, member_header: bool) -> None:
    """A workbook is refused only when no sheet holds a value (as a reader sees it: formulas
    without a cached value are empty), and never when it has the member survey's header."""
    from openpyxl import load_workbook

    assert not member_header, f"a workbook with a header row was refused: {exc}"
    assert "every sheet is empty" in exc.message, f"undocumented refusal: {exc}"
    book = load_workbook(path, data_only=True)
    assert not any(cell_text(v) is not None for ws in book.worksheets
                   for row in ws.iter_rows(values_only=True) for v in row), exc
    event("read refused: every sheet is empty")


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
        check_xlsx_refusal(exc, path, member_header)
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
    check_cleaning_accounts(raw, member, registry, must_clean=False)


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
def test_cleaner_strict_policy_refuses_exactly_the_unknown_labels(data, member, registry):
    """Under policy "fail" every problem names a row and column whose raw value is quoted and is
    no label, alias or code of the item's scale; an accepted export has no such value in the
    single-choice columns of the rows it kept."""
    frame = data.draw(answer_frames(member))
    raw = as_export(frame)
    by_row = frame.set_axis(raw.row_numbers)
    valid = {col: _scale_words(member.item(item_id).scale)
             for col, item_id in (("s_1", "rolle"), ("s_6_1", "behov_rekruttering"))}
    try:
        result = clean_exports(member, [(raw, 2025)], registry, policy="fail")
    except SurveyDataError as exc:
        event("refused")
        problems = [p for p in exc.problems if not p.startswith("...")]
        assert problems
        for problem in problems:
            found = re.search(r"row (\d+), column '([^']+)': '(.*)' \(expected", problem)
            assert found, problem
            row, column, value = int(found[1]), found[2], found[3]
            assert column in frame.columns and row in by_row.index, problem
            assert str(by_row.loc[row, column]).strip() == value.strip(), problem
            if column in valid:
                assert value.strip().casefold() not in valid[column], problem
        return
    event(f"accepted, {result.log.rows_kept} kept")
    assert not result.log.unknown_values and not result.log.out_of_range
    for row in result.data["row"].astype(int):
        for column, words in valid.items():
            value = by_row.loc[row, column]
            assert _is_na(value) or str(value).strip().casefold() in words, (row, column, value)


def _scale_words(scale) -> set[str]:
    """Every label, alias and code of a scale, as written in a raw export (case-folded)."""
    return {w.casefold() for lab in scale.labels
            for w in (lab.label, str(lab.code), *lab.aliases)}
