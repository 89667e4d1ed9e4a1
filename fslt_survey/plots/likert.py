"""The Likert chart: diverging stacked bars with typed missing ("Ved ikke") beside them.

:func:`plot_likert` prepares the distribution (:func:`_likert_data`), lays out the figure and
draws the bars (:func:`_draw_diverging`), the typed-missing panel (:func:`_draw_missing`) and
writes the alt text (:func:`_likert_alt`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from fslt_survey.errors import SurveyDataError
from fslt_survey.plots.style import (
    FONT,
    GRID,
    MISSING_BAR,
    MUTED,
    NA_ALT,
    NA_NOTE,
    NA_TEXT,
    NEUTRAL,
    TEXT,
    Chart,
    _base_note,
    _chars,
    _check,
    _diverging,
    _figure,
    _fmt_num,
    _fmt_pct,
    _join,
    _labels,
    _lines,
    _missing_flags,
    _num,
    _one_group,
    _pct_axis,
    _q,
    _sentence,
    _styled,
    _wrap,
    current_medium,
    text_color_on,
    text_width,
)
from fslt_survey.tables import NBSP

__all__ = ["plot_likert"]


def _category_order(df: pd.DataFrame) -> list[str]:
    cat = df["category"]
    if isinstance(cat.dtype, pd.CategoricalDtype):
        present = set(cat.dropna().astype(str))
        return [str(c) for c in cat.cat.categories if str(c) in present]
    if "level" in df.columns and df["level"].notna().all():
        order = df.assign(_lvl=_num(df["level"])).sort_values("_lvl", kind="stable")
        return list(dict.fromkeys(order["category"].astype(str)))
    return list(dict.fromkeys(cat.astype(str)))


def _centre(cats: list[str], neutral: str | None, func: str) -> int | None:
    """Index of the category centred on zero (None: zero falls between the halves)."""
    k = len(cats)
    if neutral == "auto":
        return k // 2 if k % 2 == 1 and k >= 3 else None
    if neutral is None:
        return None
    if neutral in cats:
        return cats.index(neutral)
    raise SurveyDataError(
        f"{func}: neutral label {neutral!r} is not a category",
        expected=", ".join(cats),
        found=str(neutral),
    )


@dataclass
class _Likert:
    """A Likert distribution prepared for drawing (items in drawing order)."""

    cats: list[str]
    centre: int | None
    pos: list[str]
    neg: list[str]
    order: list[str]
    labels: dict[str, str]
    pct: pd.DataFrame  # item x category, hidden items zeroed
    hidden: pd.Series  # item -> True when a part is unknown (suppressed)
    key: pd.Series  # item -> sort key (top-2 share)
    bases: dict[str, Any]
    miss_pct: pd.Series  # item -> % typed missing of everyone asked
    reasons: list[str]  # typed-missing categories named in the panel
    has_missing: bool


def _likert_pct(sub: pd.DataFrame, items: list[str], cats: list[str]) -> pd.DataFrame:
    long = sub.assign(
        _p=_num(sub["pct"]), _c=sub["category"].astype(str), _i=sub["item"].astype(str)
    ).drop_duplicates(["_i", "_c"])
    pct = long.pivot(index="_i", columns="_c", values="_p").reindex(index=items, columns=cats)
    given = long.pivot(index="_i", columns="_c", values="_c").reindex(index=items, columns=cats)
    return pct.where(given.notna(), 0.0)  # a category without a row: nobody chose it


def _sort_key(
    pct: pd.DataFrame, items: list[str], pos: list[str], summary: pd.DataFrame | None
) -> pd.Series:
    if summary is not None and {"item", "top2_pct"} <= set(summary.columns):
        key = pd.Series(_num(summary["top2_pct"]), index=summary["item"].astype(str))
        return key[~key.index.duplicated()].reindex(items)
    return pct[pos].sum(axis=1, min_count=1)


def _missing_part(mis: pd.DataFrame, order: list[str]) -> tuple[pd.Series, list[str]]:
    """Typed missing per item (% of everyone asked) and the reasons to name."""
    if mis.empty:
        return pd.Series(np.nan, index=order), []
    m = mis.assign(_p=_num(mis["pct"]), _i=mis["item"].astype(str))
    miss_pct = m.groupby("_i")["_p"].sum(min_count=1).reindex(order)
    reasons = list(dict.fromkeys(mis.loc[_num(mis["pct"]) > 0, "category"].astype(str)))
    reasons = reasons or list(dict.fromkeys(mis["category"].astype(str)))[:1]
    return miss_pct, reasons


def _likert_data(
    table: pd.DataFrame, summary: pd.DataFrame | None, neutral: str | None, group: Any
) -> _Likert:
    func = "plot_likert"
    df = _one_group(_check(table, func, ["item", "category", "pct"]), func, group)
    miss = _missing_flags(df)
    sub, mis = df[~miss], df[miss]
    if sub.empty:
        raise SurveyDataError(f"{func}: the table has only typed-missing rows")
    cats = _category_order(sub)
    k = len(cats)
    centre = _centre(cats, neutral, func)
    pos = cats[:centre] if centre is not None else cats[: k // 2]
    neg = cats[centre + 1 :] if centre is not None else cats[k // 2 :]
    items = list(dict.fromkeys(sub["item"].astype(str)))
    labels = dict(zip(sub["item"].astype(str), _labels(sub), strict=True))
    pct = _likert_pct(sub, items, cats)
    hidden = pct.isna().any(axis=1)  # a diverging bar cannot be placed with a part unknown
    key = _sort_key(pct, items, pos, summary).where(~hidden)  # hidden items go last
    order = sorted(items, key=lambda i: (pd.isna(key[i]), -(key[i] if pd.notna(key[i]) else 0)))
    hidden = hidden.reindex(order)
    pct = pct.reindex(order).fillna(0.0)
    pct.loc[hidden] = 0.0  # nothing of a hidden item is drawn
    bases: dict[str, Any] = {}
    if "base" in sub.columns:
        b = sub.assign(_b=_num(sub["base"]), _i=sub["item"].astype(str))
        bases = b.groupby("_i")["_b"].max().to_dict()
    miss_pct, reasons = _missing_part(mis, order)
    return _Likert(
        cats,
        centre,
        pos,
        neg,
        order,
        labels,
        pct,
        hidden,
        key,
        bases,
        miss_pct,
        reasons,
        not mis.empty,
    )


def _likert_colours(d: _Likert) -> tuple[dict[str, str], list[Patch]]:
    """Each category's colour, and the legend listing the scale laid out as the bars
    (negative end left, positive end right)."""
    pos_col, neg_col = _diverging(len(d.pos), len(d.neg))
    colour = dict(zip(d.pos + d.neg, pos_col + neg_col[::-1], strict=True))
    if d.centre is not None:
        colour[d.cats[d.centre]] = NEUTRAL
    return colour, [Patch(facecolor=colour[c], label=c) for c in d.cats[::-1]]


def _likert_words(d: _Likert, subtitle: str | None, n_text: str) -> tuple[str, list[str]]:
    """The subtitle (unless given) and the notes under the chart."""
    top_words = _join([_q(c) for c in d.pos], "eller")
    if subtitle is None:
        subtitle = "Procent af svarene" + (f" ({n_text})." if n_text else ".")
        if d.has_missing:
            subtitle += f" {_q(d.reasons[0])} m.m. vises for sig til højre."
    notes = ["Tal i søjlerne er procent. Sorteret efter andelen, der svarer " + top_words + "."]
    if d.has_missing:
        notes.append(f"{' / '.join(d.reasons)}: procent af alle adspurgte.")
    if d.hidden.any():
        notes.append(NA_NOTE)
    return subtitle, notes


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
    d = _likert_data(table, summary, neutral, group)
    ylabels = _likert_ylabels(d)
    n_text = _base_note(list(d.bases.values()), unit) if d.bases else ""
    subtitle, notes = _likert_words(d, subtitle, n_text)
    colour, legend = _likert_colours(d)
    fig = _figure(
        len(d.order),
        title=title,
        subtitle=subtitle,
        source=source,
        notes=notes,
        row_height=max(0.36, 0.14 * _lines(ylabels) + 0.1),
        extra=0.9,
        legend=legend,
    )
    if not d.has_missing:
        ax, axm = fig.subplots(), None
    else:
        ax, axm = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [6, 1]})
    y = np.arange(len(d.order))
    _draw_diverging(ax, d, y, colour)
    _likert_labels(ax, d, y, ylabels)
    if axm is not None:
        _draw_missing(axm, d, y)
    return Chart(fig, _likert_alt(d, title, n_text), title)


def _likert_ylabels(d: _Likert) -> list[str]:
    """The item labels, with each item's n when the bases differ."""
    vary = len({v for v in d.bases.values() if pd.notna(v)}) > 1
    return [
        _wrap(
            d.labels[i] + (f" (n{NBSP}={NBSP}{_fmt_num(d.bases.get(i))})" if vary else ""),
            _chars(30),
        )
        for i in d.order
    ]


