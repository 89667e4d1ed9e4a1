"""Tests of fslt_survey.followup (indicators) and fslt_survey.followup.feedback (sheets per
association).

The indicator values are checked against hand-counted fixtures (the counts are written next to
each assertion) and independent references: statsmodels' Newcombe interval, scipy's Fisher,
Welch and paired t-tests, and Cronbach's alpha by its textbook formula.
"""

from __future__ import annotations

import math
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
from statsmodels.stats.proportion import confint_proportions_2indep

from fslt_survey import config
from fslt_survey.codebook import Instrument, parse_instrument
from fslt_survey.errors import ConfigError, SurveyDataError
from fslt_survey.followup import (
    INDICATOR_COLUMNS,
    MET,
    NOT_MET,
    UNKNOWN,
    Target,
    compute_followup,
    compute_indicators,
    describe_indicators,
    goal_markdown,
    load_indicators,
    parse_indicators,
    present_indicators,
    publish_indicators,
    target_status,
)
from fslt_survey.followup.feedback import (
    answered_associations,
    prepare_feedback,
    render_feedback,
    sheet_markdown,
)

ROOT = Path(__file__).resolve().parents[2]
GRAD = ["I høj grad", "I nogen grad", "I mindre grad", "Slet ikke"]
REASONS = [*config.MISSING_REASONS, config.NOT_ANSWERED]

# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def inst() -> Instrument:
    grad = {
        "ordered": True,
        "labels": [
            *({"code": i + 1, "label": lab} for i, lab in enumerate(GRAD)),
            {"code": 9, "label": "Ved ikke", "missing": True},
        ],
    }
    return parse_instrument(
        {
            "instrument": "opf",
            "title": "Opfølgning",
            "kind": "member",
            "waves": [2025, 2027],
            "scales": {
                "grad": grad,
                "janej": {
                    "ordered": False,
                    "labels": [
                        {"code": 1, "label": "Ja"},
                        {"code": 2, "label": "Nej"},
                        {"code": 9, "label": "Ved ikke", "missing": True},
                    ],
                },
                "temaer": {
                    "ordered": False,
                    "labels": [
                        {"code": 1, "label": "Frivillige", "key": "frivillige"},
                        {"code": 2, "label": "Fundraising", "key": "fundraising"},
                        {"code": 3, "label": "GDPR", "key": "gdpr"},
                    ],
                },
            },
            "sections": [
                {
                    "id": "a",
                    "title": "Om foreningen",
                    "goals": [1],
                    "items": [
                        {"id": "forening", "text": "Forening?", "type": "association"},
                        {
                            "id": "driver",
                            "text": "Driver I grupper?",
                            "type": "single",
                            "scale": "janej",
                            "short": "Driver grupper",
                        },
                        {
                            "id": "antal",
                            "text": "Hvor mange grupper?",
                            "type": "numeric",
                            "unit": "grupper",
                            "relevant": {"item": "driver", "in": ["Ja"]},
                        },
                        {
                            "id": "tilfreds",
                            "text": "Tilfreds med centret?",
                            "type": "likert",
                            "scale": "grad",
                            "short": "Tilfredshed",
                        },
                        {
                            "id": "only27",
                            "text": "Lettere siden 2025?",
                            "type": "likert",
                            "scale": "grad",
                            "waves": [2027],
                        },
                    ],
                },
                {
                    "id": "b",
                    "title": "Samarbejdet",
                    "goals": [2],
                    "items": [
                        {
                            "id": "coop_a",
                            "text": "Roller klare?",
                            "type": "likert",
                            "scale": "grad",
                            "battery": "coop",
                        },
                        {
                            "id": "coop_b",
                            "text": "Kommunen lytter?",
                            "type": "likert",
                            "scale": "grad",
                            "battery": "coop",
                        },
                        {
                            "id": "temaer",
                            "text": "Hvilke temaer?",
                            "type": "multi",
                            "scale": "temaer",
                            "short": "Temaer",
                        },
                        {
                            "id": "fritekst",
                            "text": "Største udfordring?",
                            "type": "text",
                            "short": "Udfordring",
                        },
                    ],
                },
            ],
        }
    )


H, N, M, S, VI = [*GRAD, "Ved ikke"]
#: (wave, association, driver, antal, tilfreds, coop_a, coop_b, temaer, only27)
#: temaer: list of ticked keys ([] = answered, none ticked) or "Ved ikke".
RECORDS = [
    (2025, "F001", "Ja", 2, H, H, N, ["frivillige", "gdpr"], None),
    (2025, "F002", "Nej", None, N, M, VI, ["frivillige"], None),
    (2025, "F003", "Ja", 1, M, S, S, [], None),
    (2025, "F004", VI, None, S, N, N, ["gdpr", "fundraising"], None),
    (2025, "F005", "Nej", None, H, VI, VI, VI, None),
    (2025, "F006", "Ja", 3, VI, H, H, ["frivillige", "fundraising", "gdpr"], None),
    (2027, "F001", "Ja", 3, H, H, H, ["frivillige"], H),
    (2027, "F002", "Ja", 1, H, N, N, ["frivillige", "gdpr"], N),
    (2027, "F003", "Ja", 2, N, M, VI, ["gdpr"], S),
    (2027, "F004", "Nej", None, M, N, H, ["frivillige", "fundraising"], M),
    (2027, "F007", "Ja", 4, H, H, N, ["fundraising"], H),
    (2027, "F008", "Nej", None, VI, S, M, [], VI),
]


