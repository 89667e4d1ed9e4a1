"""The steps the CLI, notebooks and reports share: clean a survey to disk and read it back.

Layout of a survey folder (``surveys/<survey>/``)::

    instrument.yml          the questionnaire (codebook)
    raw/<wave>/...          the real raw exports (never in git), one folder per wave year

The bundled fictional demo exports live in ``surveys/demo/<instrument id>/<wave>/``.
"""

from __future__ import annotations

import os
from pathlib import Path

from fslt_survey import config
from fslt_survey.clean import CleanSurvey, clean_directory
from fslt_survey.codebook import Instrument, load_instrument
from fslt_survey.errors import SurveyDataError
from fslt_survey.registry import load_registry
from fslt_survey.store import file_sha256, instrument_path


def raw_dir_for(survey_dir: Path, instrument: Instrument, *, demo: bool = False) -> Path:
    """Where the raw exports of a survey are: ``<survey>/raw`` or the bundled demo folder."""
    if demo:
        return config.DEMO_DIR / instrument.id
    own = survey_dir / "raw"
    if own.is_dir():
        return own
    raise SurveyDataError(
        "no raw data folder for this survey",
        file=own,
        expected=f"{own}/<wave year>/<exports>, or --raw DIR, or --demo for the bundled demo data",
    )


def real_registry() -> Path:
    """The real member registry (``FSLT_REGISTRY``); real data is never matched against the
    fictional demo registry."""
    if not os.environ.get("FSLT_REGISTRY") and "REGISTRY_FILE" not in vars(config):
        raise SurveyDataError(
            "real exports need the real member registry, and none is given",
            file=config.DEMO_REGISTRY_FILE,
            expected="--registry FILE or the environment variable FSLT_REGISTRY naming the real "
            "registry (the file above is the fictional demo registry); or --demo for the "
            "bundled demo data",
        )
    return config.REGISTRY_FILE


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
    if registry is None:  # the demo exports belong to the fictional demo registry
        registry = config.DEMO_REGISTRY_FILE if demo else real_registry()
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
                path = config.PROJECT_ROOT / path
            now = file_sha256(path) if path.is_file() else "missing"
            if now != entry["sha256"]:
                raise SurveyDataError(
                    "the raw file changed while it was being cleaned; run the command again",
                    file=entry["file"],
                    expected=f"SHA-256 {entry['sha256'][:16]}... as read",
                    found="no file" if now == "missing" else f"SHA-256 {now[:16]}...",
                )
