"""Estimates for survey tables: frequencies, intervals, weights, indices, tests, waves.

Each family lives in its own module (``frequencies``, ``intervals``, ``weights``, ``indices``,
``inference``, ``waves``; ``answers`` holds the helpers they share); new estimators go in the
module of their family and are re-exported here. The survey design for the small, known
population (FPC, linearised variances, deff) is ``design``; its tests are ``design_tests``;
``overlap`` compares waves that share respondents, ``multiplicity`` holds the one adjustment
policy, ``calibration`` rakes weights, ``reliability`` and ``nonresponse`` the rest.
"""

from __future__ import annotations

from fslt_survey.config import TOTAL_LABEL
from fslt_survey.stats.answers import (
    FREQ_COLUMNS,
    top_box,
)
from fslt_survey.stats.calibration import collapse_sparse, rake
from fslt_survey.stats.design import Estimate, SurveyDesign, design_from_registry, svydesign
from fslt_survey.stats.design_tests import RaoScott, TTest, rao_scott, svyttest
from fslt_survey.stats.frequencies import (
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
from fslt_survey.stats.multiplicity import ALPHA, adjust_family, verdicts
from fslt_survey.stats.nonresponse import NONRESPONSE_COLUMNS, nonresponse_check
from fslt_survey.stats.overlap import OverlapResult, overlap_share_test, overlap_t_test
from fslt_survey.stats.reliability import alpha_ci, alpha_if_dropped, omega, reliability
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
    "ALPHA",
    "COMPARE_COLUMNS",
    "CROSSTAB_COLUMNS",
    "FREQ_COLUMNS",
    "NONRESPONSE_COLUMNS",
    "TOTAL_LABEL",
    "Estimate",
    "OverlapResult",
    "RaoScott",
    "SurveyDesign",
    "TTest",
    "adjust_family",
    "adjust_pvalues",
    "alpha_ci",
    "alpha_if_dropped",
    "collapse_sparse",
    "compare_waves",
    "cronbach_alpha",
    "crosstab",
    "crosstab_counts",
    "crosstab_many",
    "design_from_registry",
    "effective_n",
    "item_scores",
    "mcnemar_test",
    "newcombe_diff_ci",
    "newcombe_paired_ci",
    "nonresponse_check",
    "omega",
    "overlap_share_test",
    "overlap_t_test",
    "pair_rows",
    "poststratify",
    "rake",
    "rank_needs",
    "rao_scott",
    "reliability",
    "scale_index",
    "svydesign",
    "svyttest",
    "tab_likert",
    "tab_likert_summary",
    "tab_missing",
    "tab_multi",
    "tab_single",
    "top_box",
    "verdicts",
    "wilson_ci",
]
