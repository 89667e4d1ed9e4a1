"""The media a chart is drawn for (print, a desktop screen, a phone) and their font sizes.

:data:`FONT` reads the font sizes of the medium being drawn for, so the ``plot_*`` modules
write ``FONT.note`` and get the print size by default and the screen sizes inside
:func:`drawn_for`. Re-exported by :mod:`fslt_survey.plots.style`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

WIDTH = 7.5  # inches: the text width of the reports


@dataclass(frozen=True)
class FontSizes:
    """Every font size of the charts, in points: the one place to change them."""

    title: float = 12  # the chart title (bold)
    body: float = 9  # default text and the subtitle
    axis_title: float = 8.5  # axes titles and y tick labels (the item labels)
    note: float = 8  # x tick labels, legend, small panel titles
    small: float = 7.5  # numbers in and beside bars, notes and source line
    dash: float = 10  # the ".." drawn for a suppressed value


@dataclass(frozen=True)
class Medium:
    """Where a chart is shown: its width (inches), its font sizes and how its labels wrap.

    A chart is drawn for one medium at a time (:func:`drawn_for`); :data:`PRINT` is the default
    and what ``Chart.save`` writes for the PDFs. The two screen media are drawn so that, shown
    at their natural size (1 pt = 4/3 CSS px), no text is smaller than 12 px: :data:`SCREEN`
    for a desktop column (720 px) and :data:`PHONE` for a phone (355 px, the text column of a
    390 px screen).
    """

    name: str
    width: float
    fonts: FontSizes
    wrap: float = 1.0  # characters per line of an axis label, relative to print
    row: float = 1.0  # row height, relative to print


PRINT = Medium("print", WIDTH, FontSizes())
SCREEN = Medium(
    "screen",
    WIDTH,
    FontSizes(title=13.5, body=10.5, axis_title=10, note=9.5, small=9.25, dash=11),
    wrap=0.85,
    row=1.2,
)
PHONE = Medium(
    "phone",
    3.7,
    FontSizes(title=12, body=9.75, axis_title=9.5, note=9.25, small=9.25, dash=10.5),
    wrap=0.55,
    row=1.45,
)
_MEDIUM: ContextVar[Medium] = ContextVar("fslt_chart_medium", default=PRINT)


def current_medium() -> Medium:
    """The medium the chart being drawn is for (:data:`PRINT` unless :func:`drawn_for`)."""
    return _MEDIUM.get()


@contextmanager
def drawn_for(medium: Medium) -> Iterator[Medium]:
    """Draw the charts made inside the block for ``medium``."""
    token = _MEDIUM.set(medium)
    try:
        yield medium
    finally:
        _MEDIUM.reset(token)


class _CurrentFonts:
    """:data:`FONT`: the font sizes of the medium being drawn for (``FONT.note`` etc.)."""

    def __getattr__(self, name: str) -> float:
        return getattr(_MEDIUM.get().fonts, name)

    def __repr__(self) -> str:
        return f"FONT({_MEDIUM.get().fonts!r})"


FONT: Any = _CurrentFonts()


def _chars(n: int) -> int:
    """``n`` characters per line of an axis label in print, for the current medium."""
    return max(10, round(n * _MEDIUM.get().wrap))
