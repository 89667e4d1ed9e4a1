"""The house style of the figures, shared by the ``plot_*`` modules.

Holds the palette and rcParams (:data:`STYLE`), every font size (:data:`FONT`) and the sizes of
the scaffolding around the axes (:data:`LAYOUT`) -- the one place to change how big things are
--, the contrast helpers (:func:`contrast_ratio`, :func:`text_color_on`), the :class:`Chart`
returned by every ``plot_*`` function and the figure scaffolding (title, subtitle, legend,
notes and source line: :func:`_figure`). The Danish wording helpers live in
:mod:`fslt_survey.plots._text`, the input checks in :mod:`fslt_survey.plots._input`; both are
re-exported here for the chart modules.

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
* NA in ``pct`` (a suppressed or empty cell) is never drawn as a number: it shows as "..".

The package :mod:`fslt_survey.plots` re-exports the public names.
"""

from __future__ import annotations

import dataclasses
import functools
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator

from fslt_survey.errors import SurveyDataError
from fslt_survey.plots._input import (  # noqa: F401 - read as style._check etc.
    _check,
    _group_columns,
    _labels,
    _missing_flags,
    _num,
    _one_group,
)
from fslt_survey.plots._layout import BACKEND, place_axes, set_body
from fslt_survey.plots._medium import (  # noqa: F401 - re-exported
    _MEDIUM,
    FONT,
    PHONE,
    PRINT,
    SCREEN,
    WIDTH,
    FontSizes,
    Medium,
    _chars,
    current_medium,
    drawn_for,
)
from fslt_survey.plots._svg import compact_svg, draws_data
from fslt_survey.plots._text import (  # noqa: F401 - the wording helpers, read as style._fmt_pct
    _MULTI_REASON_GLOSS,
    MINUS,
    NA_TEXT,
    _base_note,
    _conf_text,
    _fmt_num,
    _fmt_pct,
    _fmt_range,
    _join,
    _listing,
    _q,
    _reason_listing,
    _sentence,
    _wrap,
    fit_lines,
    text_width,
)

__all__ = [
    "BAR",
    "EARLY",
    "FONT",
    "GRID",
    "HASHSALT",
    "HIGHLIGHT",
    "HIGHLIGHT_TEXT",
    "LAYOUT",
    "MINUS",
    "MISSING_BAR",
    "MUTED",
    "NA_ALT",
    "NA_NOTE",
    "NA_TEXT",
    "NEUTRAL",
    "PHONE",
    "PRINT",
    "SCREEN",
    "STYLE",
    "SUPPRESSED_FILL",
    "SUPPRESSED_HATCH",
    "TEXT",
    "WIDTH",
    "Chart",
    "FontSizes",
    "Layout",
    "Medium",
    "contrast_ratio",
    "current_medium",
    "drawn_for",
    "fit_lines",
    "text_color_on",
    "text_width",
]

# --------------------------------------------------------------------------- style

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


@dataclass(frozen=True)
class Layout:
    """The scaffolding around the axes, in inches (see :func:`_figure`)."""

    pad: float = 0.14  # margin on every side
    title_line: float = 0.23  # height per line of the title
    subtitle_line: float = 0.18  # per line of the subtitle
    legend_line: float = 0.2  # per row of the legend
    foot_line: float = 0.15  # per line of notes and source
    marker: float = 7  # dumbbell dots in the legend (points)
    dot_area: float = 42  # dumbbell dots on the chart (points², as scatter takes them)


LAYOUT = Layout()


STYLE: dict[str, Any] = {
    "font.family": "sans-serif",
    # matplotlib lays the text out in DejaVu Sans (it ships with it); the SVGs keep their text
    # as text (searchable, selectable, a quarter of the size) and name this stack, so a
    # browser without DejaVu Sans uses a close sans-serif, and Typst is given DejaVu Sans
    "font.sans-serif": ["DejaVu Sans", "Verdana", "Arial", "Helvetica"],
    "font.size": FONT.body,
    "text.color": TEXT,
    "axes.labelcolor": TEXT,
    "axes.edgecolor": "#8C8C8C",
    "axes.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.unicode_minus": True,
    "axes.titlesize": FONT.axis_title,
    "axes.titlecolor": MUTED,
    "xtick.color": "#8C8C8C",
    "xtick.labelcolor": MUTED,
    "xtick.labelsize": FONT.note,
    "ytick.labelcolor": TEXT,
    "ytick.labelsize": FONT.axis_title,
    "ytick.major.size": 0,
    "legend.frameon": False,
    "legend.fontsize": FONT.note,
    "hatch.linewidth": 0.7,
    "svg.hashsalt": HASHSALT,
    "svg.fonttype": "none",
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
}


