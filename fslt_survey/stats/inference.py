"""Hypothesis tests: cross-tabs, McNemar's test and multiple testing.

Choices, in one place
---------------------
* Cross-tabs (:func:`crosstab`): Pearson's chi-square *without* Yates' correction (as R's
  ``chisq.test(correct = FALSE)``; Yates is conservative and only defined for 2x2) when the
  expected counts are large enough. When they are small (Cochran's rule: more than 20 % of the
  cells below 5, or any below 1) a 2x2 table gets Fisher's exact test (two-sided, as R's
  ``fisher.test``) and larger tables a Monte-Carlo permutation test of the chi-square statistic
  with both margins fixed (as R's ``chisq.test(simulate.p.value = TRUE)``; seeded, so the same
  data give the same p). Categories and groups nobody is in are dropped before testing.
  Cramér's V is ``sqrt(X² / (n * (min(r, c) - 1)))`` from the uncorrected X², without bias
  correction. Tests use unweighted counts.
* Multiple testing (:func:`adjust_pvalues`): Benjamini-Hochberg false discovery rate by
  default; Holm and Bonferroni on request.
* McNemar (:func:`mcnemar_test`): exact binomial with few discordant pairs, otherwise
  chi-square with continuity correction (as R's ``mcnemar.test``).

The change between waves is in :mod:`fslt_survey.stats.waves`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from fslt_survey.errors import SurveyDataError
from fslt_survey.stats.answers import (
    ItemLike,
    answer_codes,
    as_item_list,
    group_masks,
    resolve_item,
)

__all__ = [
    "CROSSTAB_COLUMNS",
    "adjust_pvalues",
    "crosstab",
    "crosstab_counts",
    "crosstab_many",
    "mcnemar_test",
]

#: Default seed of the Monte-Carlo test (same data + seed -> same p).
SEED = 2025
TESTS = ("auto", "chi2", "fisher", "monte_carlo")
CROSSTAB_COLUMNS = [
    "item",
    "label",
    "by",
    "test",
    "statistic",
    "df",
    "p",
    "cramers_v",
    "n",
    "n_rows",
    "n_cols",
    "min_expected",
    "small_expected_share",
    "n_resamples",
]
_EPS = 64 * np.finfo(float).eps  # R's 1 - almost.1 for ">=" on the simulated statistics


# --------------------------------------------------------------------------- cross-tabs


def _table(data: pd.DataFrame, item: ItemLike, by: str, func: str) -> tuple[Any, ...]:
    spec = resolve_item(data, item, ("single", "likert"), func)
    if by == spec.id:
        raise SurveyDataError(f"{func}: cannot cross {by!r} with itself", column=by)
    groups, _ = group_masks(data, by)
    x = answer_codes(data, spec)
    y = np.full(len(data), -1, dtype=np.int64)
    for j, (_, mask) in enumerate(groups):
        y[mask] = j
    ok = (x >= 0) & (y >= 0)
    table = np.zeros((len(spec.categories), len(groups)), dtype=np.int64)
    np.add.at(table, (x[ok], y[ok]), 1)
    return spec, [g for g, _ in groups], table, x[ok], y[ok]


def crosstab_counts(data: pd.DataFrame, item: ItemLike, by: str) -> pd.DataFrame:
    """Counts of an item by a group column, with the expected counts under independence.

    Returns
    -------
    DataFrame
        ``item, label, category, level, <by>, n, expected``: every category x group, also the
        empty ones; respondents without a substantive answer or group are left out.
    """
    spec, levels, table, _, _ = _table(data, item, by, "crosstab_counts")
    n = table.sum()
    expected = (np.outer(table.sum(1), table.sum(0)) / n) if n else np.full(table.shape, np.nan)
    rows = [
        {
            "item": spec.id,
            "label": spec.label,
            "category": cat,
            "level": i + 1,
            by: lvl,
            "n": int(table[i, j]),
            "expected": float(expected[i, j]),
        }
        for i, cat in enumerate(spec.categories)
        for j, lvl in enumerate(levels)
    ]
    out = pd.DataFrame(rows, columns=["item", "label", "category", "level", by, "n", "expected"])
    if isinstance(data[by].dtype, pd.CategoricalDtype):
        out[by] = out[by].astype(data[by].dtype)
    return out


def _mc_pvalue(
    x: np.ndarray, y: np.ndarray, expected: np.ndarray, stat: float, n_resamples: int, seed: int
) -> float:
    """Monte-Carlo p of the chi-square statistic, both margins fixed (permuted group labels)."""
    rng = np.random.default_rng(seed)
    r, c = expected.shape
    n = len(x)
    batch = max(1, min(n_resamples, 2_000_000 // max(n, 1)))
    hits = done = 0
    while done < n_resamples:
        b = min(batch, n_resamples - done)
        perm = rng.permuted(np.tile(y, (b, 1)), axis=1)
        cells = x[None, :] * c + perm + (np.arange(b) * r * c)[:, None]
        counts = np.bincount(cells.ravel(), minlength=b * r * c).reshape(b, r, c)
        sim = ((counts - expected) ** 2 / expected).sum(axis=(1, 2))
        hits += int(np.sum(sim >= stat * (1 - _EPS)))
        done += b
    return (1 + hits) / (1 + n_resamples)


def _chosen_test(test: str, obs: np.ndarray, expected: np.ndarray) -> str:
    """The test ``"auto"`` stands for (Cochran's rule, see the module notes), checked."""
    small = float(np.mean(expected < 5)) > 0.2 or expected.min() < 1
    chosen = test
    if test == "auto":
        chosen = "chi2" if not small else ("fisher" if obs.shape == (2, 2) else "monte_carlo")
    if chosen == "fisher" and obs.shape != (2, 2):
        raise SurveyDataError(
            "Fisher's exact test is implemented for 2x2 tables only",
            found=f"{obs.shape[0]}x{obs.shape[1]}",
        )
    return chosen


def _independence(
    obs: np.ndarray, test: str, correction: bool,
    monte_carlo: Callable[[np.ndarray, float], float],
) -> dict[str, Any]:
    """The test's columns of :func:`crosstab` for a table with at least two non-empty rows and
    columns; ``monte_carlo(expected, statistic)`` gives the resampled p-value."""
    stat, p_chi, dof, expected = sps.chi2_contingency(obs, correction=False)
    chosen = _chosen_test(test, obs, expected)
    statistic, p = float(stat), float(p_chi)
    if chosen == "chi2" and correction and dof == 1:
        statistic, p = (float(v) for v in sps.chi2_contingency(obs, correction=True)[:2])
    elif chosen == "fisher":
        p = float(sps.fisher_exact(obs).pvalue)
    elif chosen == "monte_carlo":
        p = monte_carlo(expected, float(stat))
    return {
        "test": chosen, "statistic": statistic, "df": int(dof), "p": p,
        "cramers_v": float(np.sqrt(stat / (int(obs.sum()) * (min(obs.shape) - 1)))),
        "min_expected": float(expected.min()),
        "small_expected_share": float(np.mean(expected < 5)),
    }


def crosstab(
    data: pd.DataFrame,
    item: ItemLike,
    by: str,
    *,
    test: str = "auto",
    correction: bool = False,
    n_resamples: int = 9999,
    seed: int = SEED,
) -> pd.DataFrame:
    """Test of independence between a choice item and a group column.

    Parameters
    ----------
    item
        Single or Likert item (or its id).
    by
        Group column, e.g. ``"assoc_type"``.
    test
        ``"auto"`` (see the module notes), or force ``"chi2"``, ``"fisher"`` (2x2 only) or
        ``"monte_carlo"``.
    correction
        Yates' continuity correction for a 2x2 chi-square (default False).
    n_resamples, seed
        Monte-Carlo resamples and seed.

    Returns
    -------
    DataFrame
        One row with :data:`CROSSTAB_COLUMNS`: ``item, label, by, test`` (``chi2``,
        ``fisher``, ``monte_carlo`` or ``none`` when fewer than two non-empty categories or
        groups remain), ``statistic`` (Pearson's X², for every test), ``df``, ``p``,
        ``cramers_v``, ``n``, ``n_rows``, ``n_cols`` (non-empty), ``min_expected``,
        ``small_expected_share`` (share of cells with expected < 5) and ``n_resamples`` (NA
        unless Monte-Carlo).
    """
    if test not in TESTS:
        raise SurveyDataError("unknown test", expected=", ".join(TESTS), found=str(test))
    spec, _, table, x, y = _table(data, item, by, "crosstab")
    rows_keep, cols_keep = table.sum(1) > 0, table.sum(0) > 0
    obs = table[rows_keep][:, cols_keep]
    n = int(obs.sum())
    res: dict[str, Any] = {
        "item": spec.id,
        "label": spec.label,
        "by": by,
        "test": "none",
        "statistic": np.nan,
        "df": pd.NA,
        "p": np.nan,
        "cramers_v": np.nan,
        "n": n,
        "n_rows": obs.shape[0],
        "n_cols": obs.shape[1],
        "min_expected": np.nan,
        "small_expected_share": np.nan,
        "n_resamples": pd.NA,
    }
    if min(obs.shape) >= 2:
        def monte_carlo(expected: np.ndarray, stat: float) -> float:
            rows, cols = (np.cumsum(rows_keep) - 1)[x], (np.cumsum(cols_keep) - 1)[y]
            return _mc_pvalue(rows, cols, expected, stat, n_resamples, seed)

        res.update(_independence(obs, test, correction, monte_carlo))
        if res["test"] == "monte_carlo":
            res["n_resamples"] = n_resamples
    out = pd.DataFrame([res], columns=CROSSTAB_COLUMNS)
    out["df"] = out["df"].astype("Int64")
    out["n_resamples"] = out["n_resamples"].astype("Int64")
    return out


def crosstab_many(
    data: pd.DataFrame,
    items: Sequence[ItemLike],
    by: str,
    *,
    method: str = "fdr_bh",
    **kwargs: Any,
) -> pd.DataFrame:
    """:func:`crosstab` for many items against one group column, with adjusted p-values.

    Returns
    -------
    DataFrame
        One row per item with :data:`CROSSTAB_COLUMNS` plus ``p_adj`` (see
        :func:`adjust_pvalues`; items without a test keep NA and do not count).
    """
    frames = [crosstab(data, it, by, **kwargs) for it in as_item_list(items, "crosstab_many")]
    out = pd.concat(frames, ignore_index=True)
    out["p_adj"] = adjust_pvalues(out["p"].to_numpy(dtype=float), method=method)
    return out


def adjust_pvalues(p: Any, method: str = "fdr_bh") -> Any:
    """Adjust p-values for multiple testing.

    Parameters
    ----------
    p
        P-values (array-like or Series); NaN entries are kept and not counted.
    method
        ``"fdr_bh"`` (Benjamini-Hochberg), ``"holm"`` or ``"bonferroni"``.

    Returns
    -------
    ndarray or Series
        Adjusted p-values (capped at 1), a Series with the same index when given one.
    """
    methods = ("fdr_bh", "holm", "bonferroni")
    if method not in methods:
        raise SurveyDataError(
            "unknown adjustment method", expected=", ".join(methods), found=str(method)
        )
    arr = np.asarray(p, dtype=float).ravel()
    ok = ~np.isnan(arr)
    pv = arr[ok]
    if np.any((pv < 0) | (pv > 1)):
        raise SurveyDataError("p-values must lie between 0 and 1")
    m = len(pv)
    adj = np.empty(m)
    if m:
        order = np.argsort(pv, kind="stable")
        ranked = pv[order]
        if method == "fdr_bh":
            vals = np.minimum.accumulate((ranked * m / np.arange(1, m + 1))[::-1])[::-1]
        elif method == "holm":
            vals = np.maximum.accumulate(ranked * (m - np.arange(m)))
        else:
            vals = ranked * m
        adj[order] = np.minimum(vals, 1.0)
    out = np.full(arr.shape, np.nan)
    out[ok] = adj
    if isinstance(p, pd.Series):
        return pd.Series(out, index=p.index, name=p.name)
    return out


def mcnemar_test(b: int, c: int, *, exact_below: int = 25) -> tuple[str, float, float]:
    """McNemar's test from the discordant pair counts ``b`` and ``c``.

    Exact (two-sided binomial, statistic ``min(b, c)``) when ``b + c < exact_below`` or when
    there are no discordant pairs (``b + c == 0``: p = 1), else the chi-square with continuity
    correction ``(|b - c| - 1)^2 / (b + c)`` on 1 df.

    Returns
    -------
    (test, statistic, p)
        ``test`` is ``"mcnemar_exact"`` or ``"mcnemar"``.
    """
    if b + c < exact_below or b + c == 0:
        # No discordant pairs: the chi-square is 0/0 (R's mcnemar.test gives NaN); the exact
        # test is defined and gives p = 1, so it is used whatever ``exact_below`` says.
        if b + c == 0:
            return "mcnemar_exact", 0.0, 1.0
        p = sps.binomtest(int(min(b, c)), int(b + c), 0.5).pvalue
        return "mcnemar_exact", float(min(b, c)), float(min(p, 1.0))
    stat = (abs(b - c) - 1) ** 2 / (b + c)
    return "mcnemar", float(stat), float(sps.chi2.sf(stat, 1))
