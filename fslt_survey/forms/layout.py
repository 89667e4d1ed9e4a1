"""The layout of a form: sections, numbered questions, grids and conditions.

:func:`form_layout` turns an instrument (for one wave, by default its latest:
:func:`default_wave`) into a :class:`FormLayout` of :class:`FormSection` and
:class:`FormQuestion`, the one numbering shared by every version of the form (XLSForm and plain
text in :mod:`fslt_survey.forms`, paper in :mod:`fslt_survey.forms.pdf`). :func:`choice_name` is
the XLSForm name of an answer label (its code, or its key for multi-select), which the
KoboToolbox reader (:mod:`fslt_survey.ingest.kobo`) maps back. Re-exported by
:mod:`fslt_survey.forms`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from fslt_survey.codebook import (
    Instrument,
    Item,
    Label,
    Scale,
    Section,
    choice_name,
)
from fslt_survey.errors import SurveyDataError

if TYPE_CHECKING:  # pragma: no cover
    pass

__all__ = [
    "INSTRUCTION",
    "FormLayout",
    "FormQuestion",
    "FormSection",
    "choice_name",
    "default_wave",
    "form_layout",
    "numeric_is_integer",
]

# --------------------------------------------------------------------------- layout

#: Danish instructions, shared by the paper and the text version.
INSTRUCTION = {
    "single": "Sæt ét kryds",
    "likert": "Sæt ét kryds",
    "multi": "Sæt gerne flere krydser",
    "grid": "Sæt ét kryds i hver række",
    "numeric": "Skriv et tal",
    "text": "Skriv dit svar",
    "association": "Skriv foreningens fulde navn",
}


@dataclass(frozen=True)
class FormQuestion:
    """One numbered question: one item, or several items of a battery shown as a grid."""

    number: int
    items: tuple[Item, ...]

    @property
    def is_grid(self) -> bool:
        return len(self.items) > 1

    @property
    def scale(self) -> Scale | None:
        return self.items[0].scale


@dataclass(frozen=True)
class FormSection:
    section: Section
    questions: tuple[FormQuestion, ...]

    @property
    def items(self) -> list[Item]:
        return [it for q in self.questions for it in q.items]


@dataclass(frozen=True)
class FormLayout:
    """The questionnaire of one wave as respondents see it: sections, numbered questions."""

    instrument: Instrument
    wave: int | None
    sections: tuple[FormSection, ...]

    @property
    def items(self) -> list[Item]:
        return [it for s in self.sections for it in s.items]

    @cached_property
    def numbers(self) -> dict[str, str]:
        """Displayed number of each item: ``"7"``, or ``"7.3"`` for a row of grid 7."""
        out: dict[str, str] = {}
        for s in self.sections:
            for q in s.questions:
                for i, it in enumerate(q.items, start=1):
                    out[it.id] = f"{q.number}.{i}" if q.is_grid else str(q.number)
        return out

    def relevant_hint(self, item: Item) -> str | None:
        """Danish hint for skip logic, e.g. "Besvares kun hvis du svarede »Ja« til spørgsmål 19"."""
        cond = item.relevant
        if cond is None or cond.item not in self.numbers:
            return None
        target = self.instrument.item(cond.item)
        labels = _condition_labels(target, cond.values)
        joined = _danish_or([f"»{lab.label}«" for lab in labels])
        number = self.numbers[cond.item]
        if target.type == "multi":
            return f"Besvares kun hvis du valgte {joined} i spørgsmål {number}."
        return f"Besvares kun hvis du svarede {joined} til spørgsmål {number}."

    def grid_stem(self, question: FormQuestion) -> str:
        """The question above a grid: its section's intro when the grid opens the section,
        else a Danish stem fitting the scale ("Hvor enig eller uenig er du i ...")."""
        sec = next(s for s in self.sections if question in s.questions)
        if sec.section.intro and sec.questions[0] is question:
            return sec.section.intro.strip()
        labels = question.scale.labels if question.scale is not None else ()
        if any(lab.label.casefold().endswith("enig") for lab in labels):
            return "Hvor enig eller uenig er du i følgende udsagn?"
        return "Hvad passer bedst for hvert af følgende?"

    def section_intro(self, fsec: FormSection) -> str | None:
        """A section's intro, unless it is the question of the grid opening the section."""
        if not fsec.section.intro or fsec.questions[0].is_grid:
            return None
        return fsec.section.intro.strip()

    @property
    def version(self) -> str:
        """Deterministic form version: the wave and a hash of what the form asks."""
        h = hashlib.sha256()
        h.update(
            json.dumps(
                [self.instrument.id, self.wave, self.instrument.title, self.instrument.intro],
                ensure_ascii=False,
            ).encode()
        )
        for s in self.sections:
            h.update(json.dumps([s.section.id, s.section.title, s.section.intro]).encode())
            for it in s.items:
                h.update(repr(it).encode())
        return f"{self.wave or 'alle'}-{h.hexdigest()[:10]}"


