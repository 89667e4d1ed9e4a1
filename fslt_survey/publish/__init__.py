"""Publishing: the only way tables, figures and quotes reach the site and the PDFs.

``rules`` decides what may be published, ``outputs`` makes the published tables, figures and
downloads, ``recommend`` evaluates the recommendation rules. ``findings`` computes every
published estimate once, by id (``estimate`` holds the methods, ``finding`` the value object,
``measures`` the measure names and the release's symbols).
"""

from __future__ import annotations

from fslt_survey.publish.curated import Quote, load_quotes, propose, quotes_file, quotes_markdown
from fslt_survey.publish.finding import FINDING_COLUMNS, Finding
from fslt_survey.publish.findings import Findings, declared_indicators
from fslt_survey.publish.groups import OTHERS, group_column, needs_by_group, published_groups
from fslt_survey.publish.measures import (
    NOT_ASKED,
    NOTHING,
    Measure,
    measure_for,
    parts_sentence,
    symbols_note,
)
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
    "FINDING_COLUMNS",
    "HIDDEN",
    "NOTHING",
    "NOT_ASKED",
    "OTHERS",
    "SUPPRESSION_NOTE",
    "Finding",
    "Findings",
    "Measure",
    "Quote",
    "declared_indicators",
    "downloads",
    "figure",
    "frequency_table",
    "group_column",
    "likert_table",
    "load_quotes",
    "measure_for",
    "name_candidates",
    "needs_by_group",
    "parts_sentence",
    "patterns_publishable",
    "propose",
    "public_frequencies",
    "public_ranking",
    "public_trend",
    "published_groups",
    "quotes",
    "quotes_file",
    "quotes_markdown",
    "ranking_table",
    "share_publishable",
    "small_count",
    "suppress",
    "suppress_ranking",
    "suppress_trend",
    "suppression_note",
    "symbols_note",
    "trend_table",
]
