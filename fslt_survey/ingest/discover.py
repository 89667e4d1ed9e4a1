"""Finding the raw exports of a survey: one sub-folder per wave, named by its year.

A SurveyXact trio (``dataset``/``structure``/``labels``) counts as one export; every other file
with an ending the readers take (:data:`~fslt_survey.ingest.raw.EXPORT_SUFFIXES`) is an export
of its own. Nothing is skipped silently: a file directly in the raw folder, a folder whose name
is not a wave year, a file with another ending and a ``.txt`` file that holds no table (notes)
are listed in :attr:`Discovery.ignored` with the reason, for the cleaning log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from fslt_survey import config
from fslt_survey.errors import ReadError, SurveyDataError
from fslt_survey.ingest.raw import EXPORT_SUFFIXES, read_bytes
from fslt_survey.ingest.surveyxact import SX_PARTS, SX_TEXT_SUFFIXES, sx_locate
from fslt_survey.ingest.text import read_text_header

#: Reasons for not reading a file (English, Danish).
_LOOSE = ("not in a wave folder (raw/<year>/)", "ligger ikke i en mappe for en bølge (et årstal)")
_NOT_WAVE = ("folder name is not a wave year", "mappens navn er ikke et bølgeår")
_ENDING = ("not an export file ending", "ikke en eksportfil (filendelse)")
_NOTES = ("a text file without a table (notes?)", "en tekstfil uden tabel (noter?)")


@dataclass
class Discovery:
    """The exports found below a raw folder, as ``(wave, path)``, and what was not read."""

    exports: list[tuple[int, Path]] = field(default_factory=list)
    ignored: list[dict[str, str]] = field(default_factory=list)

    def ignore(self, path: Path, reason: tuple[str, str]) -> None:
        self.ignored.append({"file": str(path), "reason": reason[0], "reason_da": reason[1]})


def _hidden(p: Path) -> bool:
    return p.name.startswith((".", "~$")) or p.name == "__pycache__"


def _is_notes(path: Path) -> bool:
    """A ``.txt`` file that is no table: its header has fewer than two fields."""
    try:
        header = read_text_header(read_bytes(path))
    except ReadError:
        return False  # let the reader name the problem
    return sum(h is not None for h in header) < 2


def _wave_files(wave_dir: Path, found: Discovery) -> list[Path]:
    files = []
    for p in sorted(wave_dir.iterdir()):
        if _hidden(p):
            continue
        if p.is_dir():
            found.ignore(p, _NOT_WAVE)
        elif p.suffix.lower() not in EXPORT_SUFFIXES:
            found.ignore(p, _ENDING)
        elif (p.suffix.lower() == ".txt" and p.stem.lower() not in SX_PARTS
              and _is_notes(p)):
            found.ignore(p, _NOTES)
        else:
            files.append(p)
    return files


def find_exports(raw_dir: str | Path) -> Discovery:
    """Find the exports below ``raw_dir`` and list what is not read (see the module docstring).

    A trio's ``structure``/``labels`` without the rest is refused, naming the missing part(s);
    so is a raw folder without any export.
    """
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise SurveyDataError(
            "raw data folder not found",
            file=raw_dir,
            expected="a folder with one sub-folder per wave (e.g. 2025/)",
        )
    found = Discovery()
    for child in sorted(raw_dir.iterdir()):
        if _hidden(child):
            continue
        if not child.is_dir():
            found.ignore(child, _LOOSE)
            continue
        if not re.match(config.WAVE_DIR_PATTERN, child.name):
            found.ignore(child, _NOT_WAVE)
            continue
        wave = int(child.name)
        files = _wave_files(child, found)
        trio = [p for p in files if p.stem.lower() in SX_PARTS]
        parts = {p.stem.lower() for p in trio if p.suffix.lower() in SX_TEXT_SUFFIXES}
        if parts - {"dataset"} and len(parts) < len(SX_PARTS):  # structure/labels, no dataset
            sx_locate(sorted(trio)[0])  # raises: names the missing part(s)
        if trio:
            found.exports.append(
                (wave, next((p for p in trio if p.stem.lower() == "dataset"), trio[0])))
        found.exports.extend((wave, p) for p in files if p not in trio)
    if not found.exports:
        raise SurveyDataError(
            "no raw exports found",
            file=raw_dir,
            expected="sub-folders named by wave year holding exports",
        )
    return found


def discover_exports(raw_dir: str | Path) -> list[tuple[int, Path]]:
    """The exports below ``raw_dir`` as ``(wave, path)`` pairs (see :func:`find_exports`)."""
    return find_exports(raw_dir).exports
