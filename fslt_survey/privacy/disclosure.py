"""Disclosure control: small-cell suppression of count tables and cross-tabs.

Primary suppression of cells with ``0 < n < k`` (``k`` = :data:`fslt_survey.config.SUPPRESSION_K`),
the base rule, and secondary suppression verified by an exact linear-algebra criterion (the grid
model in the comment below): :func:`suppress_counts` for tidy tables (one row per cell, optional
groups and a total group), :func:`suppress_crosstab` and :func:`crosstab_suppression_status`
for wide cross-tabs. :mod:`fslt_survey.privacy.recoverability` holds the independent attackers that
check the result; :mod:`fslt_survey.publish` applies these functions to the statistics tables.

Split from :mod:`fslt_survey.privacy`, which re-exports every public name here.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from fslt_survey import config
from fslt_survey.errors import SurveyDataError

__all__ = [
    "DEFAULT_HIDE_COLS",
    "PRIMARY",
    "SECONDARY",
    "crosstab_suppression_status",
    "suppress_counts",
    "suppress_crosstab",
]

# ---------------------------------------------------------------------------------------------
# Disclosure control
# ---------------------------------------------------------------------------------------------
#
# Every table is modelled as an augmented (R+1) x (C+1) grid: interior cells, row totals in the
# last column, column totals in the last row, grand total in the corner. Each row and column of
# the grid is a linear equation (cells sum to the margin). An entry is *hidden* when suppressed
# or not published at all. With the published entries known, a hidden entry is exactly
# determined iff it is a bridge in the bipartite graph (grid rows and columns as nodes, hidden
# entries as edges), i.e. it lies on no cycle of hidden entries (Gusfield 1988). Secondary
# suppression adds complements until no suppressed entry is a bridge, on top of the classic
# rules "two hidden per line" and "hidden sum per line >= k".

#: Columns hidden together with ``n`` by default (when present): a published percentage or
#: interval times the published base would reveal the count.
DEFAULT_HIDE_COLS: tuple[str, ...] = ("pct", "ci_low", "ci_high", "se")

PRIMARY = "primær"
SECONDARY = "sekundær"

_PUB, _PRIM, _SEC, _UNPUB = 0, 1, 2, 3  # entry states
_CAND, _LAST, _NEVER = 0, 1, 2  # complement tiers: candidate, last resort, never


def _resolve_k(k: int | None) -> int:
    k = config.SUPPRESSION_K if k is None else k
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    return int(k)


def _grid_lines(shape: tuple[int, int]) -> list[tuple[list[tuple[int, int]], tuple[int, int]]]:
    rows, cols = shape
    lines = [([(i, j) for j in range(cols)], (i, cols - 1)) for i in range(rows)]
    lines += [([(i, j) for i in range(rows)], (rows - 1, j)) for j in range(cols)]
    return lines


def _bridges(state: np.ndarray) -> list[tuple[int, int]]:
    """Suppressed entries that lie on no cycle of hidden entries (so they are recoverable)."""
    hidden = [(int(i), int(j)) for i, j in zip(*np.nonzero(state != _PUB), strict=True)]
    return [e for e in hidden if state[e] in (_PRIM, _SEC) and not _connected(hidden, e)[2]]


def _connected(
    hidden: list[tuple[int, int]], edge: tuple[int, int]
) -> tuple[set[tuple[str, int]], set[tuple[str, int]], bool]:
    """Components of both ends of ``edge`` without it, and whether they are the same."""
    adj: dict[tuple[str, int], list[tuple[str, int]]] = {}
    for e in hidden:
        if e != edge:
            adj.setdefault(("r", e[0]), []).append(("c", e[1]))
            adj.setdefault(("c", e[1]), []).append(("r", e[0]))

    def component(start: tuple[str, int]) -> set[tuple[str, int]]:
        seen, stack = {start}, [start]
        while stack:
            for nxt in adj.get(stack.pop(), []):
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return seen

    a = component(("r", edge[0]))
    if ("c", edge[1]) in a:
        return a, a, True
    return a, component(("c", edge[1])), False


def _protect(values: np.ndarray, state: np.ndarray, tier: np.ndarray, k: int) -> np.ndarray:
    """Add secondary suppressions to ``state`` (a copy is returned) until it is safe."""
    state = state.copy()
    rows, cols = state.shape

    def key(e: tuple[int, int]) -> tuple[int, bool, bool, float, tuple[int, int]]:
        margin = e[0] == rows - 1 or e[1] == cols - 1
        return (int(tier[e]), bool(values[e] == 0), margin, float(values[e]), e)

    def candidates(entries: Iterable[tuple[int, int]], max_tier: int) -> list[tuple[int, int]]:
        return [e for e in entries if state[e] == _PUB and tier[e] <= max_tier]

    lines = _grid_lines(state.shape)
    given_up: set[tuple[int, int]] = set()
    while True:
        changed = False
        for entries, margin in lines:
            while any(state[e] in (_PRIM, _SEC) for e in entries):
                hidden = [e for e in entries if state[e] != _PUB]
                if len(hidden) < 2:  # the single hidden entry equals margin minus the rest
                    pool = candidates(entries, _CAND) or candidates(entries, _LAST)
                elif (
                    state[margin] == _PUB
                    and all(state[e] != _UNPUB for e in entries)
                    and sum(values[e] for e in hidden) < k
                ):  # the hidden entries together would form a small cell
                    pool = candidates(entries, _CAND)
                else:
                    break
                if not pool:
                    break
                state[min(pool, key=key)] = _SEC
                changed = True
        if changed:
            continue
        open_bridges = [b for b in _bridges(state) if b not in given_up]
        if not open_bridges:
            break
        bridge = open_bridges[0]
        hidden = [(int(i), int(j)) for i, j in zip(*np.nonzero(state != _PUB), strict=True)]
        side_a, side_b, _ = _connected(hidden, bridge)
        links = [
            (i, j)
            for i in range(rows)
            for j in range(cols)
            if (("r", i) in side_a and ("c", j) in side_b)
            or (("r", i) in side_b and ("c", j) in side_a)
        ]
        pool = candidates(links, _CAND) or candidates(links, _LAST)
        if pool:
            state[min(pool, key=key)] = _SEC
        else:
            given_up.add(bridge)
    if given_up:
        raise SurveyDataError(
            "small-cell suppression cannot protect this table: a hidden cell stays recoverable "
            "from the published totals",
            expected="at least two categories and groups, or fewer published totals",
            found=f"{len(given_up)} unprotectable cell(s)",
        )
    return state


def _int_array(values: Iterable[object], what: str, column: str | None = None) -> np.ndarray:
    plain = isinstance(values, pd.Series) and (  # integer or float columns: read directly
        pd.api.types.is_integer_dtype(values.dtype) or pd.api.types.is_float_dtype(values.dtype)
    )
    if plain:
        arr = values.to_numpy(dtype=float, na_value=np.nan)
    else:
        arr = pd.to_numeric(pd.Series(list(values), dtype=object), errors="coerce").to_numpy(float)
    bad = np.isnan(arr) | (arr < 0) | (arr != np.round(arr))
    if bad.any():
        raise SurveyDataError(
            f"{what} must be non-negative whole numbers",
            column=column,
            expected="counts such as 0, 3, 12",
            found=f"{int(bad.sum())} invalid value(s)",
        )
    return arr


def _check_columns(table: pd.DataFrame, columns: Iterable[str | None]) -> None:
    for col in columns:
        if col is not None and col not in table.columns:
            raise SurveyDataError(
                "the table lacks a column that suppression needs",
                column=col,
                expected=f"column {col!r}",
                found=", ".join(map(str, table.columns)),
            )


def suppress_counts(
    table: pd.DataFrame,
    *,
    k: int | None = None,
    n_col: str = "n",
    base_col: str | None = "base",
    category_col: str = "category",
    group_col: str | None = None,
    total_group: Hashable | None = None,
    column_totals: bool = True,
    by: Sequence[str] = (),
    hide_cols: Sequence[str] | None = None,
    multi_select: bool = False,
) -> pd.DataFrame:
    """Small-cell suppression of a tidy frequency table (one row per category, or per cell).

    Layout: columns ``category``, ``n``, ``base`` (+ ``pct``, ``ci_low``, ``ci_high``, ...), and
    for a cross-tab a group column such as ``group``. Rules, with ``k`` from
    :data:`fslt_survey.config.SUPPRESSION_K` unless given:

    * **Primary**: a cell with ``0 < n < k``. Zeros are published (structural zeros are
      information, and a zero adds no equation an attacker could use), except in a group whose
      base is below ``k``: then *every* cell of the group, zeros included, is suppressed
      ("the whole group"; reason ``"primær"``). The base itself stays published: it is the size
      of the group, not an answer, and is derivable from public totals anyway.
    * **Secondary**: a hidden cell must not be recoverable from what stays published. Row totals
      (the base, assumed to be the sum of the listed categories) are always treated as known;
      every line with a suppressed cell gets at least two hidden cells whose sum is at least
      ``k`` (smallest non-zero complement first, ties by position), and the result is verified
      exactly (no suppressed cell is a bridge, see the module notes). A base is hidden only as a
      last resort (``base`` becomes NA), e.g. when a table has a single category.
    * A suppressed cell gets NA in ``n`` and in ``hide_cols`` (``pct``, ``ci_low``,
      ``ci_high``, ``se``): a published percentage times the base would reveal ``n``.

    Parameters
    ----------
    table:
        The tidy table. Not modified.
    k:
        Threshold; cells with fewer contributors are suppressed.
    n_col, base_col, category_col:
        Column names. ``base_col=None`` uses the sum of ``n`` as the base.
    group_col:
        For a cross-tab (group x category): the column holding the group. ``None`` = 1-D tables.
    total_group:
        Label in ``group_col`` of rows that hold the column totals (the overall distribution),
        e.g. ``"I alt"``. They are then suppressed jointly with the groups: the only way to
        publish the overall distribution next to the cross-tab with a guarantee.
    column_totals:
        Without ``total_group``: ``True`` (default, conservative) assumes the column totals are
        published elsewhere, all except those below ``k``, which that table must suppress
        itself; ``False`` assumes they are not published at all. With a single group the
        totals are that group's own counts, so the table is protected as a 1-D table.
    by:
        Columns that split the table into independent tables (e.g. ``["item"]``).
    hide_cols:
        Columns hidden together with ``n``; default :data:`DEFAULT_HIDE_COLS` that are present.
    multi_select:
        Options are not mutually exclusive (percent of respondents), so the counts of a group do
        not add up to its base and no row equation exists: only the primary and base rules
        apply within a group. In a cross-tab the column equations still hold and are protected.

    Returns
    -------
    pandas.DataFrame
        A copy with ``n`` (and ``base``) as nullable ``Int64``, NA in suppressed cells, and two
        new columns: ``suppressed`` (bool) and ``suppression`` (``"primær"``, ``"sekundær"``,
        or NA).

    Examples
    --------
    >>> t = pd.DataFrame({"category": ["A", "B", "C"], "n": [2, 10, 30], "base": 42})
    >>> suppress_counts(t, k=5)[["n", "suppression"]]
          n suppression
    0  <NA>      primær
    1  <NA>    sekundær
    2    30        <NA>
    """
    k = _resolve_k(k)
    by = list(by)
    hide = list(hide_cols) if hide_cols is not None else []
    if hide_cols is None:
        hide = [c for c in DEFAULT_HIDE_COLS if c in table.columns]
    _check_columns(table, [n_col, base_col, category_col, group_col, *by, *hide])
    keys = [*by, *([group_col] if group_col else []), category_col]
    columns = {c: table[c].tolist() for c in dict.fromkeys(keys)}  # plain lists: tables are small
    if any(pd.isna(v) for c in columns for v in columns[c]):
        raise SurveyDataError("suppression keys must not be missing", column=", ".join(keys))
    cells = list(zip(*(columns[c] for c in keys), strict=True))
    if len(set(cells)) != len(cells):
        raise SurveyDataError(
            "the table has duplicate cells", column=", ".join(keys), expected="one row per cell"
        )
    n = _int_array(table[n_col], "counts", n_col)
    base = n.copy() if base_col is None else _int_array(table[base_col], "bases", base_col)
    hidden_n = np.zeros(len(table), bool)
    hidden_base = np.zeros(len(table), bool)
    reason: list[object] = [pd.NA] * len(table)
    for idx in _parts(cells, len(by)):
        groups = [columns[group_col][r] for r in idx] if group_col else [None] * len(idx)
        state, cell_of, base_of = _tidy_state(
            [columns[category_col][r] for r in idx], groups, n[idx], base[idx], k,
            group_col is not None, total_group, column_totals, multi_select, base_col is None,
        )  # fmt: skip
        for (i, j), row in cell_of.items():
            if state[i, j] in (_PRIM, _SEC):
                hidden_n[idx[row]] = True
                reason[idx[row]] = PRIMARY if state[i, j] == _PRIM else SECONDARY
        for i, rows in base_of.items():
            if state[i, -1] in (_PRIM, _SEC):
                hidden_base[idx[rows]] = True
    out = table.copy()
    out[n_col] = pd.arrays.IntegerArray(n.astype("int64"), hidden_n.copy())  # NA: hidden
    if base_col is not None:
        out[base_col] = pd.arrays.IntegerArray(base.astype("int64"), hidden_base.copy())
    if hidden_n.any():
        for col in hide:
            out[col] = out[col].mask(hidden_n)
    out["suppressed"] = hidden_n
    out["suppression"] = pd.Series(reason, index=out.index, dtype="string")
    return out


def _parts(cells: list[tuple[Any, ...]], width: int) -> list[np.ndarray]:
    """The row positions of each independent table: rows sharing the first ``width`` keys."""
    parts: dict[tuple[Any, ...], list[int]] = {}
    for row, cell in enumerate(cells):
        parts.setdefault(cell[:width], []).append(row)
    return [np.asarray(rows) for rows in parts.values()]


def _tidy_state(
    categories: list[Hashable],
    groups: list[Hashable],
    n: np.ndarray,
    base: np.ndarray,
    k: int,
    two_d: bool,
    total_group: Hashable | None,
    column_totals: bool,
    multi_select: bool,
    base_is_sum: bool,
) -> tuple[np.ndarray, dict[tuple[int, int], int], dict[int, np.ndarray]]:
    """Build the grid of one (sub)table, apply the primary rules and protect it."""
    cat_codes, cat_labels = pd.factorize(pd.Series(categories, dtype=object), sort=False)
    is_total = np.array([two_d and total_group is not None and g == total_group for g in groups])
    group_labels = list(dict.fromkeys(g for g, t in zip(groups, is_total, strict=True) if not t))
    n_rows, n_cols = len(group_labels), len(cat_labels)
    row_code = {g: i for i, g in enumerate(group_labels)}
    values = np.zeros((n_rows + 1, n_cols + 1))
    state = np.full(values.shape, _PUB, dtype=np.int8)
    tier = np.full(values.shape, _NEVER, dtype=np.int8)  # missing cells are known zeros
    cell_of: dict[tuple[int, int], int] = {}
    base_of: dict[int, np.ndarray] = {}
    group_base: dict[int, float] = {}
    for row, (g, c, t) in enumerate(zip(groups, cat_codes, is_total, strict=True)):
        i = n_rows if t else row_code[g]
        values[i, c], tier[i, c], cell_of[(i, c)] = n[row], _CAND, row
        if group_base.setdefault(i, base[row]) != base[row] and not base_is_sum:
            raise SurveyDataError("the base differs within one group", found=str(g))
    for i in group_base:
        base_of[i] = np.array([r for (ii, _), r in cell_of.items() if ii == i])
        if base_is_sum:
            group_base[i] = values[i, :n_cols].sum()
    values[:, n_cols] = values[:, :n_cols].sum(axis=1)
    has_totals_rows = bool(is_total.any())
    if not has_totals_rows:
        values[n_rows, :] = values[:n_rows, :].sum(axis=0)
    if not multi_select and any(values[i, n_cols] > group_base[i] for i in group_base):
        raise SurveyDataError(
            "the counts of a group add up to more than its base",
            expected="single-select counts (or pass multi_select=True)",
        )
    tier[:n_rows, n_cols] = _LAST  # bases: last resort only
    if has_totals_rows:
        tier[n_rows, n_cols] = _LAST
    elif not two_d or not column_totals or n_rows == 1:
        state[n_rows, :] = _UNPUB  # no column equations (one group: its totals are the row)
    else:  # external column totals: known, except small ones (suppressed in their own table)
        small = (values[n_rows, :n_cols] > 0) & (values[n_rows, :n_cols] < k)
        state[n_rows, :n_cols][small] = _UNPUB
    if multi_select:
        state[:, n_cols] = _UNPUB
        tier[:, n_cols] = _NEVER
    for (i, j), _row in cell_of.items():
        if 0 < values[i, j] < k or 0 < group_base[i] < k:
            state[i, j] = _PRIM
    return _protect(values, state, tier, k), cell_of, base_of


def _drop_unpublished_margins(
    wide: pd.DataFrame, margins: bool, margins_name: Hashable
) -> pd.DataFrame:
    if not margins and margins_name in wide.index and margins_name in wide.columns:
        return wide.drop(index=margins_name, columns=margins_name)
    return wide


def _crosstab_grid(wide: pd.DataFrame, margins_name: Hashable) -> tuple[np.ndarray, bool]:
    has = margins_name in wide.index and margins_name in wide.columns
    if (margins_name in wide.index) != (margins_name in wide.columns):
        raise SurveyDataError(
            "a cross-tab needs margins on both axes or on none", found=str(margins_name)
        )
    values = np.column_stack([_int_array(wide[c], "cross-tab cells", str(c)) for c in wide])
    values = values.reshape(wide.shape)
    if has:
        inner = values[:-1, :-1]
        if (
            list(wide.index).index(margins_name) != len(wide.index) - 1
            or list(wide.columns).index(margins_name) != len(wide.columns) - 1
            or not np.array_equal(inner.sum(axis=1), values[:-1, -1])
            or not np.array_equal(inner.sum(axis=0), values[-1, :-1])
            or inner.sum() != values[-1, -1]
        ):
            raise SurveyDataError(
                "the margins of the cross-tab are not last or do not equal the sums",
                found=str(margins_name),
            )
        return values, True
    grid = np.zeros((values.shape[0] + 1, values.shape[1] + 1))
    grid[:-1, :-1] = values
    grid[-1, :-1], grid[:-1, -1], grid[-1, -1] = values.sum(0), values.sum(1), values.sum()
    return grid, False


def crosstab_suppression_status(
    wide: pd.DataFrame,
    *,
    k: int | None = None,
    margins: bool = True,
    margins_name: Hashable = "I alt",
) -> pd.DataFrame:
    """The suppression pattern of :func:`suppress_crosstab`: ``""``, ``"primær"``, ``"sekundær"``.

    Same shape and labels as the result of :func:`suppress_crosstab` with the same arguments.
    """
    k = _resolve_k(k)
    wide = _drop_unpublished_margins(wide, margins, margins_name)
    values, had_margins = _crosstab_grid(wide, margins_name)
    state = np.full(values.shape, _PUB, dtype=np.int8)
    tier = np.full(values.shape, _CAND, dtype=np.int8)
    if margins:
        state[(values > 0) & (values < k)] = _PRIM  # margins are cells too
    else:
        state[:-1, :-1][(values[:-1, :-1] > 0) & (values[:-1, :-1] < k)] = _PRIM
        state[-1, :], state[:, -1] = _UNPUB, _UNPUB
        tier[-1, :], tier[:, -1] = _NEVER, _NEVER
    for i in np.nonzero((values[:-1, -1] > 0) & (values[:-1, -1] < k))[
        0
    ]:  # a small group: the whole row
        state[i, :] = np.where(state[i, :] == _UNPUB, _UNPUB, _PRIM)
    for j in np.nonzero((values[-1, :-1] > 0) & (values[-1, :-1] < k))[
        0
    ]:  # a small category: the whole column
        state[:, j] = np.where(state[:, j] == _UNPUB, _UNPUB, _PRIM)
    state = _protect(values, state, tier, k)
    labels = np.array(["", PRIMARY, SECONDARY, ""], dtype=object)[state]
    if margins:
        index = wide.index if had_margins else [*wide.index, margins_name]
        columns = wide.columns if had_margins else [*wide.columns, margins_name]
        return pd.DataFrame(labels, index=index, columns=columns)
    return pd.DataFrame(labels[:-1, :-1], index=wide.index, columns=wide.columns)


def suppress_crosstab(
    wide: pd.DataFrame,
    *,
    k: int | None = None,
    margins: bool = True,
    margins_name: Hashable = "I alt",
) -> pd.DataFrame:
    """Small-cell suppression of a wide contingency table (groups x categories of counts).

    Every entry, margins included, with ``0 < count < k`` is suppressed; a row or column whose
    total is below ``k`` is suppressed whole (zeros and margin too); secondary suppression then
    makes sure no hidden entry is recoverable from the published ones (margins may be chosen as
    complements, smallest count first).

    Parameters
    ----------
    wide:
        Counts, e.g. from ``pd.crosstab``. If it already has a last row and column named
        ``margins_name`` they are taken as the margins (and checked).
    k:
        Threshold, default :data:`fslt_survey.config.SUPPRESSION_K`.
    margins:
        ``True``: the margins are published (added when missing) and protected. ``False``: no
        totals are published at all, so only primary suppression is needed.
    margins_name:
        Label of the margin row and column.

    Returns
    -------
    pandas.DataFrame
        ``Int64`` counts with NA where suppressed; see :func:`crosstab_suppression_status` for
        the reasons.
    """
    wide = _drop_unpublished_margins(wide, margins, margins_name)
    status = crosstab_suppression_status(wide, k=k, margins=margins, margins_name=margins_name)
    values, _ = _crosstab_grid(wide, margins_name)
    if not margins:
        values = values[:-1, :-1]
    out = pd.DataFrame(values.astype("int64"), index=status.index, columns=status.columns)
    out = out.astype("Int64")
    return out.mask(status.ne("").to_numpy())
