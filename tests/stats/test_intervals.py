"""Tests of fslt_survey.stats.intervals against independent, cited reference values.

* statsmodels ``proportion_confint(method="wilson")`` and ``confint_proportions_2indep(method=
  "newcomb")``.
* Newcombe (1998, Stat Med 17:873, example 56/70 vs 48/80, method 10): 0.0524 to 0.3339.
* Newcombe's paired interval on Cavo et al. (2012) ``[[59, 6], [16, 80]]`` as published in
  Fagerland, Lydersen & Laake, *Statistical Analysis of Contingency Tables* (R package
  contingencytables, ``Newcombe_square_and_add_CI_paired_2x2``): -0.0621 (-0.1186 to -0.0046).
"""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from fslt_survey.errors import SurveyDataError
from fslt_survey.stats.intervals import newcombe_diff_ci, newcombe_paired_ci, wilson_ci


@pytest.mark.parametrize(
    ("k", "n"), [(0, 10), (1, 10), (5, 10), (10, 10), (3, 87), (44, 90), (1, 1), (0, 1), (17, 250)]
)
def test_wilson_matches_statsmodels(k: int, n: int) -> None:
    low, high = wilson_ci(k, n)
    ref = proportion_confint(k, n, alpha=0.05, method="wilson")
    assert low == pytest.approx(ref[0], abs=1e-12)
    assert high == pytest.approx(ref[1], abs=1e-12)


def test_wilson_vectorised_other_level_and_empty() -> None:
    k, n = np.array([0, 2, 7, 0]), np.array([5, 9, 7, 0])
    low, high = wilson_ci(k, n, conf=0.9)
    ref_low, ref_high = proportion_confint(k[:3], n[:3], alpha=0.1, method="wilson")
    np.testing.assert_allclose(low[:3], ref_low, atol=1e-12)
    np.testing.assert_allclose(high[:3], ref_high, atol=1e-12)
    assert np.isnan(low[3]) and np.isnan(high[3])
    assert low[0] == 0.0 and high[2] == 1.0
    assert all(np.isnan(wilson_ci(0, 0)))


def test_wilson_rejects_bad_input() -> None:
    with pytest.raises(SurveyDataError, match=r"0 <= k <= n \(found 'k=5.0, n=3.0'\)"):
        wilson_ci(5, 3)
    with pytest.raises(SurveyDataError, match="confidence level must be between 0 and 1"):
        wilson_ci(1, 3, conf=95)


@pytest.mark.parametrize(
    ("k1", "n1", "k2", "n2"),
    [(56, 70, 48, 80), (5, 12, 9, 10), (0, 15, 3, 20), (10, 10, 0, 10), (33, 90, 41, 88)],
)
def test_newcombe_matches_statsmodels(k1: int, n1: int, k2: int, n2: int) -> None:
    d, low, high = newcombe_diff_ci(k1, n1, k2, n2)
    ref = confint_proportions_2indep(k1, n1, k2, n2, method="newcomb", compare="diff")
    assert d == pytest.approx(k1 / n1 - k2 / n2)
    assert (low, high) == pytest.approx((float(ref[0]), float(ref[1])), abs=1e-10)


def test_newcombe_published_examples() -> None:
    _, low, high = newcombe_diff_ci(56, 70, 48, 80)
    assert (round(low, 4), round(high, 4)) == (0.0524, 0.3339)
    d, low, high = newcombe_paired_ci([[59, 6], [16, 80]])
    assert (round(d, 4), round(low, 4), round(high, 4)) == (-0.0621, -0.1186, -0.0046)
    assert all(np.isnan(newcombe_paired_ci([[0, 0], [0, 0]])))
    assert all(np.isnan(newcombe_diff_ci(0, 0, 1, 2)))
    with pytest.raises(SurveyDataError, match="2x2"):
        newcombe_paired_ci([1, 2, 3, 4])


def test_intervals_contain_the_estimate() -> None:
    for k1, n1, k2, n2 in [(0, 5, 5, 5), (3, 9, 4, 11), (20, 20, 19, 20)]:
        d, low, high = newcombe_diff_ci(k1, n1, k2, n2)
        assert low <= d <= high and low >= -1 and high <= 1
    for t in ([[5, 0], [0, 5]], [[0, 7], [1, 2]], [[3, 3], [3, 3]]):
        d, low, high = newcombe_paired_ci(t)
        assert low <= d <= high


def _newcombe10(table, conf: float = 0.95) -> tuple[float, float, float]:
    """Method 10 of Newcombe (1998b, Stat Med 17:2635), written out from the paper: Wilson limits
    of both marginal proportions (statsmodels), combined with the continuity-corrected phi:
    (A - n/2) / sqrt(r1 r2 c1 c2) when A = ad - bc > n/2, 0 when 0 <= A <= n/2, A / sqrt(...)
    when A < 0, and 0 when a margin is empty."""
    (a, b), (c, d) = table
    n = a + b + c + d
    r1, r2, c1, c2 = a + b, c + d, a + c, b + d
    p1, p2 = r1 / n, c1 / n
    l1, u1 = proportion_confint(r1, n, alpha=1 - conf, method="wilson")
    l2, u2 = proportion_confint(c1, n, alpha=1 - conf, method="wilson")
    big_a = a * d - b * c
    denominator = (r1 * r2 * c1 * c2) ** 0.5
    if denominator == 0 or 0 <= big_a <= n / 2:
        phi = 0.0
    elif big_a > n / 2:
        phi = (big_a - n / 2) / denominator
    else:
        phi = big_a / denominator
    low = p1 - p2 - ((p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2) ** 0.5
    high = p1 - p2 + ((u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2) ** 0.5
    return p1 - p2, low, high


@pytest.mark.parametrize(
    ("table", "conf"),
    [
        ([[59, 6], [16, 80]], 0.95),  # A > n/2: the published example (phi > 0)
        ([[2, 10], [12, 3]], 0.95),  # A < 0: negative association
        ([[4, 6], [7, 14]], 0.95),  # n/3 < A <= n/2: phi is 0
        ([[1, 0], [5, 20]], 0.95),  # a margin of 1
        ([[0, 7], [0, 9]], 0.95),  # an empty margin: phi is 0
        ([[1, 0], [0, 0]], 0.95),  # n = 1
        ([[59, 6], [16, 80]], 0.90),
        ([[2, 10], [12, 3]], 0.80),
    ],
)
def test_newcombe_paired_every_branch_of_phi(table, conf) -> None:
    """Each branch of the phi correction against the method written out from the paper."""
    got = newcombe_paired_ci(table, conf)
    assert got == pytest.approx(_newcombe10(table, conf), abs=1e-12)
    assert got[1] <= got[0] <= got[2]


def test_wilson_refuses_a_confidence_level_of_zero_or_one() -> None:
    for conf in (0, 0.0, 1, 1.0):
        with pytest.raises(SurveyDataError, match="confidence level must be between 0 and 1"):
            wilson_ci(1, 3, conf=conf)
