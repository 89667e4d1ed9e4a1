"""fslt-survey: survey and network-forum toolkit for Frivilligcenter og Selvhjælp Lyngby-Taarbæk."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from fslt_survey.errors import SurveyDataError

try:
    __version__ = version("fslt-survey")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["SurveyDataError", "__version__"]
