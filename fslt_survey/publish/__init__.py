"""Publishing: the only way tables, figures and quotes reach the site and the PDFs.

``rules`` decides what may be published, ``outputs`` makes the published tables, figures and
downloads, ``recommend`` evaluates the recommendation rules.
"""

from __future__ import annotations

from fslt_survey.publish.outputs import (
    HIDDEN,
    SUPPRESSION_NOTE,
    downloads,
    figure,
    frequency_table,
    likert_table,
    name_candidates,
    public_frequencies,
    public_ranking,
    public_trend,
    quotes,
    ranking_table,
    suppression_note,
    trend_table,
)
from fslt_survey.publish.rules import (
    patterns_publishable,
    share_publishable,
    small_count,
    suppress,
    suppress_ranking,
    suppress_trend,
)

__all__ = [
    "HIDDEN",
    "SUPPRESSION_NOTE",
    "downloads",
    "figure",
    "frequency_table",
    "likert_table",
    "name_candidates",
    "patterns_publishable",
    "public_frequencies",
    "public_ranking",
    "public_trend",
    "quotes",
    "ranking_table",
    "share_publishable",
    "small_count",
    "suppress",
    "suppress_ranking",
    "suppress_trend",
    "suppression_note",
    "trend_table",
]
