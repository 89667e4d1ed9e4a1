"""Finding the raw exports of a survey: one sub-folder per wave, named by its year.

A SurveyXact trio (``dataset``/``structure``/``labels``) counts as one export; every other file
with an ending the readers take (:data:`~fslt_survey.ingest.raw.EXPORT_SUFFIXES`) is an export
of its own.
"""

from __future__ import annotations

import re
from pathlib import Path

from fslt_survey import config
from fslt_survey.errors import SurveyDataError
from fslt_survey.ingest.raw import EXPORT_SUFFIXES
from fslt_survey.ingest.surveyxact import SX_PARTS, SX_TEXT_SUFFIXES, sx_locate


def _wave_files(wave_dir: Path) -> list[Path]:
    return sorted(
        p
        for p in wave_dir.iterdir()
        if p.is_file()
        and not p.name.startswith((".", "~$"))
        and p.suffix.lower() in EXPORT_SUFFIXES
    )


def discover_exports(raw_dir: str | Path) -> list[tuple[int, Path]]:
    """Find the raw exports below ``raw_dir`` as ``(wave, path)`` pairs (see the module docstring).

    A trio's ``structure``/``labels`` without the rest is refused, naming the missing part(s).
    """
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise SurveyDataError(
            "raw data folder not found",
            file=raw_dir,
            expected="a folder with one sub-folder per wave (e.g. 2025/)",
        )
    found: list[tuple[int, Path]] = []
    for wave_dir in sorted(p for p in raw_dir.iterdir() if p.is_dir()):
        if not re.match(config.WAVE_DIR_PATTERN, wave_dir.name):
            continue
        wave = int(wave_dir.name)
        files = _wave_files(wave_dir)
        trio = [p for p in files if p.stem.lower() in SX_PARTS]
        parts = {p.stem.lower() for p in trio if p.suffix.lower() in SX_TEXT_SUFFIXES}
        if parts - {"dataset"} and len(parts) < len(SX_PARTS):  # structure/labels, no dataset
            sx_locate(sorted(trio)[0])  # raises: names the missing part(s)
        if trio:
            found.append((wave, next((p for p in trio if p.stem.lower() == "dataset"), trio[0])))
        found.extend((wave, p) for p in files if p not in trio)
    if not found:
        raise SurveyDataError(
            "no raw exports found",
            file=raw_dir,
            expected="sub-folders named by wave year holding exports",
        )
    return found
