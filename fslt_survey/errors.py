"""One exception family for everything the toolkit refuses.

Every error carries where the problem is (file, row, column) and what was expected and found,
so that the CLI can print it in one or two lines and exit non-zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class SurveyDataError(Exception):
    """A problem with input data, an instrument or a configuration file.

    Parameters
    ----------
    message:
        What is wrong, in one sentence.
    file:
        The file the problem is in (if any).
    row:
        1-based row number as the user sees it in the file (header = row 1), if known.
    column:
        Column name (or letter/index) if known.
    expected, found:
        What was expected and what was found instead.
    """

    message: str
    file: str | Path | None = None
    row: int | None = None
    column: str | None = None
    expected: str | None = None
    found: str | None = None
    problems: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def location(self) -> str:
        parts = []
        if self.file is not None:
            parts.append(str(self.file))
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)

    def __str__(self) -> str:
        loc = self.location()
        text = f"{loc}: {self.message}" if loc else self.message
        details = []
        if self.expected is not None:
            details.append(f"expected {self.expected}")
        if self.found is not None:
            found = self.found if len(self.found) <= 80 else self.found[:77] + "..."
            details.append(f"found {found!r}")
        if details:
            text += " (" + "; ".join(details) + ")"
        for p in self.problems:
            text += f"\n  - {p}"
        return text


class CodebookError(SurveyDataError):
    """An instrument (codebook) YAML file is invalid."""


class ReadError(SurveyDataError):
    """A raw export cannot be read."""


class CleaningError(SurveyDataError):
    """Cleaning refused the data under the unknown-value policy."""


class RenderError(SurveyDataError):
    """A report could not be rendered."""


class ConfigError(SurveyDataError):
    """A configuration file (rules, indicators, network data) is invalid."""
