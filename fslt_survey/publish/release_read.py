"""Reading a built release back as its reader sees it: printed Danish numbers, the tables of an
HTML page, the semicolon-separated downloads (for :mod:`fslt_survey.publish.release_audit`)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd

from fslt_survey.errors import SurveyDataError

__all__ = ["count", "html_tables", "number", "read_download", "yes"]


# ------------------------------------------------------------------------- reading numbers


def number(text: object) -> tuple[float | None, int]:
    """A printed Danish number and its decimals: ``"61,5"`` -> ``(61.5, 1)``; ``None`` for
    a hidden or missing figure (``..``, ``·``, ``-``, empty)."""
    s = str(text).replace("\u2212", "-").replace("%", "").replace("\xa0", " ").strip()
    if s in ("", "..", "·", "-", "–", "nan", "None"):
        return None, 0
    if re.fullmatch(r"-?\d{1,3}(\.\d{3})+", s):
        s = s.replace(".", "")
    s = s.replace(" ", "").replace(",", ".")
    try:
        value = float(s)
    except ValueError:
        return None, 0
    return value, len(s.split(".")[1]) if "." in s else 0


def count(text: object) -> int | None:
    value, _ = number(text)
    return None if value is None else round(value)


def yes(text: object) -> bool:
    return str(text).strip().lower() in ("ja", "true", "1")


# ------------------------------------------------------------------------- HTML tables


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[tuple[str, list[list[str]]]] = []
        self._caption: list[str] | None = None
        self._cell: list[str] | None = None
        self._rows: list[list[str]] | None = None
        self._title = ""

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "table":
            self._rows, self._title = [], ""
        elif tag == "caption":
            self._caption = []
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th") and self._rows is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption" and self._caption is not None:
            self._title, self._caption = " ".join("".join(self._caption).split()), None
        elif tag in ("td", "th") and self._cell is not None and self._rows:
            self._rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table" and self._rows is not None:
            self.tables.append((self._title, [r for r in self._rows if r]))
            self._rows = None

    def handle_data(self, data: str) -> None:
        for part in (self._caption, self._cell):
            if part is not None:
                part.append(data)


def html_tables(path: Path) -> list[tuple[str, list[list[str]]]]:
    """Every table of an HTML page: ``(caption, rows of cell texts)``, the header row first."""
    parser = _Tables()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.tables


def read_download(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (ValueError, OSError) as exc:
        raise SurveyDataError(
            f"cannot read a published table: {exc}",
            file=path,
            expected="a semicolon-separated UTF-8 download as fslt-survey writes it",
        ) from exc
