"""Tests of fslt_survey.stats (frequencies, Likert, needs, weighted tables) and
fslt_survey.stats.answers (reading the clean columns).

Reference values come from an independent implementation: statsmodels'
``proportion_confint(method="wilson")`` for every interval, hand counts for the tables.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from fslt_survey.codebook import Condition, Instrument, Item, parse_instrument
from fslt_survey.config import INVALID_ANSWER, MISSING_REASONS, NOT_ANSWERED
from fslt_survey.errors import SurveyDataError
from fslt_survey.stats import (
    FREQ_COLUMNS,
    TOTAL_LABEL,
    poststratify,
    rank_needs,
    tab_likert,
    tab_likert_summary,
    tab_missing,
    tab_multi,
    tab_single,
)

GRAD = ["I høj grad", "I nogen grad", "I mindre grad", "Slet ikke"]
TYPES = ["Forening", "Selvhjælp", "Netværk", "Andet"]  # "Andet": a type nobody in the sample has


def make_instrument() -> Instrument:
    return parse_instrument(
        {
            "instrument": "statstest",
            "title": "Testskema",
            "kind": "member",
            "waves": [2025, 2027],
            "scales": {
                "grad": {
                    "ordered": True,
                    "labels": [
                        *({"code": i + 1, "label": lab} for i, lab in enumerate(GRAD)),
                        {"code": 9, "label": "Ved ikke", "missing": True},
                    ],
                },
                "janej": {
                    "ordered": False,
                    "labels": [{"code": 1, "label": "Ja"}, {"code": 2, "label": "Nej"}],
                },
                "temaer": {
                    "ordered": False,
                    "labels": [
                        {"code": 1, "label": "Frivillige"},
                        {"code": 2, "label": "Fundraising"},
                        {"code": 3, "label": "GDPR"},
                    ],
                },
            },
            "sections": [
                {
                    "id": "a",
                    "title": "Del A",
                    "items": [
                        {
                            "id": "behov_a",
                            "text": "Behov A?",
                            "short": "Rekruttering",
                            "type": "likert",
                            "scale": "grad",
                            "battery": "behov",
                        },
                        {
                            "id": "behov_b",
                            "text": "Behov B?",
                            "short": "Fundraising",
                            "type": "likert",
                            "scale": "grad",
                            "battery": "behov",
                        },
                        {
                            "id": "behov_c",
                            "text": "Behov C?",
                            "short": "GDPR",
                            "type": "likert",
                            "scale": "grad",
                            "battery": "behov",
                        },
                        {
                            "id": "driver",
                            "text": "Driver I grupper?",
                            "type": "single",
                            "scale": "janej",
                        },
                        {
                            "id": "temaer",
                            "text": "Hvilke temaer?",
                            "type": "multi",
                            "scale": "temaer",
                        },
                        {"id": "antal", "text": "Hvor mange?", "type": "numeric"},
                    ],
                }
            ],
        }
    )


#: The categories cleaning gives every ``__missing`` column (one global list for all items).
GLOBAL_REASONS = [*MISSING_REASONS, NOT_ANSWERED, INVALID_ANSWER]


def choice_columns(
    item: Item, values: list[str | None], reasons: list[str] | None = None
) -> dict[str, pd.Series]:
    """Clean columns of a single/likert item following the clean data contract.

    A substantive label goes to ``<id>``; a typed-missing label (or "Ikke besvaret") to
    ``<id>__missing``; None means not asked (both NA). ``reasons``: the categories of
    ``<id>__missing`` (default: the scale's missing labels and "Ikke besvaret").
    """
    scale = item.scale
    assert scale is not None
    cats = scale.categories
    if reasons is None:
        reasons = [lab.label for lab in scale.missing] + [NOT_ANSWERED]
    answer = [v if v in cats else None for v in values]
    reason = [v if v in reasons else None for v in values]
    return {
        item.id: pd.Series(pd.Categorical(answer, categories=cats, ordered=scale.ordered)),
        item.missing_column: pd.Series(pd.Categorical(reason, categories=reasons)),
    }


def multi_columns(
    item: Item, ticks: list[set[str] | str | None], reasons: list[str] | None = None
) -> dict[str, pd.Series]:
    """Clean columns of a multi item: a set of ticked labels, a missing reason, or None."""
    assert item.scale is not None
    out = {}
    for lab in item.scale.substantive:
        out[item.option_column(lab)] = pd.Series(
            pd.array(
                [lab.label in t if isinstance(t, set) else None for t in ticks], dtype="boolean"
            )
        )
    out[item.missing_column] = pd.Series(
        pd.Categorical(
            [t if isinstance(t, str) else None for t in ticks],
            categories=reasons or ["Ved ikke", NOT_ANSWERED],
        )
    )
    return out


@pytest.fixture(scope="module")
def inst() -> Instrument:
    return make_instrument()


@pytest.fixture
def data(inst: Instrument) -> pd.DataFrame:
    """12 responses of wave 2025: rows 0-5 Forening, 6-9 Selvhjælp, 10-11 Netværk."""
    n = 12
    cols: dict[str, pd.Series] = {
        "response_id": pd.Series([f"r{i:02d}" for i in range(n)]),
        "wave": pd.Series([2025] * n),
        "association_id": pd.Series([f"f{i:02d}" for i in range(n)]),
        "assoc_type": pd.Series(
            pd.Categorical(["Forening"] * 6 + ["Selvhjælp"] * 4 + ["Netværk"] * 2, categories=TYPES)
        ),
    }
    cols |= choice_columns(
        inst.item("behov_a"),
        ["I høj grad"] * 4
        + ["I nogen grad"] * 3
        + ["I mindre grad"] * 2
        + ["Ved ikke"] * 2
        + [NOT_ANSWERED],
    )
    cols |= choice_columns(
        inst.item("behov_b"),
        ["I høj grad"]
        + ["I nogen grad"] * 2
        + ["I mindre grad"] * 4
        + ["Slet ikke"] * 3
        + [None] * 2,
    )
    cols |= choice_columns(inst.item("behov_c"), ["I høj grad"] * 6 + ["Slet ikke"] * 6)
    cols |= choice_columns(inst.item("driver"), ["Ja"] * 7 + ["Nej"] * 5)
    cols |= multi_columns(
        inst.item("temaer"),
        [{"Frivillige", "Fundraising"}] * 2
        + [{"Frivillige"}] * 4
        + [set()] * 4
        + ["Ved ikke", None],
    )
    cols["antal"] = pd.Series(pd.array([3.0] * n, dtype="Float64"))
    cols["antal__missing"] = pd.Series(pd.Categorical([None] * n, categories=["Ved ikke"]))
    return pd.DataFrame(cols)


@pytest.fixture
def registry() -> pd.DataFrame:
    """20 member associations: 40 % Forening, 40 % Selvhjælp, 20 % Netværk."""
    types = ["Forening"] * 8 + ["Selvhjælp"] * 8 + ["Netværk"] * 4
    return pd.DataFrame(
        {
            "association_id": [f"f{i:02d}" for i in range(20)],
            "assoc_type": pd.Categorical(types, categories=TYPES),
        }
    )


def sm_wilson(k: float, n: float) -> tuple[float, float]:
    low, high = proportion_confint(k, n, alpha=0.05, method="wilson")
    return 100 * float(low), 100 * float(high)


# --------------------------------------------------------------------------- tab_single


def test_tab_single_counts_missing_rows_and_reference_ci(inst, data) -> None:
    tab = tab_single(data, inst.item("behov_a"))
    assert list(tab.columns) == FREQ_COLUMNS
    sub = tab[~tab["missing"]]
    assert sub["category"].tolist() == GRAD  # scale order, "Slet ikke" kept with n = 0
    assert sub["n"].tolist() == [4, 3, 2, 0]
    assert sub["level"].tolist() == [1, 2, 3, 4]
    assert set(sub["base"]) == {9}
    assert sub["pct"].sum() == pytest.approx(100)
    for row in sub.itertuples():
        assert row.pct == pytest.approx(100 * row.n / 9)
        assert (row.ci_low, row.ci_high) == pytest.approx(sm_wilson(row.n, 9), abs=1e-9)
    mis = tab[tab["missing"]]
    assert mis["category"].tolist() == ["Ved ikke", NOT_ANSWERED]
    assert mis["n"].tolist() == [2, 1]
    assert set(mis["base"]) == {12}  # everyone asked
    assert mis["level"].isna().all()
    assert tab["label"].unique().tolist() == ["Rekruttering"]


def test_tab_single_include_missing_puts_reasons_in_the_base(inst, data) -> None:
    tab = tab_single(data, inst.item("behov_a"), include_missing=True)
    assert set(tab["base"]) == {12}
    assert tab["n"].tolist() == [4, 3, 2, 0, 2, 1]
    assert tab["pct"].sum() == pytest.approx(100)


def test_tab_single_not_asked_rows_are_in_no_base(inst, data) -> None:
    tab = tab_single(data, inst.item("behov_b"))
    assert tab.loc[~tab["missing"], "base"].unique().tolist() == [10]
    assert tab.loc[tab["missing"], "n"].sum() == 0
    assert tab.loc[tab["missing"], "base"].unique().tolist() == [10]


def test_tab_single_by_group_keeps_empty_groups(inst, data) -> None:
    tab = tab_single(data, inst.item("behov_a"), by="assoc_type")
    assert list(tab.columns) == ["assoc_type", *FREQ_COLUMNS]
    assert isinstance(tab["assoc_type"].dtype, pd.CategoricalDtype)
    assert tab["assoc_type"].unique().tolist() == TYPES
    sub = tab[~tab["missing"]].set_index(["assoc_type", "category"], drop=False)
    assert sub.loc[("Forening", "I høj grad"), "n"] == 4
    assert sub.loc[("Forening", "I høj grad"), "base"] == 6
    assert sub.loc[("Selvhjælp", "I mindre grad"), "n"] == 2
    assert sub.loc[("Selvhjælp", "I mindre grad"), "base"] == 3
    # groups without answers: base 0, pct and interval NA
    empty = tab[(tab["assoc_type"].isin(["Netværk", "Andet"])) & ~tab["missing"]]
    assert (empty["base"] == 0).all() and empty["pct"].isna().all()
    assert empty["ci_low"].isna().all()
    vk = tab[(tab["category"] == "Ved ikke")].set_index("assoc_type")["n"]
    assert vk.to_dict() == {"Forening": 0, "Selvhjælp": 1, "Netværk": 1, "Andet": 0}


def test_tab_single_by_non_categorical_column(inst, data) -> None:
    tab = tab_single(data, inst.item("driver"), by="wave")
    assert tab["wave"].unique().tolist() == [2025]
    assert tab.loc[~tab["missing"], "n"].tolist() == [7, 5]


def test_tab_single_accepts_item_id(data) -> None:
    tab = tab_single(data, "driver")
    assert tab.loc[~tab["missing"], "category"].tolist() == ["Ja", "Nej"]
    assert tab["label"].iloc[0] == "driver"


def test_tab_single_accepts_string_column_with_known_labels(inst, data) -> None:
    df = data.assign(driver=data["driver"].astype(str).replace("nan", None))
    tab = tab_single(df, inst.item("driver"))
    assert tab.loc[~tab["missing"], "n"].tolist() == [7, 5]


# --------------------------------------------------------------------------- tab_multi


def test_tab_multi_share_of_respondents(inst, data) -> None:
    tab = tab_multi(data, inst.item("temaer"))
    sub = tab[~tab["missing"]]
    assert sub["category"].tolist() == ["Frivillige", "Fundraising", "GDPR"]
    assert sub["n"].tolist() == [6, 2, 0]  # GDPR nobody ticked: kept with 0
    assert set(sub["base"]) == {10}  # answered the question (not the ticks: 8)
    assert sub["pct"].tolist() == pytest.approx([60, 20, 0])
    for row in sub.itertuples():
        assert (row.ci_low, row.ci_high) == pytest.approx(sm_wilson(row.n, 10), abs=1e-9)
    mis = tab[tab["missing"]].set_index("category")
    assert mis.loc["Ved ikke", "n"] == 1 and mis.loc["Ved ikke", "base"] == 11


def test_tab_multi_sort_and_partial_na(inst, data) -> None:
    df = data.copy()
    df.loc[3, "temaer__2"] = pd.NA  # answered row with one NA option: counts as not ticked
    tab = tab_multi(df, inst.item("temaer"), sort=True)
    assert tab.loc[~tab["missing"], "category"].tolist() == ["Frivillige", "Fundraising", "GDPR"]
    assert tab.loc[~tab["missing"], "base"].unique().tolist() == [10]
    assert tab["missing"].tolist() == [False, False, False, True, True]


def test_tab_multi_by_id(data) -> None:
    tab = tab_multi(data, "temaer")
    assert tab.loc[~tab["missing"], "category"].tolist() == ["1", "2", "3"]


# --------------------------------------------------------------------------- likert, needs


def test_tab_likert_stacks_items_in_order(inst, data) -> None:
    tab = tab_likert(data, inst.battery("behov"))
    assert tab["item"].unique().tolist() == ["behov_a", "behov_b", "behov_c"]
    sub = tab[~tab["missing"]]
    assert sub.groupby("item")["category"].apply(list).to_dict() == {
        "behov_a": GRAD,
        "behov_b": GRAD,
        "behov_c": GRAD,
    }
    sums = sub.groupby("item")["pct"].sum()
    assert sums.to_numpy() == pytest.approx([100, 100, 100])
    c = sub[sub["item"] == "behov_c"]
    assert c["n"].tolist() == [6, 0, 0, 6]


def test_tab_likert_summary(inst, data) -> None:
    s = tab_likert_summary(data, inst.battery("behov")).set_index("item")
    assert list(s.columns) == [
        "label",
        "base",
        "n_missing",
        "top2_n",
        "top2_pct",
        "top2_ci_low",
        "top2_ci_high",
        "median",
        "base_eff",
    ]
    assert s.loc["behov_a", ["base", "n_missing", "top2_n"]].tolist() == [9, 3, 7]
    assert s.loc["behov_a", "top2_pct"] == pytest.approx(700 / 9)
    ci = sm_wilson(7, 9)
    assert s.loc["behov_a", "top2_ci_low"] == pytest.approx(ci[0])
    assert s.loc["behov_a", "top2_ci_high"] == pytest.approx(ci[1])
    # medians: a = 4,3,2,0 of 9 -> 2nd; b = 1,2,4,3 of 10 -> 3rd; c = 6/12 then 6 -> lower median
    assert s["median"].tolist() == ["I nogen grad", "I mindre grad", "I høj grad"]
    assert s.loc["behov_b", ["base", "n_missing"]].tolist() == [10, 0]


def test_tab_likert_summary_custom_top_and_groups(inst, data) -> None:
    s = tab_likert_summary(data, [inst.item("behov_b")], top=["Slet ikke"], by="assoc_type")
    total = s["top2_n"].sum()
    assert total == 3
    assert s["assoc_type"].tolist() == TYPES
    assert s.loc[s["assoc_type"] == "Andet", "median"].isna().all()
    with pytest.raises(SurveyDataError, match="not categories"):
        tab_likert_summary(data, [inst.item("behov_b")], top=["Helt enig"])


def test_rank_needs_overall_and_by_group(inst, data) -> None:
    r = rank_needs(data, inst.battery("behov"))
    assert list(r.columns) == [
        "rank",
        "item",
        "label",
        "n",
        "base",
        "pct",
        "ci_low",
        "ci_high",
        "base_eff",
    ]
    # large need (I høj grad): a 4/9, b 1/10, c 6/12
    assert r["item"].tolist() == ["behov_c", "behov_a", "behov_b"]
    assert r["rank"].tolist() == [1, 2, 3]
    assert r["pct"].tolist() == pytest.approx([50, 400 / 9, 10])
    assert r["pct"].is_monotonic_decreasing
    g = rank_needs(
        data, inst.battery("behov"), by="assoc_type", large=("I høj grad", "I nogen grad")
    )
    assert g["assoc_type"].unique().tolist() == [TOTAL_LABEL, *TYPES]
    for _, block in g.groupby("assoc_type", observed=True, sort=False):
        assert block["pct"].dropna().is_monotonic_decreasing
    overall = g[g["assoc_type"] == TOTAL_LABEL].set_index("item")
    assert overall.loc["behov_a", "n"] == 7 and overall.loc["behov_a", "base"] == 9
    no_total = rank_needs(data, inst.battery("behov"), by="assoc_type", total=False)
    assert TOTAL_LABEL not in set(no_total["assoc_type"])


def test_tab_multi_sort_keeps_missing_rows_in_fixed_order(inst, data) -> None:
    """Regression: sort=True also sorted the typed-missing rows by pct."""
    item = dataclasses.replace(inst.item("temaer"), relevant=Condition("driver", ("Ja",)))
    ticks = [{"GDPR"}] * 3 + [{"Frivillige", "GDPR"}] * 2 + [{"Fundraising"}]
    ticks += ["Ikke relevant", NOT_ANSWERED, NOT_ANSWERED, NOT_ANSWERED, INVALID_ANSWER, None]
    df = data.assign(**multi_columns(item, ticks, GLOBAL_REASONS))
    for by in (None, "assoc_type"):
        tab = tab_multi(df, item, sort=True, by=by)
        blocks = [tab] if by is None else [g for _, g in tab.groupby(by, observed=True)]
        for block in blocks:
            assert block["missing"].tolist() == [False] * 3 + [True] * 3
            assert block.loc[block["missing"], "category"].tolist() == [
                "Ikke relevant",
                NOT_ANSWERED,
                INVALID_ANSWER,
            ]
            pct = block.loc[~block["missing"], "pct"].dropna()
            assert pct.is_monotonic_decreasing
    tab = tab_multi(df, item, sort=True)
    assert tab.loc[~tab["missing"], "category"].tolist() == ["GDPR", "Frivillige", "Fundraising"]
    assert tab.loc[~tab["missing"], "level"].tolist() == [3, 1, 2]  # questionnaire positions
    assert tab.loc[tab["missing"], "n"].tolist() == [1, 3, 1]


# --------------------------------------------------------------------------- missing reasons


def test_missing_reasons_are_those_the_item_can_have(inst, data) -> None:
    """Regression: every reason of the global ``__missing`` categories was listed with n = 0
    (a yes/no item without "Ikke relevant" or "Ønsker ikke at svare" listed both)."""
    driver = inst.item("driver")  # janej: no missing labels, no relevant condition
    values = ["Ja"] * 7 + ["Nej"] * 3 + [NOT_ANSWERED, None]
    df = data.assign(**choice_columns(driver, values, GLOBAL_REASONS))
    tab = tab_single(df, driver)
    assert tab.loc[tab["missing"], "category"].tolist() == [NOT_ANSWERED]
    # an observed reason outside the scale is listed too (n > 0)
    df.loc[9, ["driver", "driver__missing"]] = [None, INVALID_ANSWER]
    tab = tab_single(df, driver)
    mis = tab[tab["missing"]]
    assert mis["category"].tolist() == [NOT_ANSWERED, INVALID_ANSWER]
    assert mis["n"].tolist() == [1, 1]
    # the scale's missing labels (also when nobody chose them), then Ikke besvaret
    behov = inst.item("behov_b")
    df = data.assign(**choice_columns(behov, ["I høj grad"] * 12, GLOBAL_REASONS))
    for t in (tab_single(df, behov), tab_likert(df, [behov], by="assoc_type")):
        assert t.loc[t["missing"], "category"].unique().tolist() == ["Ved ikke", NOT_ANSWERED]
    # "Ikke relevant" when the item has a relevant condition, in scale order before the rest
    routed = dataclasses.replace(behov, relevant=Condition("driver", ("Ja",)))
    m = tab_missing(df, [behov, driver])
    assert m["reason"].tolist() == ["Ved ikke", NOT_ANSWERED, NOT_ANSWERED]
    r = tab_missing(df, routed)
    assert r["reason"].tolist() == ["Ved ikke", "Ikke relevant", NOT_ANSWERED]
    assert (r["n"] == 0).all()
    temaer = inst.item("temaer")
    ticks = [{"Frivillige"}] * 10 + ["Ved ikke", None]
    df = data.assign(**multi_columns(temaer, ticks, GLOBAL_REASONS))
    t = tab_multi(df, temaer)
    assert t.loc[t["missing"], "category"].tolist() == ["Ved ikke", NOT_ANSWERED]  # Ved ikke seen
    assert t.loc[t["missing"], "n"].tolist() == [1, 0]


def test_not_asked_rows_are_outside_every_base_and_missing_count(inst, data) -> None:
    """An item not asked of a response (not in that wave, no column in that export) has both
    ``<id>`` and ``<id>__missing`` NA: adding such responses changes no table of the item."""
    items = [c for c in data.columns if c.startswith(("behov_", "driver", "temaer"))]
    blank = data.iloc[:6].copy()  # the same groups, but the items were not asked
    for col in items:
        blank[col] = blank[col].where(pd.Series(False, index=blank.index))
    blank["response_id"] = [f"n{i}" for i in range(6)]
    more = pd.concat([data, blank], ignore_index=True)
    assert len(more) == len(data) + 6
    behov = inst.battery("behov")
    calls = [
        lambda d: tab_single(d, inst.item("behov_a"), by="assoc_type"),
        lambda d: tab_single(d, inst.item("behov_a"), include_missing=True),
        lambda d: tab_single(d, "driver"),
        lambda d: tab_multi(d, inst.item("temaer"), by="assoc_type", sort=True),
        lambda d: tab_multi(d, inst.item("temaer"), include_missing=True),
        lambda d: tab_likert(d, behov, by="assoc_type"),
        lambda d: tab_likert_summary(d, behov, by="assoc_type"),
        lambda d: tab_missing(d, [*behov, inst.item("temaer")], by="assoc_type"),
        lambda d: rank_needs(d, behov, by="assoc_type"),
    ]
    for call in calls:
        pd.testing.assert_frame_equal(call(more), call(data))


# --------------------------------------------------------------------------- tab_missing


def test_tab_missing(inst, data) -> None:
    m = tab_missing(data, [inst.item("behov_a"), inst.item("temaer")])
    assert list(m.columns) == ["item", "label", "reason", "n", "base", "pct", "ci_low", "ci_high"]
    a = m[m["item"] == "behov_a"].set_index("reason")
    assert a.loc["Ved ikke", "n"] == 2 and a.loc[NOT_ANSWERED, "n"] == 1
    assert a.loc["Ved ikke", "base"] == 12


def test_weighted_tab_single(inst, data, registry) -> None:
    w = poststratify(data, registry)
    tab = tab_single(w, inst.item("behov_a"), weights="weight")
    sub = tab[~tab["missing"]].set_index("category")
    # answered rows 0-8: six Forening (w 0.8), three Selvhjælp (w 1.2)
    total = 6 * 0.8 + 3 * 1.2
    assert sub.loc["I høj grad", "pct"] == pytest.approx(100 * 3.2 / total)
    assert sub.loc["I nogen grad", "pct"] == pytest.approx(100 * 2.8 / total)
    assert sub["n"].tolist() == [4, 3, 2, 0]  # unweighted counts are reported
    assert set(sub["base"]) == {9}
    neff = total**2 / (6 * 0.64 + 3 * 1.44)
    assert sub["base_eff"].iloc[0] == pytest.approx(neff)
    p = 3.2 / total
    ci = sm_wilson(p * neff, neff)
    assert (sub.loc["I høj grad", "ci_low"], sub.loc["I høj grad", "ci_high"]) == pytest.approx(ci)
    assert sub["pct"].sum() == pytest.approx(100)


def test_weighted_type_shares_equal_registry(inst, data, registry) -> None:
    """Weighted tab of the type column itself reproduces the registry shares."""
    w = poststratify(data, registry)
    w["type_item"] = w["assoc_type"].cat.remove_categories(["Andet"])
    tab = tab_single(w, "type_item", weights="weight")
    got = tab.set_index("category")["pct"]
    assert got["Forening"] == pytest.approx(40)
    assert got["Selvhjælp"] == pytest.approx(40)
    assert got["Netværk"] == pytest.approx(20)


def test_weights_are_honoured_everywhere(inst, data, registry) -> None:
    w = poststratify(data, registry)
    unweighted = tab_multi(w, inst.item("temaer"))
    weighted = tab_multi(w, inst.item("temaer"), weights="weight")
    assert (weighted["n"] == unweighted["n"]).all()
    assert not np.allclose(weighted["pct"].iloc[:2], unweighted["pct"].iloc[:2])
    s = tab_likert_summary(w, inst.battery("behov"), weights="weight")
    assert (s["base_eff"] < s["base"]).all()
    r = rank_needs(w, inst.battery("behov"), weights="weight")
    assert (r["base_eff"] <= r["base"]).all()


def test_bad_weights(inst, data) -> None:
    with pytest.raises(SurveyDataError, match="weight column"):
        tab_single(data, inst.item("behov_a"), weights="weight")
    with pytest.raises(SurveyDataError, match="non-negative"):
        tab_single(data.assign(weight=-1.0), inst.item("behov_a"), weights="weight")
    with pytest.raises(SurveyDataError, match="numeric"):
        tab_single(data.assign(weight="x"), inst.item("behov_a"), weights="weight")


# --------------------------------------------------------------------------- errors


def test_errors_are_survey_data_errors(inst, data) -> None:
    with pytest.raises(SurveyDataError, match="type 'multi'"):
        tab_single(data, inst.item("temaer"))
    with pytest.raises(SurveyDataError, match="type 'numeric'"):
        tab_single(data, inst.item("antal"))
    with pytest.raises(SurveyDataError, match="not in the data"):
        tab_single(data.drop(columns="behov_a"), inst.item("behov_a"))
    with pytest.raises(SurveyDataError, match="unknown item"):
        tab_single(data, "findes_ikke")
    with pytest.raises(SurveyDataError, match="group column"):
        tab_single(data, inst.item("behov_a"), by="findes_ikke")
    with pytest.raises(SurveyDataError, match="not substantive labels"):
        tab_single(data.assign(driver=["Måske"] * 12), inst.item("driver"))
    with pytest.raises(SurveyDataError, match="not categorical"):
        tab_single(data, "antal")
    with pytest.raises(SurveyDataError, match="cannot tabulate item 'behov_a' of type 'likert'"):
        tab_multi(data, inst.item("behov_a"))
    with pytest.raises(SurveyDataError, match="unordered"):
        tab_likert_summary(data, [inst.item("driver")])
    with pytest.raises(SurveyDataError, match="at least one"):
        tab_likert(data, [])
    with pytest.raises(SurveyDataError, match="DataFrame"):
        tab_single(data.to_dict(), inst.item("behov_a"))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- properties


def _calls(inst: Instrument, registry: pd.DataFrame) -> list:
    behov = inst.battery("behov")
    return [
        lambda d: tab_single(d, inst.item("behov_a"), by="assoc_type"),
        lambda d: tab_single(d, inst.item("behov_a"), include_missing=True),
        lambda d: tab_multi(d, inst.item("temaer"), sort=True),
        lambda d: tab_missing(d, behov),
        lambda d: tab_likert(d, behov, by="wave"),
        lambda d: tab_likert_summary(d, behov),
        lambda d: rank_needs(d, behov, by="assoc_type"),
        lambda d: poststratify(d, registry),
    ]


def test_no_function_mutates_its_input(inst, data, registry) -> None:
    for call in _calls(inst, registry):
        before = data.copy(deep=True)
        dtypes = data.dtypes.copy()
        out = call(data)
        assert out is not data
        assert data.equals(before)
        assert data.dtypes.equals(dtypes)
        assert list(data.columns) == list(before.columns)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([*GRAD, "Ved ikke", NOT_ANSWERED, None]), min_size=1, max_size=40))
def test_frequency_properties(values: list[str | None]) -> None:
    item = make_instrument().item("behov_a")
    df = pd.DataFrame(choice_columns(item, values))
    tab = tab_single(df, item)
    sub = tab[~tab["missing"]]
    answered = sum(v in GRAD for v in values)
    assert sub["category"].tolist() == GRAD  # every level, also unchosen ones
    assert sub["n"].sum() == answered
    assert (sub["base"] == answered).all()
    if answered:
        assert sub["pct"].sum() == pytest.approx(100)
        assert (sub["ci_low"] <= sub["pct"] + 1e-9).all()
        assert (sub["pct"] <= sub["ci_high"] + 1e-9).all()
        assert ((sub["ci_low"] >= 0) & (sub["ci_high"] <= 100)).all()
    else:
        assert sub["pct"].isna().all()
    asked = sum(v is not None for v in values)
    assert (tab.loc[tab["missing"], "base"] == asked).all()
    full = tab_single(df, item, include_missing=True)
    assert full["n"].sum() == asked


def test_tab_multi_reads_object_columns_and_counts_an_unseen_option_as_not_ticked(
        small_instrument) -> None:
    """Option columns of True/False/None (as read back from a CSV) count like boolean ones; an
    option left NA in an answered question is not ticked; a non-boolean value is refused."""
    item = small_instrument.item("temaer")
    data = pd.DataFrame({"temaer__frivillige": [True, False, None, True],
                         "temaer__fundraising": [None, True, None, False],
                         "temaer__gdpr": [False, False, None, None]}, dtype=object)
    data["temaer__missing"] = pd.Categorical([None, None, "Ved ikke", None],
                                             categories=["Ved ikke"])
    out = tab_multi(data, item)
    chosen = out[~out["missing"]]
    # answered: rows 0, 1 and 3 (row 2 answered "Ved ikke"); ticks 2, 1 and 0 of 3
    assert chosen["n"].tolist() == [2, 1, 0] and chosen["base"].tolist() == [3, 3, 3]
    typed = data.astype({c: "boolean" for c in data.columns[:3]})
    pd.testing.assert_frame_equal(tab_multi(typed, item), out)
    with pytest.raises(SurveyDataError, match="multi-select column 'temaer__gdpr' is not "
                       "boolean") as info:
        tab_multi(data.assign(temaer__gdpr=["x", False, None, None]), item)
    assert (info.value.column, info.value.expected, info.value.found) == (
        "temaer__gdpr", "True/False/NA", "object")


def test_columns_without_a_codebook_item_are_described_by_their_dtype() -> None:
    """Tabulating by column name alone: an ordered categorical is a Likert item (median and top-2
    allowed), an unordered one a single choice, ``x__<key>`` columns a multi-select; anything
    else is refused naming the column, what was expected and what was found."""
    grad = ["Høj", "Middel", "Lav"]
    data = pd.DataFrame({
        "skala": pd.Categorical(["Høj", "Lav", "Høj", None], categories=grad, ordered=True),
        "valg": pd.Categorical(["a", "b", "a", "a"], categories=["a", "b"]),
        "tal": [1, 2, 3, 4],
        "tema__x": pd.array([True, False, True, None], dtype="boolean"),
        "tema__y": pd.array([False, False, True, None], dtype="boolean"),
    })
    summary = tab_likert_summary(data, ["skala"]).iloc[0]
    assert (summary["item"], summary["base"], summary["top2_n"], summary["median"]) == (
        "skala", 3, 2, "Høj")
    with pytest.raises(SurveyDataError, match="unordered"):
        tab_likert_summary(data, ["valg"])
    single = tab_single(data, "valg")
    assert single.loc[~single["missing"], "n"].tolist() == [3, 1]
    multi = tab_multi(data, "tema")
    assert multi.loc[~multi["missing"], ["category", "n", "base"]].values.tolist() == [
        ["x", 2, 3], ["y", 1, 3]]
    with pytest.raises(SurveyDataError, match="column 'tal' is not categorical") as info:
        tab_single(data, "tal")
    assert (info.value.column, info.value.expected, info.value.found) == (
        "tal", "a categorical choice column", "int64")
    with pytest.raises(SurveyDataError, match="unknown item 'intet'") as info:
        tab_single(data, "intet")
    assert (info.value.column, info.value.expected) == (
        "intet", "an item column or multi-select option columns")


def test_weight_column_checks(inst, data) -> None:
    """A weight of 0 is allowed (the row counts for nothing); NA, negative, boolean and
    missing weight columns are refused naming the column."""
    zero = data.assign(weight=[0.0] + [1.0] * (len(data) - 1))
    tab = tab_single(zero, inst.item("behov_a"), weights="weight")
    plain = tab_single(data.iloc[1:], inst.item("behov_a"))
    sub, ref = tab[~tab["missing"]], plain[~plain["missing"]]
    assert sub["pct"].tolist() == pytest.approx(ref["pct"].tolist())
    for bad, message in (([None] + [1.0] * (len(data) - 1), "finite and non-negative"),
                         ([-1.0] + [1.0] * (len(data) - 1), "finite and non-negative"),
                         ([True] * len(data), "weights must be numeric")):
        with pytest.raises(SurveyDataError, match=message) as info:
            tab_single(data.assign(weight=pd.array(bad)), inst.item("behov_a"),
                       weights="weight")
        assert info.value.column == "weight"
    with pytest.raises(SurveyDataError, match="weight column 'vægt' is not in the data") as info:
        tab_single(data, inst.item("behov_a"), weights="vægt")
    assert info.value.expected == "a column made by poststratify()"
