"""Figures for reports: matplotlib charts in one house style, each with a Danish alt text.

``style`` holds the house style; ``bars``, ``likert`` and ``compare`` the chart families.
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
