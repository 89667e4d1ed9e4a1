"""Cleaning: raw exports -> one tidy table per survey, with an audit log that loses nothing.

The API is here; where code goes: column matching in ``match``; decoding answers in ``decode``
(multi-selects in ``multi``, timestamps in ``times``); decisions about whole rows (skip logic,
the registry link, de-duplication) in ``rows``; the clean table's columns in ``table``; the audit
log in ``log``; the whole run (:func:`clean_exports`) in ``survey``.
"""

from __future__ import annotations

from fslt_survey.clean.decode import parse_danish_number
from fslt_survey.clean.log import (
    DUPLICATE_RULE,
    EXCLUDE_BLANK,
    EXCLUDE_DUPLICATE,
    EXCLUDE_NOT_MEMBER,
    EXCLUDE_TEST,
    EXCLUSION_TEXT,
    POLICIES,
    CleaningLog,
    display_path,
)
from fslt_survey.clean.match import ColumnMatch, Matching, match_columns
from fslt_survey.clean.rows import attach_registry
from fslt_survey.clean.survey import CleanSurvey, clean_directory, clean_exports
from fslt_survey.ingest import discover_exports

__all__ = [
    "DUPLICATE_RULE",
    "EXCLUDE_BLANK",
    "EXCLUDE_DUPLICATE",
    "EXCLUDE_NOT_MEMBER",
    "EXCLUDE_TEST",
    "EXCLUSION_TEXT",
    "POLICIES",
    "CleanSurvey",
    "CleaningLog",
    "ColumnMatch",
    "Matching",
    "attach_registry",
    "clean_directory",
    "clean_exports",
    "discover_exports",
    "display_path",
    "match_columns",
    "parse_danish_number",
]
