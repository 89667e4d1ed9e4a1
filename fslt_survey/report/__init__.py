"""Section builders for the published reports (``reports/*.qmd``).

``data`` loads a page's data, ``blocks`` writes question blocks, ``sections`` the front page,
method and data pages, ``recommendations`` the recommendations report, ``address`` the date
and full links of a document that leaves the site (a PDF).
"""

from __future__ import annotations

from fslt_survey.report.address import site_address, site_link
from fslt_survey.report.blocks import (
    index_block,
    likert_block,
    multi_block,
    needs_block,
    needs_by_group_block,
    numeric_block,
    quotes_block,
    single_block,
    trend_block,
)
from fslt_survey.report.data import (
    SURVEY,
    Report,
    data_notice,
    demo_note,
    findings_block,
    load,
    response_rate,
    symbols_block,
)
from fslt_survey.report.downloads import download_tables, downloads_block
from fslt_survey.report.key_findings import (
    key_findings_block,
    next_steps_block,
    reading_guide_block,
)
from fslt_survey.report.recommendations import (
    by_priority,
    evaluation,
    overview_block,
    recommendations_block,
    rules_not_fired_block,
    summary_block,
    survey_note_block,
)
from fslt_survey.report.sections import (
    cleaning_block,
    key_figures,
    nonresponse_block,
    pages_block,
    protection_block,
    response_block,
    site_pages,
    top_needs_block,
)

__all__ = [
    "SURVEY",
    "Report",
    "by_priority",
    "cleaning_block",
    "data_notice",
    "demo_note",
    "download_tables",
    "downloads_block",
    "evaluation",
    "findings_block",
    "index_block",
    "key_figures",
    "key_findings_block",
    "likert_block",
    "load",
    "multi_block",
    "needs_block",
    "needs_by_group_block",
    "next_steps_block",
    "nonresponse_block",
    "numeric_block",
    "overview_block",
    "pages_block",
    "protection_block",
    "quotes_block",
    "reading_guide_block",
    "recommendations_block",
    "response_block",
    "response_rate",
    "rules_not_fired_block",
    "single_block",
    "site_address",
    "site_link",
    "site_pages",
    "summary_block",
    "survey_note_block",
    "symbols_block",
    "top_needs_block",
    "trend_block",
]
