"""Fielding an instrument: XLSForm (KoboToolbox/ODK), paper and plain text - and reading back.

The instrument (``surveys/<survey>/instrument.yml``) is the single source of truth. This module
turns it into the forms associations actually answer, so that the answers come back in a shape the
readers and the cleaner understand without hand work:

- :func:`write_xlsform` - an XLSForm (``survey``, ``choices``, ``settings``) for KoboToolbox or
  ODK. Question ``name`` = item id, so a Kobo export is headed by item ids (``rolle``) or group
  paths (``profil/rolle``); choice ``name`` = the label's code (single/likert) or key (multi).
- :func:`write_markdown` - a plain text version to paste into Microsoft Forms or SurveyXact with
  every question's exact text, so that their exports are matched by the question texts.
- :func:`fslt_survey.forms_pdf.write_pdf` - a printable A4 questionnaire (Typst).
- :func:`read_kobo_export` - reads a KoboToolbox export (CSV or XLSX, "XML values and headers"
  or "Labels") into the readers' :class:`~fslt_survey.io.RawExport` with item texts as headers
  and answer labels as values, so that :func:`fslt_survey.io.match_columns` matches every column.

Which items: a form is made for one wave (``--wave``); by default the instrument's latest wave,
so a new form is the current questionnaire. Items with ``waves`` not including it are left out.

Examples
--------
>>> from fslt_survey.codebook import load_instrument
>>> from fslt_survey.config import SURVEYS_DIR
>>> inst = load_instrument(SURVEYS_DIR / "moedeevaluering" / "instrument.yml")
>>> layout = form_layout(inst)
>>> layout.wave, [q.number for q in layout.sections[0].questions]
(2027, [1, 2])
>>> sheets = xlsform_sheets(inst)
>>> [row["type"] for row in sheets["survey"][:5]]
['start', 'end', 'note', 'begin_group', 'text']
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from fslt_survey import config
from fslt_survey.codebook import (
    Instrument,
    Item,
    Label,
    Scale,
    Section,
    load_instrument,
    normalise,
)
from fslt_survey.errors import SurveyDataError

if TYPE_CHECKING:  # pragma: no cover
    from fslt_survey.io import RawExport

FORMATS = ("xlsform", "pdf", "markdown")
SUFFIXES = {"xlsform": ".xlsx", "pdf": ".pdf", "markdown": ".md"}
#: The XLSForm language of every label and hint.
LANGUAGE = "Dansk (da)"
#: Choice list of the association item when a member registry is given.
REGISTRY_LIST = "foreninger"
_FIXED_TIME = (2000, 1, 1, 0, 0, 0)  # xlsx zip entries and document properties: reproducible

SURVEY_COLUMNS = (
    "type", "name", f"label::{LANGUAGE}", f"hint::{LANGUAGE}", "required",
    f"required_message::{LANGUAGE}", "relevant", "constraint", f"constraint_message::{LANGUAGE}",
    "appearance",
)
CHOICES_COLUMNS = ("list_name", "name", f"label::{LANGUAGE}")
SETTINGS_COLUMNS = ("form_title", "form_id", "version", "default_language", "style")

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
REQUIRED_TEXT = "Dette spørgsmål skal besvares."


# --------------------------------------------------------------------------- layout


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
        h.update(json.dumps([self.instrument.id, self.wave, self.instrument.title,
                             self.instrument.intro], ensure_ascii=False).encode())
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
            file=instrument.path, expected="one of " + ", ".join(map(str, instrument.waves)),
            found=str(wave))
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
        if (group and it.battery and it.battery == group[-1].battery and it.scale is not None
                and it.scale == group[-1].scale and it.type in ("likert", "single")):
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
        return f"{v:,.0f}".replace(",", ".") if float(v).is_integer() else f"{v:g}".replace(
            ".", ",")

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


# --------------------------------------------------------------------------- XLSForm


def _multi_scales(instrument: Instrument) -> set[str]:
    return {it.scale.id for it in instrument if it.type == "multi" and it.scale is not None}


def choice_name(instrument: Instrument, scale: Scale, label: Label) -> str:
    """The XLSForm choice ``name`` of a label: its code, or its key for multi-select scales.

    Multi-select answers are stored space-separated, so their names must be XML names: the
    label's ``key`` (``raadgivning``). Single-choice answers keep the code (``1``), as in
    SurveyXact and SPSS exports.
    """
    return label.key if scale.id in _multi_scales(instrument) else str(label.code)


def xlsform_sheets(
    instrument: Instrument,
    *,
    wave: int | None = None,
    registry: pd.DataFrame | None = None,
) -> dict[str, list[dict[str, str]]]:
    """The XLSForm as rows per sheet (``survey``, ``choices``, ``settings``).

    Parameters
    ----------
    instrument:
        The validated instrument.
    wave:
        The wave the form is for (default: the latest wave, see :func:`default_wave`).
    registry:
        Optional member registry (:func:`fslt_survey.registry.load_registry`). When given, the
        association item is a ``select_one`` from the registry's names (choice name = the
        association id, which the cleaner links directly); otherwise it is free ``text``.
    """
    layout = form_layout(instrument, wave)
    lab = f"label::{LANGUAGE}"
    hint = f"hint::{LANGUAGE}"
    taken = {it.id for it in instrument} | {s.id for s in instrument.sections}
    survey: list[dict[str, str]] = []

    def unique(name: str) -> str:
        base, n = name, 1
        while name in taken:
            n += 1
            name = f"{base}_{n}"
        taken.add(name)
        return name

    # when the respondent opened and finished the form: Kobo's ``start``/``end`` columns
    survey += [{"type": "start", "name": unique("start")}, {"type": "end", "name": unique("end")}]
    if instrument.intro:
        survey.append({"type": "note", "name": unique("intro"), lab: instrument.intro.strip()})
    used_lists: list[str] = []
    assoc_list = None
    if registry is not None and instrument.association_item is not None:
        assoc_list = REGISTRY_LIST
        while assoc_list in instrument.scales:
            assoc_list += "_register"
    for fsec in layout.sections:
        sec = fsec.section
        group = sec.id if sec.id not in {it.id for it in instrument} else unique(f"{sec.id}_del")
        survey.append({"type": "begin_group", "name": group, lab: sec.title,
                       "appearance": "field-list"})
        if sec.intro:
            survey.append({"type": "note", "name": unique(f"{sec.id}_intro"),
                           lab: sec.intro.strip()})
        for item in fsec.items:
            row = _survey_row(instrument, layout, item, assoc_list)
            survey.append(row)
            if item.scale is not None and item.scale.id not in used_lists:
                used_lists.append(item.scale.id)
        survey.append({"type": "end_group", "name": group})

    choices: list[dict[str, str]] = []
    for sid in used_lists:
        scale = instrument.scales[sid]
        for label in scale.labels:
            choices.append({"list_name": sid, "name": choice_name(instrument, scale, label),
                            lab: label.label})
    if assoc_list is not None:
        assert registry is not None
        reg = registry.sort_values("name", key=lambda s: s.str.casefold(), kind="stable")
        for aid, name in zip(reg["association_id"], reg["name"], strict=True):
            choices.append({"list_name": assoc_list, "name": _xml_name(str(aid)),
                            lab: str(name)})

    title = instrument.title + (f" ({layout.wave})" if layout.wave is not None else "")
    settings = [{"form_title": title, "form_id": instrument.id, "version": layout.version,
                 "default_language": LANGUAGE, "style": "pages"}]
    # the hint column stays even when empty, so every form has the same columns
    for row in survey:
        row.setdefault(hint, "")
    return {"survey": survey, "choices": choices, "settings": settings}


def _xml_name(value: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", value)
    return name if re.match(r"[A-Za-z_]", name) else f"_{name}"


def _survey_row(instrument: Instrument, layout: FormLayout, item: Item,
                assoc_list: str | None) -> dict[str, str]:
    row: dict[str, str] = {"name": item.id, f"label::{LANGUAGE}": item.text}
    if item.help:
        row[f"hint::{LANGUAGE}"] = item.help.strip()
    if item.type == "association":
        if assoc_list is not None:
            row.update(type=f"select_one {assoc_list}", appearance="autocomplete")
        else:
            row["type"] = "text"
    elif item.type in ("single", "likert"):
        assert item.scale is not None
        row["type"] = f"select_one {item.scale.id}"
        if item.type == "likert":
            row["appearance"] = "likert"
    elif item.type == "multi":
        assert item.scale is not None
        row["type"] = f"select_multiple {item.scale.id}"
        missing = [choice_name(instrument, item.scale, lab) for lab in item.scale.missing]
        if missing:
            row["constraint"] = " and ".join(
                f"not(selected(., '{m}') and count-selected(.) > 1)" for m in missing)
            names = _danish_or([f"»{lab.label}«" for lab in item.scale.missing])
            row[f"constraint_message::{LANGUAGE}"] = f"{names} kan ikke kombineres med andre svar."
    elif item.type == "numeric":
        row["type"] = "integer" if numeric_is_integer(item) else "decimal"
        parts = []
        if item.minimum is not None:
            parts.append(f". >= {item.minimum:g}")
        if item.maximum is not None:
            parts.append(f". <= {item.maximum:g}")
        if parts:
            row["constraint"] = " and ".join(parts)
            row[f"constraint_message::{LANGUAGE}"] = f"Skriv et tal ({_number_range(item)})."
    else:
        row.update(type="text", appearance="multiline")
    if item.required:
        row["required"] = "yes"
        row[f"required_message::{LANGUAGE}"] = REQUIRED_TEXT
    rel = relevant_xpath(instrument, item) if item.relevant else None
    if rel is not None and item.relevant is not None and item.relevant.item in layout.numbers:
        row["relevant"] = rel
    return row


def relevant_xpath(instrument: Instrument, item: Item) -> str | None:
    """The instrument's ``relevant: {item, in: [labels]}`` as an XLSForm expression.

    >>> from fslt_survey.codebook import load_instrument
    >>> from fslt_survey.config import SURVEYS_DIR
    >>> inst = load_instrument(SURVEYS_DIR / "medlemsundersoegelse" / "instrument.yml")
    >>> relevant_xpath(inst, inst.item("sh_antal"))
    "${sh_driver} = '1'"
    """
    cond = item.relevant
    if cond is None:
        return None
    target = instrument.item(cond.item)
    assert target.scale is not None
    names = [choice_name(instrument, target.scale, lab)
             for lab in _condition_labels(target, cond.values)]
    if target.type == "multi":
        parts = [f"selected(${{{target.id}}}, '{n}')" for n in names]
    else:
        parts = [f"${{{target.id}}} = '{n}'" for n in names]
    return parts[0] if len(parts) == 1 else "(" + " or ".join(parts) + ")"


def xlsform_bytes(sheets: dict[str, list[dict[str, str]]]) -> bytes:
    """The XLSForm workbook as bytes; identical input gives identical bytes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    columns = {"survey": SURVEY_COLUMNS, "choices": CHOICES_COLUMNS, "settings": SETTINGS_COLUMNS}
    widths = {"type": 26, "name": 24, f"label::{LANGUAGE}": 70, f"hint::{LANGUAGE}": 30,
              "relevant": 26, "constraint": 30, "list_name": 18, "form_title": 60}
    wb = Workbook()
    wb.remove(wb.active)
    for sheet, cols in columns.items():
        ws = wb.create_sheet(sheet)
        ws.append(list(cols))
        for row in sheets[sheet]:
            ws.append([row.get(c) or None for c in cols])
        for cell in ws[1]:
            cell.font = Font(bold=True)
            ws.column_dimensions[cell.column_letter].width = widths.get(str(cell.value), 14)
        ws.freeze_panes = "A2"
    import datetime as dt

    fixed = dt.datetime(*_FIXED_TIME)
    wb.properties.creator = "fslt-survey"
    wb.properties.created = fixed
    wb.properties.modified = fixed
    buf = io.BytesIO()
    wb.save(buf)
    return _fixed_zip(buf.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """Rewrite a zip (xlsx) with fixed entry timestamps and a fixed core.xml modified date."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(<)",
                              rb"\g<1>2000-01-01T00:00:00Z\g<2>", body)
            zi = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, body)
    return out.getvalue()


def write_xlsform(
    instrument: Instrument, path: str | Path, *, wave: int | None = None,
    registry: pd.DataFrame | None = None,
) -> Path:
    """Write the XLSForm (see :func:`xlsform_sheets`) to ``path`` atomically."""
    from fslt_survey.atomic import write_bytes_atomic

    return write_bytes_atomic(path, xlsform_bytes(
        xlsform_sheets(instrument, wave=wave, registry=registry)))


# --------------------------------------------------------------------------- plain text


_MD_TYPE = {
    "single": "Valg, ét svar",
    "likert": "Valg, ét svar",
    "multi": "Valg, flere svar (Vælg gerne flere)",
    "numeric": "Tekst med begrænsning: tal",
    "text": "Tekst, langt svar",
    "association": "Tekst, kort svar (foreningens fulde navn, som i medlemslisten)",
}


def form_markdown(instrument: Instrument, *, wave: int | None = None) -> str:
    """A plain text (Markdown) version to paste into Microsoft Forms or SurveyXact.

    Each question's text stands alone on its own line, exactly as in the instrument, so it can
    be copied as is; answer options are listed one per line (``- I høj grad``). Batteries are
    shown as a grid: the rows (exact texts) and the answer columns.
    """
    layout = form_layout(instrument, wave)
    wave_text = f"bølge {layout.wave}, " if layout.wave is not None else ""
    out = [
        f"# {instrument.title}",
        "",
        "> **Til den, der opretter skemaet:** Denne tekstversion er til at indsætte i "
        "Microsoft Forms eller SurveyXact. Kopiér spørgsmålstekster og svarmuligheder præcis, "
        "som de står - ret ikke i dem, heller ikke tegnsætning - ellers kan besvarelserne ikke "
        "læses tilbage og kobles til spørgeskemaet. Numrene er kun til orientering: skriv dem "
        "ikke ind i spørgsmålsteksten (slå i stedet nummerering til i værktøjet). Spørgsmål "
        "mærket *obligatorisk* skal være påkrævede; \"Besvares kun hvis ...\" laves med "
        "forgrening (branching). Matrixspørgsmål oprettes som Likert-spørgsmål med rækkerne som "
        "udsagn eller som ét valgspørgsmål pr. række - med rækkernes tekst præcis som her.",
        ">",
        f"> Skema: `{instrument.id}`, {wave_text}version {layout.version}.",
        "",
    ]
    if instrument.intro:
        out += [instrument.intro.strip(), ""]
    for fsec in layout.sections:
        out += [f"## {fsec.section.title}", ""]
        intro = layout.section_intro(fsec)
        if intro:
            out += [f"*{intro}*", ""]
        for q in fsec.questions:
            out += _md_question(layout, q)
    return "\n".join(out).rstrip() + "\n"


def _md_question(layout: FormLayout, q: FormQuestion) -> list[str]:
    first = q.items[0]
    flags = []
    if any(it.required for it in q.items):
        flags.append("*obligatorisk*")
    hint = layout.relevant_hint(first)
    if q.is_grid:
        assert q.scale is not None
        lines = [f"### Spørgsmål {q.number} - matrix" + "".join(f", {f}" for f in flags), ""]
        if hint:
            lines += [f"*{hint}*", ""]
        lines += [f"Overskrift: {layout.grid_stem(q)}", "",
                  f"Svartype: Likert (matrix), {INSTRUCTION['grid'].lower()}. Rækker:", ""]
        lines += ["| Nr. | Række (spørgsmålstekst) |", "|---|---|"]
        for it in q.items:
            lines.append(f"| {layout.numbers[it.id]} | {it.text.replace('|', '¦')} |")
        lines += ["", "Kolonner (svarmuligheder):", ""]
        lines += [f"- {lab.label}" for lab in q.scale.labels]
        return [*lines, ""]
    item = first
    lines = [f"### Spørgsmål {q.number}" + (" - " + ", ".join(flags) if flags else ""), ""]
    if hint:
        lines += [f"*{hint}*", ""]
    lines += [item.text, ""]
    if item.help:
        lines += [f"Hjælpetekst: {item.help.strip()}", ""]
    kind = _MD_TYPE[item.type]
    if item.type == "numeric":
        rng = _number_range(item)
        whole = "heltal" if numeric_is_integer(item) else "tal"
        kind = f"Tekst med begrænsning: {whole}" + (f" ({rng})" if rng else "")
        if item.unit:
            kind += f", antal {item.unit}"
    lines += [f"Svartype: {kind}.", ""]
    if item.scale is not None:
        lines += [f"- {lab.label}" for lab in item.scale.labels] + [""]
    return lines


def write_markdown(instrument: Instrument, path: str | Path, *, wave: int | None = None) -> Path:
    """Write :func:`form_markdown` to ``path`` (UTF-8) atomically."""
    from fslt_survey.atomic import write_text_atomic

    return write_text_atomic(path, form_markdown(instrument, wave=wave))


# --------------------------------------------------------------------------- KoboToolbox exports

#: Columns KoboToolbox adds to an export (and ODK ``meta`` fields) -> their metadata role.
KOBO_METADATA: dict[str, str] = {
    "start": "started", "end": "submitted", "today": "date", "deviceid": "device",
    "username": "username", "phonenumber": "phone", "audit": "audit",
    "_id": "respondent_id", "_uuid": "uuid", "_submission_time": "received",
    "_index": "index", "_parent_index": "parent_index", "_parent_table_name": "parent_table",
    "_status": "status", "_submitted_by": "submitted_by", "__version__": "form_version",
    "_validation_status": "validation_status", "_notes": "notes", "_tags": "tags",
    "_attachments": "attachments", "_geolocation": "geolocation",
    "meta/instanceID": "instance_id", "instanceID": "instance_id", "meta/rootUuid": "root_uuid",
    "meta/deprecatedID": "deprecated_id", "formhub/uuid": "formhub_uuid",
}
_KOBO_VERSION_RE = re.compile(r"^_+version_+\d*$")
_KOBO_MARKERS = frozenset({"_uuid", "_submission_time", "_id", "__version__", "_index"})
_TZ_RE = re.compile(r"(?<=\d)(Z|[+-]\d\d:?\d\d)$")


def kobo_role(column: str) -> str | None:
    """The metadata role of a KoboToolbox column (``_submission_time`` -> ``received``)."""
    role = KOBO_METADATA.get(column)
    if role is None and _KOBO_VERSION_RE.match(column):
        role = "form_version"
    return role


def is_kobo_export(columns: Iterable[object]) -> bool:
    """Whether export headers look like KoboToolbox's (its ``_uuid``/``_submission_time``...)."""
    return len(_KOBO_MARKERS & {str(c) for c in columns}) >= 2


@dataclass
class _KoboLookup:
    names: dict[str, Item]
    texts: dict[str, Item]
    option_names: dict[str, tuple[Item, Label]]
    option_texts: dict[str, tuple[Item, Label]]
    multi_by_name: dict[str, Item]
    multi_by_text: dict[str, Item]


def _kobo_lookup(instrument: Instrument) -> _KoboLookup:
    names: dict[str, Item] = {}
    texts: dict[str, Item] = {}
    opt_names: dict[str, tuple[Item, Label]] = {}
    opt_texts: dict[str, tuple[Item, Label]] = {}
    for it in instrument:
        names[it.id] = it
        texts.setdefault(normalise(it.text), it)
        if it.type != "multi" or it.scale is None:
            continue
        for lab in it.scale.labels:
            for name in (choice_name(instrument, it.scale, lab), lab.key, str(lab.code)):
                opt_names.setdefault(f"{it.id}/{name}", (it, lab))
            for text in (lab.label, *lab.aliases):
                opt_texts.setdefault(normalise(f"{it.text} {text}"), (it, lab))
    multi = [it for it in instrument if it.type == "multi"]
    return _KoboLookup(names, texts, opt_names, opt_texts, {it.id: it for it in multi},
                       {normalise(it.text): it for it in multi})


def _kobo_column(header: str, lk: _KoboLookup) -> tuple[Item, Label | None, str | None] | None:
    """What a Kobo header holds: ``(item, None, None)`` for a question column, ``(item, label,
    None)`` for one option of a multi item, ``(item, None, name)`` for an unknown option.

    Group paths are removed by trying the header, then each shorter ``/``-suffix; names
    (``profil/rolle``, ``kendskab_tilbud/kurser``) first, then labels (``Hvilken rolle ...?``,
    ``Hvilke ...?/Kurser og workshops for frivillige``).
    """
    parts = header.split("/")
    for i in range(len(parts)):
        cand = "/".join(parts[i:]).strip()
        if cand in lk.option_names:
            return (*lk.option_names[cand][:2], None)
        if cand in lk.names:
            return lk.names[cand], None, None
        norm = normalise(cand)
        if norm in lk.option_texts:
            return (*lk.option_texts[norm][:2], None)
        if norm in lk.texts:
            return lk.texts[norm], None, None
    for i in range(len(parts) - 1):  # an option the instrument does not know
        stem, opt = "/".join(parts[i:-1]).strip(), parts[-1].strip()
        item = lk.multi_by_name.get(stem) or lk.multi_by_text.get(normalise(stem))
        if item is not None and opt:
            return item, None, opt
    return None


def _choice_labels(instrument: Instrument, item: Item) -> dict[str, str]:
    """Kobo choice name (and code/key) -> label text, for one choice item."""
    assert item.scale is not None
    out: dict[str, str] = {}
    for lab in item.scale.labels:
        for name in (choice_name(instrument, item.scale, lab), str(lab.code), lab.key):
            out.setdefault(name, lab.label)
    return out


def _split_kobo_multi(value: str, item: Item, names: dict[str, str]) -> list[str]:
    """Labels (or unknown tokens) of a Kobo multi-select summary cell.

    XML-values exports hold space-separated choice names; "Labels" exports join the labels
    with spaces, so known labels are found first (longest first), then the rest is split.
    """
    assert item.scale is not None
    tokens = value.split()
    if all(t in names for t in tokens):
        return [names[t] for t in tokens]
    rest = f" {value} "
    found: list[str] = []
    for lab in sorted(item.scale.labels, key=lambda lab: -len(lab.label)):
        pattern = re.compile(rf"(?<=\s){re.escape(lab.label)}(?=\s)", re.IGNORECASE)
        if pattern.search(rest):
            rest = pattern.sub(" ", rest)
            found.append(lab.label)
    found += [names.get(t, t) for t in rest.split()]
    return found


def kobo_frame(
    frame: pd.DataFrame, instrument: Instrument
) -> tuple[pd.DataFrame, dict[str, str], list[str]]:
    """Turn a KoboToolbox export table into the layout the readers match.

    Returns ``(frame, metadata, notes)``: a new frame with

    - each question column headed by the item's exact text, single-choice values as the answer
      labels (Kobo exports the choice names: codes), numbers and free text unchanged;
    - each multi-select item as one column per option headed ``<item text> - <label>`` with
      ``1``/``0`` (Kobo's own option columns, or built from the summary column when the export
      has only that); an option the instrument does not know keeps a column of its own, which
      the matcher then reports as unmatched;
    - Kobo's metadata columns kept under their own names with a role in ``metadata`` (``end``
      is the completion time: role ``submitted``; ``_submission_time`` is ``received``, or
      ``submitted`` when there is no ``end``). Time zone offsets (``+01:00``) are removed from
      ``start``/``end`` so that the times are the device's local (Danish) wall-clock time;
    - note columns of the form (section intros, always empty) dropped; anything else kept as
      it is, so that it shows up as unmatched in the cleaning log.

    The input is not modified.
    """
    lk = _kobo_lookup(instrument)
    columns = [str(c) for c in frame.columns]
    notes: list[str] = []
    metadata: dict[str, str] = {}
    hits = {c: _kobo_column(c, lk) for c in columns if kobo_role(c) is None}
    has_options = {h[0].id for h in hits.values() if h is not None and
                   (h[1] is not None or h[2] is not None)}
    out: dict[str, Any] = {}
    n = len(frame)
    note_names = {"intro", *(f"{s.id}_intro" for s in instrument.sections)}

    def put(name: str, values: Any, source: str) -> None:
        if name in out:
            notes.append(f"column {source!r}: {name!r} already taken; kept as it is")
            name = source
        out[name] = values

    def option_header(item: Item, label: str) -> str:
        return f"{item.text} - {label}"

    for col in columns:
        values = frame[col]
        role = kobo_role(col)
        if role is not None:
            if col in ("start", "end"):
                values = values.map(lambda v: _TZ_RE.sub("", v) if isinstance(v, str) else v)
            metadata[col] = role
            put(col, values.copy(), col)
            continue
        hit = hits[col]
        if hit is None:
            if col.split("/")[-1] in note_names and values.isna().all():
                notes.append(f"column {col!r}: a note of the form (no answers); dropped")
                continue
            put(col, values.copy(), col)
            continue
        item, label, unknown = hit
        if label is not None:
            put(option_header(item, label.label), values.copy(), col)
        elif unknown is not None:
            put(option_header(item, unknown), values.copy(), col)
        elif item.type == "multi":
            if item.id in has_options:
                notes.append(f"column {col!r}: summary of {item.id!r}; its option columns "
                             "are used")
                continue
            names = _choice_labels(instrument, item)
            cells = [_split_kobo_multi(v, item, names) if isinstance(v, str) and v.strip()
                     else None for v in values.tolist()]
            assert item.scale is not None
            known = [lab.label for lab in item.scale.labels]
            extra = sorted({x for c in cells if c for x in c if x not in known})
            for lab_text in known + extra:
                col_values = [None if c is None else ("1" if lab_text in c else "0")
                              for c in cells]
                put(option_header(item, lab_text), pd.array(col_values, dtype="string"), col)
            notes.append(f"column {col!r}: multi-select summary split into one column per "
                         "option")
        elif item.type in ("single", "likert"):
            names = _choice_labels(instrument, item)
            mapped = [names.get(v.strip(), v) if isinstance(v, str) else None
                      for v in values.tolist()]
            put(item.text, pd.array(mapped, dtype="string"), col)
        else:
            put(item.text, values.copy(), col)
    if "end" not in metadata and "_submission_time" in metadata:
        metadata["_submission_time"] = "submitted"
    result = pd.DataFrame(out, index=frame.index) if out else pd.DataFrame(index=frame.index)
    assert len(result) == n
    return result, metadata, notes


def read_kobo_export(path: str | Path, instrument: Instrument) -> RawExport:
    """Read a KoboToolbox export (CSV with ``;`` or ``,``, or XLSX) for the cleaner.

    Both header styles ("XML values and headers": ``profil/rolle``, choice names; "Labels":
    question and answer texts) and every multi-select layout (summary, one column per
    option, both) are understood; see :func:`kobo_frame` for what is changed. The result is a
    :class:`~fslt_survey.io.RawExport` (format ``kobo``) with the file's provenance and row
    numbers, ready for :func:`fslt_survey.io.match_columns` and
    :func:`fslt_survey.clean.clean_exports`.

    Raises
    ------
    ReadError
        When the file cannot be read (see :mod:`fslt_survey.io`).
    """
    import dataclasses

    from fslt_survey import io as fio

    p = Path(path)
    data = p.read_bytes()[:8] if p.is_file() else b""
    if data.startswith(b"PK") or p.suffix.lower() in (".xlsx", ".xlsm"):
        raw = fio.read_xlsx(p)
    else:
        raw = fio.read_csv_any(p)
    frame, metadata, notes = kobo_frame(raw.frame, instrument)
    renamed = {c: h for c, h in raw.renamed.items() if c in frame.columns}
    prov = dataclasses.replace(raw.provenance, format="kobo")
    return dataclasses.replace(
        raw, frame=frame, provenance=prov, format="kobo", metadata=metadata,
        multi_separator=None, renamed=renamed,
        notes=[*raw.notes, "read as a KoboToolbox export", *notes])


# --------------------------------------------------------------------------- command line


def default_output(instrument: Instrument, to: str, wave: int | None) -> Path:
    """``build/forms/<instrument>-<wave>.<ext>`` below the project root."""
    stem = instrument.id + (f"-{wave}" if wave is not None else "")
    return config.PROJECT_ROOT / "build" / "forms" / (stem + SUFFIXES[to])


def export_form(
    instrument: Instrument | str | Path,
    to: str,
    out: str | Path | None = None,
    *,
    wave: int | None = None,
    registry: pd.DataFrame | None = None,
) -> Path:
    """Write one form of an instrument; returns the file written.

    Parameters
    ----------
    instrument:
        An :class:`Instrument`, or the path of its YAML file.
    to:
        ``"xlsform"``, ``"pdf"`` or ``"markdown"``.
    out:
        The output file, or a folder for the default file name (default:
        :func:`default_output`).
    wave:
        The wave (default: the latest wave of the instrument).
    registry:
        The member registry, for the XLSForm's association choice list (ignored otherwise).
    """
    if to not in FORMATS:
        raise SurveyDataError(f"unknown form format {to!r}", expected=" or ".join(FORMATS),
                              found=to)
    if not isinstance(instrument, Instrument):
        instrument = load_instrument(instrument)
    wave = form_layout(instrument, wave).wave  # validates the wave
    path = Path(out) if out is not None else default_output(instrument, to, wave)
    if path.is_dir() or str(out or "").endswith(("/", "\\")):
        path = path / default_output(instrument, to, wave).name
    if to == "xlsform":
        return write_xlsform(instrument, path, wave=wave, registry=registry)
    if to == "markdown":
        return write_markdown(instrument, path, wave=wave)
    from fslt_survey.forms_pdf import write_pdf

    return write_pdf(instrument, path, wave=wave)


def cmd_export_form(args: argparse.Namespace) -> int:
    """``fslt-survey export-form``: write the form, print where."""
    from fslt_survey.pipeline import instrument_path

    instrument = load_instrument(instrument_path(args.instrument))
    registry = None
    if args.registry is not None and args.to == "xlsform":
        from fslt_survey.registry import load_registry

        registry = load_registry(args.registry)
    path = export_form(instrument, args.to, args.out, wave=args.wave, registry=registry)
    layout = form_layout(instrument, args.wave)
    n_items = len(layout.items)
    wave = f"wave {layout.wave}" if layout.wave is not None else "all items"
    print(f"Wrote {path} ({args.to}: {instrument.id!r}, {wave}, {n_items} items, "
          f"version {layout.version})", flush=True)
    if args.registry is not None and args.to != "xlsform":
        print("note: --registry only applies to --to xlsform; ignored", flush=True)
    return 0


def register_cli(subparsers: argparse._SubParsersAction) -> None:
    """Add ``export-form`` to the ``fslt-survey`` command line."""
    p = subparsers.add_parser(
        "export-form",
        help="write an instrument as XLSForm (KoboToolbox/ODK), printable PDF or text for "
             "Microsoft Forms/SurveyXact",
        description="Write a survey's questionnaire in a form associations can answer. The "
                    "answers exported from these forms are read back by `fslt-survey clean` "
                    "(Kobo exports via fslt_survey.forms.read_kobo_export).",
    )
    p.add_argument("instrument", help="instrument.yml, a survey folder or a survey name "
                                      "(e.g. medlemsundersoegelse)")
    p.add_argument("--to", required=True, choices=FORMATS,
                   help="xlsform (.xlsx for KoboToolbox/ODK), pdf (paper) or markdown "
                        "(text to paste into Microsoft Forms/SurveyXact)")
    p.add_argument("--out", help="output file or folder (default: "
                                 "build/forms/<instrument>-<wave>.<xlsx|pdf|md>)")
    p.add_argument("--wave", type=int,
                   help="the wave the form is for: its items only (default: the latest wave)")
    p.add_argument("--registry", metavar="CSV",
                   help="XLSForm only: the association question becomes a choice list of this "
                        "member registry's names (e.g. surveys/members.csv); without it the "
                        "association is free text")
    p.set_defaults(func=cmd_export_form)
