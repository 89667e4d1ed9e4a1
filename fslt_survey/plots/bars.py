"""Bar charts: ranked needs, multi-select questions and frequencies of one question.

:func:`plot_ranked_needs` (horizontal bars with confidence intervals, largest first),
:func:`plot_multi` (the share choosing each option of a multi-select question) and
:func:`plot_frequencies` (the answers to a single-choice question), all drawn by one bar helper
(:func:`_bars`) and described by shared pieces (:func:`_n_text`, :func:`_bar_notes`,
:func:`_choices`, :func:`_first_then`).
The same contract as :mod:`fslt_survey.plots`: a tidy table in, never modified, a
:class:`~fslt_survey.plots.style.Chart` with a Danish alt text out, in the house style of
:mod:`fslt_survey.plots.style`.

Split from :mod:`fslt_survey.plots`, which re-exports the three functions.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from fslt_survey.errors import SurveyDataError
from fslt_survey.plots.style import (
    _MULTI_REASON_GLOSS,
    BAR,
    FONT,
    GRID,
    MISSING_BAR,
    MUTED,
    NA_ALT,
    NA_NOTE,
    TEXT,
    Chart,
    _base_note,
    _chars,
    _check,
    _conf_text,
    _figure,
    _fmt_num,
    _fmt_pct,
    _fmt_range,
    _join,
    _labels,
    _listing,
    _missing_flags,
    _na_dash,
    _nice_max,
    _num,
    _one_group,
    _pct_axis,
    _q,
    _reason_listing,
    _sentence,
    _styled,
    _wrap,
)
from fslt_survey.stats import TOTAL_LABEL

__all__ = ["plot_frequencies", "plot_multi", "plot_ranked_needs"]

# --------------------------------------------------------------------------- shared pieces


def _bars(
    df: pd.DataFrame,
    *,
    title: str,
    subtitle: str,
    source: str | None,
    notes: list[str],
    extra_rows: pd.DataFrame | None = None,
) -> Figure:
    """Horizontal bars of ``_lab``/``_p`` (+ ``_lo``/``_hi`` whiskers) in the given order.

    ``extra_rows`` (typed missing) are drawn in grey below a gap.
    """
    extra = extra_rows if extra_rows is not None else df.iloc[:0]
    n = len(df) + (len(extra) + 0.6 if len(extra) else 0)
    fig = _figure(
        n, title=title, subtitle=subtitle, source=source, notes=notes, row_height=0.34, extra=0.7
    )
    ax = fig.subplots()
    y = list(np.arange(len(df), dtype=float)) + [len(df) + 0.6 + i for i in range(len(extra))]
    rows = pd.concat([df.assign(_grey=False), extra.assign(_grey=True)], ignore_index=True)
    p, hi = _draw_bars(ax, y, rows)
    top = np.nanmax(np.concatenate([p, hi])) if np.isfinite(np.concatenate([p, hi])).any() else 0
    lim = _nice_max(float(top) * 1.12 + 1, 10)
    for yi, v, h in zip(y, p, hi, strict=True):
        if pd.isna(v):
            _na_dash(ax, lim * 0.01, yi)
            continue
        end = max(v, h) if np.isfinite(h) else v
        ax.text(
            end + lim * 0.015,
            yi,
            _fmt_pct(v),
            va="center",
            ha="left",
            fontsize=FONT.note,
            color=TEXT,
            zorder=4,
        )
    _bar_axes(ax, y, rows, lim)
    return fig


def _draw_bars(ax: Any, y: list[float], rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The bars (grey for typed missing) and CI whiskers; returns the shares and upper ends."""
    p = rows["_p"].to_numpy(dtype=float)
    lo = rows["_lo"].to_numpy(dtype=float) if "_lo" in rows else np.full(len(rows), np.nan)
    hi = rows["_hi"].to_numpy(dtype=float) if "_hi" in rows else np.full(len(rows), np.nan)
    colours = [MISSING_BAR if g else BAR for g in rows["_grey"]]
    ax.barh(y, np.nan_to_num(p), height=0.66, color=colours, zorder=2)
    ok = np.isfinite(p) & np.isfinite(lo) & np.isfinite(hi) & ~rows["_grey"].to_numpy(bool)
    if ok.any():
        yy = np.asarray(y)[ok]
        ax.errorbar(
            p[ok],
            yy,
            xerr=[p[ok] - lo[ok], hi[ok] - p[ok]],
            fmt="none",
            ecolor=TEXT,
            elinewidth=0.9,
            capsize=2.5,
            capthick=0.9,
            zorder=3,
        )
    return p, hi


