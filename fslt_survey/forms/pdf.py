"""The printable questionnaire: an instrument as an A4 PDF, typeset with Typst.

The layout is :func:`fslt_survey.forms.form_layout` (the same numbering as the text version):
sections with headings, numbered questions, check boxes for choices ("Sæt ét kryds" / "Sæt gerne
flere krydser"), one table per Likert battery (rows = the battery's items, columns = the scale's
labels including "Ved ikke"), digit boxes for numbers, lines for free text, and a hint where a
question is only asked after a given answer ("Besvares kun hvis du svarede »Ja« til spørgsmål
19."). Page numbers ("Side 1 af 4") and the form version are in the footer; the PDF's title is the
instrument's title.

The Typst template (``fslt_survey/data/questionnaire.typ``) receives the form as JSON data
(``sys.inputs``), so instrument text is never read as Typst markup: characters such as ``#``,
``$``, ``*``, ``_``, ``@``, ``<``, ``[`` or ``\\`` print as they are, with no escaping to get
wrong. The output is reproducible: the same instrument and wave give the same bytes.

Examples
--------
>>> from fslt_survey.codebook import load_instrument
>>> from fslt_survey.config import SURVEYS_DIR
>>> inst = load_instrument(SURVEYS_DIR / "moedeevaluering" / "instrument.yml")
>>> data = pdf_data(inst)
>>> [q["kind"] for q in data["sections"][1]["questions"]]
['scale', 'scale', 'scale', 'scale']
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from fslt_survey._atomic import write_bytes_atomic
from fslt_survey.codebook import Instrument, Item
from fslt_survey.errors import RenderError
from fslt_survey.forms.layout import (
    INSTRUCTION,
    FormLayout,
    FormQuestion,
    form_layout,
    numeric_is_integer,
)

ORGANISATION = "Frivilligcenter og Selvhjælp Lyngby-Taarbæk"
#: How to hand the form in, by instrument kind.
RETURN_TEXT = {
    "member": "Aflevér eller send skemaet til Frivilligcenter og Selvhjælp Lyngby-Taarbæk, "
    "Rustenborgvej 2A, Kongens Lyngby.",
    "evaluation": "Aflevér skemaet, inden du går. Tak!",
}
TEXT_LINES = 4
TEMPLATE = "questionnaire.typ"
#: Seconds since 1970 stamped on every PDF, so that the same form gives the same bytes.
PDF_TIMESTAMP = 946684800  # 2000-01-01


def pdf_data(instrument: Instrument, *, wave: int | None = None) -> dict[str, Any]:
    """The questionnaire as the plain data the Typst template typesets (JSON-serialisable)."""
    layout = form_layout(instrument, wave)
    wave_text = f" · bølge {layout.wave}" if layout.wave is not None else ""
    howto = (
        "Sæt kryds i rubrikkerne med kuglepen, og skriv tydeligt i felterne. "
        + RETURN_TEXT.get(instrument.kind, RETURN_TEXT["member"])
    )
    sections = []
    for fsec in layout.sections:
        sections.append(
            {
                "title": fsec.section.title,
                "intro": layout.section_intro(fsec),
                "questions": [_question(layout, q) for q in fsec.questions],
            }
        )
    return {
        "title": instrument.title,
        "author": ORGANISATION,
        "keywords": [instrument.id, *([str(layout.wave)] if layout.wave else [])],
        "organisation": ORGANISATION,
        "intro": instrument.intro.strip() if instrument.intro else None,
        "howto": howto,
        "footer": f"{instrument.id}{wave_text} · version {layout.version}",
        "thanks": "Tak for dine svar!",
        "sections": sections,
    }


def _question(layout: FormLayout, q: FormQuestion) -> dict[str, Any]:
    item = q.items[0]
    data: dict[str, Any] = {
        "number": str(q.number),
        "text": item.text,
        "help": item.help.strip() if item.help else None,
        "required": any(it.required for it in q.items),
        "relevant": layout.relevant_hint(item),
        "instruction": None,
        "options": [],
        "rows": [],
        "first_missing": None,
        "digits": 0,
        "unit": None,
        "lines": 0,
    }
    if q.is_grid:
        assert q.scale is not None
        data.update(kind="grid", instruction=INSTRUCTION["grid"])
        data["text"] = layout.grid_stem(q)
        data["rows"] = [{"number": layout.numbers[it.id], "text": it.text} for it in q.items]
        _scale_columns(data, q.items[0])
    elif item.type == "likert":
        data.update(kind="scale", instruction=INSTRUCTION["likert"])
        _scale_columns(data, item)
    elif item.type in ("single", "multi"):
        assert item.scale is not None
        data.update(
            kind="choice",
            instruction=INSTRUCTION[item.type],
            options=[lab.label for lab in item.scale.labels],
        )
    elif item.type == "numeric":
        data.update(
            kind="number", instruction=INSTRUCTION["numeric"], unit=item.unit, digits=_digits(item)
        )
    else:
        data.update(
            kind="text",
            instruction=INSTRUCTION[item.type],
            lines=1 if item.type == "association" else TEXT_LINES,
        )
    return data


def _scale_columns(data: dict[str, Any], item: Item) -> None:
    assert item.scale is not None
    labels = item.scale.labels
    data["options"] = [lab.label for lab in labels]
    first = next((i for i, lab in enumerate(labels) if lab.missing), None)
    # a separating line only when the missing labels come after every substantive one
    if first is not None and all(lab.missing for lab in labels[first:]):
        data["first_missing"] = first


def _digits(item: Item) -> int:
    if item.maximum is None:
        return 6
    digits = len(str(int(abs(item.maximum))))
    return digits + (0 if numeric_is_integer(item) else 2)


def form_pdf(
    instrument: Instrument,
    *,
    wave: int | None = None,
    format: str = "pdf",
    ppi: float | None = None,
) -> bytes | list[bytes]:
    """Typeset the questionnaire; PDF bytes (or PNG pages with ``format="png"``).

    Raises
    ------
    RenderError
        When Typst fails (a bug in the template, or a missing Typst).
    """
    try:
        import typst
    except ImportError as exc:  # pragma: no cover - typst is a dependency
        raise RenderError(
            "the typst package is needed for PDF forms",
            expected="pip install typst",
            found=str(exc),
        ) from None
    data = json.dumps(pdf_data(instrument, wave=wave), ensure_ascii=False)
    template = resources.files("fslt_survey") / "data" / TEMPLATE
    with resources.as_file(template) as path:
        try:
            kwargs: dict[str, Any] = {
                "sys_inputs": {"form": data},
                "root": str(path.parent),
                "timestamp": PDF_TIMESTAMP,
                "format": format,
            }
            if ppi is not None:
                kwargs["ppi"] = ppi
            return typst.compile(str(path), **kwargs)
        except Exception as exc:  # typst raises its own error types
            raise RenderError(
                f"Typst could not typeset the questionnaire: {exc}", file=str(path)
            ) from None


def write_pdf(instrument: Instrument, path: str | Path, *, wave: int | None = None) -> Path:
    """Write the printable questionnaire (:func:`form_pdf`) to ``path`` atomically."""

    pdf = form_pdf(instrument, wave=wave)
    assert isinstance(pdf, bytes)
    return write_bytes_atomic(path, pdf)