def _likert_labels(ax: Any, d: _Likert, y: np.ndarray, ylabels: list[str]) -> None:
    """Item labels on the y axis; the x axis says which end is which."""
    ax.set_yticks(y, ylabels)
    ax.set_ylim(len(d.order) - 0.5, -0.5)
    ax.spines[["left"]].set_visible(False)
    neg_words, pos_words = (_join([_q(c) for c in half], "eller") for half in (d.neg, d.pos))
    label = f"← {neg_words}      {pos_words} →"
    if text_width(label, FONT.small) > current_medium().width * 72 * 0.9:  # a phone: two lines
        label = f"← {neg_words}\n{pos_words} →"
    ax.set_xlabel(label, fontsize=FONT.small, color=MUTED)


def _segments(d: _Likert) -> tuple[list[tuple[str, pd.Series]], float]:
    """Each category's left edges, laid out from the centre outwards, and the x limit."""
    cats, pct = d.cats, d.pct
    half = pct[cats[d.centre]] / 2 if d.centre is not None else pd.Series(0.0, index=d.order)
    reach = max((half + pct[d.pos].sum(axis=1)).max(), (half + pct[d.neg].sum(axis=1)).max())
    lim = min(100.0, max(20.0, float(np.ceil((reach + 1) / 20) * 20)))
    segments: list[tuple[str, pd.Series]] = []  # (category, left edges)
    if d.centre is not None:
        segments.append((cats[d.centre], -half))
    cur = half.copy()
    for cat in d.pos[::-1]:
        segments.append((cat, cur.copy()))
        cur = cur + pct[cat]
    cur = -half.copy()
    for cat in d.neg:
        cur = cur - pct[cat]
        segments.append((cat, cur.copy()))
    return segments, lim


