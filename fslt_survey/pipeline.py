"""The steps the CLI, notebooks and reports share: clean a survey to disk and read it back.

Layout of a survey folder (``surveys/<survey>/``)::

    instrument.yml          the questionnaire (codebook)
    raw/<wave>/...          the real raw exports (never in git), one folder per wave year

The bundled fictional demo exports live in ``surveys/demo/<instrument id>/<wave>/``.
"""

from __future__ import annotations

from pathlib import Path

from fslt_survey import config
from fslt_survey.clean import CleanSurvey, clean_directory
from fslt_survey.codebook import Instrument, load_instrument
from fslt_survey.errors import SurveyDataError
from fslt_survey.project import demo_mode, load_project, registry_for
from fslt_survey.registry import load_registry
from fslt_survey.store import (
    CleanFiles,
    file_sha256,
    instrument_path,
    write_clean,
    write_for_colleagues,
    write_registry,
)


def raw_dir_for(survey_dir: Path, instrument: Instrument, *, demo: bool = False) -> Path:
    """Where the raw exports of a survey are: the bundled demo folder with ``demo``, else the
    raw folder the project declares for it (default ``<survey>/raw``). In real mode a missing
    folder is an error naming it - never a fallback to the demo data."""
    if demo:
        return config.demo_dir() / instrument.id
    project = load_project()
    declared = [s for s in project.surveys if s.name in (instrument.id, survey_dir.name)]
    own = project.raw_dir(declared[0]) if declared else survey_dir / "raw"
    if own.is_dir() and any(own.iterdir()):
        return own
    raise SurveyDataError(
        "no raw exports for this survey (real data; nothing falls back to the demo data)",
        file=own,
        expected=f"{own}/<wave year>/<exports>, or --raw DIR, or --demo for the bundled demo data",
    )


def clean_survey(
    survey: str | Path,
    *,
    raw: str | Path | None = None,
    demo: bool = False,
    registry: str | Path | None = None,
    policy: str = config.UNKNOWN_VALUE_POLICY,
    names: tuple[str, ...] = (),
) -> CleanSurvey:
    """Load a survey's instrument and the registry, then read and clean all its exports.

    ``names``: personal names to redact from free text (e.g. the board members of the
    associations, when the centre has such a list), besides e-mails, phone and CPR numbers.
    """
    ipath = instrument_path(survey)
    instrument = load_instrument(ipath)
    raw_dir = Path(raw) if raw is not None else raw_dir_for(ipath.parent, instrument, demo=demo)
    # the demo exports belong to the fictional demo registry; real data needs the real one
    registry = registry_for(load_project(), demo=demo, override=registry)
    reg = load_registry(registry)
    result = clean_directory(instrument, raw_dir, reg, policy=policy, names=names)
    check_sources_unchanged(result)
    return result


def check_sources_unchanged(result: CleanSurvey) -> None:
    """Hash every raw file again and refuse the result if one changed while it was cleaned
    (e.g. saved over from Excel meanwhile): the log's SHA-256 must describe the data."""
    for src in result.log.sources:
        for entry in [src, *src.get("parts", [])]:
            path = Path(entry["file"])
            if not path.is_absolute():
                path = config.project_root() / path
            now = file_sha256(path) if path.is_file() else "missing"
            if now != entry["sha256"]:
                raise SurveyDataError(
                    "the raw file changed while it was being cleaned; run the command again",
                    file=entry["file"],
                    expected=f"SHA-256 {entry['sha256'][:16]}... as read",
                    found="no file" if now == "missing" else f"SHA-256 {now[:16]}...",
                )


def clean_to_disk(
    survey: str | Path,
    *,
    demo: bool,
    raw: str | Path | None = None,
    registry: str | Path | None = None,
    policy: str = config.UNKNOWN_VALUE_POLICY,
    out: str | Path | None = None,
) -> tuple[CleanSurvey, CleanFiles]:
    """Clean a survey and write it (``build/clean`` by default) with a copy of the registry it
    was linked against, so every page reads the same registry (see :func:`write_registry`)."""
    reg = registry_for(load_project(), demo=demo, override=registry)
    result = clean_survey(survey, raw=raw, demo=demo, registry=reg, policy=policy)
    files = write_clean(result, out)
    write_for_colleagues(result, out)
    write_registry(reg, out)
    return result, files


def project_survey(survey: str | Path, *, policy: str = config.UNKNOWN_VALUE_POLICY) -> CleanSurvey:
    """A survey of the project cleaned in memory, in the same mode as ``fslt-survey build``
    (the notebooks' entry point): real exports with the real registry, or the bundled demo
    data when the run is a demo (``FSLT_DEMO=1`` / ``--demo``, or ``demo: true``). Nothing is
    written."""
    return clean_survey(survey, demo=demo_mode(), policy=policy)
