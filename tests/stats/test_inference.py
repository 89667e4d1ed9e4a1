"""Tests of fslt_survey.stats.inference against independent, cited reference values.

* R ``chisq.test`` on Agresti (2007, p. 39) party identification by gender:
  X-squared = 30.07, df = 2, p-value = 2.954e-07 (the example of R's ``?chisq.test``).
* R ``fisher.test`` on Fisher's tea-tasting table ``[[3, 1], [1, 3]]``: two-sided p = 0.4857.
* Monte-Carlo p-value against the exact permutation p of a small table (full enumeration of all
  tables with the same margins, written out in this module).
* statsmodels ``multipletests`` (fdr_bh, holm, bonferroni) and ``mcnemar``.
* R ``mcnemar.test`` on Agresti's presidential approval table ``[[794, 86], [150, 570]]``:
  McNemar's chi-squared = 16.818, df = 1, p-value = 4.115e-05.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.multitest import multipletests

from fslt_survey.errors import SurveyDataError
from fslt_survey.stats.inference import (
    CROSSTAB_COLUMNS,
    adjust_pvalues,
    crosstab,
    crosstab_counts,
    crosstab_many,
    mcnemar_test,
)


def table_frame(
    counts: list[list[int]],
    rows: list[str],
    cols: list[str],
    item: str = "svar",
    by: str = "gruppe",
    ordered: bool = False,
) -> pd.DataFrame:
    """Expand a contingency table (rows = answer categories, cols = groups) into responses."""
    answers, groups = [], []
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            answers += [r] * counts[i][j]
            groups += [c] * counts[i][j]
    return pd.DataFrame(
        {
            item: pd.Categorical(answers, categories=rows, ordered=ordered),
            f"{item}__missing": pd.Categorical([None] * len(answers), categories=["Ved ikke"]),
            by: pd.Categorical(groups, categories=cols),
        }
    )


def chi2_stat(t: np.ndarray) -> float:
    e = np.outer(t.sum(1), t.sum(0)) / t.sum()
    return float(((t - e) ** 2 / e).sum())


# --------------------------------------------------------------------------- crosstab


def test_chi_square_matches_r_agresti_example() -> None:
    df = table_frame(
        [[762, 484], [327, 239], [468, 477]],
        ["Democrat", "Independent", "Republican"],
        ["Female", "Male"],
        item="parti",
        by="gender",
    )
    res = crosstab(df, "parti", "gender")
    assert list(res.columns) == CROSSTAB_COLUMNS
    row = res.iloc[0]
    assert row["test"] == "chi2"
    assert row["statistic"] == pytest.approx(30.07, abs=0.005)
    assert row["df"] == 2
    assert row["p"] == pytest.approx(2.954e-07, rel=1e-3)
    assert row["n"] == 2757
    obs = np.array([[762, 484], [327, 239], [468, 477]])
    assert row["cramers_v"] == pytest.approx(
        sps.contingency.association(obs, method="cramer", correction=False)
    )
    assert row["cramers_v"] == pytest.approx(math.sqrt(30.070149 / 2757), rel=1e-6)
    assert pd.isna(row["n_resamples"])


def test_fisher_matches_r_tea_tasting() -> None:
    df = table_frame([[3, 1], [1, 3]], ["Mælk først", "Te først"], ["Gæt mælk", "Gæt te"])
    row = crosstab(df, "svar", "gruppe").iloc[0]
    assert row["test"] == "fisher"  # every expected count is 2
    assert row["p"] == pytest.approx(0.4857, abs=5e-5)
    assert row["statistic"] == pytest.approx(2.0)
    assert row["cramers_v"] == pytest.approx(0.5)
    assert row["min_expected"] == pytest.approx(2.0)
    assert row["small_expected_share"] == pytest.approx(1.0)


def exact_permutation_p(t: np.ndarray) -> float:
    """Exact p of the chi-square statistic given both margins of an r x 2 table."""
    rows, (c1, _) = t.sum(1), t.sum(0)
    n = t.sum()
    obs = chi2_stat(t)
    p = 0.0
    for first in itertools.product(*(range(r + 1) for r in rows)):
        if sum(first) != c1:
            continue
        cand = np.column_stack([first, rows - np.array(first)])
        prob = math.prod(math.comb(int(r), int(x)) for r, x in zip(rows, first, strict=True))
        if chi2_stat(cand) >= obs - 1e-9:
            p += prob / math.comb(int(n), int(c1))
    return p


def test_monte_carlo_matches_exact_permutation_p() -> None:
    counts = [[4, 0], [1, 3], [1, 3]]
    df = table_frame(counts, ["A", "B", "C"], ["x", "y"])
    res = crosstab(df, "svar", "gruppe", n_resamples=20000, seed=11).iloc[0]
    assert res["test"] == "monte_carlo"
    assert res["n_resamples"] == 20000
    exact = exact_permutation_p(np.array(counts))
    assert res["p"] == pytest.approx(exact, abs=0.015)
    again = crosstab(df, "svar", "gruppe", n_resamples=20000, seed=11).iloc[0]
    assert again["p"] == res["p"]  # deterministic with a seed


def test_crosstab_forced_tests_and_yates() -> None:
    df = table_frame([[30, 10], [15, 25]], ["Ja", "Nej"], ["x", "y"])
    plain = crosstab(df, "svar", "gruppe").iloc[0]
    yates = crosstab(df, "svar", "gruppe", correction=True).iloc[0]
    assert plain["test"] == "chi2" and yates["statistic"] < plain["statistic"]
    assert yates["p"] > plain["p"]
    assert yates["cramers_v"] == plain["cramers_v"]  # always from the uncorrected X²
    fisher = crosstab(df, "svar", "gruppe", test="fisher").iloc[0]
    assert fisher["p"] == pytest.approx(sps.fisher_exact([[30, 10], [15, 25]]).pvalue)
    big = table_frame([[5, 1, 4], [2, 6, 1]], ["Ja", "Nej"], ["x", "y", "z"])
    with pytest.raises(SurveyDataError, match="2x2"):
        crosstab(big, "svar", "gruppe", test="fisher")
    with pytest.raises(SurveyDataError, match="unknown test"):
        crosstab(big, "svar", "gruppe", test="g")


def test_crosstab_drops_empty_rows_and_handles_degenerate_tables() -> None:
    df = table_frame([[30, 20], [0, 0], [15, 25]], ["A", "B", "C"], ["x", "y"])
    row = crosstab(df, "svar", "gruppe").iloc[0]
    assert (row["n_rows"], row["n_cols"], row["df"]) == (2, 2, 1)
    one_group = table_frame([[3, 0], [4, 0]], ["A", "B"], ["x", "y"])
    row = crosstab(one_group, "svar", "gruppe").iloc[0]
    assert row["test"] == "none" and np.isnan(row["p"]) and row["n"] == 7


def test_crosstab_counts_keeps_empty_cells() -> None:
    df = table_frame([[3, 1], [0, 0], [1, 3]], ["A", "B", "C"], ["x", "y"])
    c = crosstab_counts(df, "svar", "gruppe")
    assert list(c.columns) == ["item", "label", "category", "level", "gruppe", "n", "expected"]
    assert len(c) == 6
    assert c["n"].tolist() == [3, 1, 0, 0, 1, 3]
    assert c["expected"].tolist() == pytest.approx([2, 2, 0, 0, 2, 2])


def test_crosstab_many_adjusts_with_bh() -> None:
    rng = np.random.default_rng(3)
    n = 120
    grp = rng.choice(["x", "y", "z"], n)
    df = pd.DataFrame({"gruppe": pd.Categorical(grp)})
    for k in range(5):
        shift = (grp == "x") * (k / 4)
        vals = np.where(rng.random(n) < 0.3 + 0.4 * shift, "Ja", "Nej")
        df[f"q{k}"] = pd.Categorical(vals, categories=["Ja", "Nej"])
    res = crosstab_many(df, [f"q{k}" for k in range(5)], "gruppe")
    assert list(res.columns) == [*CROSSTAB_COLUMNS, "p_adj"]
    ref = multipletests(res["p"], method="fdr_bh")[1]
    np.testing.assert_allclose(res["p_adj"], ref, atol=1e-12)


# --------------------------------------------------------------------------- adjust_pvalues


@pytest.mark.parametrize("method", ["fdr_bh", "holm", "bonferroni"])
def test_adjust_pvalues_matches_statsmodels(method: str) -> None:
    p = np.array([0.01, 0.04, 0.03, 0.005, 0.20, 0.04, 0.9, 0.0001])
    np.testing.assert_allclose(
        adjust_pvalues(p, method=method), multipletests(p, method=method)[1], atol=1e-12
    )


def test_adjust_pvalues_nan_series_and_errors() -> None:
    s = pd.Series([0.01, np.nan, 0.04, 0.03], index=["a", "b", "c", "d"], name="p")
    out = adjust_pvalues(s)
    assert isinstance(out, pd.Series) and out.index.tolist() == ["a", "b", "c", "d"]
    assert np.isnan(out["b"])
    ref = multipletests([0.01, 0.04, 0.03], method="fdr_bh")[1]
    np.testing.assert_allclose(out.dropna().to_numpy(), ref)
    assert adjust_pvalues([]).shape == (0,)
    with pytest.raises(SurveyDataError, match="p-values must lie between 0 and 1"):
        adjust_pvalues([0.5, 1.5])
    with pytest.raises(SurveyDataError, match="unknown adjustment method"):
        adjust_pvalues([0.5], method="sidak")


def test_mcnemar_matches_r_and_statsmodels() -> None:
    test, stat, p = mcnemar_test(86, 150)
    assert test == "mcnemar"
    assert stat == pytest.approx(16.818, abs=5e-4)
    assert p == pytest.approx(4.115e-05, rel=1e-3)
    ref = mcnemar([[794, 86], [150, 570]], exact=False, correction=True)
    assert (stat, p) == pytest.approx((ref.statistic, ref.pvalue))
    for b, c in [(2, 6), (0, 5), (7, 7), (1, 12)]:
        test, stat, p = mcnemar_test(b, c)
        ref = mcnemar([[10, b], [c, 10]], exact=True)
        assert test == "mcnemar_exact"
        assert (stat, p) == pytest.approx((ref.statistic, ref.pvalue))
    assert mcnemar_test(0, 0) == ("mcnemar_exact", 0.0, 1.0)
    # No discordant pairs with the exact branch switched off: R's mcnemar.test(matrix(c(3, 0,
    # 0, 4), 2)) gives X-squared = NaN, p = NA (0/0); the exact test is defined (p = 1) and is
    # used instead of crashing with ZeroDivisionError.
    assert mcnemar_test(0, 0, exact_below=0) == ("mcnemar_exact", 0.0, 1.0)


def test_inference_does_not_mutate() -> None:
    df = table_frame([[3, 1], [1, 3], [2, 2]], ["A", "B", "C"], ["x", "y"])
    before, dtypes = df.copy(deep=True), df.dtypes.copy()
    outs = [
        crosstab(df, "svar", "gruppe"),
        crosstab_counts(df, "svar", "gruppe"),
        crosstab_many(df, ["svar"], "gruppe"),
    ]
    assert all(o is not df for o in outs)
    assert df.equals(before) and df.dtypes.equals(dtypes)


def test_crosstab_cochran_rule_at_its_boundaries() -> None:
    """The chi-square is used unless more than 20 % of the expected counts are below 5 or one
    is below 1 (Cochran): expected counts of exactly 5, a share of exactly 20 % and a minimum
    of exactly 1 all keep the chi-square (rows = answers, columns = groups)."""
    cases = {
        # every expected count exactly 5
        "all five": ([[4, 5, 6], [6, 5, 4]], ["A", "B"], ["x", "y", "z"], 0.0, 5.0),
        # expected 4, 5, 5, 5, 6 in both rows: 2 of 10 cells below 5
        "share 0.2": ([[5, 4, 6, 5, 5], [3, 6, 4, 5, 7]], ["A", "B"], list("vwxyz"), 0.2, 4.0),
        # expected [[1, 5], [5, 25], [5, 25]]: one cell of 6 below 5, and it is exactly 1
        "minimum 1": ([[2, 4], [4, 26], [5, 25]], ["A", "B", "C"], ["x", "y"], 1 / 6, 1.0),
    }
    for what, (counts, rows, cols, share, minimum) in cases.items():
        row = crosstab(table_frame(counts, rows, cols), "svar", "gruppe").iloc[0]
        assert row["test"] == "chi2", what
        assert row["small_expected_share"] == pytest.approx(share), what
        assert row["min_expected"] == pytest.approx(minimum), what
        ref = sps.chi2_contingency(np.array(counts), correction=False)
        assert (row["statistic"], row["p"]) == pytest.approx((ref[0], ref[1])), what
    # expected [[0.92, 9.08], [5.54, 54.46], [5.54, 54.46]]: one cell in 6, but below 1
    below = crosstab(table_frame([[1, 9], [6, 54], [5, 55]], ["A", "B", "C"], ["x", "y"]),
                     "svar", "gruppe").iloc[0]
    assert below["small_expected_share"] == pytest.approx(1 / 6)
    assert below["min_expected"] < 1 and below["test"] == "monte_carlo"
    assert below["n_resamples"] == 9999  # the default


def test_crosstab_cramers_v_and_shape_of_degenerate_tables() -> None:
    """Cramér's V equals scipy's ``association(method="cramer")`` on a 3x3 table (where the
    ``min(r, c) - 1`` divisor matters); a row answered once is still a row; a one-group table
    reports its shape."""
    counts = [[12, 5, 9], [7, 14, 6], [3, 8, 15]]
    row = crosstab(table_frame(counts, ["A", "B", "C"], ["x", "y", "z"]), "svar",
                   "gruppe").iloc[0]
    ref = sps.contingency.association(np.array(counts), method="cramer", correction=False)
    assert row["cramers_v"] == pytest.approx(ref)
    once = crosstab(table_frame([[10, 12], [1, 0], [9, 11]], ["A", "B", "C"], ["x", "y"]),
                    "svar", "gruppe").iloc[0]
    assert (once["n_rows"], once["n_cols"], once["n"]) == (3, 2, 43)
    one_group = crosstab(table_frame([[3, 0], [4, 0], [2, 0]], ["A", "B", "C"], ["x", "y"]),
                         "svar", "gruppe").iloc[0]
    assert (one_group["n_rows"], one_group["n_cols"], one_group["test"]) == (3, 1, "none")
