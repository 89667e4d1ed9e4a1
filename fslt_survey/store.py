"""Where clean data is written and read: the clean table, its log, and file hashes.

``fslt-survey clean`` and ``build`` write here; the analysis modules, notebooks and report pages
read from here. Nothing in this module cleans or analyses.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from fslt_survey import config
from fslt_survey._atomic import atomic_path
from fslt_survey.clean import CleanSurvey
from fslt_survey.errors import SurveyDataError
from fslt_survey.privacy.safe_output import neutralise_frame


def instrument_path(survey: str | Path) -> Path:
    """The instrument file of a survey given by name (``medlemsundersoegelse``) or folder."""
    p = Path(survey)
    if p.suffix in (".yml", ".yaml"):
        return p
    if not p.exists() and not p.is_absolute():
        p = config.SURVEYS_DIR / p
    return p / "instrument.yml"


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
