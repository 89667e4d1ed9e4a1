"""Calibration weights on several registry margins: raking with trimming and sparse-cell collapsing.

:func:`~fslt_survey.stats.weights.poststratify` needs a respondent in every full cell (type x
size band x ...), which ~65 respondents over ~90 members rarely give. Raking (iterative
proportional fitting) only needs each *margin* to be met: the weighted count of every association
type and of every size band equals the registry's.

* :func:`collapse_sparse` merges categories with fewer than ``min_n`` respondents before
  weighting: an ordered margin (size bands) into its smaller neighbour, an unordered one into
  one "Øvrige" category. The same mapping is applied to data and registry, and returned so the
  Metode page can say what was merged.
* :func:`rake` rakes within each wave, then trims: weights outside ``trim = (low, high)`` times
  the mean are capped and the raking repeated, until every weight is inside the bounds and the
  margins hold (or ``max_iter`` is reached: then an error, never silently unmet margins).

Weights have mean 1 within each wave, as :func:`poststratify`'s; the design
(:func:`~fslt_survey.stats.design.svydesign`) takes them via ``weights="weight"``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from fslt_survey.errors import SurveyDataError

__all__ = ["OTHER", "collapse_sparse", "rake"]

#: Label of the merged sparse categories of an unordered margin.
OTHER = "Øvrige"


def _levels(registry: pd.DataFrame, column: str) -> list[Any]:
    s = registry[column]
    if isinstance(s.dtype, pd.CategoricalDtype):
        return [c for c in s.cat.categories if (s == c).any()]
    return sorted(pd.unique(s.dropna()), key=str)


def collapse_sparse(
    data: pd.DataFrame, registry: pd.DataFrame, column: str, *, min_n: int = 5
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    """Merge categories of ``column`` with fewer than ``min_n`` respondents.

    Returns
    -------
    (data, registry, mapping)
        New frames with ``column`` as text after merging, and ``old label -> new label`` for
        the labels that changed.
    """
    for frame, what in ((data, "data"), (registry, "registry")):
        if column not in frame.columns:
            raise SurveyDataError(f"column {column!r} is not in the {what}", column=column)
    ordered = bool(getattr(registry[column].dtype, "ordered", False))
    levels = [str(x) for x in _levels(registry, column)]
    counts = data[column].astype(str).value_counts()
    groups = [[lv] for lv in levels]

    def n_of(g: list[str]) -> int:
        return int(sum(counts.get(x, 0) for x in g))

    if ordered:
        while len(groups) > 1 and min(n_of(g) for g in groups) < min_n:
            i = min(range(len(groups)), key=lambda j: n_of(groups[j]))
            nb = [j for j in (i - 1, i + 1) if 0 <= j < len(groups)]
            j = min(nb, key=lambda j: n_of(groups[j]))
            a, b = sorted((i, j))
            groups[a : b + 1] = [groups[a] + groups[b]]
    else:
        sparse = [g for g in groups if n_of(g) < min_n]
        rest = [g for g in groups if n_of(g) >= min_n]
        if sparse:
            merged = [lv for g in sparse for lv in g]
            if n_of(merged) < min_n and rest:
                smallest = min(rest, key=n_of)
                rest.remove(smallest)
                merged = smallest + merged
            groups = [*rest, merged]
    mapping: dict[str, str] = {}
    for g in groups:
        if len(g) > 1:
            label = f"{g[0]} til {g[-1]}" if ordered else OTHER
            mapping.update({x: label for x in g})
    out_d, out_r = data.copy(), registry.copy()
    for frame in (out_d, out_r):
        frame[column] = frame[column].astype(str).replace(mapping)
    return out_d, out_r, mapping


def _worst(keys: list[np.ndarray], targets: list[dict[str, float]], w: np.ndarray) -> float:
    return max(
        abs(w[k == lv].sum() - goal) / goal
        for k, t in zip(keys, targets, strict=True)
        for lv, goal in t.items()
    )


def _scale_within(w: np.ndarray, goal: float, low: float, high: float) -> np.ndarray:
    """``clip(w * f, low, high)`` with the factor f that makes its sum ``goal`` (bisection on
    the monotone sum); the closest attainable sum when no f reaches it."""
    if not np.isfinite(high) and low == 0:
        return w * goal / w.sum()
    lo_f, hi_f = 0.0, 1.0
    while np.clip(w * hi_f, low, high).sum() < goal and hi_f < 1e12:
        hi_f *= 2
    for _ in range(200):
        mid = (lo_f + hi_f) / 2
        if np.clip(w * mid, low, high).sum() < goal:
            lo_f = mid
        else:
            hi_f = mid
    return np.clip(w * hi_f, low, high)


def _rake_stratum(
    frame: pd.DataFrame,
    registry: pd.DataFrame,
    margins: Sequence[str],
    trim: tuple[float, float] | None,
    tol: float,
    max_iter: int,
) -> np.ndarray:
    """Raking within one wave; with ``trim`` the weights are capped after every step (bounded
    raking), so the result meets the margins *and* the bounds, or raises."""
    n = len(frame)
    keys = [frame[c].astype(str).to_numpy() for c in margins]
    targets = []
    for c, k in zip(margins, keys, strict=True):
        share = registry[c].astype(str).value_counts(normalize=True)
        empty = sorted(set(share.index) - set(k))
        if empty:
            raise SurveyDataError(
                "registry categories without respondents; collapse them first (collapse_sparse)",
                column=c,
                found=", ".join(empty),
            )
        targets.append({lv: float(s) * n for lv, s in share.items()})
    low, high = trim if trim is not None else (0.0, np.inf)  # targets sum to n: mean 1
    w = np.ones(n)
    for _ in range(max_iter):
        for k, t in zip(keys, targets, strict=True):
            for lv, goal in t.items():
                m = k == lv
                w[m] = _scale_within(w[m], goal, low, high)
        if _worst(keys, targets, w) < tol:
            return w
    raise SurveyDataError(
        "raking did not meet the registry margins within the trimming bounds",
        column=", ".join(margins),
        expected=f"margins within {tol:g}" + ("" if trim is None else f", weights in {trim}"),
    )


def rake(
    data: pd.DataFrame,
    registry: pd.DataFrame,
    margins: Sequence[str] = ("assoc_type", "size_band"),
    *,
    within: str | None = "wave",
    trim: tuple[float, float] | None = (0.3, 3.0),
    tol: float = 1e-6,
    max_iter: int = 500,
    name: str = "weight",
) -> pd.DataFrame:
    """Raking weights so every margin's weighted shares equal the registry's.

    Parameters
    ----------
    margins
        Registry columns to calibrate on (each present in ``data``); collapse sparse categories
        first with :func:`collapse_sparse`.
    within
        Weight separately within each level of this column (each wave by default).
    trim
        Bounds for the weights relative to their mean (``None``: no trimming).

    Returns
    -------
    DataFrame
        A copy of ``data`` with the float column ``name`` (mean 1 within each ``within`` level).
    """
    margins = list(margins)
    for c in margins:
        for frame, what in ((data, "data"), (registry, "registry")):
            if c not in frame.columns:
                raise SurveyDataError(f"column {c!r} is not in the {what}", column=c)
        if data[c].isna().any():
            raise SurveyDataError("respondents without a registry category", column=c)
    if within is not None and within not in data.columns:
        raise SurveyDataError(f"column {within!r} is not in the data", column=within)
    weight = np.full(len(data), np.nan)
    strata = (
        [np.arange(len(data))]
        if within is None
        else list(data.groupby(within, observed=True, dropna=False).indices.values())
    )
    for pos in strata:
        weight[pos] = _rake_stratum(data.iloc[pos], registry, margins, trim, tol, max_iter)
    out = data.copy()
    out[name] = weight
    return out