def clean_frame(
    inst: Instrument,
    records: list[tuple],
    registry: pd.DataFrame,
    texts: dict[tuple[int, str], str] | None = None,
) -> pd.DataFrame:
    """A clean table as ``clean.py`` documents it, built from the records above."""
    texts = texts or {}
    n = len(records)
    prof = registry.set_index("association_id")
    ids = [r[1] for r in records]
    out: dict[str, object] = {
        "response_id": pd.array(
            [f"{r[0]}/fixture#{i}" for i, r in enumerate(records)], dtype="string"
        ),
        "wave": np.array([r[0] for r in records], dtype="int64"),
        "association_id": np.array(ids, dtype=object),
        "assoc_type": pd.Categorical(
            [prof.loc[a, "assoc_type"] for a in ids],
            categories=registry["assoc_type"].cat.categories,
        ),
    }
    fields = ["driver", "antal", "tilfreds", "coop_a", "coop_b", "temaer", "only27"]
    for j, name in enumerate(fields, start=2):
        item = inst.item(name)
        values = [r[j] for r in records]
        reasons = []
        if item.type == "multi":
            for lab in item.scale.substantive:
                out[item.option_column(lab)] = pd.array(
                    [None if v is None or isinstance(v, str) else lab.key in v for v in values],
                    dtype="boolean",
                )
            reasons = [v if isinstance(v, str) else None for v in values]
        elif item.type == "numeric":
            out[name] = pd.array(
                [pd.NA if v is None else float(v) for v in values], dtype="Float64"
            )
            reasons = [None if v is not None else "Ikke relevant" for v in values]
        else:
            subst = [v if v in item.scale.categories else None for v in values]
            out[name] = pd.Categorical(
                subst, categories=item.scale.categories, ordered=item.scale.ordered
            )
            reasons = [
                v if v is not None and v not in item.scale.categories else None for v in values
            ]
        out[item.missing_column] = pd.Categorical(reasons, categories=REASONS)
    out["fritekst"] = pd.array([texts.get((r[0], r[1])) for r in records], dtype="string")
    out["fritekst__missing"] = pd.Categorical([None] * n, categories=REASONS)
    return pd.DataFrame(out)


@pytest.fixture(scope="module")
def data(inst, registry) -> pd.DataFrame:
    return clean_frame(inst, RECORDS, registry)


def spec(**indicators: dict) -> dict:
    out = []
    for iid, fields in indicators.items():
        out.append({"id": iid, "goal": 1, "title": iid.replace("_", " ").capitalize(), **fields})
    return {"survey": "opf", "baseline": 2025, "followup": 2027, "indicators": out}


@pytest.fixture(scope="module")
def iset(inst):
    return parse_indicators(
        spec(
            driver_ja={
                "kind": "share",
                "items": ["driver"],
                "labels": ["Ja"],
                "target": {"value": 60, "direction": "increase"},
            },
            tilfreds_top2={
                "kind": "top2",
                "items": ["tilfreds"],
                "target": {"value": 85, "direction": "increase"},
            },
            temaer_mindst_to={
                "kind": "share",
                "items": ["temaer"],
                "labels": "any",
                "min_options": 2,
                "goal": 4,
            },
            temaer_frivillige={"kind": "share", "items": ["temaer"], "labels": ["Frivillige"]},
            samarbejde={
                "kind": "mean_index",
                "battery": "coop",
                "goal": 2,
                "target": {"direction": "increase"},
            },
            grupper={
                "kind": "count",
                "items": ["antal"],
                "goal": 3,
                "target": {"direction": "increase"},
            },
            kun_2027={
                "kind": "top2",
                "items": ["only27"],
                "target": {"value": 50, "direction": "at_least"},
            },
        ),
        instrument=inst,
    )


def row(table: pd.DataFrame, indicator: str) -> pd.Series:
    hit = table[table["indicator"] == indicator]
    assert len(hit) == 1
    return hit.iloc[0]


# --------------------------------------------------------------------------- validation


def test_real_indicator_file_loads_and_covers_every_goal() -> None:
    iset = load_indicators()
    assert iset.baseline == 2025 and iset.followup == 2027
    assert {i.goal for i in iset} == set(config.GOALS)
    kinds = {i.kind for i in iset}
    assert {"share", "top2", "mean_index", "count", "network"} <= kinds
    assert iset.get("samarbejdsindeks").items[0] == "samarbejde_roller"
    assert len(describe_indicators(iset)) == len(iset)


