"""Figures for reports: matplotlib charts in one house style, each with a Danish alt text.

Every ``plot_*`` function takes a tidy table from :mod:`fslt_survey.stats` (or the same columns
built by hand), never modifies it, and returns a :class:`Chart`: the matplotlib ``Figure`` and a
Danish alt text that says what the chart *shows* (chart type, n, main findings with Danish number
formatting), ready for ``fig-alt`` in the reports. ``Chart.save(stem)`` writes ``stem.svg`` (and
``stem.png``, 150 dpi, when asked with ``formats``); the SVG is byte-for-byte reproducible.
Figures are built on the Agg canvas directly, without pyplot, so importing this package never
changes the user's backend.

Where things are (new chart types go in a module of their own, built from these pieces):

* ``style`` -- palette, rcParams, font sizes (``FONT``) and layout sizes (``LAYOUT``),
  :class:`Chart`, the figure scaffolding; ``_text`` -- Danish wording of numbers and alt texts;
  ``_input`` -- checks of the input tables; ``_layout`` -- the axes placed once when a chart
  is built, and the SVG writer that draws it once; ``_svg`` -- the written SVG compacted.
* ``bars`` -- :func:`plot_ranked_needs`, :func:`plot_multi`, :func:`plot_frequencies`;
  ``likert`` -- :func:`plot_likert`; ``heatmap`` -- :func:`plot_needs_heatmap`;
  ``compare`` -- :func:`plot_dumbbell`.

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

from fslt_survey.plots.bars import (
    plot_frequencies,
    plot_multi,
    plot_ranked_needs,
)
from fslt_survey.plots.compare import plot_dumbbell
from fslt_survey.plots.heatmap import plot_needs_heatmap
from fslt_survey.plots.likert import (
    plot_likert,
)
from fslt_survey.plots.style import (
    BAR,
    EARLY,
    GRID,
    HASHSALT,
    HIGHLIGHT,
    HIGHLIGHT_TEXT,
    MINUS,
    MISSING_BAR,
    MUTED,
    NA_ALT,
    NA_NOTE,
    NA_TEXT,
    NEUTRAL,
    PHONE,
    PRINT,
    SCREEN,
    STYLE,
    SUPPRESSED_FILL,
    SUPPRESSED_HATCH,
    TEXT,
    WIDTH,
    Chart,
    contrast_ratio,
    text_color_on,
)

__all__ = [
    "BAR",
    "EARLY",
    "GRID",
    "HASHSALT",
    "HIGHLIGHT",
    "HIGHLIGHT_TEXT",
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
    "contrast_ratio",
    "plot_dumbbell",
    "plot_frequencies",
    "plot_likert",
    "plot_multi",
    "plot_needs_heatmap",
    "plot_ranked_needs",
    "text_color_on",
]
