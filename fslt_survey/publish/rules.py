"""The publication rules: which numbers of a statistics table may be published.

One rule keeps the numbers of a page consistent with each other
---------------------------------------------------------------
Every number published about an item comes from **one suppressed distribution** of that item
(:func:`suppress`): the substantive answers form one line whose total (the base) is published,
the typed-missing reasons ("Ved ikke", ...) a second line whose total is the number of
associations asked minus the base. Derived numbers (the share answering "I høj grad", the top-2
share, the share in a wave comparison, a recommendation's evidence) are published only when
they add nothing to that distribution (:func:`share_publishable`): their count and its
complement are 0 or at least k, and the hidden cells of the distribution lie either all inside
or all outside the summed categories (otherwise the sum would reveal a hidden cell). Cross-tabs
by group (the needs by association type) are protected in two dimensions with the overall
numbers as column totals (:func:`suppress_ranking`).

:func:`suppress` protects one distribution (primary and secondary suppression with
:func:`fslt_survey.privacy.suppress_counts`), :func:`share_publishable` and
:func:`patterns_publishable` decide about derived numbers, :func:`suppress_ranking` protects the
needs ranking (overall and by group) and :func:`suppress_trend` a wave comparison. Tidy tables
in, tidy tables out; :mod:`fslt_survey.publish` shows them and re-exports every name here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from fslt_survey import config, stats
from fslt_survey.errors import SurveyDataError
from fslt_survey.privacy import suppress_counts

__all__ = [
    "patterns_publishable",
    "share_publishable",
    "small_count",
    "suppress",
    "suppress_ranking",
    "suppress_trend",
]

#: Columns hidden together with a suppressed count (a share times the base reveals the count).
_HIDE = ("n", "pct", "ci_low", "ci_high", "base_eff")


def _k(k: int | None) -> int:
    k = config.SUPPRESSION_K if k is None else k
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    return int(k)


def small_count(x: Any, k: int) -> bool:
    """A count that must not be published: 0 < x < k."""
    return bool(pd.notna(x) and 0 < float(x) < k)


# --------------------------------------------------------------------------- distributions


def suppress(
    tab: pd.DataFrame, *, k: int | None = None, by: str | None = None, multi_select: bool = False
) -> pd.DataFrame:
    """Suppress a tidy frequency table from :mod:`fslt_survey.stats` (any number of items).

    * Substantive categories of a single-choice or Likert item are one line with a published
      total (the base): primary suppression of ``0 < n < k`` and secondary suppression so no
      hidden cell can be recovered (:func:`fslt_survey.privacy.suppress_counts`). With ``by``
      the table is a cross-tab, protected with the overall distribution as known column totals.
    * Multi-select options are yes/no questions of their own: an option is hidden when its
      count or its complement (base minus count) is below k.
    * Typed-missing reasons form a line of their own whose total (asked minus answered) is
      known; they are suppressed the same way.
    * A base below k hides the whole item (and the base itself).

    Returns
    -------
    DataFrame
        A copy with ``n``/``base`` as nullable integers, NA in ``n, pct, ci_low, ci_high,
        base_eff`` of hidden cells, and a bool column ``suppressed``.
    """
    k = _k(k)
    if tab.empty:
        return tab.assign(suppressed=pd.Series(dtype=bool))
    if multi_select and by is not None:
        raise SurveyDataError(
            "suppress: multi-select cross-tabs are not supported; publish them per group",
            column=by,
        )
    work = tab.reset_index(drop=True)
    missing = (
        work["missing"].astype(bool).to_numpy()
        if "missing" in work.columns
        else np.zeros(len(work), dtype=bool)
    )
    hidden = np.zeros(len(work), dtype=bool)
    keys = ["item"]
    subst, miss = np.flatnonzero(~missing), np.flatnonzero(missing)
    if len(subst):
        hidden[subst] = _hidden_answers(work.iloc[subst], k, by, keys, multi_select)
    if len(miss):
        _hide_missing(work.iloc[miss], hidden, k, keys + ([by] if by else []))
    out = work.copy()
    n = pd.to_numeric(out["n"]).to_numpy()
    base = pd.to_numeric(out["base"]).to_numpy()
    out["n"] = pd.array(n, dtype="Int64")
    out["base"] = pd.array(base, dtype="Int64")
    for col in _HIDE:
        if col in out.columns:
            values = out[col].astype("Float64" if col != "n" else "Int64").array.copy()
            values[hidden] = pd.NA
            out[col] = values
    small_base = _small(base, k)
    if small_base.any():
        values = out["base"].array.copy()
        values[small_base] = pd.NA
        out["base"] = values
    out["suppressed"] = hidden
    out.index = tab.index
    return out


def _small(values: Any, k: int) -> np.ndarray:
    """:func:`small_count` of each value (missing values are not small)."""
    x = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return (x > 0) & (x < k)


def _hidden_answers(
    sub: pd.DataFrame, k: int, by: str | None, keys: list[str], multi_select: bool
) -> np.ndarray:
    """Which substantive rows to hide: multi-select options as yes/no lines of their own,
    other items as lines with a published base (primary and secondary suppression)."""
    n = pd.to_numeric(sub["n"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    base = pd.to_numeric(sub["base"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if multi_select:
        return _small(n, k) | _small(base - n, k) | _small(base, k)
    res = suppress_counts(sub, k=k, group_col=by, by=keys, column_totals=True, hide_cols=[])
    return res["suppressed"].to_numpy(dtype=bool) | _small(base, k)


def _hide_missing(mis: pd.DataFrame, hidden: np.ndarray, k: int, groups: list[str]) -> None:
    """The typed-missing reasons add up to (asked - answered), which the published bases
    reveal; reasons nobody gave are published zeros unless the reasons together are fewer
    than k."""
    total = mis.groupby(groups, observed=True, sort=False)["n"].transform("sum")
    small_total = _small(total, k)
    given = mis.loc[pd.to_numeric(mis["n"]).to_numpy() > 0]
    if len(given):
        res = suppress_counts(given, k=k, base_col=None, by=groups, hide_cols=[])
        hidden[given.index] = res["suppressed"].to_numpy(dtype=bool)
    hidden[mis.index] |= small_total


def share_publishable(
    tab: pd.DataFrame,
    labels: Iterable[str],
    *,
    k: int | None = None,
    suppressed: pd.DataFrame | None = None,
    multi_select: bool = False,
) -> bool:
    """May the share answering one of ``labels`` be published next to the item's distribution?

    Parameters
    ----------
    tab
        The raw frequency rows of **one** item (and one group/wave) from ``tab_single`` /
        ``tab_multi``.
    labels
        The categories summed (e.g. ``["I høj grad", "I nogen grad"]``).
    suppressed
        :func:`suppress` of ``tab`` (computed when not given).
    multi_select
        The item is multi-select: the share of associations ticking *any* of ``labels``; with
        more than one label it is never derivable from the options and is refused unless
        every option involved is itself published and the labels are a single option.

    Returns
    -------
    bool
        True when the count, its complement and the base are 0 or at least k and the hidden
        cells of the distribution lie all inside or all outside ``labels``.
    """
    k = _k(k)
    labels = {str(v) for v in labels}
    rows = tab.loc[~tab["missing"].astype(bool)] if "missing" in tab.columns else tab
    if rows.empty:
        return False
    sup = suppressed if suppressed is not None else suppress(tab, k=k, multi_select=multi_select)
    sup_rows = sup.loc[rows.index]
    cats = rows["category"].astype(str)
    inside = cats.isin(labels).to_numpy()
    if not inside.any():
        return False
    base = float(pd.to_numeric(rows["base"]).iloc[0])
    if base < k:
        return False
    hid = sup_rows["suppressed"].to_numpy(dtype=bool)
    if multi_select:
        return len(labels) == 1 and not hid[inside].any()
    n = float(pd.to_numeric(rows["n"])[inside].sum())
    if small_count(n, k) or small_count(base - n, k):
        return False
    return not (hid[inside].any() and hid[~inside].any())


def patterns_publishable(ticks: pd.DataFrame, *, k: int | None = None) -> bool:
    """May the share ticking *any* of several multi-select options be published?

    ``ticks`` holds one bool column per option for the associations that answered. The
    union count, published next to each option's own count, reveals how many ticked
    several of them; so every combination of the options (ticked/not ticked) must hold 0
    or at least k associations.
    """
    k = _k(k)
    if ticks.empty or len(ticks) < k:
        return False
    combos = ticks.fillna(False).astype(bool).value_counts()
    return not any(small_count(c, k) for c in combos)


def _hide_rows(df: pd.DataFrame, mask: pd.Series | np.ndarray, cols: Sequence[str]) -> pd.DataFrame:
    out = df.copy()
    mask = np.asarray(mask, dtype=bool)
    for col in cols:
        if col in out.columns:
            dtype = "Int64" if col in ("n", "n_from", "n_to", "rank") else "Float64"
            out[col] = out[col].astype(dtype).mask(mask)
    return out


# --------------------------------------------------------------------------- rankings


def suppress_ranking(
    ranking: pd.DataFrame,
    *,
    k: int | None = None,
    by: str | None = None,
    distributions: pd.DataFrame | None = None,
    large: Sequence[str] = ("I høj grad",),
    total_label: str = config.TOTAL_LABEL,
    sensitive: Sequence[str] = (),
) -> pd.DataFrame:
    """Suppress a needs ranking (``rank_needs``); hidden rows lose their rank.

    Each row is a share (n of base) of its own item. A row is hidden when n or base - n is
    below k, or its base is. With ``distributions`` (the items' ``tab_likert`` on the same
    data) a share is also hidden when it would reveal a hidden cell of the published
    distribution (:func:`share_publishable`).

    With ``by`` (``rank_needs(..., by=..., total=True)``) every item is a cross-tab of groups
    by (large need, not), protected in two dimensions with the overall row (``total_label``) as
    known column totals. When the overall share of an item cannot be published, or protecting
    the groups would need to hide it, all groups of that item are hidden. For the items listed
    in ``sensitive`` (declared ``sensitive: true`` in the instrument) a group in which all or
    none gave the answer is hidden too: it tells each member of the group's answer.
    """
    k = _k(k)
    out = ranking.copy()
    n = pd.to_numeric(out["n"], errors="coerce")
    base = pd.to_numeric(out["base"], errors="coerce")
    hide = np.array(
        [
            small_count(a, k) or small_count(b - a, k) or small_count(b, k)
            for a, b in zip(n, base, strict=True)
        ]
    )
    total_rows = (
        (out[by].astype(str) == total_label).to_numpy() if by else np.ones(len(out), dtype=bool)
    )

    if distributions is not None:
        sup = suppress(distributions, k=k)
        ok = {
            item: share_publishable(d, large, k=k, suppressed=sup.loc[d.index])
            for item, d in distributions.groupby("item", sort=False, observed=True)
        }
        hide |= total_rows & ~out["item"].map(lambda i: ok.get(i, True)).to_numpy(dtype=bool)
    if by:
        _protect_groups(out[by].astype(str), out["item"], n, base, hide, total_rows, k,
                        total_label)
    if by and sensitive:  # group-attribute disclosure: everyone in a group, or no one
        all_or_none = ((n == 0) | (n == base)).to_numpy() & (base > 0).to_numpy() & ~total_rows
        for item in set(out.loc[all_or_none, "item"]) & set(sensitive):
            # every group of the item: hiding one would leave it as the total minus the others
            hide |= ~total_rows & (out["item"] == item).to_numpy()
    out = _hide_rows(out, hide, ["n", "pct", "ci_low", "ci_high", "base_eff"])
    out["base"] = pd.array(base.to_numpy(), dtype="Int64")
    out["base"] = out["base"].mask(base.map(lambda b: small_count(b, k)).to_numpy(dtype=bool))
    if "rank" in out.columns:
        out, hide = _rerank(out, hide, ranking, by)
    out["suppressed"] = hide
    return out


def _protect_groups(
    group: pd.Series,
    item: pd.Series,
    n: pd.Series,
    base: pd.Series,
    hide: np.ndarray,
    total_rows: np.ndarray,
    k: int,
    total_label: str,
) -> None:
    """Per item, the groups as a cross-tab of (answer, not) with the total row as known column
    totals (:func:`suppress_counts`); marks in ``hide`` every group row to hide, all groups of
    an item whose total is hidden or would have to be."""
    for it in item.unique():
        rows = np.flatnonzero((item == it).to_numpy())
        tot = [r for r in rows if total_rows[r]]
        groups = [r for r in rows if not total_rows[r]]
        if not groups:
            continue
        if any(hide[r] for r in tot):
            hide[groups] = True
            continue
        cells = []
        for r in rows:
            g, a, b = group.iloc[r], int(n.iloc[r]), int(base.iloc[r])
            cells += [
                {"g": g, "category": "ja", "n": a, "base": b, "row": r},
                {"g": g, "category": "nej", "n": b - a, "base": b, "row": r},
            ]
        grid = pd.DataFrame(cells)
        try:
            res = suppress_counts(grid, k=k, group_col="g", total_group=total_label, hide_cols=[])
        except SurveyDataError:
            hide[groups] = True
            continue
        hidden_rows = set(grid.loc[res["suppressed"].to_numpy(dtype=bool), "row"])
        if any(r in hidden_rows for r in tot):
            hide[groups] = True
            continue
        for r in groups:
            hide[r] = hide[r] or r in hidden_rows


def _rerank(
    out: pd.DataFrame, hide: np.ndarray, ranking: pd.DataFrame, by: str | None
) -> tuple[pd.DataFrame, np.ndarray]:
    """Hidden rows lose their rank and go last in label order (their place among the others
    would hint at their value); the published rows are ranked again among themselves."""
    out = out.assign(_h=hide, _lab=out["label"].astype(str), _p=out["pct"].astype(float))
    if by:
        order = (
            list(ranking[by].cat.categories)
            if isinstance(ranking[by].dtype, pd.CategoricalDtype)
            else list(dict.fromkeys(ranking[by]))
        )
        out["_g"] = out[by].map({g: i for i, g in enumerate(order)}).astype(float)
    else:
        out["_g"] = 0.0
    out["_p"] = out["_p"].where(~out["_h"], -1.0)
    out = out.sort_values(
        ["_g", "_h", "_p", "_lab"], ascending=[True, True, False, True], kind="stable"
    )
    ranks = out.groupby("_g", sort=False)["_p"].rank(method="min", ascending=False)
    out["rank"] = pd.array(ranks.to_numpy(), dtype="Int64")
    out["rank"] = out["rank"].mask(out["_h"].to_numpy(dtype=bool))
    hide = out["_h"].to_numpy(dtype=bool)
    return out.drop(columns=["_h", "_lab", "_p", "_g"]), hide


# --------------------------------------------------------------------------- wave comparisons


def suppress_trend(
    comparison: pd.DataFrame,
    *,
    data: pd.DataFrame,
    k: int | None = None,
) -> pd.DataFrame:
    """Suppress rows of ``compare_waves`` (one row per item and measure) before publishing.

    A row is published when, in *both* waves, its share passes :func:`share_publishable`
    against that wave's distribution of the item (``data`` holds the clean data of both
    waves). Hidden rows lose both shares, the change, its interval and the p-values.
    """

    k = _k(k)
    out = comparison.copy()
    hide = np.zeros(len(out), dtype=bool)
    cache: dict[tuple[str, Any], tuple[pd.DataFrame, pd.DataFrame, bool]] = {}
    for pos, r in enumerate(out.itertuples(index=False)):
        if str(r.measure) == "distribution":
            hide[pos] = True
            continue
        labels = str(r.category).split(" + ") if r.measure == "top2" else [str(r.category)]
        for wave in (r.wave_from, r.wave_to):
            key = (str(r.item), wave)
            if key not in cache:
                sub = data.loc[data["wave"] == wave]
                try:
                    tab = stats.tab_single(sub, str(r.item))
                    multi = False
                except SurveyDataError:
                    tab = stats.tab_multi(sub, str(r.item))
                    multi = True
                cache[key] = (tab, suppress(tab, k=k, multi_select=multi), multi)
            tab, sup, multi = cache[key]
            if not share_publishable(tab, labels, k=k, suppressed=sup, multi_select=multi):
                hide[pos] = True
    cols = [
        "n_from", "n_to", "pct_from", "pct_to", "diff", "diff_ci_low", "diff_ci_high",
        "statistic", "p", "p_adj",
    ]  # fmt: skip
    out = _hide_rows(out, hide, cols)
    for col in ("base_from", "base_to"):
        b = pd.to_numeric(out[col], errors="coerce")
        out[col] = pd.array(b.to_numpy(), dtype="Int64")
        out[col] = out[col].mask(b.map(lambda v: small_count(v, k)).to_numpy(dtype=bool))
    out["suppressed"] = hide
    return out