def _bar_axes(ax: Any, y: list[float], rows: pd.DataFrame, lim: float) -> None:
    ax.set_xlim(0, lim)
    _pct_axis(ax.xaxis)
    ax.grid(axis="x", color=GRID, linewidth=0.6, zorder=0)
    ax.set_axisbelow(True)
    ax.set_yticks(y, [_wrap(s, _chars(34)) for s in rows["_lab"]])
    ax.set_ylim(max(y) + 0.6, -0.6)
    ax.spines[["left"]].set_visible(False)
    for tick, grey in zip(ax.get_yticklabels(), rows["_grey"], strict=True):
        if grey:
            tick.set_color(MUTED)


def _ci_note() -> str:
    return f"Streger viser {_conf_text()}-konfidensintervaller (Wilson)."


def _n_text(df: pd.DataFrame, unit: str) -> str:
    """``n = 48–50 foreninger`` from the ``base`` column, or "" without one."""
    bases = _num(df["base"]) if "base" in df.columns else []
    return _base_note(bases, unit) if len(bases) else ""


def _bar_notes(df: pd.DataFrame) -> list[str]:
    """The whisker note (when there are CIs) and the dash note (when a share is hidden)."""
    notes = [_ci_note()] if "_lo" in df.columns else []
    if df["_p"].isna().any():
        notes.append(NA_NOTE)
    return notes


def _with_n(text: str, n_text: str) -> str:
    return text + (f" ({n_text})." if n_text else ".")


def _first_then(shown: pd.DataFrame, ci: str = "") -> str:
    """``»A« (41 %), derefter »B« (35 %) og »C« (30 %).`` from rows sorted largest first."""
    first = shown.iloc[0]
    text = f"{_q(first['_lab'])} ({_fmt_pct(first['_p'])}{ci})"
    return text + (f", derefter {_listing(shown.iloc[1:], 2)}." if len(shown) > 1 else ".")


# --------------------------------------------------------------------------- ranked needs


@_styled
def plot_ranked_needs(
    ranking: pd.DataFrame,
    *,
    title: str,
    source: str | None,
    group: Any = None,
    large: str = "I høj grad",
    subtitle: str | None = None,
    unit: str = "foreninger",
) -> Chart:
    """Horizontal bars of the share reporting a large need, largest first, with CI whiskers.

    Parameters
    ----------
    ranking
        :func:`fslt_survey.stats.rank_needs`: ``item`` and/or ``label``, ``pct`` (0-100);
        optional ``ci_low``, ``ci_high`` (%), ``base``. A table made with ``by=`` is cut to
        ``group`` (default the overall rows, :data:`~fslt_survey.stats.TOTAL_LABEL`).
    large
        The answer that counts as a large need (for subtitle and alt text).
    """
    func = "plot_ranked_needs"
    df = _check(ranking, func, ["pct"])
    if "item" not in df.columns and "label" not in df.columns:
        raise SurveyDataError(f"{func}: the table needs an item or label column")
    df = _one_group(df, func, TOTAL_LABEL if group is None else group)
    df = df.assign(_lab=_labels(df), _p=_num(df["pct"]))
    if {"ci_low", "ci_high"} <= set(df.columns):
        df = df.assign(_lo=_num(df["ci_low"]), _hi=_num(df["ci_high"]))
    df = df.sort_values("_p", ascending=False, kind="stable", na_position="last")
    n_text = _n_text(df, unit)
    if subtitle is None:
        subtitle = _with_n(f"Andel af {unit}, der svarer {_q(large)}", n_text)
    fig = _bars(df, title=title, subtitle=subtitle, source=source, notes=_bar_notes(df))
    return Chart(fig, _ranked_alt(df, title, unit, large, n_text), title)


