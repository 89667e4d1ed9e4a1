"""The form as plain text (Markdown) with the exact texts, to paste into Microsoft Forms or
SurveyXact; its answers are read back by ``fslt-survey clean``.
"""

from __future__ import annotations

from pathlib import Path

from fslt_survey._atomic import write_text_atomic
from fslt_survey.codebook import Instrument
from fslt_survey.forms.layout import (
    INSTRUCTION,
    FormLayout,
    FormQuestion,
    _number_range,
    form_layout,
    numeric_is_integer,
)

__all__ = ["form_markdown", "write_markdown"]


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
        'mærket *obligatorisk* skal være påkrævede; "Besvares kun hvis ..." laves med '
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
        lines += [
            f"Overskrift: {layout.grid_stem(q)}",
            "",
            f"Svartype: Likert (matrix), {INSTRUCTION['grid'].lower()}. Rækker:",
            "",
        ]
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

    return write_text_atomic(path, form_markdown(instrument, wave=wave))


