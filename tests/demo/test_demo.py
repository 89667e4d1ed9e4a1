"""The demo generator: determinism, committed files, formats, planted cases and the model."""

from __future__ import annotations

import csv
import io
import time
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from fslt_survey import config, demo
from fslt_survey.clean import match_columns
from fslt_survey.codebook import normalise
from fslt_survey.demo import DEMO_CASES, DEMO_SUMMARY, MSF25, SX25, SX27
from fslt_survey.ingest import read_export

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


# --------------------------------------------------------------------------- fixtures/helpers


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> tuple[Path, list[Path]]:
    out = tmp_path_factory.mktemp("demo_a")
    return out, demo.write_demo(out)


@pytest.fixture(scope="module")
def build():
    return demo.build_demo()


def _sx_rows(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    if raw.startswith(b"\xff\xfe"):
        text, delim = raw.decode("utf-16"), "\t"
    else:
        text, delim = raw.decode("cp1252"), ";"
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))


def _xlsx_rows(path: Path) -> list[tuple]:
    wb = openpyxl.load_workbook(path)
    return list(wb["Sheet1"].iter_rows(values_only=True))


def _cell(out: Path, case: demo.DemoCase) -> tuple[object, object]:
    """(id, value) of a case's row and column as read from the file."""
    path = out / case.file
    rows = _sx_rows(path) if path.suffix == ".csv" else _xlsx_rows(path)
    header, row = rows[0], rows[case.row - 1]
    value = row[list(header).index(case.column)] if case.column is not None else None
    return row[0], value


def _codes(df: pd.DataFrame, member_instrument, item_id: str) -> pd.Series:
    scale = member_instrument.item(item_id).scale
    lut = {lab.label: (np.nan if lab.missing else float(lab.code)) for lab in scale.labels}
    return df[item_id].astype(object).map(lut).astype(float)


# --------------------------------------------------------------------------- determinism


def test_two_runs_give_identical_bytes(written, tmp_path):
    out_a, paths_a = written
    paths_b = demo.write_demo(tmp_path)
    rel_a = [p.relative_to(out_a) for p in paths_a]
    assert rel_a == [p.relative_to(tmp_path) for p in paths_b]
    for rel in rel_a:
        assert (out_a / rel).read_bytes() == (tmp_path / rel).read_bytes(), rel


def test_committed_demo_equals_a_fresh_generation(written):
    out, paths = written
    # the demo analyst's approved quotes (citater.yml) are curated by hand, not generated
    committed = sorted(p.relative_to(config.DEMO_DIR) for p in config.DEMO_DIR.rglob("*")
                       if p.is_file() and p.name != "citater.yml")
    assert committed == sorted(p.relative_to(out) for p in paths), (
        "surveys/demo/ differs from write_demo(); run `python -m fslt_survey.demo`")
    for rel in committed:
        assert (config.DEMO_DIR / rel).read_bytes() == (out / rel).read_bytes(), (
            f"{rel} differs from a fresh generation; run `python -m fslt_survey.demo`")


def test_demo_is_small(written):
    _, paths = written
    assert sum(p.stat().st_size for p in paths) < 500_000


def test_xlsx_metadata_and_zip_entries_are_fixed(written):
    out, _ = written
    wb = openpyxl.load_workbook(out / MSF25)
    assert wb.properties.created == wb.properties.modified
    assert wb.properties.created.year == 2025
    with zipfile.ZipFile(out / MSF25) as zf:
        assert {i.date_time for i in zf.infolist()} == {demo_writers_zip_time()}


def demo_writers_zip_time() -> tuple[int, ...]:
    from fslt_survey.demo.writers import ZIP_DATE_TIME

    return ZIP_DATE_TIME


def test_cases_and_summary_are_what_build_demo_plants(build):
    assert tuple(build.cases) == DEMO_CASES
    assert demo.demo_summary(build) == DEMO_SUMMARY


# --------------------------------------------------------------------------- formats


def test_row_counts(written):
    out, _ = written
    for file, expected in DEMO_SUMMARY.items():
        if file == "associations":
            continue
        path = out / file
        n = len(_sx_rows(path)) - 1 if path.suffix == ".csv" else len(_xlsx_rows(path)) - 1
        assert n == expected["rows"], file
    assert DEMO_SUMMARY["associations"] == {"2025": 70, "2027": 65, "both": 50}


