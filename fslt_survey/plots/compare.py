"""Two waves compared: the dumbbell chart.

:func:`plot_dumbbell` draws a share in two waves with the change and its (adjusted)
significance. The table is read by :func:`_wave_rows` and :func:`_wave_frame`, described by
:func:`_waves`, drawn by :func:`_draw_dumbbells` and put into words by :func:`_dumbbell_alt`.
The same contract as every ``plot_*`` function: a tidy table in, never modified, a
:class:`~fslt_survey.plots.style.Chart` with a Danish alt text out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from fslt_survey.errors import SurveyDataError
from fslt_survey.plots.style import (
    BAR,
    EARLY,
    FONT,
    GRID,
    HIGHLIGHT,
    HIGHLIGHT_TEXT,
    LAYOUT,
    MUTED,
    NA_NOTE,
    TEXT,
    Chart,
    _chars,
    _check,
    _figure,
    _fmt_num,
    _fmt_pct,
    _fmt_range,
    _join,
    _labels,
    _na_dash,
    _nice_max,
    _num,
    _pct_axis,
    _q,
    _sentence,
    _styled,
    _wrap,
)

__all__ = ["plot_dumbbell"]

# --------------------------------------------------------------------------- waves


_P_COLUMNS = ("p_adj", "p_holm", "p_fdr", "p_bh", "p_value", "p")
#: Corrections for multiple testing (:func:`fslt_survey.stats.inference.adjust_pvalues` methods).
_ADJUSTMENTS = {
    "fdr_bh": "Benjamini–Hochberg-korrektion",
    "holm": "Holm-korrektion",
    "bonferroni": "Bonferroni-korrektion",
}
#: The correction an adjusted p column holds unless ``adjustment=`` says otherwise
#: (``p_adj``: the default of ``adjust_pvalues``, Benjamini-Hochberg).
_ADJUSTED_COLUMNS = {"p_adj": "fdr_bh", "p_fdr": "fdr_bh", "p_bh": "fdr_bh", "p_holm": "holm"}


def _wave_rows(
    df: pd.DataFrame, func: str, measure: str | None, category: str | None
) -> tuple[pd.DataFrame, str]:
    """One row per dumbbell: pick the measure, name the rows, describe what is shown."""
    if "measure" in df.columns:
        df = df[df["measure"].astype(str) != "distribution"]
    cat = df["category"].astype(str) if "category" in df.columns else None
    shown = ""
    if category is not None:
        if cat is None:
            raise SurveyDataError(f"{func}: category= needs a category column")
        df, shown = df[cat == category], category
    elif measure is not None:
        if "measure" not in df.columns:
            raise SurveyDataError(f"{func}: measure= needs a measure column")
        df = df[df["measure"].astype(str) == measure]
    elif "measure" in df.columns and (df["measure"].astype(str) == "top2").any():
        df = df[df["measure"].astype(str) == "top2"]
    if df.empty:
        raise SurveyDataError(
            f"{func}: no rows left for measure={measure!r}, category={category!r}"
        )
    df = df.reset_index(drop=True)
    key = df["item"].astype(str) if "item" in df.columns else _labels(df)
    names = _labels(df)
    if key.duplicated().any():
        if key.nunique() == 1 and "category" in df.columns:  # options of one (multi) item
            names = df["category"].astype(str)
            shown = ""
        else:
            raise SurveyDataError(
                f"{func}: several rows per item; pass category= (e.g. 'I høj grad') or "
                "measure='top2'",
                column="item",
                found=", ".join(key[key.duplicated()][:3]),
            )
    elif not shown and "category" in df.columns and df["category"].notna().all():
        cats = list(dict.fromkeys(df["category"].astype(str)))
        shown = cats[0] if len(cats) == 1 else ""
    return df.assign(_lab=names.to_numpy()), shown


def _wave_frame(df: pd.DataFrame, func: str) -> tuple[pd.DataFrame, str, str]:
    """The two waves' shares, bases, change and test per row, as _a/_b/_na/_nb/_d/_sig."""
    cols = [str(c) for c in df.columns]
    years = sorted(m.group(1) for c in cols if (m := re.fullmatch(r"pct_(\d{4})", c)))
    if {"pct_from", "pct_to"} <= set(cols):
        sfx = ("_from", "_to")
        wa = str(df["wave_from"].iloc[0]) if "wave_from" in cols else "Før"
        wb = str(df["wave_to"].iloc[0]) if "wave_to" in cols else "Efter"
    elif len(years) == 2:
        sfx, (wa, wb) = (f"_{years[0]}", f"_{years[1]}"), years
    else:
        raise SurveyDataError(
            f"{func}: cannot find the two waves' shares",
            found=", ".join(cols),
            expected="pct_from/pct_to (fslt_survey.stats.compare_waves) or pct_<year> columns",
        )
    out = pd.DataFrame({"_lab": df["_lab"].to_numpy()})
    out["_a"], out["_b"] = _num(df[f"pct{sfx[0]}"]), _num(df[f"pct{sfx[1]}"])
    out["_na"] = _num(df[f"base{sfx[0]}"]) if f"base{sfx[0]}" in cols else np.nan
    out["_nb"] = _num(df[f"base{sfx[1]}"]) if f"base{sfx[1]}" in cols else np.nan
    out["_d"] = _num(df["diff"]) if "diff" in cols else out["_b"] - out["_a"]
    pcol = next((c for c in _P_COLUMNS if c in cols), None)
    out["_pv"] = _num(df[pcol]) if pcol else np.nan
    out["_tested"] = pcol is not None or "significant" in cols
    if "significant" in cols:
        out["_sig"] = df["significant"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    return out, wa, wb


@dataclass
class _Waves:
    """The dumbbell rows (sorted by the second wave) and the words describing them."""

    w: pd.DataFrame  # _lab, _a, _b, _na, _nb, _d, _pv, _tested, _sig
    wa: str  # the first wave's name
    wb: str  # the second wave's name
    shown: str  # the category drawn ("I høj grad"), or ""
    n_text: str
    tested: bool
    a_txt: str  # "0,05" plus the correction named, for subtitle, note and alt text
    leg_txt: str  # the short legend form ("korrigeret p < 0,05")


def _adjustment(adjustment: str | None, rows: pd.DataFrame) -> str | None:
    """The correction named: ``adjustment``, or for "auto" the one the p column implies."""
    if adjustment != "auto":
        return adjustment
    pcol = next((c for c in _P_COLUMNS if c in rows.columns), None)
    return None if "significant" in rows.columns else _ADJUSTED_COLUMNS.get(str(pcol))


def _waves(
    table: pd.DataFrame,
    *,
    alpha: float,
    measure: str | None,
    category: str | None,
    unit: str,
    adjustment: str | None,
) -> _Waves:
    func = "plot_dumbbell"
    if adjustment is not None and adjustment != "auto" and adjustment not in _ADJUSTMENTS:
        raise SurveyDataError(
            f"{func}: unknown adjustment",
            found=str(adjustment),
            expected="auto, None, " + ", ".join(_ADJUSTMENTS),
        )
    df = _check(table, func, [])
    if "item" not in df.columns and "label" not in df.columns:
        raise SurveyDataError(f"{func}: the table needs an item or label column")
    rows, shown = _wave_rows(df, func, measure, category)
    w, wa, wb = _wave_frame(rows, func)
    if "_sig" not in w.columns:
        w["_sig"] = np.nan_to_num(w["_pv"].to_numpy(dtype=float), nan=1.0) < alpha
    w = w.sort_values("_b", ascending=False, kind="stable", na_position="last")
    w = w.reset_index(drop=True)
    na_text = _fmt_range(w["_na"]) if w["_na"].notna().any() else None
    nb_text = _fmt_range(w["_nb"]) if w["_nb"].notna().any() else None
    n_text = f"n = {na_text} {unit} i {wa} og {nb_text} i {wb}" if na_text and nb_text else ""
    tested = bool(w["_tested"].any())
    adjustment = _adjustment(adjustment, rows)
    a_txt = _fmt_num(alpha, 2 if alpha < 0.1 else 1)
    # the legend is short ("korrigeret p < 0,05"); subtitle, note and alt text name the method
    leg_txt = f"korrigeret p < {a_txt}" if tested and adjustment else f"p < {a_txt}"
    a_txt += f" efter {_ADJUSTMENTS[adjustment]}" if tested and adjustment else ""
    return _Waves(w, wa, wb, shown, n_text, tested, a_txt, leg_txt)


def _shown_words(d: _Waves) -> str:
    return _join([_q(c) for c in d.shown.split(" + ")], "eller")


def _dumbbell_words(d: _Waves, subtitle: str | None) -> tuple[str, list[str]]:
    """The subtitle (unless given) and the notes under the chart."""
    if subtitle is None:
        what = f"Andel, der svarer {_shown_words(d)}, " if d.shown else "Procent "
        subtitle = f"{what}i {d.wa} og {d.wb}" + (f" ({d.n_text})." if d.n_text else ".")
        if d.tested:
            subtitle += f" Statistisk signifikante ændringer (p < {d.a_txt}) er fremhævet."
    notes = [
        f"Tallet til højre er ændringen i procentpoint; * = signifikant (p < {d.a_txt})."
        if d.tested
        else "Tallet til højre er ændringen i procentpoint."
    ]
    if d.w[["_a", "_b"]].isna().to_numpy().any():
        notes.append(NA_NOTE)
    return subtitle, notes


def _dumbbell_legend(d: _Waves) -> list[Line2D]:
    handles = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markerfacecolor="white",
            markeredgecolor=EARLY,
            markeredgewidth=1.6,
            markersize=LAYOUT.marker,
            label=d.wa,
        ),
        Line2D([], [], marker="o", linestyle="", color=BAR, markersize=LAYOUT.marker, label=d.wb),
    ]
    if d.tested:
        handles.append(
            Line2D(
                [], [], color=HIGHLIGHT, linewidth=2.6, label=f"Signifikant ændring ({d.leg_txt})"
            )
        )
    return handles


