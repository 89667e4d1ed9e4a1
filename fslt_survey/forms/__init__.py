"""Fielding an instrument: XLSForm (KoboToolbox/ODK), paper (Typst PDF) and plain text.
"""

from __future__ import annotations

from fslt_survey.codebook import choice_name
from fslt_survey.forms.export import (
    CHOICES_COLUMNS,
    FORMATS,
    LANGUAGE,
    REGISTRY_LIST,
    REQUIRED_TEXT,
    SETTINGS_COLUMNS,
    SUFFIXES,
    SURVEY_COLUMNS,
    default_output,
    export_form,
    relevant_xpath,
    write_xlsform,
    xlsform_bytes,
    xlsform_sheets,
)
from fslt_survey.forms.layout import (
    INSTRUCTION,
    FormLayout,
    FormQuestion,
    FormSection,
    default_wave,
    form_layout,
    numeric_is_integer,
)
from fslt_survey.forms.markdown import (
    form_markdown,
    write_markdown,
)
from fslt_survey.ingest.kobo import (
    KOBO_METADATA,
    is_kobo_export,
    kobo_frame,
    kobo_role,
    read_kobo_export,
)

__all__ = [
    "CHOICES_COLUMNS",
    "FORMATS",
    "INSTRUCTION",
    "KOBO_METADATA",
    "LANGUAGE",
    "REGISTRY_LIST",
    "REQUIRED_TEXT",
    "SETTINGS_COLUMNS",
    "SUFFIXES",
    "SURVEY_COLUMNS",
    "FormLayout",
    "FormQuestion",
    "FormSection",
    "choice_name",
    "default_output",
    "default_wave",
    "export_form",
    "form_layout",
    "form_markdown",
    "is_kobo_export",
    "kobo_frame",
    "kobo_role",
    "numeric_is_integer",
    "read_kobo_export",
    "relevant_xpath",
    "write_markdown",
    "write_xlsform",
    "xlsform_bytes",
    "xlsform_sheets",
]
