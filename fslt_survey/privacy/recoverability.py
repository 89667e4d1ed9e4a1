"""Recoverability checks: independent attackers on published count tables.

:func:`find_recoverable_counts` (tidy tables) and :func:`find_recoverable_crosstab` (wide
cross-tabs) return every hidden cell a reader can compute exactly from what is published: by
subtraction along a line, by any linear combination of rows and columns, or as percentage times
base (:class:`RecoveredCell`). They share only the grid model with
:mod:`fslt_survey.privacy.disclosure`, so the tests and the privacy corpus use them to check its
suppression from the outside.

Split from :mod:`fslt_survey.privacy`, which re-exports every name here.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.linalg

from fslt_survey.privacy.disclosure import DEFAULT_HIDE_COLS, _check_columns, _grid_lines
from fslt_survey.privacy.safe_output import _is_na

__all__ = ["RecoveredCell", "find_recoverable_counts", "find_recoverable_crosstab"]


@dataclass(frozen=True)
class RecoveredCell:
    """A hidden cell that an attacker can compute from the published table.

    ``method`` is ``"subtraction"`` (a line with one hidden cell), ``"linear"`` (a combination
    of lines) or ``"pct×base"`` (the count is hidden but its percentage is not). ``key`` holds
    the values of the ``by`` columns for tidy tables.
    """

    row: Hashable
    column: Hashable
    value: float
    method: str
    key: tuple[Hashable, ...] = ()


def _recover(grid: np.ndarray) -> list[tuple[int, int, float, str]]:
    """Hidden (NaN) entries of an augmented grid that the line equations determine."""
    grid = grid.copy()
    found: list[tuple[int, int, float, str]] = []
    lines = _grid_lines(grid.shape)

    def residual(entries: list[tuple[int, int]], margin: tuple[int, int]) -> float:
        return sum(grid[e] for e in entries if e != margin and not np.isnan(grid[e])) - (
            0.0 if np.isnan(grid[margin]) else grid[margin]
        )

    changed = True
    while changed:
        changed = False
        for entries, margin in lines:
            unknown = [e for e in entries if np.isnan(grid[e])]
            if len(unknown) == 1:
                e = unknown[0]
                value = residual(entries, margin) * (1 if e == margin else -1)
                grid[e] = value
                found.append((*e, float(value), "subtraction"))
                changed = True
    unknown = [(int(i), int(j)) for i, j in zip(*np.nonzero(np.isnan(grid)), strict=True)]
    if not unknown:
        return found
    col_of = {e: c for c, e in enumerate(unknown)}
    a_rows, b = [], []
    for entries, margin in lines:
        coeffs = np.zeros(len(unknown))
        for e in entries:
            if e in col_of:
                coeffs[col_of[e]] = -1.0 if e == margin else 1.0
        if coeffs.any():
            a_rows.append(coeffs)
            b.append(-residual(entries, margin))
    a = np.array(a_rows)
    null = scipy.linalg.null_space(a) if len(a) else np.eye(len(unknown))
    solution = np.linalg.lstsq(a, np.array(b), rcond=None)[0] if len(a) else None
    for e, c in col_of.items():
        if solution is not None and np.all(np.abs(null[c, :]) < 1e-9):
            found.append((*e, float(np.round(solution[c], 9)), "linear"))
    return found


def find_recoverable_crosstab(
    published: pd.DataFrame, *, margins_name: Hashable = "I alt"
) -> list[RecoveredCell]:
    """Try to recover the hidden (NA) cells of a published wide cross-tab.

    The margins are the last row and column named ``margins_name`` if present (NA there means a
    hidden margin), else unknown. Returns every hidden entry that subtraction along a row or
    column, or any linear combination of rows and columns, determines exactly.
    """
    has = margins_name in published.index and margins_name in published.columns
    arr = published.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    if has:
        grid, index, columns = arr, list(published.index), list(published.columns)
    else:
        grid = np.full((arr.shape[0] + 1, arr.shape[1] + 1), np.nan)
        grid[:-1, :-1] = arr
        index, columns = [*published.index, None], [*published.columns, None]
    hidden = np.isnan(grid)
    if not has:
        hidden[-1, :], hidden[:, -1] = False, False
    return [
        RecoveredCell(index[i], columns[j], value, method)
        for i, j, value, method in _recover(grid)
        if hidden[i, j]
    ]


def find_recoverable_counts(
    published: pd.DataFrame,
    *,
    n_col: str = "n",
    base_col: str | None = "base",
    category_col: str = "category",
    group_col: str | None = None,
    total_group: Hashable | None = None,
    column_totals: Mapping[Hashable, float] | pd.Series | None = None,
    by: Sequence[str] = (),
    hide_cols: Sequence[str] | None = None,
    multi_select: bool = False,
) -> list[RecoveredCell]:
    """Attack a published tidy table the way a reader could; return what it recovers.

    Assumes the listed categories exhaust the base (single-select); with ``multi_select`` there
    is no row equation. Column totals come from the ``total_group`` rows or from
    ``column_totals`` (category -> published total, NA = hidden); otherwise they are unknown.
    A hidden ``n`` whose percentage or interval is still published counts as recovered
    (``"pct×base"``).
    """
    hide = list(hide_cols) if hide_cols is not None else []
    if hide_cols is None:
        hide = [c for c in DEFAULT_HIDE_COLS if c in published.columns]
    _check_columns(published, [n_col, base_col, category_col, group_col, *by, *hide])
    found: list[RecoveredCell] = []
    parts = published.groupby(list(by), sort=False) if by else [((), published)]
    for key, part in parts:
        key = key if isinstance(key, tuple) else (key,)
        sub = part.reset_index(drop=True)
        n = sub[n_col].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        groups = sub[group_col].tolist() if group_col else [None] * len(sub)
        cats = sub[category_col].tolist()
        for pos in range(len(sub)):
            if np.isnan(n[pos]) and any(not _is_na(sub[c].iloc[pos]) for c in hide):
                found.append(RecoveredCell(groups[pos], cats[pos], np.nan, "pct×base", key))
        is_total = [group_col is not None and total_group is not None and g == total_group
                    for g in groups]  # fmt: skip
        glabels = list(dict.fromkeys(g for g, t in zip(groups, is_total, strict=True) if not t))
        clabels = list(dict.fromkeys(cats))
        grid = np.zeros((len(glabels) + 1, len(clabels) + 1))
        grid[:, -1], grid[-1, :] = np.nan, np.nan
        bases = (
            sub[base_col].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
            if base_col
            else np.full(len(sub), np.nan)
        )
        for pos, (g, c, t) in enumerate(zip(groups, cats, is_total, strict=True)):
            i = len(glabels) if t else glabels.index(g)
            grid[i, clabels.index(c)] = n[pos]
            if not multi_select:
                grid[i, -1] = bases[pos]
        if column_totals is not None and not any(is_total):
            for j, c in enumerate(clabels):
                value = column_totals.get(c, np.nan)
                grid[-1, j] = np.nan if _is_na(value) else float(value)
        hidden = np.isnan(grid)
        for i, j, value, method in _recover(grid):
            if hidden[i, j] and j < len(clabels) and (i < len(glabels) or any(is_total)):
                g = glabels[i] if i < len(glabels) else total_group
                found.append(RecoveredCell(g, clabels[j], value, method, key))
    return found