def default_wave(instrument: Instrument) -> int | None:
    """The wave a form is made for when none is given: the instrument's latest wave."""
    return max(instrument.waves) if instrument.waves else None


def form_layout(instrument: Instrument, wave: int | None = None) -> FormLayout:
    """Number the questions of one wave; consecutive items of a battery become one grid.

    Raises
    ------
    SurveyDataError
        When ``wave`` is not one of the instrument's waves.
    """
    if wave is None:
        wave = default_wave(instrument)
    elif instrument.waves and wave not in instrument.waves:
        raise SurveyDataError(
            f"instrument {instrument.id!r} is not fielded in wave {wave}",
            file=instrument.path,
            expected="one of " + ", ".join(map(str, instrument.waves)),
            found=str(wave),
        )
    asked = {it.id for it in (instrument.for_wave(wave) if wave is not None else instrument)}
    sections: list[FormSection] = []
    number = 0
    for sec in instrument.sections:
        items = [instrument.item(i) for i in sec.items if i in asked]
        questions: list[FormQuestion] = []
        for group in _grids(items):
            number += 1
            questions.append(FormQuestion(number, tuple(group)))
        if questions:
            sections.append(FormSection(sec, tuple(questions)))
    return FormLayout(instrument, wave, tuple(sections))


def _grids(items: list[Item]) -> Iterable[list[Item]]:
    """Consecutive choice items of one battery with the same scale form one grid."""
    group: list[Item] = []
    for it in items:
        if (
            group
            and it.battery
            and it.battery == group[-1].battery
            and it.scale is not None
            and it.scale == group[-1].scale
            and it.type in ("likert", "single")
        ):
            group.append(it)
            continue
        if group:
            yield group
        group = [it]
    if group:
        yield group


def _condition_labels(target: Item, values: Iterable[str]) -> list[Label]:
    assert target.scale is not None  # the codebook guarantees it
    labels = [target.scale.match(v) for v in values]
    return [lab for lab in labels if lab is not None]


def _danish_or(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " eller " + parts[-1]


def _number_range(item: Item) -> str | None:
    def fmt(v: float) -> str:  # Danish: 20.000 and 2,5
        return (
            f"{v:,.0f}".replace(",", ".") if float(v).is_integer() else f"{v:g}".replace(".", ",")
        )

    if item.minimum is not None and item.maximum is not None:
        return f"{fmt(item.minimum)}–{fmt(item.maximum)}"
    if item.minimum is not None:
        return f"mindst {fmt(item.minimum)}"
    if item.maximum is not None:
        return f"højst {fmt(item.maximum)}"
    return None


def numeric_is_integer(item: Item) -> bool:
    """Numbers are whole when every given bound is whole (counts); decimal otherwise."""
    bounds = [b for b in (item.minimum, item.maximum) if b is not None]
    return bool(bounds) and all(float(b).is_integer() for b in bounds)


# --------------------------------------------------------------------------- choice names