def test_validation_lists_every_problem_with_indicator_id(inst, tmp_path) -> None:
    bad = spec(
        a_unknown_item={"kind": "share", "items": ["findes_ikke"], "labels": ["Ja"]},
        b_bad_label={"kind": "share", "items": ["driver"], "labels": ["Jaa"]},
        c_missing_label={"kind": "share", "items": ["driver"], "labels": ["Ved ikke"]},
        d_top2_unordered={"kind": "top2", "items": ["driver"]},
        e_goal={"kind": "top2", "items": ["tilfreds"], "goal": 5},
        f_kind={"kind": "median", "items": ["tilfreds"]},
        g_target={
            "kind": "top2",
            "items": ["tilfreds"],
            "target": {"value": 60, "direction": "up"},
        },
        h_at_least={"kind": "top2", "items": ["tilfreds"], "target": {"direction": "at_least"}},
        i_network={"kind": "network", "measure": "distinct"},
        j_type={"kind": "count", "items": ["tilfreds"]},
        k_key={"kind": "top2", "items": ["tilfreds"], "colour": "blå"},
        l_min_options={"kind": "share", "items": ["temaer"], "min_options": 4},
        m_share_labels={"kind": "share", "items": ["driver"]},
    )
    bad["indicators"].append(dict(bad["indicators"][-1]))  # duplicate id
    path = tmp_path / "indicators.yml"
    import yaml

    path.write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"invalid indicator file \(15 problems\)") as err:
        load_indicators(path, instrument=inst)
    text = str(err.value)
    assert str(path) in text
    expected = [
        "indicator a_unknown_item: item 'findes_ikke' is not in instrument 'opf'",
        "indicator b_bad_label: label 'Jaa' is not a label of item 'driver'",
        "indicator c_missing_label: label 'Ved ikke' of item 'driver' is a typed missing",
        "indicator d_top2_unordered: item 'driver' has type 'single'",
        "indicator e_goal: goal must be one of [1, 2, 3, 4], found 5",
        "indicator f_kind: unknown kind 'median'",
        "indicator g_target: target direction must be one of",
        "indicator h_at_least: target direction at_least needs a value",
        "indicator i_network: network indicators need table",
        "indicator i_network: measure distinct needs column",
        "indicator j_type: item 'tilfreds' has type 'likert'; kind count needs numeric",
        "indicator k_key: unknown key 'colour'",
        "indicator l_min_options: min_options 4 is more than the 3 options counted",
        "indicator m_share_labels: share of single item 'driver' needs labels",
        "indicator m_share_labels: duplicate id",
    ]
    for line in expected:
        assert line in text, line
    assert "invalid indicator file (15 problems)" in text, text


def test_validation_of_top_level(inst) -> None:
    with pytest.raises(ConfigError, match="baseline must come before followup"):
        parse_indicators(
            {
                "survey": "opf",
                "baseline": 2027,
                "followup": 2025,
                "indicators": [
                    {"id": "x", "goal": 1, "title": "X", "kind": "top2", "items": ["tilfreds"]}
                ],
            },
            instrument=inst,
        )
    with pytest.raises(ConfigError, match="wave 2026 is not one of the instrument's waves"):
        parse_indicators(
            {
                "survey": "opf",
                "baseline": 2026,
                "followup": 2027,
                "indicators": [
                    {"id": "x", "goal": 1, "title": "X", "kind": "top2", "items": ["tilfreds"]}
                ],
            },
            instrument=inst,
        )


# --------------------------------------------------------------------------- computation


def test_share_matches_hand_counts_and_references(data, iset) -> None:
    t = compute_indicators(data, iset, network=None)
    assert list(t.columns) == INDICATOR_COLUMNS
    r = row(t, "driver_ja")
    # 2025: Ja = F001, F003, F006; Nej = F002, F005; F004 "Ved ikke" is outside the base
    # 2027: Ja = F001, F002, F003, F007; Nej = F004, F008
    assert (r.n_from, r.base_from, r.n_to, r.base_to) == (3, 5, 4, 6)
    assert r.value_from == pytest.approx(60.0)
    assert r.value_to == pytest.approx(400 / 6)
    assert r.change == pytest.approx(400 / 6 - 60)
    lo, hi = confint_proportions_2indep(4, 6, 3, 5, method="newcomb", compare="diff")
    assert (r.change_ci_low, r.change_ci_high) == pytest.approx((100 * lo, 100 * hi))
    assert r.test == "fisher"  # expected counts below 5
    assert r.p == pytest.approx(sps.fisher_exact([[3, 2], [4, 2]]).pvalue)
    low, high = sps.binomtest(3, 5).proportion_ci(method="wilson")
    assert (r.ci_low_from, r.ci_high_from) == pytest.approx((100 * low, 100 * high))
    assert r.target_met == MET and not r.small_base  # 66,7 >= 60


