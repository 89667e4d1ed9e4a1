"""Every path and default in one place; paths are resolved when used, never at import.

The project is the folder holding ``_quarto.yml`` (as for Quarto). It is found, in this order:
an explicit :func:`set_project_root` (the CLI's ``--project-dir``), the environment variable
``FSLT_PROJECT_ROOT``, Quarto's ``QUARTO_PROJECT_DIR`` (set by ``quarto render`` for the cells it
runs), then the working directory and its parents. :func:`find_project` says which rule found
it. The toolkit never falls back to the folder it is installed in: outside a project it refuses
(:class:`ProjectNotFound`).

The path constants of earlier versions (``PROJECT_ROOT``, ``SURVEYS_DIR``, ``CLEAN_DIR``, ...)
are still attributes of this module, computed on each access from the current project.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from fslt_survey.errors import ConfigError

#: The file that marks a project's root folder.
PROJECT_FILE = "_quarto.yml"

_override: Path | None = None


class ProjectNotFound(ConfigError):
    """No project folder (with ``_quarto.yml``) here or above, and none given."""


def set_project_root(path: str | Path | None) -> None:
    """Use ``path`` as the project for this process (None: find it again)."""
    global _override
    _override = Path(path).resolve() if path is not None else None


def find_project(start: str | Path | None = None) -> tuple[Path, str]:
    """The project root and the rule that found it (see the module docstring)."""
    if _override is not None:
        return _checked(_override, "--project-dir"), "--project-dir"
    for var in ("FSLT_PROJECT_ROOT", "QUARTO_PROJECT_DIR"):
        if os.environ.get(var):
            return _checked(Path(os.environ[var]).resolve(), var), var
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / PROJECT_FILE).is_file():
            return folder, f"{PROJECT_FILE} found in {folder}"
    raise ProjectNotFound(
        f"not inside an fslt-survey project: no {PROJECT_FILE} in {here} or any folder above",
        expected="run the command in a project folder (one holding _quarto.yml, surveys/ and "
        "reports/), or give --project-dir DIR or FSLT_PROJECT_ROOT; to start a project, copy "
        "the toolkit's repository folder",
    )


def _checked(root: Path, rule: str) -> Path:
    if not (root / PROJECT_FILE).is_file():
        raise ProjectNotFound(
            f"{rule} names a folder that is not a project (no {PROJECT_FILE})", file=root
        )
    return root


def project_root() -> Path:
    """The current project's root folder (a patched ``config.PROJECT_ROOT`` wins, for tests)."""
    patched = globals().get("PROJECT_ROOT")
    return Path(patched) if patched is not None else find_project()[0]


_PATHS = {
    "SURVEYS_DIR": lambda: _get("PROJECT_ROOT") / "surveys",
    "REPORTS_DIR": lambda: _get("PROJECT_ROOT") / "reports",
    "SITE_DIR": lambda: _get("PROJECT_ROOT") / "_site",
    "DEMO_DIR": lambda: _get("SURVEYS_DIR") / "demo",
    # the fictional member registry the demo data is made from (committed)
    "DEMO_REGISTRY_FILE": lambda: _get("SURVEYS_DIR") / "members.csv",
    # the real registry: FSLT_REGISTRY (kept out of git); without it the demo registry
    "REGISTRY_FILE": lambda: Path(os.environ["FSLT_REGISTRY"])
    if os.environ.get("FSLT_REGISTRY")
    else _get("DEMO_REGISTRY_FILE"),
    # where `fslt-survey build` puts the clean data that the reports read
    "CLEAN_DIR": lambda: _get("PROJECT_ROOT") / "build" / "clean",
}


def _get(name: str) -> Path:
    """A path attribute: a patched module attribute if any, else computed now."""
    value = globals().get(name)
    if value is not None:
        return Path(value)
    if name == "PROJECT_ROOT":
        return find_project()[0]
    return _PATHS[name]()


def __getattr__(name: str) -> Any:
    if name == "PROJECT_ROOT" or name in _PATHS:
        return _get(name)
    raise AttributeError(f"module 'fslt_survey.config' has no attribute {name!r}")


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