def test_encodings(written):
    out, _ = written
    for name in ("dataset.csv", "structure.csv", "labels.csv"):
        b25 = (out / "medlemsundersoegelse/2025" / name).read_bytes()
        with pytest.raises(UnicodeDecodeError, match="'utf-8' codec can't decode"):
            b25.decode("utf-8")
        text = b25.decode("cp1252")
        assert all(ch in text for ch in "æøå") and "\r\n" in text
        b27 = (out / "medlemsundersoegelse/2027" / name).read_bytes()
        assert b27.startswith(b"\xff\xfe")
        text27 = b27.decode("utf-16")
        assert "\t" in text27 and "æ" in text27 and "ø" in text27


def test_surveyxact_layout(written, member_instrument):
    out, _ = written
    for wave, delim in ((2025, ";"), (2027, "\t")):
        folder = out / "medlemsundersoegelse" / str(wave)
        data = _sx_rows(folder / "dataset.csv")
        # as SurveyXact writes it: id, background variable, questions, the status group, metadata
        assert data[0][:2] == ["respondentid", "forening"]
        assert data[0][-12:] == ["stato_1", "stato_2", "stato_3", "stato_4", "stato_5", "created",
                                 "modified", "closetime", "starttime", "difftime", "email", "name"]
        header = set(data[0])
        for item in member_instrument.for_wave(wave):
            if item.type == "multi":
                assert {f"{item.sx}_{lab.code}" for lab in item.scale.substantive} <= header
            else:
                assert item.sx in header
        structure = _sx_rows(folder / "structure.csv")
        assert structure[0] == ["questionName", "variableName", "questionType", "subType",
                                "questionText", "choiceValue", "choiceText", ""]
        assert all(len(r) == 8 and r[-1] == "" for r in structure)  # the phantom column
        raw = (folder / "structure.csv").read_bytes().decode("cp1252" if wave == 2025 else
                                                               "utf-16")
        assert all(line.endswith(delim) for line in raw.split("\r\n") if line)
        types = {(r[2], r[3]) for r in structure[1:]}
        assert types == {("Closed", "Single"), ("Closed", "Multiple"), ("Open", "Double"),
                         ("Open", "String")}
        assert ["statoverall", "stato_2", "Closed", "Multiple", "Samlet status", "2",
                "Distribueret", ""] in structure
        labels = _sx_rows(folder / "labels.csv")
        assert labels[0][0] == "s_1"  # no header: the first variable's first label
        assert ["stato_4", "1", "Valgt"] in labels
        assert ["s_7_1", "0", "Ikke valgt"] in labels and ["s_7_1", "1", "Valgt"] in labels
        assert ["s_6_1", "9", "Ved ikke"] in labels
        assert ("s_11" in header) == (wave == 2027)  # centret_lettere only in 2027


def test_dataset_values_are_codes_and_skip_logic_holds(written):
    out, _ = written
    for file in (SX25, SX27):
        rows = _sx_rows(out / file)
        df = pd.DataFrame(rows[1:], columns=rows[0])
        assert set(df["s_6_1"]) <= {"", "1", "2", "3", "4", "8", "9"}
        # SurveyXact writes 0 in every option not ticked, for everybody (invitees too)
        assert set(df["s_7_1"]) == {"0", "1"} and set(df["s_21_1"]) == {"0", "1"}
        status = df[[f"stato_{k}" for k in range(1, 6)]].astype(int)
        assert (status.sum(axis=1) == 1).all()  # exactly one status per row
        code = status.to_numpy().argmax(axis=1) + 1
        assert set(code) == {2, 3, 4}
        invited = code == 2
        assert invited.sum() > len(df) / 2  # most invitees never answer
        assert (df.loc[invited, ["s_1", "s_6_1", "starttime", "closetime"]] == "").all().all()
        assert (df.loc[invited, "s_7_1"] == "0").all()
        no_groups = df["s_19"] != "1"
        assert (df.loc[no_groups, "s_20"] == "").all()
        assert (df.loc[no_groups, ["s_21_1", "s_21_6"]] == "0").all().all()  # routed past: 0
        assert (df.loc[df["s_19"] == "1", "s_20"] != "").all()
        assert (df.loc[df["s_15"] != "1", "s_16"] == "").all()
        complete = code == 4
        assert (df.loc[complete, "closetime"] != "").all()
        assert (df.loc[~complete, "closetime"] == "").all()
        assert (df.loc[complete, "difftime"].astype(int) > 0).all()
        listed = df["forening"] != "Test"  # the mailing list's addresses (not the test's)
        assert (df.loc[listed, "email"] != "").all() and (df["created"] != "").all()