def test_top2_multi_and_follow_up_only(data, iset) -> None:
    t = compute_indicators(data, iset, network=None)
    r = row(t, "tilfreds_top2")
    # 2025: høj/nogen = F001, F002, F005 of 5 (F006 "Ved ikke"); 2027: F001, F002, F003, F007
    assert (r.n_from, r.base_from, r.n_to, r.base_to) == (3, 5, 4, 5)
    assert r.target_met == NOT_MET  # 80 < 85
    r = row(t, "temaer_mindst_to")
    # at least two themes: 2025 F001, F004, F006 of 5 answered (F005 "Ved ikke");
    # 2027 F002, F004 of 6 (F008 answered with none ticked)
    assert (r.n_from, r.base_from, r.n_to, r.base_to) == (3, 5, 2, 6)
    assert pd.isna(r.target_met)  # no target
    r = row(t, "temaer_frivillige")
    assert (r.n_from, r.base_from, r.n_to, r.base_to) == (3, 5, 3, 6)
    r = row(t, "kun_2027")
    # only asked in 2027: høj/nogen = F001, F002, F007 of 5 (F008 "Ved ikke")
    assert r.base_from == 0 and math.isnan(r.value_from) and math.isnan(r.change)
    assert (r.n_to, r.base_to) == (3, 5) and r.target_met == MET  # 60 >= 50
    assert "ikke stillet i 2025" in r.note and not r.small_base


def test_mean_index_count_and_paired(data, iset) -> None:
    t = compute_indicators(data, iset, network=None)
    a, b, c = 100.0, 200 / 3, 100 / 3  # scores of I høj / nogen / mindre grad; slet ikke 0
    x25 = np.array([(a + b) / 2, c, 0.0, b, a])  # F001 F002 F003 F004 F006 (F005 no answer)
    x27 = np.array([a, b, c, (b + a) / 2, (a + b) / 2, c / 2])  # F001-F004 F007 F008
    r = row(t, "samarbejde")
    assert (r.base_from, r.base_to) == (5, 6)
    assert r.value_from == pytest.approx(x25.mean())
    assert r.value_to == pytest.approx(x27.mean())
    half = sps.t.ppf(0.975, 4) * x25.std(ddof=1) / math.sqrt(5)
    assert (r.ci_low_from, r.ci_high_from) == pytest.approx((x25.mean() - half, x25.mean() + half))
    ref = sps.ttest_ind(x27, x25, equal_var=False)
    assert (r.test, r.statistic, r.p) == (
        "welch_t",
        pytest.approx(ref.statistic),
        pytest.approx(ref.pvalue),
    )
    # alpha, textbook formula on the complete 2025 answers (F001, F003, F004, F006)
    items = np.array([[a, b], [0, 0], [b, b], [a, a]])
    k = 2
    alpha = k / (k - 1) * (1 - items.var(axis=0, ddof=1).sum() / items.sum(1).var(ddof=1))
    assert r.alpha_from == pytest.approx(alpha)
    assert r.target_met == NOT_MET  # the interval of the change includes 0
    r = row(t, "grupper")
    # 2025: 2 + 0 (F002 routed past) + 1 + 0 (F005) + 3; F004 "Ved ikke" to driver: unknown
    # 2027: 3 + 1 + 2 + 0 (F004) + 4 + 0 (F008)
    assert (r.value_from, r.base_from, r.n_from) == (6, 5, 3)
    assert (r.value_to, r.base_to, r.n_to) == (10, 6, 4)
    assert r.change == 4 and r.test == "none" and r.target_met == MET

    p = compute_indicators(data, iset, paired=True, network=None)
    assert set(p["population"]) == {"paired"}
    r = row(p, "driver_ja")
    # both waves answered: F001 Ja->Ja, F002 Nej->Ja, F003 Ja->Ja (F004: "Ved ikke" in 2025)
    assert (r.n_pairs, r.n_from, r.n_to) == (3, 2, 3)
    assert r.change == pytest.approx(100 / 3)
    assert r.test == "mcnemar_exact" and r.p == pytest.approx(1.0)
    assert r.small_base and r.target_met == UNKNOWN and "Få svar" in r.note

    r = row(p, "samarbejde")
    d = np.array([a - (a + b) / 2, b - c, c - 0, (b + a) / 2 - b])  # F001..F004
    ref = sps.ttest_rel(x27[:4], x25[:4])
    assert r.n_pairs == 4 and r.change == pytest.approx(d.mean())
    assert (r.test, r.p) == ("paired_t", pytest.approx(ref.pvalue))
    r = row(p, "grupper")
    # F001 2->3, F002 0->1, F003 1->2 (F004 unknown in 2025)
    assert (r.n_pairs, r.value_from, r.value_to) == (3, 3, 6)
    assert r.test == "wilcoxon"
    both = compute_followup(data, iset, network=None)
    assert list(both["population"].unique()) == ["all", "paired"]


def test_paired_indicators_refuse_an_association_answering_twice(data, iset) -> None:
    # F001 twice in the follow-up wave: pairing it would silently keep one of the two rows
    twice = pd.concat([data, data[(data["wave"] == 2027) & (data["association_id"] == "F001")]])
    with pytest.raises(SurveyDataError, match="twice") as err:
        compute_indicators(twice.reset_index(drop=True), iset, paired=True, network=None)
    assert err.value.column == "association_id" and "F001" in str(err.value.found)


def test_small_base_flag_and_inputs_not_modified(data, iset) -> None:
    before = data.copy(deep=True)
    t = compute_indicators(data, iset, network=None, k=6)
    pd.testing.assert_frame_equal(data, before)
    r = row(t, "driver_ja")  # bases 5 and 6: 5 < k = 6
    assert r.small_base and r.target_met == UNKNOWN
    assert "under 6 foreninger i 2025" in r.note
    assert r.value_from == pytest.approx(60.0)  # still computed
    assert not row(compute_indicators(data, iset, network=None), "driver_ja").small_base


