"""Figures for reports: matplotlib charts in one house style, each with a Danish alt text.

Every ``plot_*`` function takes a tidy table from :mod:`fslt_survey.stats` (or the same columns
built by hand), never modifies it, and returns a :class:`Chart`: the matplotlib ``Figure`` and a
Danish alt text that says what the chart *shows* (chart type, n, main findings with Danish number
formatting), ready for ``fig-alt`` in the reports. ``Chart.save(stem)`` writes ``stem.svg`` and
``stem.png`` (150 dpi); the SVG is byte-for-byte reproducible.

House style
-----------
* DejaVu Sans (ships with matplotlib); left-aligned title and subtitle, the source line and notes
  at the bottom; no box, no 3-D, light grid only where it helps reading values.
* Colour-blind-safe colours: ColorBrewer RdBu for Likert scales with a neutral grey centre,
  Okabe-Ito blue/vermillion for bars and dumbbells, ColorBrewer Blues for heat maps. Text on a
  coloured area is white or near-black, whichever has the higher WCAG contrast
  (:func:`text_color_on`).
* Danish numbers as in :mod:`fslt_survey.tables` (decimal comma, ``.`` as thousands separator,
  ``41 %`` with a no-break space, half rounds up), with a true minus sign in charts.
* NA in ``pct`` (a suppressed or empty cell) is never drawn as a number: it shows as "–".

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

import functools
import io
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator

from fslt_survey.config import (
    CONFIDENCE,
    INVALID_ANSWER,
    MISSING_REASONS,
    NOT_ANSWERED,
    SUPPRESSION_K,
)
from fslt_survey.errors import SurveyDataError
from fslt_survey.stats import TOTAL_LABEL
from fslt_survey.tables import NBSP, format_number

__all__ = [
    "Chart",
    "contrast_ratio",
    "plot_dumbbell",
    "plot_frequencies",
    "plot_likert",
    "plot_multi",
    "plot_needs_heatmap",
    "plot_ranked_needs",
    "text_color_on",
]

# --------------------------------------------------------------------------- style

MINUS = "\u2212"
NA_TEXT = "–"
NA_NOTE = f"{NA_TEXT}: tallet vises ikke (for få svar eller af hensyn til fortroligheden)."
NA_ALT = "vises uden tal (for få svar eller af hensyn til fortroligheden)"
TEXT = "#222222"
MUTED = "#595959"  # 7:1 on white
GRID = "#e3e3e3"
BAR = "#0072B2"  # Okabe-Ito blue
HIGHLIGHT = "#D55E00"  # Okabe-Ito vermillion (lines and markers: 3.9:1 on white)
HIGHLIGHT_TEXT = "#B84F00"  # the same hue darkened to 5:1 for text
EARLY = "#8C8C8C"
NEUTRAL = "#C8C8C8"
MISSING_BAR = "#A6A6A6"
SUPPRESSED_FILL = "#F2F2F2"
SUPPRESSED_HATCH = "#B0B0B0"
#: ColorBrewer RdBu: positive end (first labels of the Danish scales) blue, negative end red.
_POS = {1: ["#2166AC"], 2: ["#2166AC", "#92C5DE"], 3: ["#2166AC", "#4393C3", "#92C5DE"]}
_NEG = {1: ["#B2182B"], 2: ["#B2182B", "#F4A582"], 3: ["#B2182B", "#D6604D", "#F4A582"]}
HASHSALT = "fslt-survey"
WIDTH = 7.5  # inches: the text width of the reports
STYLE: dict[str, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 9,
    "text.color": TEXT,
    "axes.labelcolor": TEXT,
    "axes.edgecolor": "#8C8C8C",
    "axes.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.unicode_minus": True,
    "axes.titlesize": 8.5,
    "axes.titlecolor": MUTED,
    "xtick.color": "#8C8C8C",
    "xtick.labelcolor": MUTED,
    "xtick.labelsize": 8,
    "ytick.labelcolor": TEXT,
    "ytick.labelsize": 8.5,
    "ytick.major.size": 0,
    "legend.frameon": False,
    "legend.fontsize": 8,
    "hatch.linewidth": 0.7,
    "svg.hashsalt": HASHSALT,
    "svg.fonttype": "path",
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
}
_MISSING_NAMES = {*MISSING_REASONS, NOT_ANSWERED, INVALID_ANSWER}
#: Output columns of the stats tables (anything else is taken for a group column).
_KNOWN = {
    "item", "label", "category", "level", "missing", "n", "base", "pct", "ci_low", "ci_high",
    "base_eff", "rank", "reason", "n_missing", "top2_n", "top2_pct", "top2_ci_low",
    "top2_ci_high", "median", "suppressed", "suppression",
}


# --------------------------------------------------------------------------- formatting


def _fmt_num(x: Any, decimals: int = 0, *, sign: bool = False) -> str:
    """:func:`~fslt_survey.tables.format_number` with a true minus sign (and ``+`` if asked).

    >>> _fmt_num(-2.5, sign=True), _fmt_num(1234.56, 1), _fmt_num(None)
    ('−3', '1.234,6', '–')
    """
    text = str(format_number(x, decimals, na=NA_TEXT))
    if text.startswith("-"):
        return MINUS + text[1:]
    return "+" + text if sign and any(c in text for c in "123456789") else text


def _fmt_pct(x: Any, decimals: int = 0, *, sign: bool = False) -> str:
    """``41 %`` with a no-break space, ``12,5 %``; NA becomes ``–``."""
    text = _fmt_num(x, decimals, sign=sign)
    return text if text == NA_TEXT else f"{text}{NBSP}%"


def _fmt_range(values: Sequence[Any]) -> str:
    vals = [int(v) for v in values if v is not None and not pd.isna(v)]
    if not vals:
        return NA_TEXT
    lo, hi = min(vals), max(vals)
    return _fmt_num(lo) if lo == hi else f"{_fmt_num(lo)}–{_fmt_num(hi)}"


def _conf_text() -> str:
    return _fmt_pct(100 * CONFIDENCE)


def _sentence(text: str) -> str:
    text = str(text).strip()
    return text if text[-1:] in ".?!:" else text + "."


def _q(label: str) -> str:
    return f"»{label}«"


def _join(parts: Sequence[str], last: str = "og") -> str:
    parts = list(parts)
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + f" {last} " + parts[-1]


def _listing(df: pd.DataFrame, k: int = 3) -> str:
    """``»A« (41 %), »B« (35 %) og »C« (30 %)`` from the first k rows of ``_lab``/``_p``."""
    top = df.iloc[:k]
    return _join([f"{_q(lab)} ({_fmt_pct(p)})" for lab, p in zip(top["_lab"], top["_p"],
                                                                    strict=True)])


#: What a typed-missing reason means for the reader, written after it where counts are listed.
#: Only for multi-select charts: there "Ikke relevant" comes from skip logic, whereas a scale may
#: offer "Ikke relevant" as an answer of its own (``grad``), which is not "skipped".
_MULTI_REASON_GLOSS = {"Ikke relevant": "sprunget over"}


def _reason_listing(labels: Sequence[str], values: Sequence[Any], fmt: Any,
                    gloss: dict[str, str] | None = None) -> str:
    """``»Ikke relevant« (sprunget over) 40, »Ikke besvaret« 1``: the typed-missing reasons
    with a value above 0, in table order; the wording holds for every reason.

    >>> _reason_listing(["Ikke relevant", "Ved ikke", "Ikke besvaret"], [40, 0, 1], _fmt_num,
    ...                 _MULTI_REASON_GLOSS)
    '»Ikke relevant« (sprunget over) 40, »Ikke besvaret« 1'
    """
    gloss = gloss or {}
    return ", ".join(
        f"{_q(r)}{f' ({gloss[r]})' if r in gloss else ''} {fmt(v)}"
        for r, v in zip(labels, values, strict=False)
        if v is not None and np.isfinite(float(v)) and float(v) > 0)


def _wrap(text: str, width: int) -> str:
    lines = textwrap.wrap(str(text), width, break_long_words=False)
    return "\n".join(lines) or str(text)


# --------------------------------------------------------------------------- colour


def _luminance(color: Any) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in to_rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: Any, b: Any) -> float:
    """WCAG 2 contrast ratio of two colours (1 to 21; 4.5 is the AA minimum for text)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_color_on(background: Any) -> str:
    """White or near-black text on ``background``, whichever contrasts more; pure black when
    neither reaches the WCAG AA 4.5:1 (white or black always reaches at least 4.58:1)."""
    best = max(("#FFFFFF", TEXT), key=lambda fg: contrast_ratio(fg, background))
    if contrast_ratio(best, background) >= 4.5:
        return best
    return max(("#FFFFFF", "#000000"), key=lambda fg: contrast_ratio(fg, background))


