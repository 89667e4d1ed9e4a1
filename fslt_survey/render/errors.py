"""The engine's own exception: a document or project that cannot be rendered.

It carries where the problem is (file, row, column) and what was expected and found, like the
host toolkit's errors, but depends on nothing outside this package; a host may catch it and
wrap it in its own error family.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class RenderError(Exception):
    """A report could not be rendered (``message``, where it is, what was expected and found)."""

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
        parts = [str(self.file)] if self.file is not None else []
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