@_styled
def plot_dumbbell(
    wave_comparison: pd.DataFrame,
    *,
    title: str,
    source: str | None,
    alpha: float = 0.05,
    measure: str | None = None,
    category: str | None = None,
    subtitle: str | None = None,
    unit: str = "foreninger",
    adjustment: str | None = "auto",
) -> Chart:
    """Dumbbell chart: each item's share in the first and the second wave, changes marked.

    Parameters
    ----------
    wave_comparison
        :func:`fslt_survey.stats.waves.compare_waves` (one or several items concatenated):
        ``item``/``label``, ``pct_from``, ``pct_to`` (0-100), optional ``wave_from``,
        ``wave_to``, ``base_from``, ``base_to``, ``diff`` (points; default to minus from),
        ``measure``/``category`` and the test: a ``significant`` flag, else the first of
        ``p_adj``, ``p_holm``, ``p_fdr``, ``p_value``, ``p`` compared with ``alpha``. Hand-made
        tables may use ``pct_<year>``/``base_<year>`` columns instead (``pct_2025``, ...).
        Distribution rows (``measure == "distribution"``) are ignored.
    measure, category
        Which row of each item to draw: ``category="I høj grad"``, or ``measure="top2"``
        (the default when present). A single multi-select item is drawn option by option.
    adjustment
        The correction for multiple testing behind the p-values used (``"fdr_bh"``,
        ``"holm"``, ``"bonferroni"``), named in subtitle, note, legend and alt text ("p < 0,05
        efter Benjamini–Hochberg-korrektion"). ``"auto"`` (default): Benjamini-Hochberg for
        ``p_adj``, ``p_fdr``, ``p_bh`` (the default of
        :func:`~fslt_survey.stats.inference.adjust_pvalues`), Holm for ``p_holm``, none for ``p``,
        ``p_value`` and a ``significant`` flag. ``None``: no correction is named.
    """
    d = _waves(
        wave_comparison,
        alpha=alpha,
        measure=measure,
        category=category,
        unit=unit,
        adjustment=adjustment,
    )
    subtitle, notes = _dumbbell_words(d, subtitle)
    fig = _figure(
        len(d.w),
        title=title,
        subtitle=subtitle,
        source=source,
        notes=notes,
        row_height=0.36,
        extra=0.9,
        legend=_dumbbell_legend(d),
    )
    ax = fig.subplots()
    _draw_dumbbells(ax, d)
    return Chart(fig, _dumbbell_alt(d, title), title)