@pytest.mark.parametrize(
    ("target", "values", "expected"),
    [
        (Target("increase", 60), (40, 60, 20, 5, 35), MET),
        (Target("increase", 60), (40, 59.9, 19.9, 5, 35), NOT_MET),
        (Target("increase", 60), (40, math.nan, math.nan, math.nan, math.nan), UNKNOWN),
        (Target("decrease", 20), (30, 19, -11, -20, -2), MET),
        (Target("decrease", 20), (30, 21, -9, -20, 2), NOT_MET),
        (Target("at_least", 50), (math.nan, 50, math.nan, math.nan, math.nan), MET),
        (Target("increase"), (40, 50, 10, 1, 19), MET),
        (Target("increase"), (40, 50, 10, -1, 21), NOT_MET),
        (Target("increase"), (40, 38, -2, -9, 5), NOT_MET),
        (Target("increase"), (4, 6, 2, math.nan, math.nan), MET),  # a count: no interval
        (Target("decrease"), (40, 30, -10, -18, -2), MET),
        (Target("increase"), (math.nan, 50, math.nan, math.nan, math.nan), UNKNOWN),
    ],
)
def test_target_logic(target, values, expected) -> None:
    assert target_status(target, *values) == expected


def test_target_logic_without_target() -> None:
    assert target_status(None, 1, 2) is pd.NA


def test_network_indicators(inst) -> None:
    iset = parse_indicators(
        spec(
            moeder={
                "kind": "network",
                "table": "meetings",
                "measure": "count",
                "unit": "møder",
                "target": {"direction": "increase"},
            },
            grupper={
                "kind": "network",
                "table": "meetings",
                "measure": "count",
                "where": {"kind": "netvaerksgruppe"},
            },
            foreninger={
                "kind": "network",
                "table": "attendance",
                "measure": "distinct",
                "column": "association_id",
            },
            deltagere={
                "kind": "network",
                "table": "attendance",
                "measure": "sum",
                "column": "participants",
            },
        ),
        instrument=inst,
    )
    meetings = pd.DataFrame(
        {
            "meeting_id": ["M2025-02", "M2025-04", "M2025-09", "M2027-01", "M2027-03"],
            "date": pd.to_datetime(
                ["2025-02-12", "2025-04-23", "2025-09-17", "2027-01-13", "2027-03-17"]
            ),
            "kind": [
                "erfa-forum",
                "erfa-forum",
                "netvaerksgruppe",
                "netvaerksgruppe",
                "netvaerksgruppe",
            ],
        }
    )
    attendance = pd.DataFrame(
        {
            "meeting_id": ["M2025-02", "M2025-02", "M2025-04"],
            "association_id": ["F001", "F002", "F001"],
            "participants": [2, 1, 3],
            "year": [2025, 2025, 2025],
        }
    )
    data = pd.DataFrame({"wave": [2025, 2027], "association_id": ["F001", "F001"]})
    t = compute_indicators(data, iset, network={"meetings": meetings, "attendance": attendance})
    r = row(t, "moeder")
    assert (r.value_from, r.value_to, r.change, r.target_met) == (3, 2, -1, NOT_MET)
    assert not r.small_base and math.isnan(r.change_ci_low)
    assert (row(t, "grupper").value_from, row(t, "grupper").value_to) == (1, 2)
    r = row(t, "foreninger")
    assert r.value_from == 2 and math.isnan(r.value_to)
    assert "Ingen netværksdata for 2027 endnu" in r.note
    assert row(t, "deltagere").value_from == 6
    none = compute_indicators(data, iset, network=None)
    assert none["value_from"].isna().all()
    assert none["note"].str.contains("Ingen data").all()
    with pytest.raises(ConfigError, match="lacks column"):
        compute_indicators(
            data,
            iset.select(ids=["foreninger"]),
            network={"attendance": attendance.drop(columns="association_id")},
        )


# --------------------------------------------------------------------------- publishing


def test_publish_hides_small_cells_and_bases() -> None:
    def make(kind, n_from, base_from, n_to, base_to, value_from=50.0, value_to=60.0):
        r = dict.fromkeys(INDICATOR_COLUMNS, np.nan)
        r.update(
            indicator=f"{kind}{n_from}",
            goal=1,
            title="T",
            kind=kind,
            unit="%",
            population="all",
            wave_from=2025,
            wave_to=2027,
            value_from=value_from,
            value_to=value_to,
            n_from=n_from,
            base_from=base_from,
            n_to=n_to,
            base_to=base_to,
            change=value_to - value_from,
            p=0.2,
            target_met=MET,
            small_base=False,
            note="",
        )
        return r

    t = pd.DataFrame(
        [
            make("share", 3, 40, 20, 40, 7.5, 50.0),  # 3 ja in 2025: hidden
            make("share", 20, 40, 36, 40),  # 4 nej in 2027: hidden
            make("share", 20, 40, 20, 40),
            make("mean_index", 4, 4, 30, 30),  # base below 5
            make("count", 2, 40, 10, 40),  # two contributing associations
            make("network", 1, 1, 2, 2),  # registrations: never hidden
        ]
    )
    pub = publish_indicators(t)
    assert pub["suppressed_from"].tolist() == [True, False, False, True, True, False]
    assert pub["suppressed_to"].tolist() == [False, True, False, False, False, False]
    assert pub.loc[0, ["value_from", "change", "p"]].isna().all()
    assert pub.loc[0, "value_to"] == 50 and pub.loc[0, "target_met"] == MET
    assert pub.loc[1, "target_met"] == UNKNOWN  # follow-up hidden
    assert pub.loc[2, "change"] == 10 and pub.loc[5, "value_from"] == 50


