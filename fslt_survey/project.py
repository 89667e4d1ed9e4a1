"""The project as data: which surveys there are, their unit, raw folders and the data mode.

Declared once, in the ``fslt-survey:`` section of the project's ``_quarto.yml`` (Quarto ignores
the section; the built-in engine also reads its ``depends:``)::

    fslt-survey:
      demo: false                 # true: the project is a demo (fictional data only)
      registry: null              # the real member registry (else $FSLT_REGISTRY / --registry)
      surveys:
        - name: medlemsundersoegelse     # surveys/<name>/instrument.yml
          unit: forening                 # forening, frivillig or deltager ("Basis: N ...")
          raw: surveys/medlemsundersoegelse/raw   # optional; one sub-folder per wave year
        - name: moedeevaluering
          unit: deltager
          k: 5                           # optional: this survey's suppression limit
      confidence: 0.95            # optional: the publication's confidence level
      k: 5                        # optional: the suppression limit of every survey

Publication settings (:func:`publication`): the confidence level of every published interval,
and per survey its suppression limit k (no published cell counts fewer than k units).
Undeclared, the confidence is :data:`fslt_survey.config.CONFIDENCE` and k follows the survey's
unit (:data:`UNIT_K`): organisations (``forening``) are protected as business statistics
protects enterprises, with k = 3; persons (``frivillig``, ``deltager``: evaluations filled in by
participants) keep k = 5.

``fslt-survey build`` cleans every survey listed, in that order. A new survey is an instrument,
an entry here and a page in ``project: render:`` - no Python edit. Without a ``surveys:`` list
the toolkit's two surveys (:data:`fslt_survey.config.SURVEYS`) are used.

Demo or real is always explicit (:func:`demo_mode`): ``--demo`` (which sets ``FSLT_DEMO=1``
for the whole run, report kernels included) or ``demo: true`` here. In real mode a missing raw
folder or registry is an error, never a fallback to the demo data.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fslt_survey import config
from fslt_survey._yaml import read_front_matter, read_yaml
from fslt_survey.errors import ConfigError, SurveyDataError

#: Units a survey can count, with the Danish singular and plural used in "Basis: N ...".
UNITS = {
    "forening": ("forening", "foreninger"),
    "frivillig": ("frivillig", "frivillige"),
    "deltager": ("deltager", "deltagere"),
}
#: The default suppression limit per unit: an organisation is protected with 3 units per cell
#: (business statistics' rule), a person with 5.
UNIT_K = {"forening": 3, "frivillig": 5, "deltager": 5}
#: Units of the toolkit's own surveys when the project does not list any.
DEFAULT_UNITS = {config.MEMBER_SURVEY: "forening", config.EVALUATION_SURVEY: "deltager"}


@dataclass(frozen=True)
class SurveySpec:
    """One survey of the project."""

    name: str
    unit: str = "forening"
    raw: Path | None = None
    k: int | None = None

    @property
    def unit_plural(self) -> str:
        return UNITS[self.unit][1]


@dataclass(frozen=True)
class Project:
    """The project's declaration (see the module docstring) and where it was found."""

    root: Path
    found_by: str
    surveys: tuple[SurveySpec, ...]
    demo: bool = False
    registry: Path | None = None
    confidence: float = config.CONFIDENCE
    k: int | None = None  # None: by each survey's unit (UNIT_K)

    def survey(self, name: str) -> SurveySpec:
        """The declared survey ``name``; a misspelled name lists the known ones."""
        for s in self.surveys:
            if s.name == name:
                return s
        raise SurveyDataError(
            f"unknown survey {name!r}",
            file=self.root / config.PROJECT_MARKER,
            expected="one of " + ", ".join(s.name for s in self.surveys),
            found=name,
        )

    def raw_dir(self, spec: SurveySpec) -> Path:
        return spec.raw if spec.raw is not None else self.root / "surveys" / spec.name / "raw"


def load_project(root: str | Path | None = None) -> Project:
    """Find the project (:func:`fslt_survey.config.find_project`) and read its declaration."""
    if root is None:
        root_path, how = config.find_project()
    else:
        root_path, how = Path(root).resolve(), "--project-dir"
    qfile = root_path / config.PROJECT_MARKER
    section = (read_yaml(qfile, "Quarto project file") or {}).get("fslt-survey") or {}
    if not isinstance(section, dict):
        raise ConfigError("the fslt-survey section must be a mapping", file=qfile)
    surveys = tuple(_survey(entry, root_path, qfile) for entry in section.get("surveys") or [])
    if not surveys:
        surveys = tuple(SurveySpec(n, DEFAULT_UNITS[n]) for n in config.SURVEYS)
    registry = section.get("registry")
    return Project(
        root=root_path,
        found_by=how,
        surveys=surveys,
        demo=bool(section.get("demo", False)),
        registry=(root_path / str(registry)) if registry else None,
        confidence=_confidence(section.get("confidence", config.CONFIDENCE), qfile),
        k=_optional_count(section.get("k"), qfile, "fslt-survey: k"),
    )


@dataclass(frozen=True)
class Publication:
    """The publication settings of one survey: the confidence level and the suppression limit
    ``k`` (which follows its ``unit`` unless declared)."""

    confidence: float
    k: int
    unit: str = "forening"


