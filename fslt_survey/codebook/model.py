"""The instrument model: labels, scales, conditions, items, sections, the instrument.

Frozen dataclasses built by :mod:`fslt_survey.codebook.parse`; see :mod:`fslt_survey.codebook`
for the YAML format.

>>> normalise("  I  HØJ grad. ")
'i høj grad'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from fslt_survey.errors import CodebookError

ITEM_TYPES = ("single", "multi", "likert", "numeric", "text", "association")
CHOICE_TYPES = ("single", "multi", "likert")
KINDS = ("member", "evaluation")
_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_CODE_RE = re.compile(r"^[A-Za-z0-9_]+$")
_PUNCT_RE = re.compile(r"[^\w\s§%]+")
_WS_RE = re.compile(r"\s+")


def normalise(text: object) -> str:
    """Normalise a label or question text for matching.

    Unicode NFC, case-folded, punctuation removed (``§`` and ``%`` kept), whitespace collapsed.
    Danish letters are kept as they are.
    """
    s = unicodedata.normalize("NFC", str(text)).replace("\u00a0", " ").casefold()
    s = _PUNCT_RE.sub(" ", s)
    return _WS_RE.sub(" ", s).strip()


@dataclass(frozen=True)
class Label:
    """One answer option of a scale."""

    code: int | str
    label: str
    missing: bool = False
    aliases: tuple[str, ...] = ()
    name: str | None = None

    @property
    def key(self) -> str:
        """Column-safe key used in multi-select column names (``<item>__<key>``).

        The label's ``key`` in YAML when given (e.g. ``raadgivning``), else its code.
        """
        return self.name or str(self.code)


@dataclass(frozen=True)
class Scale:
    """A reusable answer scale: ordered labels and which of them are typed missing."""

    id: str
    labels: tuple[Label, ...]
    ordered: bool = True

    @property
    def substantive(self) -> tuple[Label, ...]:
        """Labels that are real answers (not typed missing), in scale order."""
        return tuple(lab for lab in self.labels if not lab.missing)

    @property
    def missing(self) -> tuple[Label, ...]:
        """Typed missing labels (e.g. "Ved ikke")."""
        return tuple(lab for lab in self.labels if lab.missing)

    @property
    def categories(self) -> list[str]:
        """Substantive label texts in order: the categories of the clean column."""
        return [lab.label for lab in self.substantive]

    @cached_property
    def _lookup(self) -> dict[str, Label]:
        table: dict[str, Label] = {}
        for lab in self.labels:
            for text in (lab.label, *lab.aliases):
                table.setdefault(normalise(text), lab)
        return table

    @cached_property
    def _codes(self) -> dict[str, Label]:
        return {str(lab.code): lab for lab in self.labels}

    def match(self, value: object) -> Label | None:
        """The label a raw answer text means (case, whitespace, punctuation and aliases)."""
        return self._lookup.get(normalise(value))

    def by_code(self, code: object) -> Label | None:
        """The label with this code (``1``, ``"1"`` and ``1.0`` are the same code)."""
        if isinstance(code, float) and code.is_integer():
            code = int(code)
        return self._codes.get(str(code).strip())


@dataclass(frozen=True)
class Condition:
    """``relevant``: the item is asked only when ``item`` was answered with one of ``values``."""

    item: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Item:
    """One question of an instrument."""

    id: str
    text: str
    type: str
    section: str
    theme: str
    goals: tuple[int, ...] = ()
    scale: Scale | None = None
    sx: str | None = None
    short: str | None = None
    core: bool = False
    waves: tuple[int, ...] = ()
    required: bool = False
    relevant: Condition | None = None
    minimum: float | None = None
    maximum: float | None = None
    unit: str | None = None
    battery: str | None = None
    help: str | None = None
    #: Sensitive (e.g. satisfaction with the municipality, health in self-help answers): a
    #: group in which all or none gave an answer is protected too (group-attribute disclosure).
    sensitive: bool = False

    @property
    def label(self) -> str:
        """Short label for tables and charts (falls back to the question text)."""
        return self.short or self.text

    @property
    def missing_column(self) -> str:
        """Name of the clean column holding the typed missing reason."""
        return f"{self.id}__missing"

    def option_column(self, label: Label) -> str:
        """Name of the boolean clean column of one multi-select option."""
        return f"{self.id}__{label.key}"

    @property
    def columns(self) -> list[str]:
        """The clean data columns this item produces."""
        if self.type == "multi":
            assert self.scale is not None
            return [self.option_column(lab) for lab in self.scale.substantive] + [
                self.missing_column
            ]
        if self.type == "association":
            return []
        return [self.id, self.missing_column]


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    theme: str
    goals: tuple[int, ...]
    items: tuple[str, ...]
    intro: str | None = None


@dataclass(frozen=True)
class Instrument:
    """A validated questionnaire."""

    id: str
    title: str
    kind: str
    waves: tuple[int, ...]
    scales: Mapping[str, Scale]
    sections: tuple[Section, ...]
    items: tuple[Item, ...]
    path: Path | None = None
    intro: str | None = None
    themes: Mapping[str, str] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Item]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @cached_property
    def _by_id(self) -> dict[str, Item]:
        return {it.id: it for it in self.items}

    def item(self, item_id: str) -> Item:
        """The item with this id; a clear error naming the instrument otherwise."""
        try:
            return self._by_id[item_id]
        except KeyError:
            raise CodebookError(
                f"instrument {self.id!r} has no item {item_id!r}", file=self.path
            ) from None

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._by_id

    def for_wave(self, wave: int) -> list[Item]:
        """Items asked in this wave."""
        return [it for it in self.items if not it.waves or wave in it.waves]

    def by_theme(self, theme: str) -> list[Item]:
        return [it for it in self.items if it.theme == theme]

    def by_goal(self, goal: int) -> list[Item]:
        return [it for it in self.items if goal in it.goals]

    def battery(self, name: str) -> list[Item]:
        """Items of one battery (e.g. all needs items), in questionnaire order."""
        items = [it for it in self.items if it.battery == name]
        if not items:
            raise CodebookError(f"instrument {self.id!r} has no battery {name!r}", file=self.path)
        return items

    @property
    def association_item(self) -> Item | None:
        """The item that identifies the responding association, if any."""
        return next((it for it in self.items if it.type == "association"), None)

    @property
    def core_items(self) -> list[Item]:
        return [it for it in self.items if it.core]


def _multi_scales(instrument: Instrument) -> set[str]:
    return {it.scale.id for it in instrument if it.type == "multi" and it.scale is not None}


def choice_name(instrument: Instrument, scale: Scale, label: Label) -> str:
    """The XLSForm choice ``name`` of a label: its code, or its key for multi-select scales.

    Multi-select answers are stored space-separated, so their names must be XML names: the
    label's ``key`` (``raadgivning``). Single-choice answers keep the code (``1``), as in
    SurveyXact and SPSS exports.
    """
    return label.key if scale.id in _multi_scales(instrument) else str(label.code)