def test_presentation_and_goal_markdown(data, iset, tmp_path) -> None:
    res = compute_followup(data, iset, network=None, k=1)  # k = 1: nothing hidden
    shown = present_indicators(publish_indicators(res, k=1), goal=1, indicators=iset)
    assert shown.columns[0] == "Indikator"
    r = shown[shown["Indikator"] == "Driver ja"].iloc[0]
    assert r["2025 (n)"] == "60\u00a0% (5)" and r["2027 (n)"] == "67\u00a0% (6)"
    assert r["Mål"] == "stige til 60\u00a0%" and r["Status"] == "Nået"
    assert r["Samme foreninger (n)"].startswith("+33")
    assert shown[shown["Indikator"] == "Kun 2027"].iloc[0]["2025 (n)"] == "· (ikke spurgt)"
    hidden = present_indicators(publish_indicators(res), goal=1, indicators=iset)
    assert hidden.loc[hidden["Indikator"] == "Driver ja", "2025 (n)"].iloc[0] == ".. (5)"
    md = goal_markdown(res, 1, indicators=iset, fig_dir=tmp_path, k=1)
    assert (tmp_path / "opfoelgning-maal-1.svg").is_file()
    assert 'fig-alt="' in md and "Indikatorer for mål 1" in md
    assert re.search(r"Af \d+ indikatorer med et mål", md)


# --------------------------------------------------------------------------- feedback sheets


@pytest.fixture(scope="module")
def sheet_setup(inst, registry):
    names = dict(zip(registry["association_id"], registry["name"], strict=True))
    texts = {(w, a): f"Hemmelig bemærkning {a}-{w} om kagebordet" for w, a, *_ in RECORDS}
    # F001 names another association in its own free text: it must be redacted
    texts[(2025, "F001")] = f"Vi deler lokaler med {names['F002']} hver tirsdag"
    frame = clean_frame(inst, RECORDS, registry, texts)
    iset = parse_indicators(
        spec(
            driver_ja={"kind": "share", "items": ["driver"], "labels": ["Ja"]},
            samarbejde={"kind": "mean_index", "battery": "coop"},
        ),
        instrument=inst,
    )
    ctx = prepare_feedback(frame, inst, registry, indicators=iset)
    return ctx, names, texts


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).casefold()


def _assert_private(text: str, aid: str, names: dict, texts: dict) -> None:
    flat = _squash(text)
    assert _squash(names[aid]) in flat
    for other, name in names.items():
        if other != aid:
            assert _squash(name) not in flat, f"{aid}'s sheet names {other}"
    for (_, owner), free in texts.items():
        if owner != aid:
            assert _squash(free) not in flat, f"{aid}'s sheet shows {owner}'s free text"


def test_every_sheet_shows_only_its_own_association(sheet_setup) -> None:
    ctx, names, texts = sheet_setup
    ids = answered_associations(ctx.data)
    assert ids == [f"F00{i}" for i in range(1, 9)]
    for aid in ids:
        md = sheet_markdown(ctx, aid)
        _assert_private(md, aid, names, texts)
        for (_w, owner), free in texts.items():
            if owner == aid and owner != "F001":
                assert free in md
    md = sheet_markdown(ctx, "F001")
    assert r"Vi deler lokaler med \[navn\] hver tirsdag" in md
    assert "Jeres svar 2025" in md and "Jeres svar 2027" in md and "Alle foreninger 2027" in md
    # only the figures the site publishes: no distribution by type, no other wave's
    assert "Jeres type" not in md and "Alle foreninger 2025" not in md
    with pytest.raises(SurveyDataError, match="has not answered"):
        sheet_markdown(ctx, "F050")
    with pytest.raises(SurveyDataError, match="not in the member registry"):
        sheet_markdown(ctx, "X999")


def _project(root: Path) -> Path:
    (root / "reports" / "feedback").mkdir(parents=True)
    (root / "_quarto.yml").write_text(
        "project:\n  type: website\n  output-dir: _site\n  render:\n    - index.qmd\nlang: da\n",
        encoding="utf-8",
    )
    (root / "index.qmd").write_text("---\ntitle: Forside\n---\n\nHej\n", encoding="utf-8")
    shutil.copy(
        ROOT / "reports" / "feedback" / "feedback.qmd",
        root / "reports" / "feedback" / "feedback.qmd",
    )
    shutil.copy(ROOT / "reports" / "pdf.typ", root / "reports" / "pdf.typ")  # page furniture
    shutil.copy(ROOT / "reports" / "feedback" / "sheet.typ",  # the bar charts
                root / "reports" / "feedback" / "sheet.typ")
    return root


