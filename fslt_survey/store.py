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
from fslt_survey.privacy.safe_output import neutralise_frame, write_xlsx_safe


def instrument_path(survey: str | Path) -> Path:
    """The instrument file of a survey given by name (``medlemsundersoegelse``) or folder."""
    p = Path(survey)
    if p.suffix in (".yml", ".yaml"):
        return p
    if not p.exists() and not p.is_absolute():
        p = config.surveys_dir() / p
        if not p.exists() and len(Path(survey).parts) == 1:
            known = sorted(d.parent.name for d in p.parent.glob("*/instrument.yml"))
            raise SurveyDataError(
                f"unknown survey {str(survey)!r}",
                file=p.parent,
                expected="a survey name (" + ", ".join(known) + "), a survey folder or an "
                "instrument.yml",
                found=str(survey),
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
    out = Path(out_dir) if out_dir is not None else config.clean_dir()
    name = result.instrument.id
    _refuse_demo_over_real(result, out / f"{name}_log.json")
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


#: The clean table's fixed columns, described for the data dictionary (Danish: for colleagues).
FIXED_COLUMNS = {
    "response_id": "Besvarelsens id: <runde>/<fil>#<række> i rådata",
    "wave": "Runde (årstal)",
    "association_id": "Foreningens id i medlemsregistret",
    "assoc_type": "Foreningstype (fra medlemsregistret)",
    "size_band": "Størrelse (fra medlemsregistret)",
    "locality": "Lokalområde (fra medlemsregistret)",
    "submitted": "Tidspunkt for besvarelsen",
    "source": "Rådatafilen, besvarelsen kommer fra",
    "row": "Rækkenummer i rådatafilen",
    "n_answered": "Antal besvarede spørgsmål",
}
_TYPES = {
    "single": "ét svar",
    "likert": "skala (ét svar)",
    "multi": "flere svar (sand/falsk pr. svarmulighed)",
    "numeric": "tal",
    "text": "fritekst (renset for personoplysninger)",
}


def data_dictionary(result: CleanSurvey) -> pd.DataFrame:
    """One row per column of the clean table, generated from the instrument (Danish)."""
    rows = [
        {"Kolonne": c, "Spørgsmål": text, "Type": "", "Svarmuligheder": "", "Runder": ""}
        for c, text in FIXED_COLUMNS.items()
        if c in result.data.columns
    ]
    for item in result.instrument.items:
        waves = ", ".join(map(str, item.waves)) or "alle"
        labels = [lab.label for lab in item.scale.substantive] if item.scale else []
        for col in item.columns:
            if col not in result.data.columns:
                continue
            option = next(
                (lab.label for lab in (item.scale.substantive if item.scale else ())
                 if item.type == "multi" and item.option_column(lab) == col),
                None,
            )
            if col == item.missing_column:
                what, kind, values = "Grund til manglende svar", "tekst", ", ".join(
                    [*config.MISSING_REASONS, config.NOT_ANSWERED, config.INVALID_ANSWER]
                )
            elif option is not None:
                what, kind, values = f"Svarmulighed »{option}«", _TYPES["multi"], "sand, falsk"
            else:
                what, kind, values = "", _TYPES.get(item.type, item.type), ", ".join(labels)
            text = " ".join(item.text.split())
            rows.append({
                "Kolonne": col,
                "Spørgsmål": f"{text} - {what}" if what else text,
                "Type": kind,
                "Svarmuligheder": values,
                "Runder": waves,
            })
    return pd.DataFrame(rows)


def write_for_colleagues(result: CleanSurvey, out_dir: str | Path | None = None) -> list[Path]:
    """The clean table as XLSX (what Danish Excel opens well; formulas neutralised) and its
    data dictionary (``<survey>_ordbog.xlsx``), beside the Parquet and CSV files."""
    out = Path(out_dir) if out_dir is not None else config.clean_dir()
    name = result.instrument.id
    return [
        write_xlsx_safe(result.data, out / f"{name}.xlsx", sheet_name="Data"),
        write_xlsx_safe(data_dictionary(result), out / f"{name}_ordbog.xlsx",
                        sheet_name="Ordbog"),
    ]


def log_is_demo(log: dict) -> bool:
    """True when a cleaning log's sources are all bundled demo exports (``surveys/demo/``)."""
    files = [str(s.get("file", "")) for s in log.get("sources", [])]
    return bool(files) and all(f.startswith("surveys/demo/") for f in files)


def _refuse_demo_over_real(result: CleanSurvey, existing_log: Path) -> None:
    """Real clean data is never overwritten by demo data."""
    if not existing_log.is_file() or not log_is_demo(result.log.to_dict()):
        return
    try:
        old = json.loads(existing_log.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if not log_is_demo(old):
        raise SurveyDataError(
            "this folder holds clean data made from real exports; demo data will not replace it",
            file=existing_log.parent,
            expected="--out another folder for the demo data, or delete the real clean files "
            "first if you mean it",
        )


def load_clean(survey: str, clean_dir: str | Path | None = None) -> pd.DataFrame:
    """Read a clean table written by :func:`write_clean` (dtypes preserved via Parquet)."""
    path = Path(clean_dir if clean_dir is not None else config.clean_dir()) / f"{survey}.parquet"
    if not path.exists():
        raise SurveyDataError(
            "clean data not found; run `fslt-survey clean` or `fslt-survey build` first",
            file=path,
        )
    return pd.read_parquet(path)


def load_log(survey: str, clean_dir: str | Path | None = None) -> dict:
    """Read the cleaning log written by :func:`write_clean`."""
    path = Path(clean_dir if clean_dir is not None else config.clean_dir()) / f"{survey}_log.json"
    if not path.exists():
        raise SurveyDataError("cleaning log not found; run `fslt-survey build` first", file=path)
    return json.loads(path.read_text(encoding="utf-8"))


#: The registry a clean data set was linked against, kept beside it so that every page counts
#: the same associations (and the render cache sees a changed registry as changed data).
REGISTRY_COPY = "registry.csv"


def write_registry(source: str | Path, out_dir: str | Path | None = None) -> Path:
    """Keep a copy of the member registry used for cleaning beside the clean data."""
    out = Path(out_dir) if out_dir is not None else config.clean_dir()
    target = out / REGISTRY_COPY
    with atomic_path(target) as tmp:
        tmp.write_bytes(Path(source).read_bytes())
    return target


def clean_registry(clean_dir: str | Path | None = None) -> Path:
    """The registry the clean data was made with (:func:`write_registry`); for clean data
    written before that copy existed, the configured registry."""
    copy = Path(clean_dir if clean_dir is not None else config.clean_dir()) / REGISTRY_COPY
    return copy if copy.is_file() else config.REGISTRY_FILE


def file_sha256(path: str | Path) -> str:
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def clean_mode(survey: str, clean_dir: str | Path | None = None) -> str | None:
    """``"demo"`` or ``"real"`` for the clean data of ``survey`` on disk, None if there is none."""
    folder = Path(clean_dir) if clean_dir is not None else config.clean_dir()
    if not (folder / f"{survey}_log.json").is_file():
        return None
    return "demo" if log_is_demo(load_log(survey, folder)) else "real"


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
