"""Estimates for survey tables: frequencies, intervals, weights, indices, tests, waves.

Each family lives in its own module (``frequencies``, ``intervals``, ``weights``, ``indices``,
``inference``, ``waves``; ``answers`` holds the helpers they share); new estimators go in the
module of their family and are re-exported here.
"""

from __future__ import annotations

from fslt_survey.stats.answers import (
    FREQ_COLUMNS,
    top_box,
)
from fslt_survey.stats.frequencies import (
    TOTAL_LABEL,
    rank_needs,
    tab_likert,
    tab_likert_summary,
    tab_missing,
    tab_multi,
    tab_single,
)
from fslt_survey.stats.indices import (
    cronbach_alpha,
    item_scores,
    scale_index,
)
from fslt_survey.stats.inference import (
    CROSSTAB_COLUMNS,
    adjust_pvalues,
    crosstab,
    crosstab_counts,
    crosstab_many,
    mcnemar_test,
)
from fslt_survey.stats.intervals import (
    newcombe_diff_ci,
    newcombe_paired_ci,
    wilson_ci,
)
from fslt_survey.stats.waves import (
    COMPARE_COLUMNS,
    compare_waves,
    pair_rows,
)
from fslt_survey.stats.weights import (
    effective_n,
    poststratify,
)

__all__ = [
    "COMPARE_COLUMNS",
    "CROSSTAB_COLUMNS",
    "FREQ_COLUMNS",
    "TOTAL_LABEL",
    "adjust_pvalues",
    "compare_waves",
    "cronbach_alpha",
    "crosstab",
    "crosstab_counts",
    "crosstab_many",
    "effective_n",
    "item_scores",
    "mcnemar_test",
    "newcombe_diff_ci",
    "newcombe_paired_ci",
    "pair_rows",
    "poststratify",
    "rank_needs",
    "scale_index",
    "tab_likert",
    "tab_likert_summary",
    "tab_missing",
    "tab_multi",
    "tab_single",
    "top_box",
    "wilson_ci",
]
