"""The steps the CLI, notebooks and reports share: clean a survey to disk and read it back.

Layout of a survey folder (``surveys/<survey>/``)::

    instrument.yml          the questionnaire (codebook)
    raw/<wave>/...          the real raw exports (never in git), one folder per wave year

The bundled fictional demo exports live in ``surveys/demo/<instrument id>/<wave>/``.
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from fslt_survey import config
from fslt_survey.atomic import atomic_path
from fslt_survey.clean import CleanSurvey, clean_directory
from fslt_survey.codebook import Instrument, load_instrument
from fslt_survey.errors import SurveyDataError
from fslt_survey.privacy import neutralise_frame
from fslt_survey.registry import load_registry

#: The surveys the toolkit ships with, in the order ``fslt-survey build`` cleans them.
SURVEYS = ("medlemsundersoegelse", "moedeevaluering")


def instrument_path(survey: str | Path) -> Path:
    """The instrument file of a survey given by name (``medlemsundersoegelse``) or folder."""
    p = Path(survey)
    if p.suffix in (".yml", ".yaml"):
        return p
    if not p.exists() and not p.is_absolute():
        p = config.SURVEYS_DIR / p
    return p / "instrument.yml"


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
        registry = config.DEMO_REGISTRY_FILE if demo else config.REGISTRY_FILE
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


@dataclass(frozen=True)
class CleanFiles:
    parquet: Path
    csv: Path
    log_json: Path
    log_text: Path


def write_clean(result: CleanSurvey, out_dir: str | Path = config.CLEAN_DIR) -> CleanFiles:
    """Write the clean table (Parquet + CSV) and the log (JSON + Danish/English text).

    Every file is written atomically; the output is byte-identical for the same input.
    """
    out = Path(out_dir)
    name = result.instrument.id
    files = CleanFiles(
        out / f"{name}.parquet",
        out / f"{name}.csv",
        out / f"{name}_log.json",
        out / f"{name}_log.txt",
    )
    # All four go to temporary files first and are renamed together at the end, so a run that
    # is interrupted leaves the previous set as it was (never a new table beside an old log).
    with contextlib.ExitStack() as stack:
        parquet, csv_tmp, log_json, log_text = (
            stack.enter_context(atomic_path(p))
            for p in (files.parquet, files.csv, files.log_json, files.log_text)
        )
        result.data.to_parquet(parquet, index=False)
        # the CSV is for opening in Excel: text cells that would run as formulas get a "'"
        neutralise_frame(result.data).to_csv(
            csv_tmp,
            index=False,
            encoding="utf-8",
            lineterminator="\n",
            date_format="%Y-%m-%dT%H:%M:%S",
        )
        log_json.write_bytes(result.log.to_json().encode("utf-8"))
        log_text.write_bytes(
            (result.log.summary("da") + "\n" + result.log.summary("en")).encode("utf-8")
        )
    return files


def load_clean(survey: str, clean_dir: str | Path = config.CLEAN_DIR) -> pd.DataFrame:
    """Read a clean table written by :func:`write_clean` (dtypes preserved via Parquet)."""
    path = Path(clean_dir) / f"{survey}.parquet"
    if not path.exists():
        raise SurveyDataError(
            "clean data not found; run `fslt-survey clean` or `fslt-survey build` first",
            file=path,
        )
    return pd.read_parquet(path)


def load_log(survey: str, clean_dir: str | Path = config.CLEAN_DIR) -> dict:
    """Read the cleaning log written by :func:`write_clean`."""
    import json

    path = Path(clean_dir) / f"{survey}_log.json"
    if not path.exists():
        raise SurveyDataError("cleaning log not found; run `fslt-survey build` first", file=path)
    return json.loads(path.read_text(encoding="utf-8"))


def file_sha256(path: str | Path) -> str:
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