def _rc(medium: Medium) -> dict[str, Any]:
    """:data:`STYLE` with the font sizes of ``medium``."""
    f = medium.fonts
    return {
        **STYLE,
        "font.size": f.body,
        "axes.titlesize": f.axis_title,
        "xtick.labelsize": f.note,
        "ytick.labelsize": f.axis_title,
        "legend.fontsize": f.note,
    }


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
    medium: str = "print"
    recipe: Callable[[], Chart] | None = dataclasses.field(default=None, compare=False, repr=False)

    @property
    def empty(self) -> bool:
        """True when the chart draws no number: no bar, cell or mark of any size, no line
        with a point (e.g. every value hidden). Such a chart is replaced by a sentence
        (:func:`fslt_survey.publish.figure`), never published blank (issue 18)."""
        return not any(draws_data(ax) for ax in self.fig.axes)

    def drawn_for(self, medium: Medium) -> Chart:
        """The same chart drawn for ``medium`` (itself when it already is).

        Every ``plot_*`` function records how it was called (``recipe``), so a chart made for
        print can be redrawn for a phone; a chart built by hand has no recipe and is returned
        as it is.
        """
        if medium.name == self.medium or self.recipe is None:
            return self
        with drawn_for(medium):
            return self.recipe()

    def save(
        self, path_stem: str | Path, *, formats: Sequence[str] = ("svg",), dpi: int = 150
    ) -> list[Path]:
        """Write ``<stem>.svg`` (and ``<stem>.png`` when ``formats`` asks for it; parents
        created); returns the paths. SVG is the one format the pages need: HTML shows it and
        Typst embeds it in the PDF, so a PNG is written only on request.

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
            with mpl.rc_context(
                {
                    "svg.hashsalt": HASHSALT,
                    "svg.id": "fslt-chart",
                    "svg.fonttype": "none",
                    "font.sans-serif": STYLE["font.sans-serif"],  # the stack the SVG names
                }
            ):
                if fmt == "svg":  # coordinates to 0.01 pt: the same drawing, a third smaller
                    buf = io.BytesIO()
                    self.fig.savefig(buf, format=fmt, dpi=dpi, metadata=meta, backend=BACKEND)
                    path.write_text(compact_svg(buf.getvalue().decode("utf-8")), encoding="utf-8")
                else:
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
        medium = _MEDIUM.get()
        with mpl.rc_context(_rc(medium)):
            chart = func(*args, **kwargs)
            if isinstance(chart, Chart):
                place_axes(chart.fig)
        if isinstance(chart, Chart):
            recipe = functools.partial(wrapper, *args, **kwargs)
            chart = dataclasses.replace(chart, medium=medium.name, recipe=recipe)
        return chart

    return wrapper


def _lines(labels: Sequence[str]) -> int:
    return max((str(s).count("\n") + 1 for s in labels), default=1)


@dataclass
class _Frame:
    """The texts around the axes, wrapped, and the heights they take (inches)."""

    title: str
    subtitle: str
    foot: list[str]
    ncol: int
    t_h: float
    s_h: float
    head_h: float
    foot_h: float


def _frame(
    title: str, subtitle: str, source: str | None, notes: Sequence[str], width: float, legend: Any
) -> _Frame:
    pad = LAYOUT.pad
    now, base = _MEDIUM.get().fonts, PRINT.fonts
    line = (width - 2 * pad) * 72  # points: texts are wrapped by their measured width
    t_lines = fit_lines(title, line, now.title, bold=True)
    s_lines = fit_lines(subtitle, line, now.body) if subtitle else ""
    foot = [fit_lines(n, line, now.small) for n in notes if n]
    if source:
        foot.append(fit_lines(source, line, now.small))
    ncol, leg_rows = len(legend), 0
    if legend:  # as many columns as fit the width
        entry = max(len(h.get_label()) for h in legend) * FONT.note * 0.58 / 72 + 0.45
        ncol = max(1, min(len(legend), int((width - 2 * pad) // entry)))
        leg_rows = -(-len(legend) // ncol)
    t_h = _lines([t_lines]) * LAYOUT.title_line * (now.title / base.title)
    s_h = (
        _lines([s_lines]) * LAYOUT.subtitle_line * (now.body / base.body) + 0.04 if s_lines else 0.0
    )
    head_h = pad + t_h + s_h + leg_rows * LAYOUT.legend_line * (now.note / base.note) + 0.1
    foot_lines = sum(f.count("\n") + 1 for f in foot)
    foot_h = pad + foot_lines * LAYOUT.foot_line * (now.small / base.small) + (0.08 if foot else 0)
    return _Frame(t_lines, s_lines, foot, ncol, t_h, s_h, head_h, foot_h)


def _figure(
    rows: float,
    *,
    title: str,
    subtitle: str,
    source: str | None,
    notes: Sequence[str] = (),
    row_height: float = 0.36,
    extra: float = 0.75,
    width: float | None = None,
    legend: Sequence[Any] = (),
) -> Figure:
    """A figure whose body grows with ``rows``: title, subtitle, legend on top, notes and
    source at the bottom, the axes laid out in between (by ``_layout.place_axes`` when the chart
    is built). ``width`` defaults to
    the medium's; the rows grow with its font sizes."""
    pad = LAYOUT.pad
    medium = _MEDIUM.get()
    width = medium.width if width is None else width
    row_height *= medium.row
    f = _frame(title, subtitle, source, notes, width, legend)
    body_h = max(1.5, rows * row_height + extra)
    height = f.head_h + body_h + f.foot_h
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    # the axes are placed in the body when the chart is built (_styled -> place_axes)
    set_body(fig, (0.0, f.foot_h, width - pad, f.foot_h + body_h), w_pad=0.06, h_pad=0.04)
    _draw_frame(fig, f, legend, pad / width, 1 - pad / height, height)
    fig.text(
        pad / width,
        pad / height,
        "\n".join(f.foot),
        ha="left",
        va="bottom",
        fontsize=FONT.small,
        color=MUTED,
        linespacing=1.3,
    )
    return fig