def _diverging(k_pos: int, k_neg: int) -> tuple[list[str], list[str]]:
    """(positive colours outer -> inner, negative colours outer -> inner)."""
    def side(k: int, table: dict[int, list[str]], cmap: str) -> list[str]:
        if k in table:
            return table[k]
        cm = mpl.colormaps[cmap]
        return [mpl.colors.to_hex(cm(x)) for x in np.linspace(0.95, 0.65, k)]

    return side(k_pos, _POS, "RdBu"), side(k_neg, _NEG, "RdBu_r")


# --------------------------------------------------------------------------- the chart


@dataclass(frozen=True)
class Chart:
    """A figure and its Danish alt text.

    Attributes
    ----------
    fig
        The matplotlib figure (Agg canvas).
    alt
        Danish alt text for ``fig-alt``: chart type, n and the main findings.
    title
        The chart title (also written into the SVG/PNG metadata).
    """

    fig: Figure
    alt: str
    title: str = ""

    def save(self, path_stem: str | Path, *, formats: Sequence[str] = ("svg", "png"),
             dpi: int = 150) -> list[Path]:
        """Write ``<stem>.svg`` and ``<stem>.png`` (parents created); returns the paths.

        The SVG carries no date and fixed ids, so saving the same chart twice gives the same
        bytes. Title and alt text are stored as the files' Title/Description metadata.
        """
        unknown = [f for f in formats if f not in ("svg", "png")]
        if unknown:
            raise SurveyDataError("Chart.save writes svg and png only", found=", ".join(unknown))
        stem = Path(path_stem)
        if stem.suffix.lower() in {".svg", ".png"}:
            stem = stem.with_suffix("")
        stem.parent.mkdir(parents=True, exist_ok=True)
        paths = []
        for fmt in formats:
            path = stem.parent / f"{stem.name}.{fmt}"
            meta: dict[str, Any] = {"Title": self.title, "Description": self.alt}
            if fmt == "svg":
                meta["Date"] = None
            with mpl.rc_context({"svg.hashsalt": HASHSALT, "svg.id": "fslt-chart",
                                 "svg.fonttype": "path"}):
                self.fig.savefig(path, format=fmt, dpi=dpi, metadata=meta)
            paths.append(path)
        return paths

    def _repr_png_(self) -> bytes:
        buf = io.BytesIO()
        self.fig.savefig(buf, format="png", dpi=150)
        return buf.getvalue()


