"""Reading raw exports: format detection, decoding, readers per tool, provenance.

New readers go in a module of their own here (one per export format); the public API
is re-exported below.
"""

from __future__ import annotations

from fslt_survey.ingest.kobo import (
    KOBO_METADATA,
    is_kobo_export,
    kobo_frame,
    kobo_role,
    read_kobo_export,
)
from fslt_survey.ingest.readers import (
    FORMATS,
    GOOGLE_COLUMNS,
    METADATA_COLUMNS,
    MSFORMS_COLUMNS,
    PLATFORM_COLUMNS,
    SPSS_SUFFIXES,
    SURVEYXACT_COLUMNS,
    TEXT_SUFFIXES,
    XLSX_SUFFIXES,
    ColumnMatch,
    Matching,
    Provenance,
    RawExport,
    detect_format,
    match_columns,
    option_selected,
    read_csv_any,
    read_export,
    read_googleforms,
    read_msforms,
    read_spss,
    read_surveyxact,
    read_xlsx,
)

__all__ = [
    "FORMATS",
    "GOOGLE_COLUMNS",
    "KOBO_METADATA",
    "METADATA_COLUMNS",
    "MSFORMS_COLUMNS",
    "PLATFORM_COLUMNS",
    "SPSS_SUFFIXES",
    "SURVEYXACT_COLUMNS",
    "TEXT_SUFFIXES",
    "XLSX_SUFFIXES",
    "ColumnMatch",
    "Matching",
    "Provenance",
    "RawExport",
    "detect_format",
    "is_kobo_export",
    "kobo_frame",
    "kobo_role",
    "match_columns",
    "option_selected",
    "read_csv_any",
    "read_export",
    "read_googleforms",
    "read_kobo_export",
    "read_msforms",
    "read_spss",
    "read_surveyxact",
    "read_xlsx",
]