def test_feedback_pdf_contains_own_name_and_no_other(sheet_setup, tmp_path) -> None:
    from pypdf import PdfReader

    ctx, names, texts = sheet_setup
    root = _project(tmp_path / "proj")
    out = tmp_path / "proj" / "build" / "feedback"
    paths = render_feedback(["F001"], out=out, root=root, context=ctx, engine="builtin")
    assert paths == [out / "F001.pdf"] and paths[0].is_file()
    assert not (root / "_site").exists()
    reader = PdfReader(paths[0])
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    _assert_private(text, "F001", names, texts)
    assert "[navn]" in text and "Tilbagemelding" in text
    # issue 19: the title in the metadata, the shared page furniture, at most 3 pages, and no
    # page ending with a heading (the sections' titles)
    assert reader.metadata.title == "Tilbagemelding fra medlemsundersøgelsen"
    pages = reader.pages
    assert len(pages) <= 3
    headings = {s.title for s in ctx.instrument.sections} | {"Strategiens indikatorer",
                                                             "Jeres egne ord"}
    for number, page in enumerate(pages, start=1):
        lines = [" ".join(x.split()) for x in (page.extract_text() or "").splitlines()]
        body = [x for x in lines if x and not x.startswith("Frivilligcenter og Selvhjælp")]
        assert f"Side {number} af {len(pages)}" in " ".join(lines)
        if number < len(pages):
            assert body[-1] not in headings, (number, body[-1])
    with pytest.raises(SurveyDataError, match="never written into the site"):
        render_feedback(["F001"], out=root / "_site" / "x", root=root, context=ctx)
    with pytest.raises(SurveyDataError, match="no answers from these associations"):
        render_feedback(["F050"], out=out, root=root, context=ctx)


def test_demo_sheets_draw_bars_with_the_own_answer_marked_on_three_pages(tmp_path) -> None:
    """Issue 19: a sheet has at most 3 pages and, per item, a small bar chart of all
    associations with the association's own answer marked. Rendered for the demo's two longest
    sheets (two rounds, most free text); every chart row marks the own answer of the latest
    round when its share is drawn."""
    from pypdf import PdfReader

    from fslt_survey import clean_survey
    from fslt_survey.registry import load_registry

    result = clean_survey("medlemsundersoegelse", demo=True)
    registry = load_registry(config.DEMO_REGISTRY_FILE)
    iset = load_indicators(instrument=result.instrument)
    ctx = prepare_feedback(result.data, result.instrument, registry, indicators=iset)
    sheets = {aid: sheet_markdown(ctx, aid) for aid in answered_associations(ctx.data)}
    marked = 0
    for aid, md in sheets.items():
        pattern = (r"#fb-scale\(cats: \((.*?)\), waves: \((.*?)\), all: \"(.*?)\""
                   r".*?rows: \(\n(.*?)  \)\)")
        for cats_text, waves, everyone, rows in re.findall(pattern, md, re.S):
            if waves.rstrip(",) ")[-5:-1] != everyone[-4:]:  # no answer in the compared round
                continue
            cats = re.findall(r'"([^"]*)"', cats_text)
            for row in rows.splitlines():
                own = re.findall(r'"([^"]*)"', re.search(r"own: \(([^)]*)\)", row)[1])[-1]
                mine = re.search(r"mine: (\d+|none)", row)
                if mine is None:  # no bar: hidden, not asked, or a number
                    continue
                expected = str(cats.index(own)) if own in cats else "none"
                assert mine[1] == expected, (aid, row)
                marked += own in cats
    assert marked > 85 * 20  # not vacuous: most rows mark an answer
    longest = sorted(sheets, key=lambda a: len(sheets[a]))[-2:]
    root = _project(tmp_path / "proj")
    paths = render_feedback(longest, out=root / "build" / "feedback", root=root, context=ctx,
                            engine="builtin")
    for path in paths:
        reader = PdfReader(path)
        text = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
        assert len(reader.pages) <= 3, (path.name, len(reader.pages))
        assert f"Side 1 af {len(reader.pages)}" in text
        # the legends and the bars' own labels are drawn text
        assert text.count("jeres svar") >= 10 and text.count("vises ikke") >= 10
        assert len(re.findall(r"\d+ %", text)) > 100, path.name


def test_cli_registers_commands() -> None:
    from fslt_survey.cli import build_parser, main

    parser = build_parser()
    args = parser.parse_args(["feedback", "--forening", "F001", "--forening", "F002"])
    assert args.forening == ["F001", "F002"]
    assert main(["indicators"]) == 0


