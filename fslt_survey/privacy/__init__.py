"""Privacy: redaction of free text, disclosure control, recoverability checks, the release
audit, safe output.
"""

from __future__ import annotations

from fslt_survey.privacy.auditor import (
    AuditReport,
    CellRange,
    Fact,
    OrderStatistic,
    Release,
    wilson_counts,
    wilson_interval,
)
from fslt_survey.privacy.disclosure import (
    DEFAULT_HIDE_COLS,
    PRIMARY,
    SECONDARY,
    crosstab_suppression_status,
    suppress_counts,
    suppress_crosstab,
)
from fslt_survey.privacy.recoverability import (
    RecoveredCell,
    find_recoverable_counts,
    find_recoverable_crosstab,
)
from fslt_survey.privacy.redact import (
    EMAIL_TLDS,
    LINK_TLDS,
    PHONE_CUES,
    PLACEHOLDERS,
    Finding,
    pseudonymise,
    redact_series,
    redact_series_counts,
    redact_text,
    redact_text_counts,
    scan_for_personal_data,
)
from fslt_survey.privacy.safe_output import (
    FORMULA_PREFIXES,
    escape_html,
    neutralise_formula,
    neutralise_frame,
    write_csv_safe,
    write_xlsx_safe,
)
from fslt_survey.privacy.text import (
    FIRST_NAMES,
    ZERO_WIDTH,
    normalise_text,
    personal_names,
)

__all__ = [
    "DEFAULT_HIDE_COLS",
    "EMAIL_TLDS",
    "FIRST_NAMES",
    "FORMULA_PREFIXES",
    "LINK_TLDS",
    "PHONE_CUES",
    "PLACEHOLDERS",
    "PRIMARY",
    "SECONDARY",
    "ZERO_WIDTH",
    "AuditReport",
    "CellRange",
    "Fact",
    "Finding",
    "OrderStatistic",
    "RecoveredCell",
    "Release",
    "crosstab_suppression_status",
    "escape_html",
    "find_recoverable_counts",
    "find_recoverable_crosstab",
    "neutralise_formula",
    "neutralise_frame",
    "normalise_text",
    "personal_names",
    "pseudonymise",
    "redact_series",
    "redact_series_counts",
    "redact_text",
    "redact_text_counts",
    "scan_for_personal_data",
    "suppress_counts",
    "suppress_crosstab",
    "wilson_counts",
    "wilson_interval",
    "write_csv_safe",
    "write_xlsx_safe",
]