#: the share of a chart's width the diverging bars take (the item labels and the typed-missing
#: panel take the rest)
_BARS_SHARE = 0.5


def _draw_diverging(ax: Any, d: _Likert, y: np.ndarray, colour: dict[str, str]) -> None:
    """The stacked bars with their numbers, a dash for hidden items, the zero line and axis."""
    segments, lim = _segments(d)
    # room for a two-digit label in a segment, on the bars' share of the medium's width
    room = (text_width("88", FONT.small) + 4) / 72
    min_width = 2 * lim * room / (current_medium().width * _BARS_SHARE)
    for cat, left in segments:
        width = d.pct[cat].to_numpy()
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
        for yi, w, lft, h in zip(y, width, left, d.hidden, strict=True):
            if w >= min_width and not h:
                ax.text(
                    lft + w / 2,
                    yi,
                    _fmt_num(w),
                    ha="center",
                    va="center",
                    fontsize=FONT.small,
                    color=fg,
                    zorder=3,
                )
    for yi, h in zip(y, d.hidden, strict=True):
        if h:
            ax.text(
                0,
                yi,
                NA_TEXT,
                ha="center",
                va="center",
                fontsize=FONT.dash,
                color=MUTED,
                zorder=5,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.5},
            )
    ax.axvline(0, color=TEXT, linewidth=0.8, zorder=1.5)
    ax.set_xlim(-lim, lim)
    _pct_axis(ax.xaxis, absolute=True, step=10 if lim <= 40 else (20 if lim <= 80 else 25))
    ax.grid(axis="x", color=GRID, linewidth=0.6, zorder=0)
    ax.set_axisbelow(True)


def _draw_missing(axm: Any, d: _Likert, y: np.ndarray) -> None:
    """The typed-missing panel to the right: one grey bar and number per item."""
    mvals = d.miss_pct.to_numpy(dtype=float)
    axm.barh(
        y,
        np.nan_to_num(mvals),
        height=0.5,
        color=MISSING_BAR,
        zorder=2,
        label=" / ".join(d.reasons),
    )
    mlim = max(10.0, float(np.nanmax(mvals)) * 2.2 if np.isfinite(mvals).any() else 10.0)
    for yi, v in zip(y, mvals, strict=True):
        axm.text(
            (0 if pd.isna(v) else v) + mlim * 0.04,
            yi,
            _fmt_pct(v),
            va="center",
            ha="left",
            fontsize=FONT.small,
            color=TEXT,
        )
    axm.set_xlim(0, mlim)
    axm.set_xticks([])
    axm.tick_params(axis="y", left=False, labelleft=False)
    axm.spines[["left", "bottom"]].set_visible(False)
    axm.axvline(0, color=MISSING_BAR, linewidth=0.8)
    axm.set_title(_wrap(" / ".join(d.reasons), 14), loc="left", fontsize=FONT.note, color=MUTED)


def _likert_alt(d: _Likert, title: str, n_text: str) -> str:
    shown = [i for i in d.order if not d.hidden[i]]
    alt = [
        f"Divergerende stablet søjlediagram: {_sentence(title)} Diagrammet viser "
        f"svarfordelingen for {len(d.order)} udsagn" + (f" ({n_text})." if n_text else ".")
    ]
    if shown:
        top_words = _join([_q(c) for c in d.pos], "eller")
        tops = [f"{_q(d.labels[i])} ({_fmt_pct(d.key[i])})" for i in shown[:3]]
        lead = "Blandt udsagnene med tal svarer flest" if d.hidden.any() else "Flest svarer"
        alt.append(f"{lead} {top_words} om {_join(tops)}.")
        if len(shown) > 3:
            last = shown[-1]
            alt.append(f"Færrest gør det om {_q(d.labels[last])} ({_fmt_pct(d.key[last])}).")
    if d.has_missing and d.miss_pct.notna().any():
        alt.append(
            f"{_q(d.reasons[0])} m.m. udgør {_fmt_pct_range(d.miss_pct)} og vises for sig "
            "ved siden af søjlerne."
        )
    if d.hidden.any():
        alt.append(f"{int(d.hidden.sum())} udsagn {NA_ALT}.")
    return " ".join(alt)


def _fmt_pct_range(values: pd.Series) -> str:
    v = values.dropna()
    lo, hi = _fmt_num(v.min()), _fmt_num(v.max())
    return _fmt_pct(v.min()) if lo == hi else f"{lo}–{hi}{NBSP}%"
