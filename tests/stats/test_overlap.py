"""Partially overlapping samples (Derrick et al. 2017 for means, 2015 for proportions).

References: Derrick, Russ, Toher and White (2017), JMASM 16(1) 137-157, T_new2 with
``SE² = s1²/n1 + s2²/n2 - 2 r s1 s2 n_c/(n1 n2)`` and
``ν2 = (n_c - 1) + (γ - n_c + 1)(n_a + n_b)/(n_a + n_b + 2 n_c)``; the paper states (and the
formulas show) that T_new2 is Welch's test when no observation is paired and the paired t-test
when all are, which scipy checks here. Derrick, Dobson-McKittrick, Toher and White (2015),
JAQM 10(3): the proportion statistic with the phi correlation; with no pairs it is the
unpooled (Wald) z of statsmodels ``test_proportions_2indep(method="wald")``, with only pairs
the Wald test for paired proportions, variance ``((b + c) - (b - c)²/n) / n²`` (Agresti,
Categorical Data Analysis, 3rd ed., sec. 11.1.1).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps
from statsmodels.stats.proportion import test_proportions_2indep as sm_2indep

from fslt_survey.errors import SurveyDataError
from fslt_survey.stats.overlap import overlap_share_test, overlap_t_test


def test_no_pairs_is_welch() -> None:
    x1 = np.array([20.0, 21, 16, 18, 14, 12, 14, 17])
    x2 = np.array([21.0, 22, 17, 15, 16, 17, 19, 23, 18])
    res = overlap_t_test(x1, x2, None)
    ref = sps.ttest_ind(x2, x1, equal_var=False)
    assert (res.statistic, res.p) == pytest.approx((ref.statistic, ref.pvalue))
    assert res.df == pytest.approx(ref.df)


def test_all_paired_is_the_paired_t() -> None:
    x1 = np.array([20.0, 21, 16, 18, 14, 12, 14, 17])
    x2 = np.array([22.0, 21, 18, 21, 15, 15, 13, 20])
    res = overlap_t_test(x1, x2, np.column_stack([np.arange(8), np.arange(8)]))
    ref = sps.ttest_rel(x2, x1)
    assert (res.statistic, res.p, res.df) == pytest.approx((ref.statistic, ref.pvalue, 7))


def test_mixed_case_by_the_formula_and_interval_agrees() -> None:
    x1 = np.array([20.0, 21, 16, 18, 14, 12, 14, 17, 11, 19])  # first 6 paired
    x2 = np.array([22.0, 21, 18, 21, 15, 15, 25, 24, 19])
    pairs = np.column_stack([np.arange(6), np.arange(6)])
    res = overlap_t_test(x1, x2, pairs, conf=0.95)
    n_a, n_b, n_c, n1, n2 = 4, 3, 6, 10, 9
    s1, s2 = x1.std(ddof=1), x2.std(ddof=1)
    r = np.corrcoef(x1[:6], x2[:6])[0, 1]
    se = math.sqrt(s1**2 / n1 + s2**2 / n2 - 2 * r * s1 * s2 * n_c / (n1 * n2))
    gamma = (s1**2 / n1 + s2**2 / n2) ** 2 / (
        (s1**2 / n1) ** 2 / (n1 - 1) + (s2**2 / n2) ** 2 / (n2 - 1)
    )
    nu = (n_c - 1) + (gamma - n_c + 1) * (n_a + n_b) / (n_a + n_b + 2 * n_c)
    t = (x2.mean() - x1.mean()) / se
    assert (res.statistic, res.df, res.se) == pytest.approx((t, nu, se))
    assert res.p == pytest.approx(2 * sps.t.sf(abs(t), nu))
    assert (res.n_a, res.n_b, res.n_c) == (n_a, n_b, n_c)
    # agreement by construction: the interval at 1 - p just touches 0
    edge = overlap_t_test(x1, x2, pairs, conf=1 - res.p)
    assert min(abs(edge.ci_low), abs(edge.ci_high)) == pytest.approx(0, abs=1e-9)


def test_shares_reduce_to_wald_tests() -> None:
    a = np.array([1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0, 1], dtype=float)
    b = np.array([1, 1, 1, 0, 1, 1, 1, 0, 1, 1], dtype=float)
    res = overlap_share_test(a, b, None)
    ref = sm_2indep(b.sum(), len(b), a.sum(), len(a), method="wald")
    assert (res.statistic, res.p) == pytest.approx((ref.statistic, ref.pvalue))
    # the [[7, 22], [10, 0]] table of the issue, all paired: 7 yes-yes, 22 yes-no, 10 no-yes
    x1 = np.array([1] * 7 + [1] * 22 + [0] * 10, dtype=float)
    x2 = np.array([1] * 7 + [0] * 22 + [1] * 10, dtype=float)
    n, bb, cc = 39, 22, 10
    res = overlap_share_test(x1, x2, np.column_stack([np.arange(n), np.arange(n)]))
    se = math.sqrt(((bb + cc) - (bb - cc) ** 2 / n) / n**2)
    assert res.diff == pytest.approx((cc - bb) / n) and res.se == pytest.approx(se)
    assert (res.p < 0.05) == (res.ci_high < 0 or res.ci_low > 0)


def test_bad_pairs_are_refused() -> None:
    with pytest.raises(SurveyDataError, match="paired twice"):
        overlap_t_test([1.0, 2, 3], [1.0, 2, 3], [[0, 0], [0, 1]])
    with pytest.raises(SurveyDataError, match="0/1"):
        overlap_share_test([0.0, 2], [1.0, 0], None)
