"""Confidence intervals for proportions and their differences (score intervals).

* :func:`wilson_ci`: Wilson's score interval for one proportion (Wilson 1927), the interval of
  every share in the toolkit; unlike the Wald interval it stays inside 0-100 % and behaves at
  0 and n.
* :func:`newcombe_diff_ci`: Newcombe's hybrid score interval for the difference of two
  independent proportions (method 10 of Newcombe 1998, Stat Med 17:873), built from the two
  Wilson intervals.
* :func:`newcombe_paired_ci`: Newcombe's interval for the difference of paired proportions
  (method 10 of Newcombe 1998b, Stat Med 17:2635; as ``Newcombe_square_and_add_CI_paired_2x2``
  in Fagerland, Lydersen & Laake's *contingencytables*).

Examples
--------
>>> wilson_ci(3, 10)  # doctest: +ELLIPSIS
(0.107..., 0.603...)
>>> [round(x, 4) for x in newcombe_diff_ci(56, 70, 48, 80)]
[0.2, 0.0524, 0.3339]
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import special

from fslt_survey.config import CONFIDENCE
from fslt_survey.errors import SurveyDataError

__all__ = ["newcombe_diff_ci", "newcombe_paired_ci", "wilson_ci"]


def wilson_ci(k: Any, n: Any, conf: float = CONFIDENCE) -> tuple[Any, Any]:
    """Wilson score interval for a binomial proportion, vectorised.

    Parameters
    ----------
    k, n
        Successes and trials (scalars or array-likes that broadcast). Non-integer values are
        allowed (weighted counts with an effective sample size).
    conf
        Confidence level, e.g. 0.95.

    Returns
    -------
    (low, high)
        Bounds as proportions (0-1); floats for scalar input, arrays otherwise. NaN where
        ``n == 0`` (or NaN).

    Examples
    --------
    >>> low, high = wilson_ci([0, 5], [10, 10])
    >>> high.round(4).tolist()
    [0.2775, 0.7634]
    """
    if not 0 < conf < 1:
        raise SurveyDataError("confidence level must be between 0 and 1", found=str(conf))
    k_arr, n_arr = np.broadcast_arrays(np.asarray(k, dtype=float), np.asarray(n, dtype=float))
    with np.errstate(invalid="ignore"):
        bad = (k_arr < 0) | (n_arr < 0) | (k_arr > n_arr * (1 + 1e-12) + 1e-9)
    if np.any(bad):
        raise SurveyDataError(
            "wilson_ci needs 0 <= k <= n", found=f"k={k_arr[bad][0]}, n={n_arr[bad][0]}"
        )
    z = special.ndtri(0.5 + conf / 2)  # norm.ppf itself, without the distribution machinery
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k_arr / n_arr
        denom = 1 + z**2 / n_arr
        centre = (p + z**2 / (2 * n_arr)) / denom
        half = z * np.sqrt(p * (1 - p) / n_arr + z**2 / (4 * n_arr**2)) / denom
        low = np.clip(centre - half, 0.0, 1.0)
        high = np.clip(centre + half, 0.0, 1.0)
    low = np.where(k_arr <= 0, 0.0, low)  # exact bounds at the edges (no 1e-16 residue)
    high = np.where(k_arr >= n_arr, 1.0, high)
    empty = ~(n_arr > 0)
    low = np.where(empty, np.nan, low)
    high = np.where(empty, np.nan, high)
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


def newcombe_diff_ci(
    k1: float, n1: float, k2: float, n2: float, conf: float = CONFIDENCE
) -> tuple[float, float, float]:
    """Newcombe's hybrid score interval for ``p1 - p2`` of two independent proportions.

    Returns
    -------
    (diff, low, high)
        As proportions; NaN when a sample is empty.
    """
    if n1 <= 0 or n2 <= 0:
        return math.nan, math.nan, math.nan
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson_ci(k1, n1, conf)
    l2, u2 = wilson_ci(k2, n2, conf)
    d = p1 - p2
    return float(d), float(d - np.hypot(p1 - l1, u2 - p2)), float(d + np.hypot(u1 - p1, p2 - l2))


def newcombe_paired_ci(table: Any, conf: float = CONFIDENCE) -> tuple[float, float, float]:
    """Newcombe's interval for the difference of paired proportions (method 10, 1998b).

    Parameters
    ----------
    table
        2x2 counts ``[[a, b], [c, d]]``: rows = first measurement yes/no, columns = second
        measurement yes/no.

    Returns
    -------
    (diff, low, high)
        ``diff = (a + b) / n - (a + c) / n`` (first minus second) with its interval, as
        proportions; NaN for an empty table.
    """
    t = np.asarray(table, dtype=float)
    if t.shape != (2, 2):
        raise SurveyDataError("a paired table must be 2x2", found=str(t.shape))
    n = t.sum()
    if n <= 0:
        return math.nan, math.nan, math.nan
    r1, r2, c1, c2 = t[0].sum(), t[1].sum(), t[:, 0].sum(), t[:, 1].sum()
    p1, p2 = r1 / n, c1 / n
    l1, u1 = wilson_ci(r1, n, conf)
    l2, u2 = wilson_ci(c1, n, conf)
    phi = 0.0
    if min(r1, r2, c1, c2) > 0:
        a = t[0, 0] * t[1, 1] - t[0, 1] * t[1, 0]
        if a > n / 2:
            phi = (a - n / 2) / np.sqrt(r1 * r2 * c1 * c2)
        elif a < 0:
            phi = a / np.sqrt(r1 * r2 * c1 * c2)
    d = p1 - p2
    dl, du = p1 - l1, u2 - p2
    el, eu = p2 - l2, u1 - p1
    low = d - np.sqrt(max(dl**2 + du**2 - 2 * phi * dl * du, 0.0))
    high = d + np.sqrt(max(el**2 + eu**2 - 2 * phi * el * eu, 0.0))
    return float(d), float(low), float(high)
