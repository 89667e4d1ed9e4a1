"""Change between two waves that share part of their respondents (partially overlapping samples).

Most associations answer both waves; some answer only one. Treating the waves as independent
throws away the pairing; a paired test throws away the unpaired associations. The methods here
use both (Derrick, Russ, Toher and White 2017, "Test statistics for the comparison of means for
two samples that include both paired and independent observations", JMASM 16(1), 137-157;
Derrick, Dobson-McKittrick, Toher and White 2015, "Test statistics for comparing two proportions
with partially overlapping samples", JAQM 10(3)).

Notation: ``n_a`` only in wave 1, ``n_b`` only in wave 2, ``n_c`` in both; ``n1 = n_a + n_c``,
``n2 = n_b + n_c``; means/shares and variances use *all* observations of a wave; ``r`` is the
correlation of the ``n_c`` pairs (Pearson; for 0/1 data the phi coefficient).

* Means: ``T = (x̄1 - x̄2) / SE`` with ``SE² = s1²/n1 + s2²/n2 - 2 r s1 s2 n_c / (n1 n2)`` on
  ``ν = (n_c - 1) + (γ - n_c + 1) (n_a + n_b) / (n_a + n_b + 2 n_c)`` degrees of freedom, γ
  Welch's df (Derrick et al.'s T_new2, ν_2).
* Shares: the same statistic with ``s² = p (1 - p)`` and the normal distribution (Derrick et
  al. 2015's z with the phi correlation).

The interval is ``difference ± q · SE`` with the *same* SE and quantile, so the test rejects at
level α exactly when the 1 - α interval excludes 0: test and interval agree by construction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats as sps

from fslt_survey.errors import SurveyDataError

__all__ = ["OverlapResult", "overlap_share_test", "overlap_t_test"]

CONFIDENCE = 0.95


@dataclass(frozen=True)
class OverlapResult:
    """Difference (wave 2 minus wave 1), its SE, test and interval."""

    diff: float
    se: float
    statistic: float
    df: float
    p: float
    ci_low: float
    ci_high: float
    n_a: int
    n_b: int
    n_c: int


def _split(x1: Any, x2: Any, pairs: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
    a = np.asarray(x1, dtype=float)
    b = np.asarray(x2, dtype=float)
    pp = (
        np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
        if pairs is not None
        else np.empty((0, 2), dtype=np.int64)
    )
    if len(pp) and (pp[:, 0].max() >= len(a) or pp[:, 1].max() >= len(b) or pp.min() < 0):
        raise SurveyDataError("pair positions outside the samples")
    if len(np.unique(pp[:, 0])) < len(pp) or len(np.unique(pp[:, 1])) < len(pp):
        raise SurveyDataError("an observation is paired twice")
    if np.isnan(a).any() or np.isnan(b).any():
        raise SurveyDataError("missing values: drop unanswered rows before testing")
    n_c = len(pp)
    return a, b, pp, len(a) - n_c, len(b) - n_c


def _corr(x: np.ndarray, y: np.ndarray) -> float:
    if len(x) < 2 or x.std() == 0 or y.std() == 0:
        return 0.0  # no estimable correlation: the pairs add no covariance
    return float(np.corrcoef(x, y)[0, 1])


def _result(diff, var, df, dist, conf, n_a, n_b, n_c) -> OverlapResult:  # type: ignore[no-untyped-def]
    se = math.sqrt(var) if var > 0 else 0.0
    q = dist.ppf(0.5 + conf / 2)
    if se == 0:
        p = 1.0 if diff == 0 else 0.0
        return OverlapResult(diff, se, math.nan, df, p, diff, diff, n_a, n_b, n_c)
    stat = diff / se
    p = float(2 * dist.sf(abs(stat)))
    return OverlapResult(diff, se, stat, df, p, diff - q * se, diff + q * se, n_a, n_b, n_c)


def _fpc_variance(
    v1: float, v2: float, n1: int, n2: int, n_c: int, r: float, fraction: tuple[float, float]
) -> float:
    """``SE²`` of the difference, each wave's term scaled by its FPC ``1 - f`` and the pairs'
    covariance by ``sqrt((1 - f1)(1 - f2))`` (``fraction = (0, 0)``: Derrick et al.'s SE²).

    The two limits are exact: no pairs gives the sum of the two waves' design variances
    without replacement, and a full panel with ``f1 = f2 = f`` gives ``(1 - f) s_d² / n``."""
    g1, g2 = (1 - min(max(f, 0.0), 1.0) for f in fraction)
    cov = 2 * r * math.sqrt(v1 * v2 * g1 * g2) * n_c / (n1 * n2)
    return g1 * v1 / n1 + g2 * v2 / n2 - cov


def overlap_t_test(
    x1: Any,
    x2: Any,
    pairs: Any,
    conf: float = CONFIDENCE,
    *,
    fraction: tuple[float, float] = (0.0, 0.0),
) -> OverlapResult:
    """Derrick et al.'s (2017) partially overlapping samples t-test (T_new2) and its interval.

    Parameters
    ----------
    x1, x2
        All observations of wave 1 and wave 2.
    pairs
        (n_c x 2) positions ``(i in x1, j in x2)`` of the same association in both waves.
    fraction
        Sampling fractions ``(n1 / N, n2 / N)`` of the two waves for the finite-population
        correction (default none: Derrick et al.'s statistic as published).
    """
    a, b, pp, n_a, n_b = _split(x1, x2, pairs)
    n_c = len(pp)
    n1, n2 = len(a), len(b)
    if n1 < 2 or n2 < 2:
        raise SurveyDataError("each wave needs at least two observations")
    v1, v2 = a.var(ddof=1), b.var(ddof=1)
    r = _corr(a[pp[:, 0]], b[pp[:, 1]]) if n_c else 0.0
    var = _fpc_variance(v1, v2, n1, n2, n_c, r, fraction)
    den = (v1 / n1) ** 2 / (n1 - 1) + (v2 / n2) ** 2 / (n2 - 1)
    gamma = (v1 / n1 + v2 / n2) ** 2 / den if den > 0 else float(n1 + n2 - 2)
    df = (n_c - 1) + (gamma - n_c + 1) * (n_a + n_b) / (n_a + n_b + 2 * n_c) if n_c else gamma
    df = max(df, 1.0)
    return _result(b.mean() - a.mean(), var, df, sps.t(df), conf, n_a, n_b, n_c)


def overlap_share_test(
    x1: Any,
    x2: Any,
    pairs: Any,
    conf: float = CONFIDENCE,
    *,
    fraction: tuple[float, float] = (0.0, 0.0),
) -> OverlapResult:
    """The proportion analogue (Derrick et al. 2015, phi correlation), normal reference.

    ``fraction`` as in :func:`overlap_t_test` (the finite-population correction).

    ``x1`` and ``x2`` hold 0/1; the result is on the fraction scale (multiply by 100 for pp).
    """
    a, b, pp, n_a, n_b = _split(x1, x2, pairs)
    if not (np.isin(a, (0, 1)).all() and np.isin(b, (0, 1)).all()):
        raise SurveyDataError("shares need 0/1 values", expected="0 or 1")
    n_c = len(pp)
    n1, n2 = len(a), len(b)
    if not n1 or not n2:
        raise SurveyDataError("each wave needs at least one observation")
    p1, p2 = a.mean(), b.mean()
    v1, v2 = p1 * (1 - p1), p2 * (1 - p2)
    r = _corr(a[pp[:, 0]], b[pp[:, 1]]) if n_c else 0.0
    var = _fpc_variance(v1, v2, n1, n2, n_c, r, fraction)
    return _result(p2 - p1, var, math.inf, sps.norm, conf, n_a, n_b, n_c)
