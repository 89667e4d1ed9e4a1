"""Danish wording for charts and alt texts: numbers, percentages, ranges, quotes, lists.

Numbers follow :mod:`fslt_survey.tables` (decimal comma, ``.`` as thousands separator, ``41 %``
with a no-break space, half rounds up), with a true minus sign; NA becomes ".." (hidden).
"""

from __future__ import annotations

import functools
import os
import textwrap
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.font_manager import FontProperties, findfont
from matplotlib.ft2font import FT2Font, LoadFlags

from fslt_survey.config import CONFIDENCE
from fslt_survey.tables import HIDDEN_SYMBOL, NBSP, format_number

MINUS = "\u2212"
NA_TEXT = HIDDEN_SYMBOL  # the release's symbol for a hidden figure


def _fmt_num(x: Any, decimals: int = 0, *, sign: bool = False) -> str:
    """:func:`~fslt_survey.tables.format_number` with a true minus sign (and ``+`` if asked).

    >>> _fmt_num(-2.5, sign=True), _fmt_num(1234.56, 1), _fmt_num(None)
    ('−3', '1.234,6', '–')
    """
    text = str(format_number(x, decimals, na=NA_TEXT))
    if text.startswith((MINUS, "-")):
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
    return _join(
        [f"{_q(lab)} ({_fmt_pct(p)})" for lab, p in zip(top["_lab"], top["_p"], strict=True)]
    )


#: What a typed-missing reason means for the reader, written after it where counts are listed.
#: Only for multi-select charts: there "Ikke relevant" comes from skip logic, whereas a scale may
#: offer "Ikke relevant" as an answer of its own (``grad``), which is not "skipped".
_MULTI_REASON_GLOSS = {"Ikke relevant": "sprunget over"}


def _reason_listing(
    labels: Sequence[str], values: Sequence[Any], fmt: Any, gloss: dict[str, str] | None = None
) -> str:
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
        if v is not None and np.isfinite(float(v)) and float(v) > 0
    )


def _wrap(text: str, width: int) -> str:
    lines = textwrap.wrap(str(text), width, break_long_words=False)
    return "\n".join(lines) or str(text)


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The width in points of one line of ``text`` at ``size`` points in the house font: the sum
    of its glyphs' unhinted advances (as a browser or PDF viewer sets them; kerning left out,
    under one per cent). Measured, not estimated: a bold title or a long word is as wide as it
    is. Each glyph is read once, so measuring costs microseconds."""
    return size * sum(_advance(ch, bold) for ch in str(text))


@functools.cache
def _advance(char: str, bold: bool) -> float:
    """One glyph's advance per point of font size."""
    glyph = _font(bold).load_char(ord(char), flags=LoadFlags.NO_HINTING)
    return glyph.linearHoriAdvance / 65536 / 100


@functools.cache
def _font(bold: bool) -> FT2Font:
    """A font object of our own, set once to 100 pt at 72 dpi (matplotlib's shared ones are
    resized by its renderers for every text they measure).

    A font object reads its glyphs from the font file as they are needed, through a file it
    keeps open. A process forked from one that had the object (the render's kernels, forked
    from a server that drew a chart to warm up) would share that open file, and with it the
    file's read position, with its parent and siblings: two kernels loading glyphs at the same
    moment read each other's bytes, and a render failed now and then ("charcode loading
    failed: too many hints", "invalid outline"). So a forked process opens its own (below),
    as matplotlib does for its font cache."""
    font = FT2Font(findfont(FontProperties(weight="bold" if bold else "normal")))
    font.set_size(100, 72)
    return font


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_font.cache_clear)


def fit_lines(text: str, width: float, size: float, bold: bool = False) -> str:
    """``text`` wrapped at spaces so that each line is at most ``width`` points wide at ``size``
    (a single word wider than that stands alone on its line). A twentieth is kept in hand:
    matplotlib lays text out hinted at the figure's dpi, a few per cent wider than the
    unhinted :func:`text_width` a browser or PDF viewer draws."""
    width *= 0.95
    out: list[str] = []
    for paragraph in str(text).split("\n"):
        line = ""
        for word in paragraph.split(" "):
            trial = f"{line} {word}" if line else word
            if line and text_width(trial, size, bold) > width:
                out.append(line)
                line = word
            else:
                line = trial
        out.append(line)
    return "\n".join(out)


def _base_note(bases: Sequence[Any], unit: str) -> str:
    return f"n = {_fmt_range(bases)} {unit}"
