"""fslt-survey: survey and network-forum toolkit for Frivilligcenter og Selvhjælp Lyngby-Taarbæk.

The public API: read and clean exports, then analyse, plot and publish::

    from fslt_survey import clean_survey, stats
    result = clean_survey("medlemsundersoegelse", demo=True)
    needs = stats.rank_needs(result.data, result.instrument.battery("behov"))

Sub-modules (``stats``, ``plots``, ``publish``, ``privacy``, ``tables``, ``render``, ...) are
imported on first use, so ``import fslt_survey`` stays quick.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from fslt_survey._render_host import configure_render
from fslt_survey.errors import (
    CleaningError,
    CodebookError,
    ConfigError,
    ReadError,
    RenderError,
    SurveyDataError,
)

configure_render()  # the render engine is told the toolkit's config key and cache inputs

try:
    __version__ = version("fslt-survey")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

_FUNCTIONS = {
    "load_instrument": "fslt_survey.codebook",
    "load_registry": "fslt_survey.registry",
    "read_export": "fslt_survey.ingest",
    "match_columns": "fslt_survey.clean",
    "clean_exports": "fslt_survey.clean",
    "clean_directory": "fslt_survey.clean",
    "clean_survey": "fslt_survey.pipeline",
    "write_clean": "fslt_survey.store",
    "load_clean": "fslt_survey.store",
    "render_project": "fslt_survey.render",
    "build": "fslt_survey.build",
}
#: The stages of the flow, in the order data passes through them (each a module or subpackage).
_MODULES = (
    "config",
    "codebook",
    "registry",
    "ingest",
    "clean",
    "store",
    "pipeline",
    "stats",
    "privacy",
    "tables",
    "plots",
    "publish",
    "report",
    "network",
    "followup",
    "forms",
    "demo",
    "render",
)

__all__ = [
    "CleaningError",
    "CodebookError",
    "ConfigError",
    "ReadError",
    "RenderError",
    "SurveyDataError",
    "__version__",
    *sorted(_FUNCTIONS),
    *_MODULES,
]


def __getattr__(name: str) -> Any:
    if name in _FUNCTIONS:
        return getattr(importlib.import_module(_FUNCTIONS[name]), name)
    if name in _MODULES:
        return importlib.import_module(f"fslt_survey.{name}")
    raise AttributeError(f"module 'fslt_survey' has no attribute {name!r}")
