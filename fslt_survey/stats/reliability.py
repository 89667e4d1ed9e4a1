"""Reliability of a scale index beyond the point alpha: its interval, alpha if an item is dropped,
and McDonald's omega.

All functions take the listwise-complete 0-100 item scores of
:func:`~fslt_survey.stats.indices.item_scores` (a respondents x items matrix), as
:func:`~fslt_survey.stats.indices.cronbach_alpha` does.

* :func:`alpha_ci`: Feldt's (1965) interval, ``1 - (1 - α̂) F`` with the F quantiles on
  ``n - 1`` and ``(n - 1)(k - 1)`` df (Feldt, Woodruff and Salih 1987; pingouin's
  ``cronbach_alpha`` uses the same interval).
* :func:`alpha_if_dropped`: alpha of the other ``k - 1`` items, one row per item.
* :func:`omega`: McDonald's omega total from a one-factor model fitted by iterated principal
  axis factoring of the covariance matrix (unweighted least squares):
  ``ω = (Σ λ)² / ((Σ λ)² + Σ ψ)``. It equals alpha when the items are tau-equivalent and
  exceeds it when loadings differ.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from fslt_survey.errors import SurveyDataError

__all__ = ["alpha_ci", "alpha_if_dropped", "cronbach", "omega", "reliability"]


def _complete(scores: Any) -> np.ndarray:
    x = np.asarray(scores, dtype=float)
    if x.ndim != 2:
        raise SurveyDataError("item scores must be a respondents x items table")
    return x[~np.isnan(x).any(axis=1)]


def cronbach(scores: Any) -> float:
    """Cronbach's alpha of complete rows (NaN with < 2 items/respondents or no variance)."""
    x = _complete(scores)
    n, k = x.shape
    if k < 2 or n < 2:
        return math.nan
    total = x.sum(axis=1).var(ddof=1)
    if total <= 0:
        return math.nan
    return float(k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / total))


def alpha_ci(scores: Any, conf: float = 0.95) -> tuple[float, float]:
    """Feldt's confidence interval for alpha."""
    x = _complete(scores)
    n, k = x.shape
    a = cronbach(x)
    if a != a or n < 3:
        return math.nan, math.nan
    d1, d2 = n - 1, (n - 1) * (k - 1)
    tail = (1 - conf) / 2
    low = 1 - (1 - a) * sps.f.ppf(1 - tail, d1, d2)
    high = 1 - (1 - a) * sps.f.ppf(tail, d1, d2)
    return float(low), float(high)


def alpha_if_dropped(scores: pd.DataFrame) -> pd.Series:
    """Alpha of the remaining items when each item is left out (indexed by item)."""
    x = scores.dropna()
    return pd.Series(
        {c: cronbach(x.drop(columns=c).to_numpy(dtype=float)) for c in x.columns},
        name="alpha_if_dropped",
        dtype=float,
    )


def omega(scores: Any, *, tol: float = 1e-10, max_iter: int = 10_000) -> float:
    """McDonald's omega total from a one-factor principal-axis fit of the item covariances."""
    x = _complete(scores)
    n, k = x.shape
    if k < 3 or n < 3:
        return math.nan  # a one-factor model needs three items to be identified
    cov = np.cov(x, rowvar=False)
    if np.any(np.diag(cov) <= 0):
        return math.nan
    # start from squared multiple correlations, as common in principal axis factoring
    h = np.diag(cov) - 1 / np.diag(np.linalg.pinv(cov))
    lam = np.zeros(k)
    for _ in range(max_iter):
        red = cov.copy()
        np.fill_diagonal(red, h)
        vals, vecs = np.linalg.eigh(red)
        lam = vecs[:, -1] * math.sqrt(max(vals[-1], 0.0))
        new_h = np.minimum(lam**2, np.diag(cov))
        if np.max(np.abs(new_h - h)) < tol:
            h = new_h
            break
        h = new_h
    psi = np.diag(cov) - lam**2
    common = lam.sum() ** 2
    return float(common / (common + psi.sum()))


def reliability(scores: pd.DataFrame, conf: float = 0.95) -> pd.DataFrame:
    """One row: ``n``, ``n_items``, ``alpha``, ``alpha_ci_low``, ``alpha_ci_high``, ``omega``."""
    x = _complete(scores)
    low, high = alpha_ci(x, conf)
    return pd.DataFrame(
        {
            "n": [x.shape[0]],
            "n_items": [x.shape[1]],
            "alpha": [cronbach(x)],
            "alpha_ci_low": [low],
            "alpha_ci_high": [high],
            "omega": [omega(x)],
        }
    )
