"""Tests of fslt_survey.stats.waves (change 2025 -> 2027) against independent reference values:
statsmodels ``confint_proportions_2indep(method="newcomb")``, ``proportions_ztest`` and
``mcnemar``; hand-counted Mann-Whitney U; the Wilcoxon test on hand-paired differences.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

from fslt_survey.codebook import Instrument, parse_instrument
from fslt_survey.errors import SurveyDataError
from fslt_survey.stats.inference import mcnemar_test
from fslt_survey.stats.intervals import newcombe_paired_ci
from fslt_survey.stats.waves import COMPARE_COLUMNS, compare_waves

GRAD = ["I høj grad", "I nogen grad", "I mindre grad", "Slet ikke"]


@pytest.fixture(scope="module")
def inst() -> Instrument:
    return parse_instrument(
        {
            "instrument": "bolge",
            "title": "Bølger",
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
                "temaer": {
                    "ordered": False,
                    "labels": [{"code": 1, "label": "Frivillige"}, {"code": 2, "label": "GDPR"}],
                },
            },
            "sections": [
                {
                    "id": "s",
                    "title": "S",
                    "items": [
                        {
                            "id": "tilfreds",
                            "text": "Tilfreds?",
                            "short": "Tilfredshed",
                            "type": "likert",
                            "scale": "grad",
                            "core": True,
                        },
                        {"id": "temaer", "text": "Temaer?", "type": "multi", "scale": "temaer"},
                    ],
                }
            ],
        }
    )


def wave_frame(
    answers: dict[int, list[str | None]], ids: dict[int, list[str]] | None = None
) -> pd.DataFrame:
    frames = []
    for wave, values in answers.items():
        frames.append(
            pd.DataFrame(
                {
                    "wave": wave,
                    "association_id": ids[wave]
                    if ids
                    else [f"{wave}-{i}" for i in range(len(values))],
                    "tilfreds": pd.Categorical(
                        [v if v in GRAD else None for v in values], categories=GRAD, ordered=True
                    ),
                    "tilfreds__missing": pd.Categorical(
                        [v if v == "Ved ikke" else None for v in values], categories=["Ved ikke"]
                    ),
                }
            )
        )
    df = pd.concat(frames, ignore_index=True)
    df["tilfreds"] = pd.Categorical(df["tilfreds"], categories=GRAD, ordered=True)
    return df


def expand(counts: list[int]) -> list[str | None]:
    return [lab for lab, c in zip(GRAD, counts, strict=True) for _ in range(c)]


@pytest.fixture
def waves() -> pd.DataFrame:
    return wave_frame(
        {2025: expand([10, 20, 15, 5]) + ["Ved ikke"] * 3, 2027: expand([20, 18, 8, 4])}
    )


def test_compare_waves_unpaired(inst, waves) -> None:
    res = compare_waves(waves, inst.item("tilfreds"))
    assert list(res.columns) == COMPARE_COLUMNS
    assert res["measure"].tolist() == ["category"] * 4 + ["top2", "distribution"]
    assert res["category"].iloc[4] == "I høj grad + I nogen grad"
    hi = res.iloc[0]
    assert (hi["n_from"], hi["base_from"], hi["n_to"], hi["base_to"]) == (10, 50, 20, 50)
    assert hi["pct_from"] == pytest.approx(20) and hi["pct_to"] == pytest.approx(40)
    assert hi["diff"] == pytest.approx(20)
    ref = confint_proportions_2indep(20, 50, 10, 50, method="newcomb", compare="diff")
    assert (hi["diff_ci_low"], hi["diff_ci_high"]) == pytest.approx(
        (100 * float(ref[0]), 100 * float(ref[1]))
    )
    z, p = proportions_ztest([20, 10], [50, 50])
    assert hi["test"] == "z"
    assert (hi["statistic"], hi["p"]) == pytest.approx((z, p))
    top = res.iloc[4]
    assert (top["n_from"], top["n_to"]) == (30, 38)
    low = res.iloc[3]  # Slet ikke 5 vs 4 of 50: expected 4.5 < 5 -> Fisher
    assert low["test"] == "fisher" and np.isnan(low["statistic"])
    assert low["p"] == pytest.approx(sps.fisher_exact([[5, 45], [4, 46]]).pvalue)
    dist = res.iloc[5]
    assert dist["test"] == "mann_whitney" and pd.isna(dist["category"])
    x = np.repeat([1, 2, 3, 4], [10, 20, 15, 5])
    y = np.repeat([1, 2, 3, 4], [20, 18, 8, 4])
    u_hand = (x[:, None] > y[None, :]).sum() + 0.5 * (x[:, None] == y[None, :]).sum()
    assert dist["statistic"] == pytest.approx(u_hand)
    assert 0 < dist["p"] < 0.05
    assert res["n_pairs"].isna().all()
    assert (res["wave_from"] == 2025).all() and (res["wave_to"] == 2027).all()


def test_compare_waves_paired(inst) -> None:
    pairs = (
        [("I høj grad", "I høj grad")] * 10
        + [("I nogen grad", "I høj grad")] * 6
        + [("I høj grad", "I nogen grad")] * 2
        + [("I mindre grad", "I nogen grad")] * 8
        + [("Slet ikke", "Slet ikke")] * 4
    )
    first = [a for a, _ in pairs] + ["I høj grad"] * 5 + ["Slet ikke"]
    second = [b for _, b in pairs] + ["Ved ikke"]
    ids = {
        2025: [f"a{i}" for i in range(len(first))],
        2027: [f"a{i}" for i in range(len(pairs))] + [f"a{len(first) - 1}"],
    }
    df = wave_frame({2025: first, 2027: second}, ids)
    res = compare_waves(df, inst.item("tilfreds"), paired=True)
    assert (res["n_pairs"] == 30).all()  # 5 only in 2025, 1 answered "Ved ikke" in 2027
    hi = res.iloc[0]
    assert (hi["n_from"], hi["n_to"], hi["base_from"]) == (12, 16, 30)
    assert hi["test"] == "mcnemar_exact"
    ref = mcnemar([[10, 2], [6, 12]], exact=True)
    assert hi["p"] == pytest.approx(ref.pvalue)
    # rows = 2027 yes/no, columns = 2025 yes/no
    d, low, high = newcombe_paired_ci([[10, 6], [2, 12]])
    assert (hi["diff"], hi["diff_ci_low"], hi["diff_ci_high"]) == pytest.approx(
        (100 * d, 100 * low, 100 * high)
    )
    assert hi["diff"] == pytest.approx(100 * (16 - 12) / 30)
    dist = res.iloc[-1]
    pos = {lab: i for i, lab in enumerate(GRAD)}
    diffs = [pos[b] - pos[a] for a, b in pairs]
    ref_w = sps.wilcoxon(diffs)
    assert dist["test"] == "wilcoxon"
    assert (dist["statistic"], dist["p"]) == pytest.approx((ref_w.statistic, ref_w.pvalue))


def test_compare_waves_multi_and_errors(inst) -> None:
    ticks = {
        2025: [(True, False)] * 6 + [(False, False)] * 4,
        2027: [(True, True)] * 8 + [(False, True)] * 2,
    }
    rows = [
        {
            "wave": w,
            "association_id": f"{w}-{i}",
            "temaer__1": a,
            "temaer__2": b,
            "temaer__missing": None,
        }
        for w, v in ticks.items()
        for i, (a, b) in enumerate(v)
    ]
    df = pd.DataFrame(rows).astype({"temaer__1": "boolean", "temaer__2": "boolean"})
    res = compare_waves(df, inst.item("temaer"))
    assert res["measure"].tolist() == ["category", "category"]
    assert res["n_to"].tolist() == [8, 10]
    assert res["pct_from"].tolist() == pytest.approx([60, 0])
    with pytest.raises(SurveyDataError, match="exactly two waves"):
        compare_waves(df.assign(wave=2025), inst.item("temaer"))
    with pytest.raises(SurveyDataError, match="not in the data"):
        compare_waves(df, inst.item("temaer"), waves=(2025, 2029))
    dup = pd.concat([df, df.iloc[[0]]], ignore_index=True)
    with pytest.raises(SurveyDataError, match="twice"):
        compare_waves(dup, inst.item("temaer"), paired=True)
    with pytest.raises(SurveyDataError, match="wave"):
        compare_waves(df.drop(columns="wave"), inst.item("temaer"))


def test_waves_do_not_mutate(inst, waves) -> None:
    before, dtypes = waves.copy(deep=True), waves.dtypes.copy()
    for paired in (False, True):
        out = compare_waves(waves, inst.item("tilfreds"), paired=paired)
        assert out is not waves
    assert waves.equals(before) and waves.dtypes.equals(dtypes)


def test_not_asked_rows_are_in_no_base(inst, waves) -> None:
    """Responses not asked the item (``<id>`` and ``<id>__missing`` both NA: not in that wave,
    or no column in that export) change no base, count or test of either wave."""
    extra = wave_frame({2025: [None] * 4, 2027: [None] * 3})
    extra["association_id"] = [f"x{i}" for i in range(len(extra))]
    more = pd.concat([waves, extra], ignore_index=True)
    for paired in (False, True):
        pd.testing.assert_frame_equal(
            compare_waves(more, inst.item("tilfreds"), paired=paired),
            compare_waves(waves, inst.item("tilfreds"), paired=paired),
        )


def test_mcnemar_switches_to_the_chi_square_at_25_discordant_pairs() -> None:
    """Exact below 25 discordant pairs, chi-square with continuity correction from 25 on
    (statsmodels ``mcnemar`` as the reference for both); no discordant pair gives p = 1."""
    exact = mcnemar_test(16, 8)
    ref = mcnemar([[0, 16], [8, 0]], exact=True)
    assert exact == ("mcnemar_exact", 8.0, pytest.approx(ref.pvalue))
    chi = mcnemar_test(17, 8)
    ref = mcnemar([[0, 17], [8, 0]], exact=False, correction=True)
    assert chi == ("mcnemar", pytest.approx(ref.statistic), pytest.approx(ref.pvalue))
    assert mcnemar_test(0, 0) == ("mcnemar_exact", 0.0, 1.0)


def test_compare_waves_default_thresholds(inst) -> None:
    """Defaults: an expected count of exactly 5 keeps the z-test (Fisher only below 5), and 25
    discordant pairs use McNemar's chi-square (exact only below 25)."""
    unpaired = wave_frame({2025: expand([20, 14, 10, 6]), 2027: expand([22, 14, 10, 4])})
    low = compare_waves(unpaired, inst.item("tilfreds")).iloc[3]  # Slet ikke: 6 vs 4 of 50
    assert low["test"] == "z"  # expected (6 + 4) * 50 / 100 = 5
    z, p = proportions_ztest([4, 6], [50, 50])
    assert (low["statistic"], low["p"]) == pytest.approx((z, p))
    pairs = ([("I høj grad", "I høj grad")] * 5 + [("I nogen grad", "I høj grad")] * 17
             + [("I høj grad", "I nogen grad")] * 8 + [("Slet ikke", "Slet ikke")] * 5)
    ids = [f"a{i}" for i in range(len(pairs))]
    df = wave_frame({2025: [a for a, _ in pairs], 2027: [b for _, b in pairs]},
                    {2025: ids, 2027: ids})
    hi = compare_waves(df, inst.item("tilfreds"), paired=True).iloc[0]
    ref = mcnemar([[5, 17], [8, 5]], exact=False, correction=True)
    assert hi["test"] == "mcnemar"
    assert (hi["statistic"], hi["p"]) == pytest.approx((ref.statistic, ref.pvalue))


def test_paired_distribution_without_any_change(inst) -> None:
    """Every association answers the same in both waves: no signed-rank statistic, p = 1."""
    same = ["I høj grad"] * 6 + ["Slet ikke"] * 4
    ids = [f"a{i}" for i in range(len(same))]
    df = wave_frame({2025: same, 2027: same}, {2025: ids, 2027: ids})
    dist = compare_waves(df, inst.item("tilfreds"), paired=True).iloc[-1]
    assert dist["test"] == "wilcoxon" and dist["n_pairs"] == 10
    assert np.isnan(dist["statistic"]) and dist["p"] == 1.0