def publication(survey: str, project: Project | None = None) -> Publication:
    """The declared publication settings of ``survey`` (module docstring); a survey the
    project does not list gets the project's defaults."""
    project = project or load_project()
    spec = next((s for s in project.surveys if s.name == survey), None)
    unit = spec.unit if spec is not None else DEFAULT_UNITS.get(survey, "forening")
    declared = (spec.k if spec is not None else None, project.k)
    k = next((v for v in declared if v is not None), UNIT_K.get(unit, config.SUPPRESSION_K))
    return Publication(confidence=project.confidence, k=k, unit=unit)


def _confidence(value: Any, qfile: Path) -> float:
    try:
        conf = float(value)
    except (TypeError, ValueError):
        conf = -1.0
    if not 0.5 <= conf < 1:
        raise ConfigError(
            "fslt-survey: confidence must be a level such as 0.95",
            file=qfile,
            expected="a number from 0.5 up to (not including) 1",
            found=str(value),
        )
    return conf


def _optional_count(value: Any, qfile: Path, where: str) -> int | None:
    return None if value is None else _k_value(value, qfile, where)


def _k_value(value: Any, qfile: Path, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(
            f"{where} must be a whole number of at least 1",
            file=qfile,
            expected="e.g. 3 or 5",
            found=str(value),
        )
    return int(value)


def _survey(entry: Any, root: Path, qfile: Path) -> SurveySpec:
    if isinstance(entry, str):
        entry = {"name": entry}
    if not isinstance(entry, dict) or not entry.get("name"):
        raise ConfigError(
            "every entry of fslt-survey: surveys: needs a name",
            file=qfile,
            expected="name: <folder in surveys/>",
            found=str(entry),
        )
    name = str(entry["name"])
    unit = str(entry.get("unit") or DEFAULT_UNITS.get(name, "forening"))
    if unit not in UNITS:
        raise ConfigError(
            f"survey {name!r}: unknown unit",
            file=qfile,
            expected=" or ".join(UNITS),
            found=unit,
        )
    raw = entry.get("raw")
    k = _optional_count(entry.get("k"), qfile, f"survey {name!r}: k")
    return SurveySpec(name, unit, (root / str(raw)) if raw else None, k)


def demo_mode(project: Project | None = None) -> bool:
    """True when the run uses the fictional demo data: ``$FSLT_DEMO`` (``--demo``) or the
    project declares itself a demo."""
    flag = os.environ.get("FSLT_DEMO", "").strip().lower()
    if flag in ("1", "true", "yes"):
        return True
    if flag in ("0", "false", "no"):
        return False
    return (project or load_project()).demo


def registry_for(project: Project, *, demo: bool, override: str | Path | None = None) -> Path:
    """The member registry of a run; in real mode a missing one is an error naming it."""
    if override is not None:
        return Path(override)
    if demo:
        return project.root / "surveys" / "members.csv"
    found = config.registry_file() or project.registry
    if found is None:
        raise SurveyDataError(
            "real data needs the real member registry, and none is set",
            expected="FSLT_REGISTRY=/secure/place/members.csv, --registry FILE, or "
            "registry: in the fslt-survey section of _quarto.yml (or --demo for the demo data)",
        )
    if not Path(found).is_file():
        raise SurveyDataError("member registry not found", file=found)
    return Path(found)


def unit_label(survey: str, n: int | None = None) -> str:
    """The Danish unit of a survey ("foreninger", "deltagere"): singular when ``n == 1``."""
    try:
        unit = load_project().survey(survey).unit
    except SurveyDataError:
        unit = DEFAULT_UNITS.get(survey, "forening")
    return UNITS[unit][0 if n == 1 else 1]


def cache_inputs(root: str | Path | None = None) -> list[tuple[str, str]]:
    """What every page depends on beyond its own files: ``(name, value)`` pairs for the
    render cache key - the environment variables that choose data, the project declaration
    and the registry's contents (whatever its path)."""
    out = [(f"env:{v}", os.environ.get(v, "")) for v in config.DATA_VARIABLES]
    if root is not None and not (Path(root) / config.PROJECT_MARKER).is_file():
        return out  # a single document rendered outside a toolkit project: no declaration
    project = load_project(root)
    qfile = project.root / config.PROJECT_MARKER
    out.append(("file:_quarto.yml", _contents(qfile)))
    reg = config.registry_file() or project.registry
    # by role and contents, not by absolute path: a moved project keeps its cache
    for role, path in (("registry", reg), ("demo-registry", project.root / "surveys/members.csv")):
        if path is not None:
            out.append((role, _contents(path) if path.is_file() else "missing"))
    return out


def _contents(path: Path) -> str:
    """sha256 of a file's bytes (stdlib only: the render hook imports this module eagerly, so
    it stays free of pandas and the data stores)."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def is_confidential(document: str | Path) -> bool:
    """A document that declares ``fslt-survey: confidential: true`` (feedback sheets,
    handouts): rendered only into ``build/``, never into the site."""
    meta = read_front_matter(Path(document))
    section = meta.get("fslt-survey") if isinstance(meta, dict) else None
    return bool(isinstance(section, dict) and section.get("confidential"))
