"""Cleaning: raw exports -> one tidy table per survey, with an audit log that loses nothing.
"""

from __future__ import annotations

from fslt_survey.clean.core import (
    DUPLICATE_RULE,
    EXCLUDE_BLANK,
    EXCLUDE_DUPLICATE,
    EXCLUDE_NOT_MEMBER,
    EXCLUDE_TEST,
    EXCLUSION_TEXT,
    POLICIES,
    CleaningLog,
    CleanSurvey,
    attach_registry,
    clean_directory,
    clean_exports,
    discover_exports,
    display_path,
    parse_danish_number,
)

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
    "attach_registry",
    "clean_directory",
    "clean_exports",
    "discover_exports",
    "display_path",
    "parse_danish_number",
]