def _ranked_alt(df: pd.DataFrame, title: str, unit: str, large: str, n_text: str) -> str:
    shown = df[df["_p"].notna()]
    alt = [
        _with_n(
            f"Vandret søjlediagram: {_sentence(title)} Andelen af {unit}, der svarer "
            f"{_q(large)}, for {len(df)} behov",
            n_text,
        )
    ]
    if len(shown):
        first = shown.iloc[0]
        ci = (
            f", konfidensinterval {_fmt_num(first['_lo'])}–{_fmt_pct(first['_hi'])}"
            if "_lo" in shown.columns and pd.notna(first["_lo"])
            else ""
        )
        na_any = bool(df["_p"].isna().any())
        lead = "Blandt behovene med tal er behovet størst" if na_any else "Størst er behovet"
        alt.append(f"{lead} for {_first_then(shown, ci)}")
        if len(shown) > 3:
            last = shown.iloc[-1]
            alt.append(f"Mindst er behovet for {_q(last['_lab'])} ({_fmt_pct(last['_p'])}).")
    if df["_p"].isna().any():
        alt.append(f"{int(df['_p'].isna().sum())} behov {NA_ALT}.")
    return " ".join(alt)


# --------------------------------------------------------------------------- one question


def _choice_table(table: pd.DataFrame, func: str, group: Any) -> pd.DataFrame:
    df = _one_group(_check(table, func, ["category", "pct"]), func, group)
    if "item" in df.columns and df["item"].nunique() > 1:
        raise SurveyDataError(
            f"{func}: the table holds several items; plot one at a time",
            column="item",
            found=", ".join(map(str, df["item"].unique()[:5])),
        )
    df = df.assign(_lab=df["category"].astype(str), _p=_num(df["pct"]), _miss=_missing_flags(df))
    if {"ci_low", "ci_high"} <= set(df.columns):
        df = df.assign(_lo=_num(df["ci_low"]), _hi=_num(df["ci_high"]))
    return df


