"""The strategy follow-up page (``reports/opfoelgning.qmd``): everything it shows, loaded once.

The one idiom of every report page: the page loads its context once (here
:func:`load_followup_page`, like ``report.load(page)`` for the theme pages) and prints one
``*_block`` function of it per section; no computation or wording lives in the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from fslt_survey import config
from fslt_survey.followup.compute import compute_followup
from fslt_survey.followup.from_findings import TARGET_RULE, declarations
from fslt_survey.followup.indicators import IndicatorSet, load_indicators
from fslt_survey.followup.report import goal_markdown, overview_markdown, publish_indicators
from fslt_survey.publish import Findings
from fslt_survey.store import load_clean
from fslt_survey.tables import format_pct

__all__ = [
    "FollowUpPage",
    "followup_goal_block",
    "followup_overview_block",
    "load_followup_page",
    "published_indicators",
]


def published_indicators(iset: IndicatorSet, clean_dir: str | Path | None = None) -> pd.DataFrame:
    """The indicators as the follow-up page publishes them (all respondents, figures and
    verdicts from the findings, hidden values blanked): for ``fslt-survey indicators``."""
    data = load_clean(iset.survey) if clean_dir is None else load_clean(iset.survey, clean_dir)
    store = Findings.load(clean_dir, iset.survey, indicators=declarations(iset, iset.instrument))
    pub = publish_indicators(compute_followup(data, iset, findings=store), k=store.k)
    return pub[pub["population"] == "all"].reset_index(drop=True)


@dataclass
class FollowUpPage:
    """The indicators, their computed follow-up and the page's settings."""

    indicators: IndicatorSet
    results: pd.DataFrame
    k: int = config.SUPPRESSION_K
    confidence: float = config.CONFIDENCE

    @property
    def level(self) -> str:
        """The intervals' confidence level in Danish ("95 %"), as declared for the survey."""
        return format_pct(100 * self.confidence)

    @property
    def target_rule(self) -> str:
        """How targets are judged (stated on the page)."""
        return TARGET_RULE

    @property
    def source(self) -> str:
        """The source line under the tables and charts."""
        i = self.indicators
        return f"Kilde: Frivilligcentrets medlemsundersøgelse {i.baseline} og {i.followup}."


def load_followup_page(
    *, indicators: str | Path | None = None, clean_dir: str | Path | None = None
) -> FollowUpPage:
    """Load the indicator file and compute the follow-up from the clean member survey."""
    iset = load_indicators() if indicators is None else load_indicators(indicators)
    data = load_clean(iset.survey) if clean_dir is None else load_clean(iset.survey, clean_dir)
    store = Findings.load(clean_dir, iset.survey, indicators=declarations(iset, iset.instrument))
    return FollowUpPage(iset, compute_followup(data, iset, findings=store), store.k, store.conf)


def followup_overview_block(page: FollowUpPage) -> str:
    """Per goal: the number of indicators and how many targets are met."""
    return overview_markdown(page.results, k=page.k)


def followup_goal_block(page: FollowUpPage, goal: int) -> str:
    """One goal's status sentence, table, chart and notes."""
    return goal_markdown(
        page.results,
        goal,
        indicators=page.indicators,
        source=page.source,
        k=page.k,
        conf=page.confidence,
    )
