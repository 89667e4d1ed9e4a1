"""Every path and default in one place."""

from __future__ import annotations

import os
from pathlib import Path

from fslt_survey.errors import SurveyDataError

#: The file that marks a project's root folder (as for Quarto).
PROJECT_MARKER = "_quarto.yml"
#: Environment variables naming the project root, strongest first: the toolkit's own (set by
#: ``--project-dir`` too), then Quarto's: ``QUARTO_PROJECT_ROOT`` is what ``quarto render`` sets
#: for the code it executes (the project root, or the document's folder outside a project;
#: Quarto's execution-environment notes), ``QUARTO_PROJECT_DIR`` what it sets for pre- and
#: post-render scripts. The built-in engine sets both for its kernels.
ROOT_VARIABLES = ("FSLT_PROJECT_ROOT", "QUARTO_PROJECT_ROOT", "QUARTO_PROJECT_DIR")
#: Environment variables that choose which data is read (part of every page's cache key).
DATA_VARIABLES = (*ROOT_VARIABLES, "FSLT_REGISTRY")


class ProjectNotFound(SurveyDataError):
    """No project folder (with ``_quarto.yml``) around the working directory: wrong usage."""


def find_project(start: str | Path | None = None) -> tuple[Path, str]:
    """The project root and the rule that found it (for messages and ``build``'s summary).

    The rules, first match wins: ``$FSLT_PROJECT_ROOT`` (``--project-dir`` sets it), then the
    variables ``quarto render`` sets, then the nearest folder holding ``_quarto.yml`` from the
    working directory upwards (as Quarto and git find theirs).
    """
    for var in ROOT_VARIABLES:
        value = os.environ.get(var)
        if value:
            root = Path(value).expanduser().resolve()
            if var != "FSLT_PROJECT_ROOT" and not (root / PROJECT_MARKER).is_file():
                start = root  # Quarto outside a project: the document's folder; walk up
                break
            if not (root / PROJECT_MARKER).is_file():
                raise ProjectNotFound(
                    f"${var} does not point at a project folder",
                    file=root,
                    expected=f"a folder holding {PROJECT_MARKER}",
                )
            return root, f"${var}"
    here = Path(start if start is not None else Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / PROJECT_MARKER).is_file():
            how = "working directory" if folder == here else f"{PROJECT_MARKER} above {here}"
            return folder, how
    raise ProjectNotFound(
        "not inside an fslt-survey project (no _quarto.yml in this folder or any folder above)",
        file=here,
        expected="run it inside a project folder, or pass --project-dir DIR; to start one, "
        "copy the fslt-survey repository's _quarto.yml, surveys/ and reports/ into a new "
        "folder",
    )


def project_root() -> Path:
    """The project root, resolved now (never at import): see :func:`find_project`."""
    return find_project()[0]


def surveys_dir() -> Path:
    return project_root() / "surveys"


def reports_dir() -> Path:
    return project_root() / "reports"


def site_dir() -> Path:
    return project_root() / "_site"


def build_dir() -> Path:
    """Generated, unpublished files (clean data, forms, feedback sheets, handouts)."""
    return project_root() / "build"


def clean_dir() -> Path:
    """Where ``fslt-survey build`` puts the clean data that the reports read."""
    return build_dir() / "clean"


def demo_dir() -> Path:
    """The bundled fictional demo exports (``surveys/demo/<instrument id>/<wave>/``)."""
    return surveys_dir() / "demo"


def demo_registry_file() -> Path:
    """The fictional member registry the demo data is made from (committed)."""
    return surveys_dir() / "members.csv"


def registry_file() -> Path | None:
    """The real member registry: ``$FSLT_REGISTRY`` (kept out of git), or None when unset.

    Real data is never matched against the fictional demo registry: callers in real mode
    refuse to go on without it (:func:`fslt_survey.pipeline.clean_survey`).
    """
    value = os.environ.get("FSLT_REGISTRY")
    return Path(value).expanduser() if value else None


# Old constant names, resolved when used (``config.CLEAN_DIR``); the functions above are the API.
_LAZY = {
    "PROJECT_ROOT": project_root,
    "SURVEYS_DIR": surveys_dir,
    "REPORTS_DIR": reports_dir,
    "SITE_DIR": site_dir,
    "CLEAN_DIR": clean_dir,
    "DEMO_DIR": demo_dir,
    "DEMO_REGISTRY_FILE": demo_registry_file,
    "REGISTRY_FILE": lambda: registry_file() or demo_registry_file(),
}


def __getattr__(name: str) -> Path:
    if name in _LAZY:
        return _LAZY[name]()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: The surveys the toolkit ships with: the member survey (unit: association) and the meeting
#: evaluations (unit: participant), in the order ``fslt-survey build`` cleans them.
MEMBER_SURVEY = "medlemsundersoegelse"
EVALUATION_SURVEY = "moedeevaluering"
SURVEYS = (MEMBER_SURVEY, EVALUATION_SURVEY)

#: Label of the overall row/group in tables that are broken down by a group ("I alt").
TOTAL_LABEL = "I alt"

#: Minimum number of contributors for a published cell (disclosure control).
SUPPRESSION_K = 5

#: Confidence level for every interval.
CONFIDENCE = 0.95

#: Seed of the demo generator.
DEMO_SEED = 2025

#: Typed missing reasons, in the order they are reported.
MISSING_REASONS = ("Ved ikke", "Ikke relevant", "Ønsker ikke at svare")
#: Reason used when a respondent saw an item but left it blank.
NOT_ANSWERED = "Ikke besvaret"

#: The four strategic goals 2025-2027 (number -> Danish short name).
GOALS = {
    1: "Styrkelse af medlemsforeningerne",
    2: "Dialog og samarbejde med kommunen",
    3: "Udvikling af selvhjælpsområdet",
    4: "Styrkelse af Frivilligcentret",
}

#: Unknown answer labels: "fail" stops cleaning, "warn" logs them and sets the value missing.
UNKNOWN_VALUE_POLICY = "warn"

#: Missing reasons the cleaner itself assigns (besides a scale's own missing labels).
INVALID_ANSWER = "Ugyldigt svar"

#: A response is a test response when the association field matches one of these (normalised
#: text, regular expressions).
TEST_PATTERNS = (r"^test\b", r"^prøve\b", r"^testforening\b", r"\btest test\b")

#: Sub-folders of a raw data folder named by wave (a four-digit year).
WAVE_DIR_PATTERN = r"^(19|20)\d\d$"
