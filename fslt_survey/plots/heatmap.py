"""The heat map of needs by group: the share per need and group, small groups hatched.

:func:`plot_needs_heatmap` reads the table into a grid (:func:`_heatmap_grid`), lays out the
figure, draws the cells (:func:`_draw_cells`) and writes the alt text (:func:`_heatmap_alt`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.patches import Rectangle

from fslt_survey.config import SUPPRESSION_K
from fslt_survey.danish import join_or
from fslt_survey.errors import SurveyDataError
from fslt_survey.plots.style import (
    FONT,
    MUTED,
    NA_ALT,
    NA_TEXT,
    SUPPRESSED_FILL,
    SUPPRESSED_HATCH,
    TEXT,
    WIDTH,
    Chart,
    _chars,
    _check,
    _figure,
    _fmt_num,
    _fmt_pct,
    _group_columns,
    _labels,
    _lines,
    _nice_max,
    _num,
    _q,
    _sentence,
    _styled,
    _wrap,
    current_medium,
    text_color_on,
    text_width,
)
from fslt_survey.stats import TOTAL_LABEL

__all__ = ["plot_needs_heatmap"]


@dataclass
class _Grid:
    """Needs (rows, sorted) by groups (columns, the total first) with their labels and n."""

    rows: list[str]
    groups: list[str]
    total: str | None
    labels: dict[str, str]
    n_by_group: pd.Series
    vals: np.ndarray  # rows x groups, NaN where no number is shown


def _group_column(df: pd.DataFrame, by: str | None, func: str) -> str:
    if by is None:
        cands = _group_columns(df)
        if len(cands) != 1:
            raise SurveyDataError(
                f"{func}: cannot tell the group column; pass by=",
                expected="one group column",
                found=", ".join(map(str, cands)) or "none",
            )
        return cands[0]
    if by not in df.columns:
        raise SurveyDataError(f"{func}: group column {by!r} is not in the table", column=by)
    return by


def _heatmap_grid(table: pd.DataFrame, by: str | None, min_base: int) -> _Grid:
    func = "plot_needs_heatmap"
    df = _check(table, func, ["pct"])
    if "item" not in df.columns and "label" not in df.columns:
        raise SurveyDataError(f"{func}: the table needs an item or label column")
    by = _group_column(df, by, func)
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
    if isinstance(table[by].dtype, pd.CategoricalDtype):
        groups = [str(c) for c in table[by].cat.categories]
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
    return _Grid(rows, groups, total, labels, n_by_group, grid.to_numpy(dtype=float))


@_styled
def plot_needs_heatmap(
    ranking_by_group: pd.DataFrame,
    *,
    title: str,
    source: str | None,
    by: str | None = None,
    min_base: int = SUPPRESSION_K,
    large: str | tuple[str, ...] = "I høj grad",
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
        Cells whose ``base`` is below this are shown as hatched ".." like suppressed (NA)
        cells; no number is ever drawn for them.
    """
    g = _heatmap_grid(ranking_by_group, by, min_base)
    suppressed = int(np.isnan(g.vals).sum())
    if subtitle is None:
        subtitle = f"Procent af {unit} i hver gruppe, der svarer {_answers(large)}."
    notes = [_hatch_note(min_base)] if suppressed else []
    row_labels = [_wrap(g.labels[r], _chars(30)) for r in g.rows]
    col_labels, key = _column_labels(g)
    notes = [key, *notes] if key else notes
    fig = _figure(
        len(g.rows),
        title=title,
        subtitle=subtitle,
        source=source,
        notes=notes,
        row_height=max(0.36, 0.14 * _lines(row_labels) + 0.1),
        extra=0.3 + 0.13 * _lines(col_labels),
        width=_width(len(g.groups)),
    )
    ax = fig.subplots()
    xs = [j + (0.25 if g.total and j > 0 else 0.0) for j in range(len(g.groups))]
    _draw_cells(ax, g, xs)
    ax.set_xlim(-0.5, xs[-1] + 0.5)
    ax.set_ylim(len(g.rows) - 0.5, -0.5)
    ax.set_xticks(xs, col_labels, fontsize=FONT.small, color=TEXT)
    ax.xaxis.tick_top()
    ax.tick_params(axis="x", length=0, pad=3)
    ax.set_yticks(range(len(g.rows)), row_labels)
    for sp in ax.spines.values():
        sp.set_visible(False)
    return Chart(fig, _heatmap_alt(g, title, unit, large, suppressed), title)


def _width(groups: int) -> float:
    """A column per group on paper and a desktop (wider for many groups); a phone's width on a
    phone, where the labels wrap instead (no text under 12 px at 390 px)."""
    medium = current_medium()
    if medium.name == "phone":
        return medium.width
    return min(11.0, max(WIDTH, 2.4 + 0.95 * groups))