def _draw_dumbbells(ax: Any, d: _Waves) -> None:
    """A bar between the waves' dots per row, the change to the right, the percent axis."""
    w, y = d.w, np.arange(len(d.w))
    hi = (
        np.nanmax(w[["_a", "_b"]].to_numpy(dtype=float))
        if w[["_a", "_b"]].notna().any(axis=None)
        else 0
    )
    lim = _nice_max(float(hi) + 3, 20)
    for yi, r in zip(y, w.to_dict("records"), strict=True):
        if pd.notna(r["_a"]) and pd.notna(r["_b"]):
            ax.plot(
                [r["_a"], r["_b"]],
                [yi, yi],
                color=HIGHLIGHT if r["_sig"] else "#BDBDBD",
                linewidth=2.6 if r["_sig"] else 2.0,
                zorder=2,
                solid_capstyle="butt",
            )
        if pd.isna(r["_a"]) and pd.isna(r["_b"]):
            _na_dash(ax, lim * 0.01, yi)
        ax.annotate(
            _fmt_num(r["_d"], sign=True) + ("*" if r["_sig"] else ""),
            (1.02, yi),
            xycoords=("axes fraction", "data"),
            va="center",
            ha="left",
            fontsize=FONT.note,
            color=HIGHLIGHT_TEXT if r["_sig"] else TEXT,
            fontweight="bold" if r["_sig"] else "normal",
        )
    _dumbbell_axes(ax, d, y, lim)