def test_forms_layouts(written):
    out, _ = written
    rows = _xlsx_rows(out / MSF25)
    assert list(rows[0][:6]) == ["Id", "Starttidspunkt", "Fuldførelsestidspunkt", "Mail", "Navn",
                                 "Tidspunkt for seneste ændring"]
    header = list(rows[0])
    known = header.index("Hvilke af Frivilligcentrets tilbud kender foreningen til?")
    multi = [r[known] for r in rows[1:] if r[known]]
    assert multi and all(v.endswith(";") for v in multi)
    assert sum(r[3] == "anonymous" for r in rows[1:]) == len(rows) - 2
    for file in (demo.EV25, demo.EV26):
        ev = _xlsx_rows(out / file)
        assert list(ev[0][:5]) == ["ID", "Start time", "Completion time", "Email", "Name"]
        codes = {str(r[5]).strip().upper() for r in ev[1:]}
        meetings = [m[0] for m in demo.DEMO_MEETINGS[int(file.split("/")[1])]]
        assert codes == set(meetings)
        for code, _, _, k in demo.DEMO_MEETINGS[int(file.split("/")[1])]:
            assert sum(str(r[5]).strip().upper() == code for r in ev[1:]) == k
    assert 5 <= sum(len(v) for v in demo.DEMO_MEETINGS.values()) <= 7
    assert all(6 <= m[3] <= 15 for v in demo.DEMO_MEETINGS.values() for m in v)


# --------------------------------------------------------------------------- planted cases


def test_every_planted_case_is_in_its_file(written):
    out, _ = written
    for case in DEMO_CASES:
        rid, value = _cell(out, case)
        assert int(rid) == case.id, case
        if case.column is not None:
            assert value == case.value, case


def test_planted_case_counts():
    kinds = pd.Series([c.case for c in DEMO_CASES]).value_counts().to_dict()
    assert kinds["duplicate"] == 3 and kinds["duplicate_kept"] == 3
    assert kinds["blank"] == 2 and kinds["test"] == 2 and kinds["not_member"] == 1
    assert kinds["unknown_label"] == 1 and kinds["out_of_range"] == 1
    assert kinds["label_variant"] == 5 and kinds["name_variant"] == 6
    for c in DEMO_CASES:
        if c.case == "name_variant":
            assert c.outcome == f"link:{c.association_id}"
        if c.case == "label_variant":
            assert normalise(c.value) == normalise(c.outcome.split(":", 1)[1]) != c.value


def test_duplicates_are_superseded_by_a_later_more_complete_response(build):
    for file in (SX25, SX27):
        df = build.frames[file]
        for aid in ("F033", "F065", "F021"):
            rows = df[(df["association_id"] == aid) & (df["status"] != "invited")]
            if len(rows) == 2:
                assert list(rows["status"]) == ["partial", "complete"] or \
                    rows["completed"].notna().sum() == 1
    forms = build.frames[MSF25].set_index("association_id")
    sx = build.frames[SX25]
    sx = sx[sx["status"] != "invited"].set_index("association_id")
    assert forms.loc["F065", "completed"] > sx.loc["F065", "started"]


def test_exactly_one_formula_and_one_script_cell(written):
    _, paths = written
    cells: list[str] = []
    for p in paths:
        if p.suffix == ".csv":
            cells += [v for row in _sx_rows(p) for v in row]
        elif p.suffix == ".xlsx":
            wb = openpyxl.load_workbook(p)
            for row in wb["Sheet1"].iter_rows():
                for c in row:
                    assert c.data_type != "f"  # nothing is stored as a formula
                    if isinstance(c.value, str):
                        cells.append(c.value)
    assert sum(v.startswith("=") for v in cells) == 1
    assert sum("<script>" in v for v in cells) == 1
    joined = "\n".join(cells)
    for needle in ("+45 12 34 56 78", "12345678", "tlf. 45 87 12 34", "010190-1234",
                   "https://", "@example.org"):
        assert needle in joined


