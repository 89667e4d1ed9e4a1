"""Reading raw exports: format detection, decoding, readers per tool, provenance, discovery.

Where code goes: what every reader shares (bytes, tables, the raw frame, provenance, the accepted
file endings) in ``raw``; text decoding in ``text``; workbooks in ``workbook``; one module per
tool whose container needs it (``surveyxact``, ``spss``, ``kobo``); the tools' metadata columns
in ``metadata``; format detection and the generic readers in ``readers``; finding the exports of
a survey in ``discover``. What the columns *mean* for an instrument (column matching) is
cleaning, in :mod:`fslt_survey.clean`.
"""

from __future__ import annotations

from fslt_survey.ingest.discover import Discovery, discover_exports, find_exports
from fslt_survey.ingest.kobo import (
    KOBO_METADATA,
    is_kobo_export,
    kobo_frame,
    kobo_role,
    read_kobo_export,
)
from fslt_survey.ingest.metadata import (
    GOOGLE_COLUMNS,
    METADATA_COLUMNS,
    MSFORMS_COLUMNS,
    PLATFORM_COLUMNS,
    SURVEYXACT_COLUMNS,
)
from fslt_survey.ingest.raw import (
    EXPORT_SUFFIXES,
    SPSS_SUFFIXES,
    TEXT_SUFFIXES,
    XLSX_SUFFIXES,
    Provenance,
    RawExport,
    option_selected,
)
from fslt_survey.ingest.readers import (
    FORMATS,
    detect_format,
    read_csv_any,
    read_export,
    read_googleforms,
    read_msforms,
    read_xlsx,
)
from fslt_survey.ingest.spss import read_spss
from fslt_survey.ingest.surveyxact import SX_PARTS, read_surveyxact

__all__ = [
    "EXPORT_SUFFIXES",
    "FORMATS",
    "GOOGLE_COLUMNS",
    "KOBO_METADATA",
    "METADATA_COLUMNS",
    "MSFORMS_COLUMNS",
    "PLATFORM_COLUMNS",
    "SPSS_SUFFIXES",
    "SURVEYXACT_COLUMNS",
    "SX_PARTS",
    "TEXT_SUFFIXES",
    "XLSX_SUFFIXES",
    "Discovery",
    "Provenance",
    "RawExport",
    "detect_format",
    "discover_exports",
    "find_exports",
    "is_kobo_export",
    "kobo_frame",
    "kobo_role",
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