def _choices(
    table: pd.DataFrame, func: str, group: Any, sort: bool, nothing: str
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The whole table, its answer rows (sorted when ``sort``) and its typed-missing rows."""
    df = _choice_table(table, func, group)
    answers, mis = df[~df["_miss"]], df[df["_miss"]]
    if answers.empty:
        raise SurveyDataError(f"{func}: the table has no {nothing}")
    if sort:
        answers = answers.sort_values("_p", ascending=False, kind="stable", na_position="last")
    return df, answers, mis


def _question(df: pd.DataFrame) -> str:
    return str(_labels(df).iloc[0]) if ("label" in df.columns or "item" in df.columns) else ""


@_styled
def plot_multi(
    multi_table: pd.DataFrame,
    *,
    title: str,
    source: str | None,
    group: Any = None,
    sort: bool = True,
    subtitle: str | None = None,
    unit: str = "foreninger",
) -> Chart:
    """Bars for a multi-select item: % of respondents per option, with CI whiskers.

    Parameters
    ----------
    multi_table
        :func:`fslt_survey.stats.tab_multi`: one row per option with ``category`` (option
        label), ``pct`` (% of the respondents who answered, may sum to more than 100); optional
        ``ci_low``, ``ci_high``, ``base``, ``n``, ``missing`` (typed-missing rows are left out of
        the bars and mentioned in a note), ``item``/``label``. Options nobody chose are shown
        with 0 %.
    sort
        Largest share first (default); False keeps the questionnaire order.
    """
    df, opts, mis = _choices(multi_table, "plot_multi", group, sort, "answer options")
    n_text = _n_text(opts, unit)
    if subtitle is None:
        subtitle = _with_n(
            f"Procent af {unit}, der har besvaret spørgsmålet; flere svar muligt", n_text
        )
    notes = _bar_notes(opts)
    mis_n = _num(mis["n"]) if "n" in mis.columns else np.array([])
    mis_text = _reason_listing(list(mis["_lab"]), mis_n, _fmt_num, _MULTI_REASON_GLOSS)
    if mis_text:
        notes.append(f"Desuden (antal {unit}): {mis_text}. De indgår ikke i procenterne.")
    fig = _bars(opts, title=title, subtitle=subtitle, source=source, notes=notes)
    return Chart(fig, _multi_alt(df, opts, title, unit, n_text, mis_text), title)


def _multi_alt(
    df: pd.DataFrame, opts: pd.DataFrame, title: str, unit: str, n_text: str, mis_text: str
) -> str:
    shown = opts[opts["_p"].notna()]
    q = _question(df)
    alt = [
        f"Vandret søjlediagram: {_sentence(title)} Andelen af {unit}, der har valgt hver af "
        f"{len(opts)} svarmuligheder"
        + (f" på spørgsmålet {_q(q)}" if q else "")
        + f" (flere svar muligt{'; ' + n_text if n_text else ''})."
    ]
    ranked = shown.sort_values("_p", ascending=False, kind="stable")
    if len(ranked):
        lead = (
            "Blandt svarmulighederne med tal har flest valgt"
            if len(ranked) < len(opts)
            else "Flest har valgt"
        )
        alt.append(f"{lead} {_listing(ranked)}.")
    zero = list(shown.loc[shown["_p"] == 0, "_lab"])
    if zero:
        alt.append(f"Ingen har valgt {_join([_q(z) for z in zero], 'eller')}.")
    if len(ranked) < len(opts):
        alt.append(f"{len(opts) - len(ranked)} svarmuligheder {NA_ALT}.")
    if mis_text:
        alt.append(f"Desuden (antal {unit}, som ikke indgår i procenterne): {mis_text}.")
    return " ".join(alt)


@_styled
def plot_frequencies(
    freq_table: pd.DataFrame,
    *,
    title: str,
    source: str | None,
    group: Any = None,
    sort: bool = False,
    show_missing: bool = True,
    subtitle: str | None = None,
    unit: str = "foreninger",
) -> Chart:
    """Bars for a single-choice item: % per answer, typed missing in grey below.

    Parameters
    ----------
    freq_table
        :func:`fslt_survey.stats.tab_single`: one row per category with ``category``, ``pct``;
        optional ``ci_low``, ``ci_high``, ``base``, ``missing``, ``item``/``label``. Substantive
        answers keep the scale order unless ``sort=True``; typed-missing rows (their ``pct`` is of
        everyone asked) follow in grey when ``show_missing``.
    """
    df, subs, mis = _choices(freq_table, "plot_frequencies", group, sort, "substantive categories")
    n_text = _n_text(subs, unit)
    if subtitle is None:
        subtitle = _with_n(f"Procent af {unit}, der har svaret", n_text)
    notes = _bar_notes(subs)
    mis = mis[mis["_p"].isna() | (mis["_p"] > 0)] if show_missing else mis.iloc[:0]
    if len(mis):
        mb = _num(mis["base"]) if "base" in mis.columns else []
        notes.append(
            "Grå: procent af alle adspurgte"
            + (f" (n = {_fmt_range(mb)})" if len(mb) else "")
            + ", der ikke gav et "
            "indholdsmæssigt svar."
        )
    fig = _bars(subs, title=title, subtitle=subtitle, source=source, notes=notes, extra_rows=mis)
    return Chart(fig, _frequencies_alt(df, subs, mis, title, n_text), title)


def _frequencies_alt(
    df: pd.DataFrame, subs: pd.DataFrame, mis: pd.DataFrame, title: str, n_text: str
) -> str:
    q = _question(df)
    shown = subs[subs["_p"].notna()].sort_values("_p", ascending=False, kind="stable")
    alt = [
        _with_n(
            f"Vandret søjlediagram: {_sentence(title)} Svarfordelingen"
            + (f" på {_q(q)}" if q else "")
            + f" med {len(subs)} svarmuligheder",
            n_text,
        )
    ]
    if len(shown):
        lead = "Blandt svarene med tal svarer flest" if len(shown) < len(subs) else "Flest svarer"
        alt.append(f"{lead} {_first_then(shown)}")
    given = _reason_listing(list(mis["_lab"]), mis["_p"].to_numpy(dtype=float), _fmt_pct)
    if given:
        alt.append(f"Desuden (andel af alle adspurgte): {given}.")
    if len(shown) < len(subs):
        alt.append(f"{len(subs) - len(shown)} svarmuligheder {NA_ALT}.")
    return " ".join(alt)