# --------------------------------------------------------------------------- the model


@pytest.fixture(scope="module")
def big(member_instrument, registry):
    return {w: demo.generate_member_responses(member_instrument, registry, w, n=3000, seed=7)
            for w in (2025, 2027)}


def _high(df: pd.DataFrame, item: str) -> pd.Series:
    return df[item].astype(object) == "I høj grad"


def test_needs_differ_by_type_and_size(big, build):
    d = big[2025]
    t = d["assoc_type"].astype(str)

    def share(item: str, mask: pd.Series) -> tuple[float, float]:
        h = _high(d, item)
        return h[mask].mean(), h[~mask].mean()

    for item, group in (("behov_lokaler", "Selvhjælpsgruppe eller netværk"),
                        ("behov_lokaler", "Kultur og fritid"),
                        ("behov_gdpr", "Ældre og seniorer"),
                        ("behov_bestyrelse", "Ældre og seniorer"),
                        ("behov_kommunikation", "Kultur og fritid"),
                        ("behov_fundraising", "Social og humanitær forening"),
                        ("behov_boerneattester", "Børn, unge og familier")):
        inside, outside = share(item, t == group)
        assert inside > outside + 0.1, (item, group, inside, outside)
    small, other = share("behov_regnskab", d["size_band"].astype(str) == "Under 25")
    assert small > other + 0.1
    # and in the committed demo itself
    sx = build.frames[SX25]
    sh = sx["assoc_type"].astype(str) == "Selvhjælpsgruppe eller netværk"
    assert _high(sx, "behov_lokaler")[sh].mean() > _high(sx, "behov_lokaler")[~sh].mean()


def test_cooperation_battery_is_consistent(big, member_instrument):
    for d in big.values():
        items = [it.id for it in member_instrument.battery("samarbejde")]
        x = pd.concat([_codes(d, member_instrument, i) for i in items], axis=1).dropna()
        k = x.shape[1]
        alpha = k / (k - 1) * (1 - x.var(ddof=1).sum() / x.sum(axis=1).var(ddof=1))
        assert 0.72 < alpha < 0.9
        dont_know = np.mean([(d[i].astype(object) == "Ved ikke").mean() for i in items])
        assert 0.08 < dont_know < 0.25


def test_change_from_2025_to_2027(big, member_instrument):
    a, b = big[2025], big[2027]

    def known(d: pd.DataFrame, prefix: str) -> float:
        return d[[c for c in d if c.startswith(prefix)]].astype(float).sum(axis=1).mean()

    assert known(b, "kendskab_tilbud__") > known(a, "kendskab_tilbud__") + 1
    assert known(b, "brug_tilbud__") > known(a, "brug_tilbud__") + 0.5
    roles = [_codes(d, member_instrument, "samarbejde_roller") for d in (a, b)]
    assert (roles[1] <= 2).mean() > (roles[0] <= 2).mean() + 0.1
    contact = [(d["kommune_kontakt"].astype(object) == "Ja").mean() for d in (a, b)]
    assert contact[1] > contact[0] + 0.05
    groups = [(d["sh_driver"].astype(object) == "Ja").mean() for d in (a, b)]
    assert groups[0] < groups[1] < groups[0] + 0.15
    assert min(_high(d, "behov_rekruttering").mean() for d in (a, b)) > 0.45


def test_paired_associations(build):
    def ids(*files: str) -> set[str]:
        out: set[str] = set()
        for f in files:
            df = build.frames[f]
            answered = ~df["status"].isin(["blank", "invited"])
            out |= set(df.loc[answered, "association_id"].dropna())
        return out

    a, b = ids(SX25, MSF25), ids(SX27)
    assert (len(a), len(b), len(a & b)) == (70, 65, 50)


# --------------------------------------------------------------------------- building blocks


