"""Figures for reports: matplotlib charts in one house style, each with a Danish alt text.

Every ``plot_*`` function takes a tidy table from :mod:`fslt_survey.stats` (or the same columns
built by hand), never modifies it, and returns a :class:`Chart`: the matplotlib ``Figure`` and a
Danish alt text that says what the chart *shows* (chart type, n, main findings with Danish number
formatting), ready for ``fig-alt`` in the reports. ``Chart.save(stem)`` writes ``stem.svg`` and
``stem.png`` (150 dpi); the SVG is byte-for-byte reproducible.

This module holds the Likert chart (:func:`plot_likert`) and is the one namespace for figures:
the bar charts (:func:`plot_ranked_needs`, :func:`plot_multi`, :func:`plot_frequencies`) are in
:mod:`fslt_survey.plots.bars`, the comparison charts (:func:`plot_needs_heatmap`,
:func:`plot_dumbbell`) in :mod:`fslt_survey.plots.compare`, the house style (palette, Danish
number formatting, :class:`Chart`, figure scaffolding, contrast helpers) in
:mod:`fslt_survey.plots.style`. Their public names are re-exported here, so
``from fslt_survey.plots import ...`` works as before.

Figures are built on the Agg canvas directly (``matplotlib.figure.Figure``), without pyplot, so
importing this module never changes the user's backend and figures need no global cleanup.

Examples
--------
>>> import pandas as pd
>>> ranking = pd.DataFrame({"item": ["lokaler", "gdpr"], "label": ["Lokaler", "GDPR og IT"],
...                         "pct": [41.25, 12.5], "ci_low": [29.0, 6.1],
...                         "ci_high": [53.4, 23.8], "base": [60, 58]})
>>> chart = plot_ranked_needs(ranking, title="Behov", source="Kilde: Medlemsundersøgelsen 2025")
>>> chart.alt.split(". ")[0]
'Vandret søjlediagram: Behov'
>>> "Størst er behovet for »Lokaler« (41\xa0%, konfidensinterval 29–53\xa0%)" in chart.alt
True
>>> chart.save("/tmp/behov")  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from fslt_survey.errors import SurveyDataError
from fslt_survey.plots.checks import (
    _base_note,
    _check,
    _labels,
    _missing_flags,
    _num,
    _one_group,
)
from fslt_survey.plots.style import (
    _NEG,  # noqa: F401 - the Likert palette, read as plots._NEG/_POS,
    _POS,  # noqa: F401,
    GRID,
    MISSING_BAR,
    MUTED,
    NA_ALT,
    NA_NOTE,
    NA_TEXT,
    NEUTRAL,
    TEXT,
    WIDTH,
    Chart,
    _diverging,
    _figure,
    _fmt_num,
    _fmt_pct,
    _join,
    _lines,
    _pct_axis,
    _q,
    _sentence,
    _styled,
    _wrap,
    text_color_on,
)
from fslt_survey.tables import NBSP

__all__ = [
    "plot_likert",
]

# --------------------------------------------------------------------------- Likert


def _category_order(df: pd.DataFrame) -> list[str]:
    cat = df["category"]
    if isinstance(cat.dtype, pd.CategoricalDtype):
        present = set(cat.dropna().astype(str))
        return [str(c) for c in cat.cat.categories if str(c) in present]
    if "level" in df.columns and df["level"].notna().all():
        order = df.assign(_lvl=_num(df["level"])).sort_values("_lvl", kind="stable")
        return list(dict.fromkeys(order["category"].astype(str)))
    return list(dict.fromkeys(cat.astype(str)))


@_styled
def plot_likert(
    table: pd.DataFrame,
    *,
    title: str,
    source: str | None,
    summary: pd.DataFrame | None = None,
    neutral: str | None = "auto",
    group: Any = None,
    subtitle: str | None = None,
    unit: str = "foreninger",
) -> Chart:
    """Diverging stacked bars for a Likert battery, with typed missing beside the bars.

    Parameters
    ----------
    table
        The distribution from :func:`fslt_survey.stats.tab_likert`: one row per item and
        category with ``item``, ``category`` (scale order = row order, or ``level``, or an
        ordered Categorical) and ``pct`` (0-100); optional ``label`` (short label shown on the
        axis), ``base``, ``missing`` (True for typed-missing rows such as "Ved ikke"; without it,
        the names in :data:`~fslt_survey.config.MISSING_REASONS` are recognised). Typed-missing
        rows are drawn in a separate panel to the right, as % of everyone asked.
    summary
        Optional :func:`~fslt_survey.stats.tab_likert_summary` (``item``, ``top2_pct``) used to
        sort; by default the items are sorted by the share on the positive side of the centre
        (the first two labels on 4- and 5-point scales).
    neutral
        The label centred on zero; ``"auto"`` takes the middle label of an odd-length scale,
        ``None`` none (the zero line then falls between the two halves).
    group
        With a ``by=`` table: the group to draw (tables with several groups are refused).
    unit
        What the respondents are ("foreninger", "deltagere") in subtitle and alt text.
    """
    func = "plot_likert"
    df = _one_group(_check(table, func, ["item", "category", "pct"]), func, group)
    miss = _missing_flags(df)
    sub, mis = df[~miss], df[miss]
    if sub.empty:
        raise SurveyDataError(f"{func}: the table has only typed-missing rows")
    cats = _category_order(sub)
    k = len(cats)
    if neutral == "auto":
        centre = k // 2 if k % 2 == 1 and k >= 3 else None
    elif neutral is None:
        centre = None
    elif neutral in cats:
        centre = cats.index(neutral)
    else:
        raise SurveyDataError(
            f"{func}: neutral label {neutral!r} is not a category",
            expected=", ".join(cats),
            found=str(neutral),
        )
    pos = cats[:centre] if centre is not None else cats[: k // 2]
    neg = cats[centre + 1 :] if centre is not None else cats[k // 2 :]
    items = list(dict.fromkeys(sub["item"].astype(str)))
    labels = dict(zip(sub["item"].astype(str), _labels(sub), strict=True))
    long = sub.assign(
        _p=_num(sub["pct"]), _c=sub["category"].astype(str), _i=sub["item"].astype(str)
    ).drop_duplicates(["_i", "_c"])
    pct = long.pivot(index="_i", columns="_c", values="_p").reindex(index=items, columns=cats)
    given = long.pivot(index="_i", columns="_c", values="_c").reindex(index=items, columns=cats)
    pct = pct.where(given.notna(), 0.0)  # a category without a row: nobody chose it
    hidden = pct.isna().any(axis=1)  # a diverging bar cannot be placed with a part unknown
    if summary is not None and {"item", "top2_pct"} <= set(summary.columns):
        key = pd.Series(_num(summary["top2_pct"]), index=summary["item"].astype(str))
        key = key[~key.index.duplicated()].reindex(items)
    else:
        key = pct[pos].sum(axis=1, min_count=1)
    key = key.where(~hidden)  # hidden items go last, in questionnaire order
    order = sorted(items, key=lambda i: (pd.isna(key[i]), -(key[i] if pd.notna(key[i]) else 0)))
    hidden = hidden.reindex(order)
    pct = pct.reindex(order).fillna(0.0)
    pct.loc[hidden] = 0.0  # nothing of a hidden item is drawn
    bases: dict[str, Any] = {}
    if "base" in sub.columns:
        b = sub.assign(_b=_num(sub["base"]), _i=sub["item"].astype(str))
        bases = b.groupby("_i")["_b"].max().to_dict()
    miss_pct = pd.Series(np.nan, index=order)
    reasons: list[str] = []
    if not mis.empty:
        m = mis.assign(_p=_num(mis["pct"]), _i=mis["item"].astype(str))
        miss_pct = m.groupby("_i")["_p"].sum(min_count=1).reindex(order)
        reasons = list(dict.fromkeys(mis.loc[_num(mis["pct"]) > 0, "category"].astype(str)))
        reasons = reasons or list(dict.fromkeys(mis["category"].astype(str)))[:1]
    vary = len({v for v in bases.values() if pd.notna(v)}) > 1
    ylabels = [
        _wrap(labels[i] + (f" (n{NBSP}={NBSP}{_fmt_num(bases.get(i))})" if vary else ""), 30)
        for i in order
    ]
    n_text = _base_note(list(bases.values()), unit) if bases else ""
    top_words = _join([_q(c) for c in pos], "eller")
    if subtitle is None:
        subtitle = "Procent af svarene" + (f" ({n_text})." if n_text else ".")
        if not mis.empty:
            subtitle += f" {_q(reasons[0])} m.m. vises for sig til højre."
    notes = ["Tal i søjlerne er procent. Sorteret efter andelen, der svarer " + top_words + "."]
    if not mis.empty:
        notes.append(f"{' / '.join(reasons)}: procent af alle adspurgte.")
    if hidden.any():
        notes.append(NA_NOTE)
    pos_col, neg_col = _diverging(len(pos), len(neg))
    colour = dict(zip(pos + neg, pos_col + neg_col[::-1], strict=True))
    if centre is not None:
        colour[cats[centre]] = NEUTRAL
    # the legend lists the scale laid out as the bars: negative end left, positive end right
    legend = [Patch(facecolor=colour[c], label=c) for c in cats[::-1]]
    fig = _figure(
        len(order),
        title=title,
        subtitle=subtitle,
        source=source,
        notes=notes,
        row_height=max(0.36, 0.14 * _lines(ylabels) + 0.1),
        extra=0.9,
        legend=legend,
    )
    if mis.empty:
        ax, axm = fig.subplots(), None
    else:
        ax, axm = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [6, 1]})
    y = np.arange(len(order))
    half = pct[cats[centre]] / 2 if centre is not None else pd.Series(0.0, index=order)
    reach = max((half + pct[pos].sum(axis=1)).max(), (half + pct[neg].sum(axis=1)).max())
    lim = min(100.0, max(20.0, float(np.ceil((reach + 1) / 20) * 20)))
    min_width = 2 * lim * 0.2 / (WIDTH * 0.55)  # ~0.2 inch: room for a two-digit label
    segments: list[tuple[str, pd.Series]] = []  # (category, left edges)
    if centre is not None:
        segments.append((cats[centre], -half))
    cur = half.copy()
    for cat in pos[::-1]:
        segments.append((cat, cur.copy()))
        cur = cur + pct[cat]
    cur = -half.copy()
    for cat in neg:
        cur = cur - pct[cat]
        segments.append((cat, cur.copy()))
    for cat, left in segments:
        width = pct[cat].to_numpy()
        ax.barh(
            y,
            width,
            left=left.to_numpy(),
            height=0.7,
            color=colour[cat],
            label=cat,
            edgecolor="white",
            linewidth=0.6,
            zorder=2,
        )
        fg = text_color_on(colour[cat])
        for yi, w, lft, h in zip(y, width, left, hidden, strict=True):
            if w >= min_width and not h:
                ax.text(
                    lft + w / 2,
                    yi,
                    _fmt_num(w),
                    ha="center",
                    va="center",
                    fontsize=7.5,
                    color=fg,
                    zorder=3,
                )
    for yi, h in zip(y, hidden, strict=True):
        if h:
            ax.text(
                0,
                yi,
                NA_TEXT,
                ha="center",
                va="center",
                fontsize=10,
                color=MUTED,
                zorder=5,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.5},
            )
    ax.axvline(0, color=TEXT, linewidth=0.8, zorder=1.5)
    ax.set_xlim(-lim, lim)
    _pct_axis(ax.xaxis, absolute=True, step=10 if lim <= 40 else (20 if lim <= 80 else 25))
    ax.grid(axis="x", color=GRID, linewidth=0.6, zorder=0)
    ax.set_axisbelow(True)
    ax.set_yticks(y, ylabels)
    ax.set_ylim(len(order) - 0.5, -0.5)
    ax.spines[["left"]].set_visible(False)
    ax.set_xlabel(
        f"← {_join([_q(c) for c in neg], 'eller')}      {top_words} →", fontsize=7.5, color=MUTED
    )
    if axm is not None:
        mvals = miss_pct.to_numpy(dtype=float)
        axm.barh(
            y,
            np.nan_to_num(mvals),
            height=0.5,
            color=MISSING_BAR,
            zorder=2,
            label=" / ".join(reasons),
        )
        mlim = max(10.0, float(np.nanmax(mvals)) * 2.2 if np.isfinite(mvals).any() else 10.0)
        for yi, v in zip(y, mvals, strict=True):
            axm.text(
                (0 if pd.isna(v) else v) + mlim * 0.04,
                yi,
                _fmt_pct(v),
                va="center",
                ha="left",
                fontsize=7.5,
                color=TEXT,
            )
        axm.set_xlim(0, mlim)
        axm.set_xticks([])
        axm.tick_params(axis="y", left=False, labelleft=False)
        axm.spines[["left", "bottom"]].set_visible(False)
        axm.axvline(0, color=MISSING_BAR, linewidth=0.8)
        axm.set_title(_wrap(" / ".join(reasons), 14), loc="left", fontsize=8, color=MUTED)
    # alt text
    shown = [i for i in order if not hidden[i]]
    alt = [
        f"Divergerende stablet søjlediagram: {_sentence(title)} Diagrammet viser "
        f"svarfordelingen for {len(order)} udsagn" + (f" ({n_text})." if n_text else ".")
    ]
    if shown:
        tops = [f"{_q(labels[i])} ({_fmt_pct(key[i])})" for i in shown[:3]]
        lead = "Blandt udsagnene med tal svarer flest" if hidden.any() else "Flest svarer"
        alt.append(f"{lead} {top_words} om {_join(tops)}.")
        if len(shown) > 3:
            last = shown[-1]
            alt.append(f"Færrest gør det om {_q(labels[last])} ({_fmt_pct(key[last])}).")
    if not mis.empty and miss_pct.notna().any():
        alt.append(
            f"{_q(reasons[0])} m.m. udgør {_fmt_pct_range(miss_pct)} og vises for sig "
            "ved siden af søjlerne."
        )
    if hidden.any():
        alt.append(f"{int(hidden.sum())} udsagn {NA_ALT}.")
    return Chart(fig, " ".join(alt), title)


def _fmt_pct_range(values: pd.Series) -> str:
    v = values.dropna()
    lo, hi = _fmt_num(v.min()), _fmt_num(v.max())
    return _fmt_pct(v.min()) if lo == hi else f"{lo}–{hi}{NBSP}%"
