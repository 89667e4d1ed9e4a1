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
from fslt_survey.errors import CodebookError, SurveyDataError
from fslt_survey.privacy.safe_output import neutralise_frame


def instrument_path(survey: str | Path) -> Path:
    """The instrument file of a survey given by name (``medlemsundersoegelse``) or folder."""
    p = Path(survey)
    if p.suffix in (".yml", ".yaml"):
        return p
    if not p.exists() and not p.is_absolute():
        p = config.SURVEYS_DIR / p
        if not (p / "instrument.yml").is_file():
            known = sorted(d.parent.name for d in config.SURVEYS_DIR.glob("*/instrument.yml"))
            raise CodebookError(
                f"unknown survey {str(survey)!r}",
                file=p,
                expected="one of " + ", ".join(known) if known else "a survey folder",
            )
    return p / "instrument.yml"


@dataclass(frozen=True)
class CleanFiles:
    parquet: Path
    csv: Path
    log_json: Path
    log_text: Path


def write_clean(result: CleanSurvey, out_dir: str | Path | None = None) -> CleanFiles:
    """Write the clean table (Parquet + CSV) and the log (JSON + Danish/English text).

    Every file is written atomically; the output is byte-identical for the same input.
    """
    out = Path(out_dir) if out_dir is not None else config.CLEAN_DIR
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


def load_clean(survey: str, clean_dir: str | Path | None = None) -> pd.DataFrame:
    """Read a clean table written by :func:`write_clean` (dtypes preserved via Parquet)."""
    path = (Path(clean_dir) if clean_dir is not None else config.CLEAN_DIR) / f"{survey}.parquet"
    if not path.exists():
        raise SurveyDataError(
            "clean data not found; run `fslt-survey clean` or `fslt-survey build` first",
            file=path,
        )
    return pd.read_parquet(path)


def load_log(survey: str, clean_dir: str | Path | None = None) -> dict:
    """Read the cleaning log written by :func:`write_clean`."""
    path = (Path(clean_dir) if clean_dir is not None else config.CLEAN_DIR) / f"{survey}_log.json"
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


def outside_site(folder: str | Path, what: str) -> Path:
    """``folder``, refused when it lies inside the published site (``_site``): confidential
    outputs (feedback sheets, handouts) never go there."""
    path = Path(folder).resolve()
    site = config.SITE_DIR.resolve()
    if path == site or site in path.parents:
        raise SurveyDataError(
            f"{what} are confidential and are never written into the published site",
            file=folder,
            expected="a folder outside _site (default: build/)",
        )
    return Path(folder)


def is_demo_log(log: dict) -> bool:
    """Whether a cleaning log describes the bundled fictional demo exports (``surveys/demo/``)."""
    files = [str(s.get("file", "")) for s in log.get("sources", [])]
    return bool(files) and all(f.replace("\\", "/").startswith("surveys/demo/") for f in files)


def clean_mode(survey: str, clean_dir: str | Path | None = None) -> str | None:
    """``"demo"`` or ``"real"`` for the clean data of ``survey`` on disk, None if there is none."""
    folder = Path(clean_dir) if clean_dir is not None else config.CLEAN_DIR
    if not (folder / f"{survey}_log.json").is_file():
        return None
    return "demo" if is_demo_log(load_log(survey, folder)) else "real"
