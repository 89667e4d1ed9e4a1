"""Estimates for survey tables: frequencies with Wilson intervals, Likert batteries and the
ranking of needs; also the one import point of the whole analysis API.

Every function takes the clean data (one row per association response, see ``clean.py``) and
returns a *new* tidy DataFrame; the input is never modified. The analysis is split by topic and
re-exported here, so ``from fslt_survey.stats import ...`` reaches all of it:

* :mod:`fslt_survey.stats.intervals`: ``wilson_ci``, ``newcombe_diff_ci``, ``newcombe_paired_ci``
* :mod:`fslt_survey.stats.weights`: ``poststratify``, ``effective_n``
* :mod:`fslt_survey.stats.indices`: ``item_scores``, ``scale_index``, ``cronbach_alpha``
* :mod:`fslt_survey.stats.inference`: ``crosstab``, ``crosstab_counts``, ``crosstab_many``,
  ``adjust_pvalues``, ``mcnemar_test``
* :mod:`fslt_survey.stats.waves`: ``compare_waves``

Conventions shared by all ``tab_*`` functions
---------------------------------------------
* A respondent is *answered* on a choice item when the item column holds a substantive label
  (multi-select: when at least one option column is not NA), *typed missing* when not answered
  and ``<id>__missing`` holds a reason ("Ved ikke", "Ikke besvaret", ...), and *not asked*
  otherwise: ``<id>`` and ``<id>__missing`` both NA (the item was not in that wave, or the
  export had no column for it). Not-asked rows are in no base and in no count of a missing
  reason; routed-past respondents are not "not asked" but typed missing "Ikke relevant".
* ``base`` excludes typed missing by default: percentages of the substantive answers sum to
  100. Typed-missing reasons follow as extra rows with ``missing=True`` whose base is everyone
  asked (answered + typed missing). With ``include_missing=True`` every row, substantive or not,
  shares that larger base. The reasons listed are those the item can have (its scale's missing
  labels, "Ikke relevant" when it has a ``relevant`` condition, "Ikke besvaret") plus any
  observed ("Ugyldigt svar"), always in that order, also with ``n = 0`` (see
  :func:`~fslt_survey.stats.answers.missing_reasons`).
* Every category of the scale gets a row, also when nobody chose it (``n = 0``).
* ``pct``, ``ci_low`` and ``ci_high`` are percentages (0-100); the interval is Wilson's score
  interval at :data:`~fslt_survey.config.CONFIDENCE`.
* Weights (``weights="weight"``, see :func:`~fslt_survey.stats.weights.poststratify`): ``n`` and
  ``base`` stay unweighted counts of respondents, ``pct`` is the weighted share and the interval
  is Wilson's with Kish's effective sample size ``base_eff = (sum w)^2 / sum w^2`` in place of
  ``base``. Without weights ``base_eff == base``.
* ``by="<column>"`` repeats the table per group (all levels of a categorical, also empty ones,
  whose ``pct`` is NA); rows with NA in the group column are left out.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"q": pd.Categorical(["Ja", "Ja", "Nej"], categories=["Ja", "Nej"])})
>>> tab_single(df, "q")[["category", "n", "base", "pct"]].round(1).to_dict("list")
{'category': ['Ja', 'Nej'], 'n': [2, 1], 'base': [3, 3], 'pct': [66.7, 33.3]}
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from fslt_survey.config import CONFIDENCE, TOTAL_LABEL
from fslt_survey.errors import SurveyDataError
from fslt_survey.stats.answers import (
    FREQ_COLUMNS,
    ItemLike,
    ItemSpec,
    as_item_list,
    group_masks,
    indicators,
    label_mask,
    missing_reasons,
    resolve_item,
    weight_array,
)
from fslt_survey.stats.intervals import wilson_ci
from fslt_survey.stats.weights import effective_n

__all__ = [
    "rank_needs",
    "tab_likert",
    "tab_likert_summary",
    "tab_missing",
    "tab_multi",
    "tab_single",
]

#: Group label of the overall rows that :func:`rank_needs` adds next to the groups.


def _shares(
    ind: np.ndarray, base: np.ndarray, w: np.ndarray | None, conf: float
) -> dict[str, np.ndarray]:
    """n, base, pct, CI (in %) and effective base for each indicator column."""
    m = ind.shape[1]
    nb = int(base.sum())
    n = ind[base].sum(axis=0).astype(np.int64)
    if w is None:
        neff = float(nb)
        p = n / nb if nb else np.full(m, np.nan)
    else:
        wb = w[base]
        sw = float(wb.sum())
        neff = effective_n(wb)
        p = (ind[base] * wb[:, None]).sum(axis=0) / sw if sw > 0 else np.full(m, np.nan)
    k = np.where(np.isnan(p), 0.0, p) * neff if w is not None else n
    low, high = wilson_ci(k, np.full(m, neff), conf)
    return {
        "n": n,
        "base": np.full(m, nb, dtype=np.int64),
        "pct": 100 * np.asarray(p, float),
        "ci_low": 100 * low,
        "ci_high": 100 * high,
        "base_eff": np.full(m, neff),
    }


def _frame(
    rows: list[dict[str, Any]], columns: list[str], by: str | None, dtype: Any
) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=([by] if by else []) + columns)
    if by is not None and len(out):
        out[by] = out[by].astype(dtype) if dtype is not None else out[by]
    for col in ("n", "base"):
        if col in out.columns:
            out[col] = out[col].astype("int64")
    if "level" in out.columns:
        out["level"] = out["level"].astype("Int64")
    if "missing" in out.columns:
        out["missing"] = out["missing"].astype(bool)
    return out


# --------------------------------------------------------------------------- frequencies


def _tab_choice(
    data: pd.DataFrame,
    spec: ItemSpec,
    by: str | None,
    include_missing: bool,
    weights: str | None,
    conf: float,
    sort: bool = False,
) -> pd.DataFrame:
    w = weight_array(data, weights)
    groups, dtype = group_masks(data, by)
    ind, answered = indicators(data, spec)
    reasons, order = missing_reasons(data, spec, answered)
    typed = pd.notna(reasons)
    miss_ind = np.column_stack([reasons == r for r in order]) if order else ind[:, :0]
    rows: list[dict[str, Any]] = []
    labels = [*spec.categories, *order]
    levels = [*range(1, len(spec.categories) + 1), *[None] * len(order)]
    flags = [False] * len(spec.categories) + [True] * len(order)
    for lvl, mask in groups:
        asked = mask & (answered | typed)
        if include_missing:
            res = _shares(np.hstack([ind, miss_ind]), asked, w, conf)
        else:
            sub = _shares(ind, mask & answered, w, conf)
            mis = _shares(miss_ind, asked, w, conf)
            res = {k: np.concatenate([sub[k], mis[k]]) for k in sub}
        k = len(spec.categories)
        # sort: the answers by pct (descending, NA last, ties in questionnaire order); the
        # typed-missing rows always follow in their fixed order
        first = np.argsort(-res["pct"][:k], kind="stable") if sort else np.arange(k)
        for j in [*first.tolist(), *range(k, len(labels))]:
            cat = labels[j]
            row = {
                "item": spec.id,
                "label": spec.label,
                "category": cat,
                "level": levels[j],
                "missing": flags[j],
                **{k: v[j] for k, v in res.items()},
            }
            if by is not None:
                row[by] = lvl
            rows.append(row)
    return _frame(rows, FREQ_COLUMNS, by, dtype)


def tab_single(
    data: pd.DataFrame,
    item: ItemLike,
    *,
    by: str | None = None,
    include_missing: bool = False,
    weights: str | None = None,
    conf: float = CONFIDENCE,
) -> pd.DataFrame:
    """Frequency table of a single-choice (or Likert) item.

    Parameters
    ----------
    data
        Clean survey data.
    item
        Codebook :class:`~fslt_survey.codebook.Item` (type single or likert), or an item id
        whose clean column is categorical.
    by
        Optional group column (e.g. ``"assoc_type"`` or ``"wave"``).
    include_missing
        False (default): ``base`` = substantive answers, typed-missing rows follow with
        ``missing=True`` and base = everyone asked. True: every row shares the base of everyone
        asked (answered + typed missing), so all ``pct`` sum to 100.
    weights
        Weight column (see :func:`poststratify`).
    conf
        Confidence level of the Wilson interval.

    Returns
    -------
    DataFrame
        ``[by,] item, label, category, level, missing, n, base, pct, ci_low, ci_high,
        base_eff`` with one row per substantive category in scale order (``level`` 1..k, also
        categories nobody chose), then one per typed-missing reason (``level`` NA).
    """
    spec = resolve_item(data, item, ("single", "likert"), "tab_single")
    return _tab_choice(data, spec, by, include_missing, weights, conf)


def tab_multi(
    data: pd.DataFrame,
    item: ItemLike,
    *,
    by: str | None = None,
    include_missing: bool = False,
    weights: str | None = None,
    sort: bool = False,
    conf: float = CONFIDENCE,
) -> pd.DataFrame:
    """Multi-select item: share of respondents who ticked each option.

    The base is the respondents who answered the question (at least one option column not NA),
    so shares are % of respondents, not % of ticks, and may sum to more than 100. An NA option
    in an answered row counts as not ticked. Options nobody ticked appear with ``n = 0``.

    Parameters are as in :func:`tab_single`; ``sort=True`` orders options by ``pct``
    (descending, within group), otherwise they follow the questionnaire. The typed-missing rows
    follow the options in their fixed order (scale order, "Ikke besvaret", "Ugyldigt svar"),
    never sorted.

    Returns
    -------
    DataFrame
        Same columns as :func:`tab_single`; ``category`` is the option label, ``level`` its
        position among the options.
    """
    spec = resolve_item(data, item, ("multi",), "tab_multi")
    return _tab_choice(data, spec, by, include_missing, weights, conf, sort=sort)


def tab_missing(
    data: pd.DataFrame,
    items: ItemLike | Sequence[ItemLike],
    *,
    by: str | None = None,
    conf: float = CONFIDENCE,
) -> pd.DataFrame:
    """Typed-missing reasons ("Ved ikke", "Ikke besvaret", ...) of one or more choice items.

    Returns
    -------
    DataFrame
        ``[by,] item, label, reason, n, base, pct, ci_low, ci_high`` where ``base`` is everyone
        asked (answered + typed missing); one row per reason the scale or the data knows.
    """
    frames = []
    for it in as_item_list(items, "tab_missing"):
        spec = resolve_item(data, it, ("single", "likert", "multi"), "tab_missing")
        tab = _tab_choice(data, spec, by, False, None, conf)
        frames.append(tab[tab["missing"]])
    out = pd.concat(frames, ignore_index=True).rename(columns={"category": "reason"})
    keep = ([by] if by else []) + [
        "item",
        "label",
        "reason",
        "n",
        "base",
        "pct",
        "ci_low",
        "ci_high",
    ]
    return out.loc[:, keep].reset_index(drop=True)


def tab_likert(
    data: pd.DataFrame,
    items: ItemLike | Sequence[ItemLike],
    *,
    by: str | None = None,
    include_missing: bool = False,
    weights: str | None = None,
    conf: float = CONFIDENCE,
) -> pd.DataFrame:
    """Full distribution of one or more Likert items (e.g. ``instrument.battery("behov")``).

    Returns
    -------
    DataFrame
        The rows of :func:`tab_single` for every item stacked in the given order (same
        columns), every level kept even when nobody chose it. See :func:`tab_likert_summary`
        for top-2 shares and medians.
    """
    specs = [
        resolve_item(data, it, ("likert", "single"), "tab_likert")
        for it in as_item_list(items, "tab_likert")
    ]
    frames = [_tab_choice(data, s, by, include_missing, weights, conf) for s in specs]
    return pd.concat(frames, ignore_index=True)


def tab_likert_summary(
    data: pd.DataFrame,
    items: ItemLike | Sequence[ItemLike],
    *,
    by: str | None = None,
    top: Sequence[str] | None = None,
    weights: str | None = None,
    conf: float = CONFIDENCE,
) -> pd.DataFrame:
    """Per-item summary of a Likert battery: top-2-box share and median category.

    Parameters
    ----------
    top
        Labels that make up the "top box"; default the first two substantive labels in scale
        order (the positive end of the Danish scales: "I høj grad" + "I nogen grad", "Helt
        enig" + "Overvejende enig").

    Returns
    -------
    DataFrame
        ``[by,] item, label, base, n_missing, top2_n, top2_pct, top2_ci_low, top2_ci_high,
        median, base_eff``. ``base`` = substantive answers, ``n_missing`` = typed missing (any
        reason). ``median`` is the first category in scale order at which the (weighted)
        cumulative share reaches 50 % (the lower median); NA when ``base`` is 0.
    """
    rows: list[dict[str, Any]] = []
    dtype = None
    w = weight_array(data, weights)
    for it in as_item_list(items, "tab_likert_summary"):
        spec = resolve_item(data, it, ("likert", "single"), "tab_likert_summary")
        if not spec.ordered:
            raise SurveyDataError(
                f"item {spec.id!r} has an unordered scale; no median/top-2", column=spec.id
            )
        topm = label_mask(spec, top)
        ind, answered = indicators(data, spec)
        reasons, _ = missing_reasons(data, spec, answered)
        groups, dtype = group_masks(data, by)
        for lvl, mask in groups:
            base = mask & answered
            res = _shares(ind[:, topm].any(axis=1)[:, None], base, w, conf)
            dist = _shares(ind, base, w, conf)["pct"]
            cum = np.cumsum(dist)
            median = spec.categories[int(np.argmax(cum >= 50 - 1e-9))] if base.any() else None
            row = {
                "item": spec.id,
                "label": spec.label,
                "base": int(base.sum()),
                "n_missing": int((mask & pd.notna(reasons)).sum()),
                "top2_n": int(res["n"][0]),
                "top2_pct": res["pct"][0],
                "top2_ci_low": res["ci_low"][0],
                "top2_ci_high": res["ci_high"][0],
                "median": median,
                "base_eff": res["base_eff"][0],
            }
            if by is not None:
                row[by] = lvl
            rows.append(row)
    cols = [
        "item",
        "label",
        "base",
        "n_missing",
        "top2_n",
        "top2_pct",
        "top2_ci_low",
        "top2_ci_high",
        "median",
        "base_eff",
    ]
    out = _frame(rows, cols, by, dtype)
    for col in ("base", "n_missing", "top2_n"):
        out[col] = out[col].astype("int64")
    return out


def rank_needs(
    data: pd.DataFrame,
    items: Sequence[ItemLike],
    *,
    by: str | None = None,
    large: Sequence[str] = ("I høj grad",),
    total: bool = True,
    weights: str | None = None,
    conf: float = CONFIDENCE,
) -> pd.DataFrame:
    """Rank needs items by the share reporting a large need.

    Parameters
    ----------
    items
        Needs items (e.g. ``instrument.battery("behov")``), single or Likert.
    large
        Labels that count as a large need (default ``("I høj grad",)``).
    by
        Optional group column; the ranking is then made within each group.
    total
        With ``by``: also include the overall ranking, with group value :data:`TOTAL_LABEL`
        ("I alt") placed first.

    Returns
    -------
    DataFrame
        ``[by,] rank, item, label, n, base, pct, ci_low, ci_high, base_eff``, sorted by group
        and then by ``pct`` descending (``rank`` 1 = largest need; ties share the lower rank;
        items with no answers last). ``base`` = substantive answers to that item.
    """
    specs = [
        resolve_item(data, it, ("likert", "single"), "rank_needs")
        for it in as_item_list(items, "rank_needs")
    ]
    w = weight_array(data, weights)
    groups, dtype = group_masks(data, by)
    if by is not None and total:
        groups = [(TOTAL_LABEL, np.ones(len(data), dtype=bool)), *groups]
        cats = [TOTAL_LABEL, *(g for g, _ in groups[1:])]
        dtype = pd.CategoricalDtype(cats, ordered=False)
    hits = []
    for spec in specs:
        ind, answered = indicators(data, spec)
        hits.append((spec, ind[:, label_mask(spec, large)].any(axis=1)[:, None], answered))
    rows: list[dict[str, Any]] = []
    for lvl, mask in groups:
        block = []
        for spec, hit, answered in hits:
            res = _shares(hit, mask & answered, w, conf)
            row = {"item": spec.id, "label": spec.label, **{k: v[0] for k, v in res.items()}}
            if by is not None:
                row[by] = lvl
            block.append(row)
        pct = pd.Series([r["pct"] for r in block], dtype=float)
        ranks = pct.rank(method="min", ascending=False, na_option="bottom").astype(int)
        for r, rk in zip(block, ranks, strict=True):
            r["rank"] = int(rk)
        rows += sorted(block, key=lambda r: r["rank"])
    cols = ["rank", "item", "label", "n", "base", "pct", "ci_low", "ci_high", "base_eff"]
    out = _frame(rows, cols, by, dtype)
    out["rank"] = out["rank"].astype("int64")
    return out