def _draw_frame(
    fig: Figure, f: _Frame, legend: Sequence[Any], x0: float, y: float, height: float
) -> None:
    """Title, subtitle and legend from the top-left corner (``x0``, ``y``) down."""
    fig.text(
        x0,
        y,
        f.title,
        ha="left",
        va="top",
        fontsize=FONT.title,
        fontweight="bold",
        color=TEXT,
        linespacing=1.15,
    )
    if f.subtitle:
        fig.text(
            x0,
            y - (f.t_h + 0.04) / height,
            f.subtitle,
            ha="left",
            va="top",
            fontsize=FONT.body,
            color=MUTED,
            linespacing=1.25,
        )
    if legend:
        fig.legend(
            handles=list(legend),
            loc="upper left",
            ncol=f.ncol,
            handlelength=1.3,
            columnspacing=1.4,
            handletextpad=0.5,
            borderaxespad=0,
            borderpad=0,
            bbox_to_anchor=(x0, y - (f.t_h + f.s_h + 0.06) / height),
            bbox_transform=fig.transFigure,
        )


def _na_dash(ax: Any, x: float, y: float) -> None:
    """The ".." drawn where a value is hidden (suppressed or missing), left-aligned at ``x``."""
    ax.text(x, y, NA_TEXT, va="center", fontsize=FONT.dash, color=MUTED)


def _pct_axis(axis: Any, *, absolute: bool = False, step: float | None = None) -> None:
    """A percentage axis; on a phone with half as many ticks (their labels would touch)."""
    phone = _MEDIUM.get().name == "phone"
    if step is None:
        axis.set_major_locator(MaxNLocator(nbins=3 if phone else 6, steps=[1, 2, 2.5, 5, 10]))
    else:
        if phone:  # the widest of the usual steps that still leaves a tick each side of zero
            reach = max(abs(v) for v in axis.get_view_interval())
            step = max((s for s in (step, 10, 20, 25, 50, 100) if s <= reach), default=step)
        axis.set_major_locator(MultipleLocator(step))
    axis.set_major_formatter(
        FuncFormatter(lambda v, _: _fmt_pct(abs(v) if absolute else v, 0 if v % 1 == 0 else 1))
    )


def _nice_max(value: float, floor: float = 10.0) -> float:
    if not np.isfinite(value) or value <= 0:
        return floor
    step = 5 if value <= 20 else 10
    return float(min(100.0, max(floor, np.ceil(value / step) * step)))