def _styled(func: Any) -> Any:
    """Run a plot function under the house rcParams (ticks and patches read them when made)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with mpl.rc_context(STYLE):
            return func(*args, **kwargs)

    return wrapper


def _lines(labels: Sequence[str]) -> int:
    return max((str(s).count("\n") + 1 for s in labels), default=1)


def _figure(rows: float, *, title: str, subtitle: str, source: str | None,
            notes: Sequence[str] = (), row_height: float = 0.36, extra: float = 0.75,
            width: float = WIDTH, legend: Sequence[Any] = ()) -> Figure:
    """A figure whose body grows with ``rows``: title, subtitle, legend on top, notes and
    source at the bottom, the axes laid out (constrained) in between."""
    pad = 0.14
    chars = int(width * 72 / 6.6)  # ~characters per line at 12 pt bold
    t_lines = _wrap(title, chars)
    s_lines = _wrap(subtitle, int(chars * 1.3)) if subtitle else ""
    foot = [_wrap(n, int(chars * 1.55)) for n in notes if n]
    if source:
        foot.append(_wrap(source, int(chars * 1.55)))
    ncol, leg_rows = len(legend), 0
    if legend:  # as many columns as fit the width
        entry = max(len(h.get_label()) for h in legend) * 8 * 0.58 / 72 + 0.45
        ncol = max(1, min(len(legend), int((width - 2 * pad) // entry)))
        leg_rows = -(-len(legend) // ncol)
    t_h = _lines([t_lines]) * 0.23
    s_h = _lines([s_lines]) * 0.18 + 0.04 if s_lines else 0.0
    head_h = pad + t_h + s_h + leg_rows * 0.2 + 0.1
    foot_h = pad + sum(f.count("\n") + 1 for f in foot) * 0.15 + (0.08 if foot else 0)
    body_h = max(1.5, rows * row_height + extra)
    height = head_h + body_h + foot_h
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    fig.get_layout_engine().set(rect=(0, foot_h / height, 1 - pad / width, body_h / height),
                                w_pad=0.06, h_pad=0.04)
    x0, y = pad / width, 1 - pad / height
    fig.text(x0, y, t_lines, ha="left", va="top", fontsize=12, fontweight="bold", color=TEXT,
             linespacing=1.15)
    if s_lines:
        fig.text(x0, y - (t_h + 0.04) / height, s_lines, ha="left", va="top", fontsize=9,
                 color=MUTED, linespacing=1.25)
    if legend:
        fig.legend(handles=list(legend), loc="upper left", ncol=ncol, handlelength=1.3,
                   columnspacing=1.4, handletextpad=0.5, borderaxespad=0, borderpad=0,
                   bbox_to_anchor=(x0, y - (t_h + s_h + 0.06) / height),
                   bbox_transform=fig.transFigure)
    fig.text(x0, pad / height, "\n".join(foot), ha="left", va="bottom", fontsize=7.5,
             color=MUTED, linespacing=1.3)
    return fig


def _pct_axis(axis: Any, *, absolute: bool = False, step: float | None = None) -> None:
    if step is None:
        axis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    else:
        axis.set_major_locator(MultipleLocator(step))
    axis.set_major_formatter(FuncFormatter(
        lambda v, _pos: _fmt_pct(abs(v) if absolute else v, 0 if float(v).is_integer() else 1)))


def _nice_max(value: float, floor: float = 10.0) -> float:
    if not np.isfinite(value) or value <= 0:
        return floor
    step = 5 if value <= 20 else 10
    return float(min(100.0, max(floor, np.ceil(value / step) * step)))


# --------------------------------------------------------------------------- input checks


def _check(table: Any, func: str, required: Sequence[str]) -> pd.DataFrame:
    """A private copy of a non-empty table with the required columns (input never touched)."""
    if not isinstance(table, pd.DataFrame):
        raise SurveyDataError(f"{func} needs a DataFrame", found=type(table).__name__)
    if table.empty:
        raise SurveyDataError(f"{func}: the table is empty, so there is nothing to plot",
                              expected="a table from fslt_survey.stats with at least one row")
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise SurveyDataError(
            f"{func}: the table lacks the column(s) {', '.join(missing)}", column=missing[0],
            expected=", ".join(required), found=", ".join(map(str, table.columns)))
    df = table.copy()
    if "suppressed" in df.columns:  # privacy step marks rows; never draw their numbers
        hide = df["suppressed"].astype("boolean").fillna(False).to_numpy(dtype=bool)
        for col in ("pct", "ci_low", "ci_high", "n"):
            if col in df.columns:
                df[col] = df[col].astype(object).where(~hide, np.nan)
    return df.reset_index(drop=True)


def _num(s: pd.Series) -> np.ndarray:
    return pd.to_numeric(s.astype(object), errors="coerce").to_numpy(dtype=float)


def _labels(df: pd.DataFrame) -> pd.Series:
    item = df["item"].astype(str) if "item" in df.columns else df["label"].astype(str)
    if "label" not in df.columns:
        return item
    lab = df["label"].astype(object)
    return lab.where(lab.notna(), item).astype(str)


def _missing_flags(df: pd.DataFrame) -> np.ndarray:
    if "missing" in df.columns:
        return df["missing"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    return df["category"].astype(str).isin(_MISSING_NAMES).to_numpy()


def _group_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if c not in _KNOWN]


def _one_group(df: pd.DataFrame, func: str, group: Any = None) -> pd.DataFrame:
    """Keep one group of a ``by=`` table (``group`` or the only one); refuse several."""
    for col in _group_columns(df):
        values = list(pd.unique(df[col].dropna()))
        if group is not None and group in values:
            df = df[df[col] == group]
        elif len(values) > 1:
            raise SurveyDataError(
                f"{func}: the table has several groups in column {col!r}; pass group= or "
                "filter one group first (plot_needs_heatmap shows groups side by side)",
                column=str(col), found=", ".join(map(str, values[:6])))
    if df.empty:
        raise SurveyDataError(f"{func}: no rows for group {group!r}")
    return df.reset_index(drop=True)


def _base_note(bases: Sequence[Any], unit: str) -> str:
    return f"n = {_fmt_range(bases)} {unit}"


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
    table: pd.DataFrame, *, title: str, source: str | None, summary: pd.DataFrame | None = None,
    neutral: str | None = "auto", group: Any = None, subtitle: str | None = None,
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
        raise SurveyDataError(f"{func}: neutral label {neutral!r} is not a category",
                              expected=", ".join(cats), found=str(neutral))
    pos = cats[:centre] if centre is not None else cats[: k // 2]
    neg = cats[centre + 1:] if centre is not None else cats[k // 2:]
    items = list(dict.fromkeys(sub["item"].astype(str)))
    labels = dict(zip(sub["item"].astype(str), _labels(sub), strict=True))
    long = sub.assign(_p=_num(sub["pct"]), _c=sub["category"].astype(str),
                      _i=sub["item"].astype(str)).drop_duplicates(["_i", "_c"])
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
    ylabels = [_wrap(labels[i] + (f" (n{NBSP}={NBSP}{_fmt_num(bases.get(i))})" if vary else ""),
                     30) for i in order]
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
    fig = _figure(len(order), title=title, subtitle=subtitle, source=source, notes=notes,
                  row_height=max(0.36, 0.14 * _lines(ylabels) + 0.1), extra=0.9, legend=legend)
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
        ax.barh(y, width, left=left.to_numpy(), height=0.7, color=colour[cat], label=cat,
                edgecolor="white", linewidth=0.6, zorder=2)
        fg = text_color_on(colour[cat])
        for yi, w, lft, h in zip(y, width, left, hidden, strict=True):
            if w >= min_width and not h:
                ax.text(lft + w / 2, yi, _fmt_num(w), ha="center", va="center", fontsize=7.5,
                        color=fg, zorder=3)
    for yi, h in zip(y, hidden, strict=True):
        if h:
            ax.text(0, yi, NA_TEXT, ha="center", va="center", fontsize=10, color=MUTED,
                    zorder=5, bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.5})
    ax.axvline(0, color=TEXT, linewidth=0.8, zorder=1.5)
    ax.set_xlim(-lim, lim)
    _pct_axis(ax.xaxis, absolute=True, step=10 if lim <= 40 else (20 if lim <= 80 else 25))
    ax.grid(axis="x", color=GRID, linewidth=0.6, zorder=0)
    ax.set_axisbelow(True)
    ax.set_yticks(y, ylabels)
    ax.set_ylim(len(order) - 0.5, -0.5)
    ax.spines[["left"]].set_visible(False)
    ax.set_xlabel(f"← {_join([_q(c) for c in neg], 'eller')}      {top_words} →",
                  fontsize=7.5, color=MUTED)
    if axm is not None:
        mvals = miss_pct.to_numpy(dtype=float)
        axm.barh(y, np.nan_to_num(mvals), height=0.5, color=MISSING_BAR, zorder=2,
                 label=" / ".join(reasons))
        mlim = max(10.0, float(np.nanmax(mvals)) * 2.2 if np.isfinite(mvals).any() else 10.0)
        for yi, v in zip(y, mvals, strict=True):
            axm.text((0 if pd.isna(v) else v) + mlim * 0.04, yi, _fmt_pct(v), va="center",
                     ha="left", fontsize=7.5, color=TEXT)
        axm.set_xlim(0, mlim)
        axm.set_xticks([])
        axm.tick_params(axis="y", left=False, labelleft=False)
        axm.spines[["left", "bottom"]].set_visible(False)
        axm.axvline(0, color=MISSING_BAR, linewidth=0.8)
        axm.set_title(_wrap(" / ".join(reasons), 14), loc="left", fontsize=8, color=MUTED)
    # alt text
    shown = [i for i in order if not hidden[i]]
    alt = [f"Divergerende stablet søjlediagram: {_sentence(title)} Diagrammet viser "
           f"svarfordelingen for {len(order)} udsagn" + (f" ({n_text})." if n_text else ".")]
    if shown:
        tops = [f"{_q(labels[i])} ({_fmt_pct(key[i])})" for i in shown[:3]]
        lead = "Blandt udsagnene med tal svarer flest" if hidden.any() else "Flest svarer"
        alt.append(f"{lead} {top_words} om {_join(tops)}.")
        if len(shown) > 3:
            last = shown[-1]
            alt.append(f"Færrest gør det om {_q(labels[last])} ({_fmt_pct(key[last])}).")
    if not mis.empty and miss_pct.notna().any():
        alt.append(f"{_q(reasons[0])} m.m. udgør {_fmt_pct_range(miss_pct)} og vises for sig "
                   "ved siden af søjlerne.")
    if hidden.any():
        alt.append(f"{int(hidden.sum())} udsagn {NA_ALT}.")
    return Chart(fig, " ".join(alt), title)


def _fmt_pct_range(values: pd.Series) -> str:
    v = values.dropna()
    lo, hi = _fmt_num(v.min()), _fmt_num(v.max())
    return _fmt_pct(v.min()) if lo == hi else f"{lo}–{hi}{NBSP}%"


# --------------------------------------------------------------------------- bar charts


def _bars(df: pd.DataFrame, *, title: str, subtitle: str, source: str | None,
          notes: list[str], extra_rows: pd.DataFrame | None = None) -> tuple[Figure, Any]:
    """Horizontal bars of ``_lab``/``_p`` (+ ``_lo``/``_hi`` whiskers) in the given order.

    ``extra_rows`` (typed missing) are drawn in grey below a gap.
    """
    extra = extra_rows if extra_rows is not None else df.iloc[:0]
    n = len(df) + (len(extra) + 0.6 if len(extra) else 0)
    fig = _figure(n, title=title, subtitle=subtitle, source=source, notes=notes,
                  row_height=0.34, extra=0.7)
    ax = fig.subplots()
    y = list(np.arange(len(df), dtype=float)) + [len(df) + 0.6 + i for i in range(len(extra))]
    rows = pd.concat([df.assign(_grey=False), extra.assign(_grey=True)], ignore_index=True)
    p = rows["_p"].to_numpy(dtype=float)
    lo = rows["_lo"].to_numpy(dtype=float) if "_lo" in rows else np.full(len(rows), np.nan)
    hi = rows["_hi"].to_numpy(dtype=float) if "_hi" in rows else np.full(len(rows), np.nan)
    colours = [MISSING_BAR if g else BAR for g in rows["_grey"]]
    ax.barh(y, np.nan_to_num(p), height=0.66, color=colours, zorder=2)
    ok = np.isfinite(p) & np.isfinite(lo) & np.isfinite(hi) & ~rows["_grey"].to_numpy(bool)
    if ok.any():
        yy = np.asarray(y)[ok]
        ax.errorbar(p[ok], yy, xerr=[p[ok] - lo[ok], hi[ok] - p[ok]], fmt="none",
                    ecolor=TEXT, elinewidth=0.9, capsize=2.5, capthick=0.9, zorder=3)
    top = np.nanmax(np.concatenate([p, hi])) if np.isfinite(np.concatenate([p, hi])).any() else 0
    lim = _nice_max(float(top) * 1.12 + 1, 10)
    for yi, v, h in zip(y, p, hi, strict=True):
        if pd.isna(v):
            ax.text(lim * 0.01, yi, NA_TEXT, va="center", fontsize=10, color=MUTED)
            continue
        end = max(v, h) if np.isfinite(h) else v
        ax.text(end + lim * 0.015, yi, _fmt_pct(v), va="center", ha="left", fontsize=8,
                color=TEXT, zorder=4)
    ax.set_xlim(0, lim)
    _pct_axis(ax.xaxis)
    ax.grid(axis="x", color=GRID, linewidth=0.6, zorder=0)
    ax.set_axisbelow(True)
    ax.set_yticks(y, [_wrap(s, 34) for s in rows["_lab"]])
    ax.set_ylim(max(y) + 0.6, -0.6)
    ax.spines[["left"]].set_visible(False)
    for tick, grey in zip(ax.get_yticklabels(), rows["_grey"], strict=True):
        if grey:
            tick.set_color(MUTED)
    return fig, ax


def _ci_note() -> str:
    return f"Streger viser {_conf_text()}-konfidensintervaller (Wilson)."


@_styled
def plot_ranked_needs(
    ranking: pd.DataFrame, *, title: str, source: str | None, group: Any = None,
    large: str = "I høj grad", subtitle: str | None = None, unit: str = "foreninger",
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
    bases = _num(df["base"]) if "base" in df.columns else []
    n_text = _base_note(bases, unit) if len(bases) else ""
    if subtitle is None:
        subtitle = f"Andel af {unit}, der svarer {_q(large)}" + (f" ({n_text})." if n_text
                                                                else ".")
    notes = [_ci_note()] if "_lo" in df.columns else []
    if df["_p"].isna().any():
        notes.append(NA_NOTE)
    fig, _ax = _bars(df, title=title, subtitle=subtitle, source=source, notes=notes)
    shown = df[df["_p"].notna()]
    alt = [f"Vandret søjlediagram: {_sentence(title)} Andelen af {unit}, der svarer "
           f"{_q(large)}, for {len(df)} behov" + (f" ({n_text})." if n_text else ".")]
    if len(shown):
        first = shown.iloc[0]
        ci = (f", konfidensinterval {_fmt_num(first['_lo'])}–{_fmt_pct(first['_hi'])}"
              if "_lo" in shown.columns and pd.notna(first["_lo"]) else "")
        na_any = bool(df["_p"].isna().any())
        lead = "Blandt behovene med tal er behovet størst" if na_any else "Størst er behovet"
        alt.append(f"{lead} for {_q(first['_lab'])} ({_fmt_pct(first['_p'])}{ci})")
        alt[-1] += f", derefter {_listing(shown.iloc[1:], 2)}." if len(shown) > 1 else "."
        if len(shown) > 3:
            last = shown.iloc[-1]
            alt.append(f"Mindst er behovet for {_q(last['_lab'])} ({_fmt_pct(last['_p'])}).")
    if df["_p"].isna().any():
        alt.append(f"{int(df['_p'].isna().sum())} behov {NA_ALT}.")
    return Chart(fig, " ".join(alt), title)


def _choice_table(table: pd.DataFrame, func: str, group: Any) -> pd.DataFrame:
    df = _one_group(_check(table, func, ["category", "pct"]), func, group)
    if "item" in df.columns and df["item"].nunique() > 1:
        raise SurveyDataError(f"{func}: the table holds several items; plot one at a time",
                              column="item", found=", ".join(map(str, df["item"].unique()[:5])))
    df = df.assign(_lab=df["category"].astype(str), _p=_num(df["pct"]),
                   _miss=_missing_flags(df))
    if {"ci_low", "ci_high"} <= set(df.columns):
        df = df.assign(_lo=_num(df["ci_low"]), _hi=_num(df["ci_high"]))
    return df


def _question(df: pd.DataFrame) -> str:
    return str(_labels(df).iloc[0]) if ("label" in df.columns or "item" in df.columns) else ""


@_styled
def plot_multi(
    multi_table: pd.DataFrame, *, title: str, source: str | None, group: Any = None,
    sort: bool = True, subtitle: str | None = None, unit: str = "foreninger",
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
    func = "plot_multi"
    df = _choice_table(multi_table, func, group)
    opts, mis = df[~df["_miss"]], df[df["_miss"]]
    if opts.empty:
        raise SurveyDataError(f"{func}: the table has no answer options")
    if sort:
        opts = opts.sort_values("_p", ascending=False, kind="stable", na_position="last")
    base = _num(opts["base"]) if "base" in opts.columns else []
    n_text = _base_note(base, unit) if len(base) else ""
    if subtitle is None:
        subtitle = (f"Procent af {unit}, der har besvaret spørgsmålet; flere svar muligt"
                    + (f" ({n_text})." if n_text else "."))
    notes = [_ci_note()] if "_lo" in opts.columns else []
    if opts["_p"].isna().any():
        notes.append(NA_NOTE)
    mis_n = _num(mis["n"]) if "n" in mis.columns else np.array([])
    mis_text = _reason_listing(list(mis["_lab"]), mis_n, _fmt_num, _MULTI_REASON_GLOSS)
    if mis_text:
        notes.append(f"Desuden (antal {unit}): {mis_text}. De indgår ikke i procenterne.")
    fig, _ax = _bars(opts, title=title, subtitle=subtitle, source=source, notes=notes)
    shown = opts[opts["_p"].notna()]
    q = _question(df)
    alt = [f"Vandret søjlediagram: {_sentence(title)} Andelen af {unit}, der har valgt hver af "
           f"{len(opts)} svarmuligheder" + (f" på spørgsmålet {_q(q)}" if q else "")
           + f" (flere svar muligt{'; ' + n_text if n_text else ''})."]
    ranked = shown.sort_values("_p", ascending=False, kind="stable")
    if len(ranked):
        lead = ("Blandt svarmulighederne med tal har flest valgt" if len(ranked) < len(opts)
                else "Flest har valgt")
        alt.append(f"{lead} {_listing(ranked)}.")
    zero = list(shown.loc[shown["_p"] == 0, "_lab"])
    if zero:
        alt.append(f"Ingen har valgt {_join([_q(z) for z in zero], 'eller')}.")
    if len(ranked) < len(opts):
        alt.append(f"{len(opts) - len(ranked)} svarmuligheder {NA_ALT}.")
    if mis_text:
        alt.append(f"Desuden (antal {unit}, som ikke indgår i procenterne): {mis_text}.")
    return Chart(fig, " ".join(alt), title)


@_styled
def plot_frequencies(
    freq_table: pd.DataFrame, *, title: str, source: str | None, group: Any = None,
    sort: bool = False, show_missing: bool = True, subtitle: str | None = None,
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
    func = "plot_frequencies"
    df = _choice_table(freq_table, func, group)
    subs, mis = df[~df["_miss"]], df[df["_miss"]]
    if subs.empty:
        raise SurveyDataError(f"{func}: the table has no substantive categories")
    if sort:
        subs = subs.sort_values("_p", ascending=False, kind="stable", na_position="last")
    base = _num(subs["base"]) if "base" in subs.columns else []
    n_text = _base_note(base, unit) if len(base) else ""
    if subtitle is None:
        subtitle = (f"Procent af {unit}, der har svaret" + (f" ({n_text})." if n_text else "."))
    notes = [_ci_note()] if "_lo" in subs.columns else []
    if subs["_p"].isna().any():
        notes.append(NA_NOTE)
    mis = mis[mis["_p"].isna() | (mis["_p"] > 0)] if show_missing else mis.iloc[:0]
    if len(mis):
        mb = _num(mis["base"]) if "base" in mis.columns else []
        notes.append("Grå: procent af alle adspurgte"
                     + (f" (n = {_fmt_range(mb)})" if len(mb) else "") + ", der ikke gav et "
                     "indholdsmæssigt svar.")
    fig, _ax = _bars(subs, title=title, subtitle=subtitle, source=source, notes=notes,
                     extra_rows=mis)
    q = _question(df)
    shown = subs[subs["_p"].notna()].sort_values("_p", ascending=False, kind="stable")
    alt = [f"Vandret søjlediagram: {_sentence(title)} Svarfordelingen"
           + (f" på {_q(q)}" if q else "") + f" med {len(subs)} svarmuligheder"
           + (f" ({n_text})." if n_text else ".")]
    if len(shown):
        first = shown.iloc[0]
        lead = "Blandt svarene med tal svarer flest" if len(shown) < len(subs) else "Flest svarer"
        alt.append(f"{lead} {_q(first['_lab'])} ({_fmt_pct(first['_p'])})")
        alt[-1] += f", derefter {_listing(shown.iloc[1:], 2)}." if len(shown) > 1 else "."
    given = _reason_listing(list(mis["_lab"]), mis["_p"].to_numpy(dtype=float), _fmt_pct)
    if given:
        alt.append(f"Desuden (andel af alle adspurgte): {given}.")
    if len(shown) < len(subs):
        alt.append(f"{len(subs) - len(shown)} svarmuligheder {NA_ALT}.")
    return Chart(fig, " ".join(alt), title)


# --------------------------------------------------------------------------- heat map


@_styled
def plot_needs_heatmap(
    ranking_by_group: pd.DataFrame, *, title: str, source: str | None, by: str | None = None,
    min_base: int = SUPPRESSION_K, large: str = "I høj grad", subtitle: str | None = None,
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
                f"{func}: cannot tell the group column; pass by=", expected="one group column",
                found=", ".join(map(str, cands)) or "none")
        by = cands[0]
    elif by not in df.columns:
        raise SurveyDataError(f"{func}: group column {by!r} is not in the table", column=by)
    df = df[df[by].notna()]
    key = df["item"].astype(str) if "item" in df.columns else _labels(df)
    df = df.assign(_k=key, _lab=_labels(df), _g=df[by].astype(str), _p=_num(df["pct"]),
                   _b=_num(df["base"]) if "base" in df.columns else np.nan)
    small = df["_b"] < min_base
    df["_p"] = df["_p"].where(~small, np.nan)
    if isinstance(ranking_by_group[by].dtype, pd.CategoricalDtype):
        groups = [str(c) for c in ranking_by_group[by].cat.categories]
    else:
        groups = list(dict.fromkeys(df["_g"]))
    total = TOTAL_LABEL if TOTAL_LABEL in groups else None
    if total:
        groups = [total] + [g for g in groups if g != total]
    grid = df.pivot_table(index="_k", columns="_g", values="_p", aggfunc="first",
                          dropna=False).reindex(columns=groups)
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
    notes = [f"{NA_TEXT} (skraveret): ingen tal, fordi gruppen har færre end {min_base} svar, "
             "eller fordi tallet er skjult af hensyn til fortroligheden."] if suppressed else []
    row_labels = [_wrap(labels[r], 30) for r in rows]
    col_labels = [_wrap(g, 15) + (f"\nn = {_fmt_num(n_by_group.get(g))}"
                                  if pd.notna(n_by_group.get(g, np.nan)) else "")
                  for g in groups]
    width = min(11.0, max(WIDTH, 2.4 + 0.95 * len(groups)))
    fig = _figure(len(rows), title=title, subtitle=subtitle, source=source, notes=notes,
                  row_height=max(0.36, 0.14 * _lines(row_labels) + 0.1),
                  extra=0.3 + 0.13 * _lines(col_labels), width=width)
    ax = fig.subplots()
    xs = [j + (0.25 if total and j > 0 else 0.0) for j in range(len(groups))]
    gap = 0.015
    for i in range(len(rows)):
        for j, x in enumerate(xs):
            v = vals[i, j]
            cell = (x - 0.5 + gap, i - 0.5 + gap)  # inset cells: white gaps, no edge lines
            if np.isnan(v):  # hatched, no number (the hatch takes the edge colour)
                ax.add_patch(Rectangle(cell, 1 - 2 * gap, 1 - 2 * gap, hatch="////",
                                       facecolor=SUPPRESSED_FILL, edgecolor=SUPPRESSED_HATCH,
                                       linewidth=0))
                ax.text(x, i, NA_TEXT, ha="center", va="center", fontsize=9, color=MUTED)
            else:
                col = cmap(0.08 + 0.85 * min(v, vmax) / vmax)
                ax.add_patch(Rectangle(cell, 1 - 2 * gap, 1 - 2 * gap, facecolor=col,
                                       linewidth=0))
                ax.text(x, i, _fmt_pct(v), ha="center", va="center", fontsize=8,
                        color=text_color_on(col),
                        fontweight="bold" if total and j == 0 else "normal")
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
    alt = [f"Varmekort: {_sentence(title)} Tabellen viser for {len(rows)} behov (rækker) og "
           f"{len(grp_cells.columns)} grupper (kolonner) andelen af {unit}, der svarer "
           f"{_q(large)}; mørkere farve betyder større andel."]
    if total and cells[total].notna().any():
        best = cells[total].idxmax()
        among = " blandt behovene med tal" if cells[total].isna().any() else ""
        alt.append(f"Samlet er behovet{among} størst for {_q(labels[best])} "
                   f"({_fmt_pct(cells.loc[best, total])}).")
    stacked = grp_cells.stack().dropna()
    if len(stacked):
        (r, g), v = stacked.idxmax(), stacked.max()
        among = "blandt cellerne med tal " if suppressed else ""
        alt.append(f"Den højeste andel i en gruppe {among}er {_q(labels[r])} blandt {_q(g)} "
                   f"({_fmt_pct(v)}).")
    if suppressed:
        alt.append(f"{suppressed} {'celle' if suppressed == 1 else 'celler'} {NA_ALT}.")
    return Chart(fig, " ".join(alt), title)


# --------------------------------------------------------------------------- waves


_P_COLUMNS = ("p_adj", "p_holm", "p_fdr", "p_bh", "p_value", "p")
#: Corrections for multiple testing (:func:`fslt_survey.inference.adjust_pvalues` methods).
_ADJUSTMENTS = {"fdr_bh": "Benjamini–Hochberg-korrektion", "holm": "Holm-korrektion",
                "bonferroni": "Bonferroni-korrektion"}
#: The correction an adjusted p column holds unless ``adjustment=`` says otherwise
#: (``p_adj``: the default of ``adjust_pvalues``, Benjamini-Hochberg).
_ADJUSTED_COLUMNS = {"p_adj": "fdr_bh", "p_fdr": "fdr_bh", "p_bh": "fdr_bh", "p_holm": "holm"}


def _wave_rows(df: pd.DataFrame, func: str, measure: str | None, category: str | None
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
        raise SurveyDataError(f"{func}: no rows left for measure={measure!r}, "
                              f"category={category!r}")
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
                "measure='top2'", column="item", found=", ".join(key[key.duplicated()][:3]))
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
            f"{func}: cannot find the two waves' shares", found=", ".join(cols),
            expected="pct_from/pct_to (fslt_survey.waves.compare_waves) or pct_<year> columns")
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


@_styled
def plot_dumbbell(
    wave_comparison: pd.DataFrame, *, title: str, source: str | None, alpha: float = 0.05,
    measure: str | None = None, category: str | None = None, subtitle: str | None = None,
    unit: str = "foreninger", adjustment: str | None = "auto",
) -> Chart:
    """Dumbbell chart: each item's share in the first and the second wave, changes marked.

    Parameters
    ----------
    wave_comparison
        :func:`fslt_survey.waves.compare_waves` (one or several items concatenated):
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
        :func:`~fslt_survey.inference.adjust_pvalues`), Holm for ``p_holm``, none for ``p``,
        ``p_value`` and a ``significant`` flag. ``None``: no correction is named.
    """
    func = "plot_dumbbell"
    if adjustment is not None and adjustment != "auto" and adjustment not in _ADJUSTMENTS:
        raise SurveyDataError(f"{func}: unknown adjustment", found=str(adjustment),
                              expected="auto, None, " + ", ".join(_ADJUSTMENTS))
    df = _check(wave_comparison, func, [])
    if "item" not in df.columns and "label" not in df.columns:
        raise SurveyDataError(f"{func}: the table needs an item or label column")
    rows, shown = _wave_rows(df, func, measure, category)
    w, wa, wb = _wave_frame(rows, func)
    if "_sig" not in w.columns:
        w["_sig"] = np.nan_to_num(w["_pv"].to_numpy(dtype=float), nan=1.0) < alpha
    w = w.sort_values("_b", ascending=False, kind="stable", na_position="last")
    w = w.reset_index(drop=True)
    y = np.arange(len(w))
    na_text = _fmt_range(w["_na"]) if w["_na"].notna().any() else None
    nb_text = _fmt_range(w["_nb"]) if w["_nb"].notna().any() else None
    n_text = (f"n = {na_text} {unit} i {wa} og {nb_text} i {wb}" if na_text and nb_text
              else "")
    tested = bool(w["_tested"].any())
    if adjustment == "auto":
        pcol = next((c for c in _P_COLUMNS if c in rows.columns), None)
        adjustment = None if "significant" in rows.columns else _ADJUSTED_COLUMNS.get(str(pcol))
    a_txt = _fmt_num(alpha, 2 if alpha < 0.1 else 1)
    # the legend is short ("korrigeret p < 0,05"); subtitle, note and alt text name the method
    leg_txt = f"korrigeret p < {a_txt}" if tested and adjustment else f"p < {a_txt}"
    a_txt += f" efter {_ADJUSTMENTS[adjustment]}" if tested and adjustment else ""
    if subtitle is None:
        what = (f"Andel, der svarer {_join([_q(c) for c in shown.split(' + ')], 'eller')}, "
                if shown else "Procent ")
        subtitle = f"{what}i {wa} og {wb}" + (f" ({n_text})." if n_text else ".")
        if tested:
            subtitle += f" Statistisk signifikante ændringer (p < {a_txt}) er fremhævet."
    notes = [f"Tallet til højre er ændringen i procentpoint; * = signifikant (p < {a_txt})."
             if tested else "Tallet til højre er ændringen i procentpoint."]
    if w[["_a", "_b"]].isna().to_numpy().any():
        notes.append(NA_NOTE)
    handles = [Line2D([], [], marker="o", linestyle="", markerfacecolor="white",
                      markeredgecolor=EARLY, markeredgewidth=1.6, markersize=7, label=wa),
               Line2D([], [], marker="o", linestyle="", color=BAR, markersize=7, label=wb)]
    if tested:
        handles.append(Line2D([], [], color=HIGHLIGHT, linewidth=2.6,
                              label=f"Signifikant ændring ({leg_txt})"))
    fig = _figure(len(w), title=title, subtitle=subtitle, source=source, notes=notes,
                  row_height=0.36, extra=0.9, legend=handles)
    ax = fig.subplots()
    hi = np.nanmax(w[["_a", "_b"]].to_numpy(dtype=float)) if w[["_a", "_b"]].notna().any(
        axis=None) else 0
    lim = _nice_max(float(hi) + 3, 20)
    for yi, r in zip(y, w.to_dict("records"), strict=True):
        if pd.notna(r['_a']) and pd.notna(r['_b']):
            ax.plot([r['_a'], r['_b']], [yi, yi], color=HIGHLIGHT if r['_sig'] else "#BDBDBD",
                    linewidth=2.6 if r['_sig'] else 2.0, zorder=2, solid_capstyle="butt")
        if pd.isna(r['_a']) and pd.isna(r['_b']):
            ax.text(lim * 0.01, yi, NA_TEXT, va="center", fontsize=10, color=MUTED)
        d = _fmt_num(r['_d'], sign=True) + ("*" if r['_sig'] else "")
        ax.annotate(d, (1.02, yi), xycoords=("axes fraction", "data"), va="center",
                    ha="left", fontsize=8, color=HIGHLIGHT_TEXT if r['_sig'] else TEXT,
                    fontweight="bold" if r['_sig'] else "normal")
    ax.scatter(w["_a"], y, s=42, facecolor="white", edgecolor=EARLY, linewidth=1.6, zorder=3,
               label=wa, clip_on=False)
    ax.scatter(w["_b"], y, s=42, color=BAR, zorder=4, label=wb, clip_on=False)
    ax.annotate("Ændring", (1.02, -0.75), xycoords=("axes fraction", "data"), ha="left",
                va="bottom", fontsize=7.5, color=MUTED)
    ax.set_xlim(-lim * 0.03, lim)
    ax.spines["bottom"].set_bounds(0, lim)
    ax.tick_params(axis="y", pad=4)
    _pct_axis(ax.xaxis)
    ax.grid(axis="x", color=GRID, linewidth=0.6, zorder=0)
    ax.set_axisbelow(True)
    ax.set_yticks(y, [_wrap(s, 30) for s in w["_lab"]])
    ax.set_ylim(len(w) - 0.5, -0.5)
    ax.spines[["left"]].set_visible(False)
    # alt text
    share = (f"andelen, der svarer {_join([_q(c) for c in shown.split(' + ')], 'eller')},"
             if shown else "andelen")
    alt = [f"Prikdiagram (dumbbell): {_sentence(title)} Diagrammet viser {share} i {wa} og "
           f"{wb} for {len(w)} emner" + (f" ({n_text})." if n_text else ".")]
    ch = w[w["_d"].notna()]

    def change(r: Any) -> str:
        sig = ""
        if tested:
            sig = ", statistisk signifikant" if r['_sig'] else ", ikke statistisk signifikant"
        return (f"{_q(r['_lab'])} fra {_fmt_pct(r['_a'])} til {_fmt_pct(r['_b'])} "
                f"({_fmt_num(r['_d'], sign=True)} procentpoint{sig})")

    if len(ch):
        up, down = ch.loc[ch["_d"].idxmax()], ch.loc[ch["_d"].idxmin()]
        if up["_d"] > 0:
            alt.append(f"Største stigning: {change(up)}.")
        if down["_d"] < 0:
            alt.append(f"Største fald: {change(down)}.")
        if not (up["_d"] > 0 or down["_d"] < 0):
            alt.append("Ingen af andelene har ændret sig.")
    if tested:
        k = int(w["_sig"].sum())
        alt.append(f"{k} af {len(w)} ændringer er statistisk signifikante (p < {a_txt}).")
    return Chart(fig, " ".join(alt), title)