def test_network_loader_is_optional(monkeypatch, tmp_path) -> None:
    from fslt_survey import followup
    from fslt_survey.followup import compute

    tables = followup.load_network_data()  # the network data of this project
    assert tables is not None
    assert {"meetings", "groups"} <= set(tables)
    assert "year" in tables["meetings"].columns
    # a project without surveys/netvaerk/netvaerk.yml: no network data, no error
    monkeypatch.setattr(compute, "network_dir", lambda: tmp_path)
    assert followup.load_network_data() is None


# --------------------------------------------------------------------------- the site page


def test_follow_up_page_renders_html_and_pdf(tmp_path) -> None:
    """reports/opfoelgning.qmd in a small project: four goal sections, charts with alt text,
    a PDF, and no network module data needed."""
    from html.parser import HTMLParser

    from pypdf import PdfReader

    from fslt_survey.pipeline import clean_survey
    from fslt_survey.render import render_project
    from fslt_survey.store import write_clean

    root = tmp_path / "site"
    (root / "reports").mkdir(parents=True)
    (root / "surveys" / "medlemsundersoegelse").mkdir(parents=True)
    for rel in (
        "surveys/indicators.yml",
        "surveys/members.csv",
        "surveys/medlemsundersoegelse/instrument.yml",
        "reports/opfoelgning.qmd",
        "reports/pdf.typ",  # its page furniture
    ):
        shutil.copy(ROOT / rel, root / rel)
    write_clean(clean_survey("medlemsundersoegelse", demo=True), root / "build" / "clean")
    (root / "_quarto.yml").write_text(
        "project:\n  type: website\n  output-dir: _site\n  render:\n"
        "    - reports/opfoelgning.qmd\nlang: da\nexecute:\n  echo: false\n  warning: false\n",
        encoding="utf-8",
    )
    result = render_project(root, engine="builtin", progress=False)
    outputs = {p.suffix for d in result.documents for p in d.outputs}
    assert outputs == {".html", ".pdf"}
    html = (root / "_site" / "reports" / "opfoelgning.html").read_text(encoding="utf-8")

    class Page(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.images: list[dict] = []
            self.headings: list[str] = []
            self._h2 = False

        def handle_starttag(self, tag, attrs):
            if tag == "img":
                self.images.append(dict(attrs))
            self._h2 = self._h2 or tag == "h2"

        def handle_endtag(self, tag):
            self._h2 = self._h2 and tag != "h2"

        def handle_data(self, data):
            if self._h2 and data.strip():
                self.headings.append(data.strip())

    page = Page()
    page.feed(html)
    for g, name in config.GOALS.items():
        assert f"Mål {g}: {name}" in page.headings
    charts = [i for i in page.images if "opfoelgning-maal" in i.get("src", "")]
    wide = [i for i in charts if not i["src"].endswith("-mobil.svg")]  # each also for a phone
    assert len(wide) == 4 and len(charts) == 8
    assert all(i["alt"].startswith("Prikdiagram") for i in charts)
    assert (root / "_site" / "reports" / charts[0]["src"]).is_file()
    pdf = PdfReader(root / "_site" / "reports" / "opfoelgning.pdf")
    text = " ".join(p.extract_text() or "" for p in pdf.pages)
    assert "Opfølgning på strategien" in text and "Samarbejdsindeks" in text


def test_a_sheet_tells_the_association_its_own_missing_answers_in_its_own_terms(
    member_instrument: Instrument,
) -> None:
    """The sheet speaks to the association: its unanswered question is "I svarede ikke på
    dette", an answer the instrument could not read is never called "Ugyldigt svar", and its
    own substantive answer and "Ved ikke" are shown as given."""
    from fslt_survey.followup.feedback_sheet import _own_answer

    item = member_instrument.item("kommune_kontakt")
    row = {item.id: None, item.missing_column: "Ikke besvaret"}
    assert _own_answer(row, item) == "I svarede ikke på dette"
    row = {item.id: None, item.missing_column: "Ugyldigt svar"}
    assert _own_answer(row, item) == "Jeres svar kunne ikke aflæses"
    row = {item.id: None, item.missing_column: "Ved ikke"}
    assert _own_answer(row, item) == "Ved ikke"
    row = {item.id: "Ja", item.missing_column: None}
    assert _own_answer(row, item) == "Ja"


def test_with_findings_the_shares_changes_are_not_computed_twice(member_instrument, registry):
    """Issue 20: with the findings, all respondents' shares get their change, test and verdict
    from the findings, so ``compute_followup`` no longer computes them first (``levels_only``);
    the published table is the same as when they were computed and then replaced."""
    from fslt_survey.followup.from_findings import apply_findings
    from fslt_survey.pipeline import clean_survey
    from fslt_survey.publish.findings import Findings, declared_indicators

    demo = clean_survey("medlemsundersoegelse", demo=True).data
    iset = load_indicators()
    declared = declared_indicators("medlemsundersoegelse")
    store = Findings(demo, member_instrument, population=len(registry), indicators=declared)
    quick = compute_followup(demo, iset, findings=store, network=None)
    full = pd.concat(
        [compute_indicators(demo, iset, paired=p, network=None) for p in (False, True)],
        ignore_index=True,
    )
    pd.testing.assert_frame_equal(quick, apply_findings(full, iset, store))
    assert (quick["test"] != "none").any()  # the changes' tests came from the findings
