"""Follow-up on the strategy 2025-2027: indicators, their methods, the page and feedback sheets.
"""

from __future__ import annotations

from fslt_survey.followup.compute import (
    compute_followup,
    compute_indicators,
    load_network_data,
    target_status,
)
from fslt_survey.followup.indicators import (
    DIRECTIONS,
    INDICATOR_COLUMNS,
    KINDS,
    MEASURES,
    MET,
    NOT_MET,
    PERIOD_COLUMNS,
    POPULATIONS,
    SOURCES,
    UNKNOWN,
    Indicator,
    IndicatorSet,
    Target,
    config_unit,
    describe_indicators,
    indicators_file,
    load_indicators,
    parse_indicators,
)
from fslt_survey.followup.methods import (
    indicator_hits,
)
from fslt_survey.followup.report import (
    STATUS_TEXT,
    goal_markdown,
    overview_markdown,
    plot_goal_change,
    present_indicators,
    publish_indicators,
    set_column_widths,
)

__all__ = [
    "DIRECTIONS",
    "INDICATOR_COLUMNS",
    "KINDS",
    "MEASURES",
    "MET",
    "NOT_MET",
    "PERIOD_COLUMNS",
    "POPULATIONS",
    "SOURCES",
    "STATUS_TEXT",
    "UNKNOWN",
    "Indicator",
    "IndicatorSet",
    "Target",
    "compute_followup",
    "compute_indicators",
    "config_unit",
    "describe_indicators",
    "goal_markdown",
    "indicator_hits",
    "indicators_file",
    "load_indicators",
    "load_network_data",
    "overview_markdown",
    "parse_indicators",
    "plot_goal_change",
    "present_indicators",
    "publish_indicators",
    "set_column_widths",
    "target_status",
]