def test_generate_member_responses_columns(member_instrument, registry):
    df = demo.generate_member_responses(member_instrument, registry, 2025, n=200, seed=3)
    assert len(df) == 200 and list(df.columns[: len(demo.META_COLUMNS)]) == \
        list(demo.META_COLUMNS)
    assert isinstance(df["behov_lokaler"].dtype, pd.CategoricalDtype)
    assert str(df["kendskab_tilbud__lokaler"].dtype) == "boolean"
    assert "centret_lettere" not in df and "centret_lettere" in demo.generate_member_responses(
        member_instrument, registry, 2027, n=5, seed=3)
    again = demo.generate_member_responses(member_instrument, registry, 2025, n=200, seed=3)
    pd.testing.assert_frame_equal(df, again)
    big = demo.generate_member_responses(member_instrument, registry, 2025, n=500, seed=3)
    assert big["association_id"].nunique() <= len(registry) < len(big)  # with replacement


def test_writers_do_not_mutate_and_read_back(member_instrument, registry, tmp_path):
    import pyreadstat

    df = demo.generate_member_responses(member_instrument, registry, 2025, n=40, seed=5)
    before = df.copy()
    demo.write_surveyxact_trio(df, member_instrument, tmp_path / "sx", encoding="cp1252",
                               delimiter=",")
    demo.write_msforms_xlsx(df, member_instrument, tmp_path / "f.xlsx", danish=False)
    g = demo.write_googleforms_csv(df, member_instrument, tmp_path / "g.csv")
    sav = demo.write_spss(df, member_instrument, tmp_path / "s.sav")
    pd.testing.assert_frame_equal(df, before)

    gdf = pd.read_csv(g)
    assert gdf.columns[0] == "Timestamp" and len(gdf) == 40
    multi = gdf["Hvilke af Frivilligcentrets tilbud kender foreningen til?"].dropna()
    assert multi.str.contains(", ").any() and not multi.str.endswith(";").any()

    data, meta = pyreadstat.read_sav(sav, user_missing=True)
    assert meta.variable_value_labels["s_6_1"][9.0] == "Ved ikke"
    assert {"lo": 9.0, "hi": 9.0} in meta.missing_ranges["s_6_1"]
    assert meta.variable_value_labels["s_7_1"] == {0.0: "Ikke valgt", 1.0: "Valgt"}
    expected = _codes(df, member_instrument, "behov_lokaler").fillna(-1).to_numpy()
    got = data["s_6_9"].where(~data["s_6_9"].isin([8, 9]), np.nan).fillna(-1).to_numpy()
    assert (expected == got).all()


def test_surveyxact_writer_refuses_unknown_labels(member_instrument, registry, tmp_path):
    df = demo.generate_member_responses(member_instrument, registry, 2025, n=3, seed=1)
    df = df.astype({"behov_lokaler": object})
    df.loc[0, "behov_lokaler"] = "Meget høj grad"
    with pytest.raises(ValueError, match="Meget høj grad"):
        demo.write_surveyxact_trio(df, member_instrument, tmp_path)


def test_large_generation_is_fast(member_instrument, registry, tmp_path):
    start = time.perf_counter()
    df = demo.generate_member_responses(member_instrument, registry, 2027, n=100_000, seed=2)
    paths = demo.write_surveyxact_trio(df, member_instrument, tmp_path, encoding="utf-16",
                                       delimiter="\t")
    elapsed = time.perf_counter() - start
    assert paths[0].read_bytes().decode("utf-16").count("\r\n") >= 100_001
    assert elapsed < 15, f"100k rows took {elapsed:.1f} s (1M must stay well under a minute)"


def test_demo_files_read_back_with_read_export(written, member_instrument,
                                               evaluation_instrument):
    out, _ = written
    for file, fmt in ((SX25, "surveyxact"), (MSF25, "msforms"), (SX27, "surveyxact"),
                      (demo.EV25, "msforms"), (demo.EV26, "msforms")):
        raw = read_export(out / file)
        assert raw.format == fmt and len(raw.frame) == DEMO_SUMMARY[file]["rows"]
        inst = member_instrument if file.startswith("medlem") else evaluation_instrument
        matching = match_columns(raw, inst)
        assert not matching.unmatched, file
