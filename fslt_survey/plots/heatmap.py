"""Needs by group as a heat map: share per need and association type, suppressed cells hatched.

The same contract as every chart of :mod:`fslt_survey.plots`: a tidy table in, never modified,
a :class:`~fslt_survey.plots.style.Chart` with a Danish alt text out.
"""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.patches import Rectangle

from fslt_survey.config import SUPPRESSION_K
from fslt_survey.errors import SurveyDataError
from fslt_survey.plots.checks import (
    _check,
    _group_columns,
    _labels,
    _num,
)
from fslt_survey.plots.style import (
    MUTED,
    NA_ALT,
    NA_TEXT,
    SUPPRESSED_FILL,
    SUPPRESSED_HATCH,
    TEXT,
    WIDTH,
    Chart,
    _figure,
    _fmt_num,
    _fmt_pct,
    _lines,
    _nice_max,
    _q,
    _sentence,
    _styled,
    _wrap,
    text_color_on,
)
from fslt_survey.stats import TOTAL_LABEL

__all__ = ["plot_needs_heatmap"]



@_styled
def plot_needs_heatmap(
    ranking_by_group: pd.DataFrame,
    *,
    title: str,
    source: str | None,
    by: str | None = None,
    min_base: int = SUPPRESSION_K,
    large: str = "I høj grad",
    subtitle: str | None = None,
    unit: str = "foreninger",
) -> Chart:
    """Heat map of needs (rows) by group (columns) with the % in every cell.

    Parameters
    ----------
    ranking_by_group
        :func:`fslt_survey.stats.rank_needs` with ``by=...``: a group column (e.g.
        ``assoc_type``; found automatically as the one non-standard column, or name it with
        ``by``), ``item`` and/or ``label``, ``pct``; optional ``base``. The overall group
        ("I alt") comes first when present, set apart by a gap. Rows are sorted by the overall
        share (else the mean over groups).
    min_base
        Cells whose ``base`` is below this are shown as hatched "–" like suppressed (NA)
        cells; no number is ever drawn for them.
    """
    func = "plot_needs_heatmap"
    df = _check(ranking_by_group, func, ["pct"])
    if "item" not in df.columns and "label" not in df.columns:
        raise SurveyDataError(f"{func}: the table needs an item or label column")
    if by is None:
        cands = _group_columns(df)
        if len(cands) != 1:
            raise SurveyDataError(
                f"{func}: cannot tell the group column; pass by=",
                expected="one group column",
                found=", ".join(map(str, cands)) or "none",
            )
        by = cands[0]
    elif by not in df.columns:
        raise SurveyDataError(f"{func}: group column {by!r} is not in the table", column=by)
    df = df[df[by].notna()]
    key = df["item"].astype(str) if "item" in df.columns else _labels(df)
    df = df.assign(
        _k=key,
        _lab=_labels(df),
        _g=df[by].astype(str),
        _p=_num(df["pct"]),
        _b=_num(df["base"]) if "base" in df.columns else np.nan,
    )
    small = df["_b"] < min_base
    df["_p"] = df["_p"].where(~small, np.nan)
    if isinstance(ranking_by_group[by].dtype, pd.CategoricalDtype):
        groups = [str(c) for c in ranking_by_group[by].cat.categories]
    else:
        groups = list(dict.fromkeys(df["_g"]))
    total = TOTAL_LABEL if TOTAL_LABEL in groups else None
    if total:
        groups = [total] + [g for g in groups if g != total]
    grid = df.pivot_table(
        index="_k", columns="_g", values="_p", aggfunc="first", dropna=False
    ).reindex(columns=groups)
    labels = dict(zip(df["_k"], df["_lab"], strict=False))
    sort_key = grid[total] if total else grid.mean(axis=1)
    rows = sorted(grid.index, key=lambda i: (pd.isna(sort_key[i]), -np.nan_to_num(sort_key[i])))
    grid = grid.reindex(rows)
    n_by_group = df.groupby("_g")["_b"].max()
    vals = grid.to_numpy(dtype=float)
    vmax = _nice_max(float(np.nanmax(vals)) if np.isfinite(vals).any() else 0, 20)
    cmap = mpl.colormaps["Blues"]
    suppressed = int(np.isnan(vals).sum())
    if subtitle is None:
        subtitle = f"Procent af {unit} i hver gruppe, der svarer {_q(large)}."
    notes = (
        [
            f"{NA_TEXT} (skraveret): ingen tal, fordi gruppen har færre end {min_base} svar, "
            "eller fordi tallet er skjult af hensyn til fortroligheden."
        ]
        if suppressed
        else []
    )
    row_labels = [_wrap(labels[r], 30) for r in rows]
    col_labels = [
        _wrap(g, 15)
        + (f"\nn = {_fmt_num(n_by_group.get(g))}" if pd.notna(n_by_group.get(g, np.nan)) else "")
        for g in groups
    ]
    width = min(11.0, max(WIDTH, 2.4 + 0.95 * len(groups)))
    fig = _figure(
        len(rows),
        title=title,
        subtitle=subtitle,
        source=source,
        notes=notes,
        row_height=max(0.36, 0.14 * _lines(row_labels) + 0.1),
        extra=0.3 + 0.13 * _lines(col_labels),
        width=width,
    )
    ax = fig.subplots()
    xs = [j + (0.25 if total and j > 0 else 0.0) for j in range(len(groups))]
    gap = 0.015
    for i in range(len(rows)):
        for j, x in enumerate(xs):
            v = vals[i, j]
            cell = (x - 0.5 + gap, i - 0.5 + gap)  # inset cells: white gaps, no edge lines
            if np.isnan(v):  # hatched, no number (the hatch takes the edge colour)
                ax.add_patch(
                    Rectangle(
                        cell,
                        1 - 2 * gap,
                        1 - 2 * gap,
                        hatch="////",
                        facecolor=SUPPRESSED_FILL,
                        edgecolor=SUPPRESSED_HATCH,
                        linewidth=0,
                    )
                )
                ax.text(x, i, NA_TEXT, ha="center", va="center", fontsize=9, color=MUTED)
            else:
                col = cmap(0.08 + 0.85 * min(v, vmax) / vmax)
                ax.add_patch(Rectangle(cell, 1 - 2 * gap, 1 - 2 * gap, facecolor=col, linewidth=0))
                ax.text(
                    x,
                    i,
                    _fmt_pct(v),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color=text_color_on(col),
                    fontweight="bold" if total and j == 0 else "normal",
                )
    ax.set_xlim(-0.5, xs[-1] + 0.5)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xticks(xs, col_labels, fontsize=7.5, color=TEXT)
    ax.xaxis.tick_top()
    ax.tick_params(axis="x", length=0, pad=3)
    ax.set_yticks(range(len(rows)), row_labels)
    for sp in ax.spines.values():
        sp.set_visible(False)
    # alt text
    cells = pd.DataFrame(vals, index=rows, columns=groups)
    grp_cells = cells.drop(columns=[total]) if total else cells
    alt = [
        f"Varmekort: {_sentence(title)} Tabellen viser for {len(rows)} behov (rækker) og "
        f"{len(grp_cells.columns)} grupper (kolonner) andelen af {unit}, der svarer "
        f"{_q(large)}; mørkere farve betyder større andel."
    ]
    if total and cells[total].notna().any():
        best = cells[total].idxmax()
        among = " blandt behovene med tal" if cells[total].isna().any() else ""
        alt.append(
            f"Samlet er behovet{among} størst for {_q(labels[best])} "
            f"({_fmt_pct(cells.loc[best, total])})."
        )
    stacked = grp_cells.stack().dropna()
    if len(stacked):
        (r, g), v = stacked.idxmax(), stacked.max()
        among = "blandt cellerne med tal " if suppressed else ""
        alt.append(
            f"Den højeste andel i en gruppe {among}er {_q(labels[r])} blandt {_q(g)} "
            f"({_fmt_pct(v)})."
        )
    if suppressed:
        alt.append(f"{suppressed} {'celle' if suppressed == 1 else 'celler'} {NA_ALT}.")
    return Chart(fig, " ".join(alt), title)