def _hatch_note(min_base: int) -> str:
    return (
        f"{NA_TEXT} (skraveret): ingen tal, fordi gruppen har færre end {min_base} svar, "
        "eller fordi tallet er skjult af hensyn til fortroligheden."
    )


def _column_labels(g: _Grid) -> tuple[list[str], str]:
    """Each group's name with its n (the largest base in the group) below, and a key: where a
    name does not fit its column (on a phone), the column is named by a letter and the key
    under the chart says which group each letter is ("A: Børn, unge, kultur og fritid")."""
    names = [_wrap(grp, 15) for grp in g.groups]
    column = _column_width(len(g.groups))
    letters = iter("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    key = []
    if any(text_width(line, FONT.small) > column for n in names for line in n.split("\n")):
        for j, grp in enumerate(g.groups):
            if grp != g.total:
                names[j] = next(letters)
                key.append(f"{names[j]}: {grp}")
    n_lines = [
        f"\nn = {_fmt_num(g.n_by_group.get(grp))}"
        if pd.notna(g.n_by_group.get(grp, np.nan))
        else ""
        for grp in g.groups
    ]
    return [name + n for name, n in zip(names, n_lines, strict=True)], ". ".join(key) + (
        "." if key else ""
    )


def _column_width(groups: int) -> float:
    """About how wide (points) one column of cells is: the chart's width less the row labels,
    shared by the groups and the gap after the total."""
    return (_width(groups) * 0.55 * 72) / (groups + 0.25)


def _draw_cells(ax: Any, g: _Grid, xs: list[float]) -> None:
    """One inset square per cell: Blues with the % in it, or hatched with a dash."""
    vmax = _nice_max(float(np.nanmax(g.vals)) if np.isfinite(g.vals).any() else 0, 20)
    cmap = mpl.colormaps["Blues"]
    gap = 0.015
    side = 1 - 2 * gap
    for i in range(len(g.rows)):
        for j, x in enumerate(xs):
            v = g.vals[i, j]
            cell = (x - 0.5 + gap, i - 0.5 + gap)  # inset cells: white gaps, no edge lines
            if np.isnan(v):  # hatched, no number (the hatch takes the edge colour)
                ax.add_patch(
                    Rectangle(
                        cell,
                        side,
                        side,
                        hatch="////",
                        facecolor=SUPPRESSED_FILL,
                        edgecolor=SUPPRESSED_HATCH,
                        linewidth=0,
                    )
                )
                ax.text(x, i, NA_TEXT, ha="center", va="center", fontsize=FONT.body, color=MUTED)
                continue
            col = cmap(0.08 + 0.85 * min(v, vmax) / vmax)
            ax.add_patch(Rectangle(cell, side, side, facecolor=col, linewidth=0))
            ax.text(
                x,
                i,
                _fmt_pct(v),
                ha="center",
                va="center",
                fontsize=FONT.note,
                color=text_color_on(col),
                fontweight="bold" if g.total and j == 0 else "normal",
            )


def _answers(large: str | tuple[str, ...]) -> str:
    """»I høj grad«, or »i høj grad« eller »i nogen grad« for several answers."""
    if isinstance(large, str):
        return _q(large)
    if len(large) == 1:
        return _q(large[0])
    return join_or([_q(x[:1].lower() + x[1:]) for x in large])


def _heatmap_alt(g: _Grid, title: str, unit: str, large, suppressed: int) -> str:
    cells = pd.DataFrame(g.vals, index=g.rows, columns=g.groups)
    total = g.total
    grp_cells = cells.drop(columns=[total]) if total else cells
    alt = [
        f"Varmekort: {_sentence(title)} Tabellen viser for {len(g.rows)} behov (rækker) og "
        f"{len(grp_cells.columns)} grupper (kolonner) andelen af {unit}, der svarer "
        f"{_answers(large)}; mørkere farve betyder større andel."
    ]
    if total and cells[total].notna().any():
        best = cells[total].idxmax()
        among = " blandt behovene med tal" if cells[total].isna().any() else ""
        alt.append(
            f"Samlet er behovet{among} størst for {_q(g.labels[best])} "
            f"({_fmt_pct(cells.loc[best, total])})."
        )
    stacked = grp_cells.stack().dropna()
    if len(stacked):
        (r, grp), v = stacked.idxmax(), stacked.max()
        among = "blandt cellerne med tal " if suppressed else ""
        alt.append(
            f"Den højeste andel i en gruppe {among}er {_q(g.labels[r])} blandt {_q(grp)} "
            f"({_fmt_pct(v)})."
        )
    if suppressed:
        alt.append(f"{suppressed} {'celle' if suppressed == 1 else 'celler'} {NA_ALT}.")
    return " ".join(alt)