def _dumbbell_axes(ax: Any, d: _Waves, y: np.ndarray, lim: float) -> None:
    """The waves' dots, the "Ændring" heading and the percent axis."""
    w = d.w
    ax.scatter(
        w["_a"],
        y,
        s=LAYOUT.dot_area,
        facecolor="white",
        edgecolor=EARLY,
        linewidth=1.6,
        zorder=3,
        label=d.wa,
        clip_on=False,
    )
    ax.scatter(w["_b"], y, s=LAYOUT.dot_area, color=BAR, zorder=4, label=d.wb, clip_on=False)
    ax.annotate(
        "Ændring",
        (1.02, -0.75),
        xycoords=("axes fraction", "data"),
        ha="left",
        va="bottom",
        fontsize=FONT.small,
        color=MUTED,
    )
    ax.set_xlim(-lim * 0.03, lim)
    ax.spines["bottom"].set_bounds(0, lim)
    ax.tick_params(axis="y", pad=4)
    _pct_axis(ax.xaxis)
    ax.grid(axis="x", color=GRID, linewidth=0.6, zorder=0)
    ax.set_axisbelow(True)
    ax.set_yticks(y, [_wrap(s, _chars(30)) for s in w["_lab"]])
    ax.set_ylim(len(w) - 0.5, -0.5)
    ax.spines[["left"]].set_visible(False)


def _change(d: _Waves, r: Any) -> str:
    sig = ""
    if d.tested:
        sig = ", statistisk signifikant" if r["_sig"] else ", ikke statistisk signifikant"
    return (
        f"{_q(r['_lab'])} fra {_fmt_pct(r['_a'])} til {_fmt_pct(r['_b'])} "
        f"({_fmt_num(r['_d'], sign=True)} procentpoint{sig})"
    )


def _dumbbell_alt(d: _Waves, title: str) -> str:
    w = d.w
    share = f"andelen, der svarer {_shown_words(d)}," if d.shown else "andelen"
    alt = [
        f"Prikdiagram (dumbbell): {_sentence(title)} Diagrammet viser {share} i {d.wa} og "
        f"{d.wb} for {len(w)} emner" + (f" ({d.n_text})." if d.n_text else ".")
    ]
    ch = w[w["_d"].notna()]
    if len(ch):
        up, down = ch.loc[ch["_d"].idxmax()], ch.loc[ch["_d"].idxmin()]
        if up["_d"] > 0:
            alt.append(f"Største stigning: {_change(d, up)}.")
        if down["_d"] < 0:
            alt.append(f"Største fald: {_change(d, down)}.")
        if not (up["_d"] > 0 or down["_d"] < 0):
            alt.append("Ingen af andelene har ændret sig.")
    if d.tested:
        k = int(w["_sig"].sum())
        alt.append(f"{k} af {len(w)} ændringer er statistisk signifikante (p < {d.a_txt}).")
    return " ".join(alt)
