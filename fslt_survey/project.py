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
          min_group: 5                   # optional: smallest group published on its own
          groups:                        # optional: broader groups published instead of
            assoc_type:                  # the registry's categories (e.g. association type)
              Sundhed og selvhjælp: [Sundheds- og patientforening, Selvhjælpsgruppe eller netværk]
      confidence: 0.95            # optional: the publication's confidence level
      k: 5                        # optional: overrides the unit's default k for every survey
      min_group: 5                # optional: likewise for the minimum group size

The published site's address is Quarto's own ``website: site-url:`` (:attr:`Project.site_url`):
documents that leave the site (the recommendations PDF) link to its pages by full address.

Publication settings (:func:`publication`): the confidence level of every published interval, and
per survey its disclosure policy - the unit it counts, the threshold k (a cell of 1..k-1 units is
never shown or derivable) and the minimum published group size (a group with fewer respondents
is not shown on its own, and order statistics such as a median are published only for groups at
least that large). The defaults follow the unit (:data:`UNIT_POLICY`, the decision of issue 18):
an association-level survey (``forening``) is business statistics, k = 3 and groups of at least
5; a person-level survey (``frivillig``, ``deltager``) keeps k = 5. Declared values win: a
survey's own ``k:``/``min_group:``, else the section's, else the unit's default. The confidence
level defaults to :data:`fslt_survey.config.CONFIDENCE`.

Groups: a breakdown by a registry variable (the needs by association type) publishes the
broader groups declared under ``groups:`` (each category in at most one group; categories not
listed stay on their own), and merges any group still smaller than ``min_group`` into
"Øvrige" (:func:`fslt_survey.report.data.group_members`), rather than showing rows of hidden
cells.

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
import re
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
#: The default disclosure policy per unit: (threshold k, minimum published group size).
#: Organisations are protected like business statistics (3 units per cell); persons with k = 5.
UNIT_POLICY = {"forening": (3, 5), "frivillig": (5, 5), "deltager": (5, 5)}
#: Units of the toolkit's own surveys when the project does not list any.
DEFAULT_UNITS = {config.MEMBER_SURVEY: "forening", config.EVALUATION_SURVEY: "deltager"}


@dataclass(frozen=True)
class SurveySpec:
    """One survey of the project."""

    name: str
    unit: str = "forening"
    raw: Path | None = None
    k: int | None = None
    min_group: int | None = None
    groups: tuple[tuple[str, tuple[tuple[str, tuple[str, ...]], ...]], ...] = ()

    @property
    def unit_plural(self) -> str:
        return UNITS[self.unit][1]

    def groups_of(self, variable: str) -> dict[str, tuple[str, ...]]:
        """The declared broader groups of a registry variable: group -> its categories."""
        return dict(dict(self.groups).get(variable, ()))


@dataclass(frozen=True)
class Project:
    """The project's declaration (see the module docstring) and where it was found."""

    root: Path
    found_by: str
    surveys: tuple[SurveySpec, ...]
    demo: bool = False
    registry: Path | None = None
    confidence: float = config.CONFIDENCE
    k: int | None = None  # None: each survey's unit default (UNIT_POLICY)
    min_group: int | None = None
    site_url: str | None = None  # website: site-url (ends with "/"); None when not declared

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
    declared = read_yaml(qfile, "Quarto project file") or {}
    section = declared.get("fslt-survey") or {}
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
        k=_optional(section, "k", qfile, "fslt-survey: k"),
        min_group=_optional(section, "min_group", qfile, "fslt-survey: min_group"),
        site_url=_site_url(declared.get("website"), qfile),
    )


@dataclass(frozen=True)
class Publication:
    """The publication settings of one survey: confidence level and its disclosure policy
    (the unit counted, threshold k, minimum published group size)."""

    confidence: float
    k: int
    unit: str = "forening"
    min_group: int = 5
    groups: tuple = ()  # the survey's declared broader groups (SurveySpec.groups)

    def groups_of(self, variable: str) -> dict[str, tuple[str, ...]]:
        """The declared broader groups of a registry variable: group -> its categories."""
        return dict(dict(self.groups).get(variable, ()))

    @property
    def unit_plural(self) -> str:
        return UNITS[self.unit][1]


def publication(survey: str, project: Project | None = None) -> Publication:
    """The declared publication settings of ``survey`` (module docstring); a survey the
    project does not list gets its toolkit unit and the project's defaults."""
    project = project or load_project()
    spec = next((s for s in project.surveys if s.name == survey), None)
    unit = spec.unit if spec is not None else DEFAULT_UNITS.get(survey, "forening")
    default_k, default_group = UNIT_POLICY[unit]

    def first(own: int | None, section: int | None, default: int) -> int:
        return own if own is not None else section if section is not None else default

    return Publication(
        confidence=project.confidence,
        k=first(spec.k if spec else None, project.k, default_k),
        unit=unit,
        min_group=first(spec.min_group if spec else None, project.min_group, default_group),
        groups=spec.groups if spec else (),
    )


def _optional(entry: dict, key: str, qfile: Path, where: str) -> int | None:
    value = entry.get(key)
    return None if value is None else _k_value(value, qfile, where)


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


def _site_url(website: Any, qfile: Path) -> str | None:
    """Quarto's ``website: site-url:`` (the published site's full address), ending in "/"."""
    url = website.get("site-url") if isinstance(website, dict) else None
    if url is None:
        return None
    if not isinstance(url, str) or not re.fullmatch(r"https?://[^/\s]+(/\S*)?", url.strip()):
        raise ConfigError(
            "website: site-url must be the published site's full address",
            file=qfile,
            expected="http(s)://..., e.g. https://fslt.dk/behovsafdaekning/",
            found=str(url),
        )
    return url.strip().rstrip("/") + "/"


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
    k = _optional(entry, "k", qfile, f"survey {name!r}: k")
    min_group = _optional(entry, "min_group", qfile, f"survey {name!r}: min_group")
    groups = _groups(entry.get("groups"), qfile, name)
    return SurveySpec(name, unit, (root / str(raw)) if raw else None, k, min_group, groups)


def _groups(value: Any, qfile: Path, survey: str):
    """``groups:`` -> ((variable, ((group, categories), ...)), ...), each category once."""
    if value is None:
        return ()
    where = f"survey {survey!r}: groups"
    shape = "variable: {group name: [category, ...]}"
    if not isinstance(value, dict):
        raise ConfigError(
            f"{where} must be a mapping", file=qfile, expected=shape, found=str(value)
        )
    out = []
    for variable, groups in value.items():
        if not isinstance(groups, dict) or not groups:
            raise ConfigError(
                f"{where}: {variable} must map group names to categories",
                file=qfile,
                expected=shape,
                found=str(groups),
            )
        seen: dict[str, str] = {}
        parsed = []
        for group, members in groups.items():
            ok = (
                isinstance(members, list)
                and members
                and all(isinstance(m, str) and m.strip() for m in members)
            )
            if not str(group or "").strip() or not ok:
                raise ConfigError(
                    f"{where}: {variable}: group {group!r} needs a list of categories",
                    file=qfile,
                    expected=shape,
                    found=str(members),
                )
            for m in members:
                if m in seen:
                    raise ConfigError(
                        f"{where}: {variable}: {m!r} is in two groups ({seen[m]!r} and {group!r})",
                        file=qfile,
                        expected="each category in one group",
                        found=m,
                    )
                seen[m] = str(group)
            parsed.append((str(group), tuple(members)))
        out.append((str(variable), tuple(parsed)))
    return tuple(out)


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
