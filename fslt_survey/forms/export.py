"""Fielding an instrument: XLSForm (KoboToolbox/ODK), paper and plain text - and reading back.

The instrument (``surveys/<survey>/instrument.yml``) is the single source of truth. This module
turns it into the forms associations actually answer, so that the answers come back in a shape the
readers and the cleaner understand without hand work:

- :func:`write_xlsform` - an XLSForm (``survey``, ``choices``, ``settings``) for KoboToolbox or
  ODK. Question ``name`` = item id, so a Kobo export is headed by item ids (``rolle``) or group
  paths (``profil/rolle``); choice ``name`` = the label's code (single/likert) or key (multi).
- :func:`write_markdown` - a plain text version to paste into Microsoft Forms or SurveyXact with
  every question's exact text, so that their exports are matched by the question texts.
- :func:`fslt_survey.forms.pdf.write_pdf` - a printable A4 questionnaire (Typst).
- :func:`read_kobo_export` - reads a KoboToolbox export (CSV or XLSX, "XML values and headers"
  or "Labels") into the readers' :class:`~fslt_survey.ingest.RawExport` with item texts as
  headers
  and answer labels as values, so that
  :func:`~fslt_survey.ingest.match_columns` matches every column.

Which items: a form is made for one wave (``--wave``); by default the instrument's latest wave,
so a new form is the current questionnaire. Items with ``waves`` not including it are left out.

The layout shared by every version is in :mod:`fslt_survey.forms.layout`, the KoboToolbox
reader in :mod:`fslt_survey.ingest.kobo`; their public names are re-exported here.

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

import io
import re
import zipfile
from pathlib import Path

import pandas as pd

from fslt_survey import config
from fslt_survey._atomic import write_bytes_atomic
from fslt_survey.codebook import (
    Instrument,
    Item,
    load_instrument,
)
from fslt_survey.errors import SurveyDataError
from fslt_survey.forms.layout import (
    FormLayout,
    _condition_labels,
    _danish_or,
    _number_range,
    choice_name,
    form_layout,
    numeric_is_integer,
)
from fslt_survey.forms.markdown import write_markdown
from fslt_survey.forms.pdf import write_pdf

__all__ = [
    "CHOICES_COLUMNS",
    "FORMATS",
    "LANGUAGE",
    "REGISTRY_LIST",
    "REQUIRED_TEXT",
    "SETTINGS_COLUMNS",
    "SUFFIXES",
    "SURVEY_COLUMNS",
    "default_output",
    "export_form",
    "relevant_xpath",
    "write_xlsform",
    "xlsform_bytes",
    "xlsform_sheets",
]

FORMATS = ("xlsform", "pdf", "markdown")
SUFFIXES = {"xlsform": ".xlsx", "pdf": ".pdf", "markdown": ".md"}
#: The XLSForm language of every label and hint.
LANGUAGE = "Dansk (da)"
#: Choice list of the association item when a member registry is given.
REGISTRY_LIST = "foreninger"
_FIXED_TIME = (2000, 1, 1, 0, 0, 0)  # xlsx zip entries and document properties: reproducible

SURVEY_COLUMNS = (
    "type",
    "name",
    f"label::{LANGUAGE}",
    f"hint::{LANGUAGE}",
    "required",
    f"required_message::{LANGUAGE}",
    "relevant",
    "constraint",
    f"constraint_message::{LANGUAGE}",
    "appearance",
)
CHOICES_COLUMNS = ("list_name", "name", f"label::{LANGUAGE}")
SETTINGS_COLUMNS = ("form_title", "form_id", "version", "default_language", "style")

REQUIRED_TEXT = "Dette spørgsmål skal besvares."

# --------------------------------------------------------------------------- XLSForm


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
    assoc_list = None
    if registry is not None and instrument.association_item is not None:
        assoc_list = REGISTRY_LIST
        while assoc_list in instrument.scales:
            assoc_list += "_register"
    survey, used_lists = _survey_sheet(instrument, layout, assoc_list)
    choices = _choices_sheet(instrument, used_lists, assoc_list, registry)
    title = instrument.title + (f" ({layout.wave})" if layout.wave is not None else "")
    settings = [
        {
            "form_title": title,
            "form_id": instrument.id,
            "version": layout.version,
            "default_language": LANGUAGE,
            "style": "pages",
        }
    ]
    return {"survey": survey, "choices": choices, "settings": settings}


def _survey_sheet(
    instrument: Instrument, layout: FormLayout, assoc_list: str | None
) -> tuple[list[dict[str, str]], list[str]]:
    """The ``survey`` sheet's rows (one group per section) and the choice lists they use."""
    lab = f"label::{LANGUAGE}"
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
    for fsec in layout.sections:
        sec = fsec.section
        group = sec.id if sec.id not in {it.id for it in instrument} else unique(f"{sec.id}_del")
        survey.append(
            {"type": "begin_group", "name": group, lab: sec.title, "appearance": "field-list"}
        )
        if sec.intro:
            survey.append(
                {"type": "note", "name": unique(f"{sec.id}_intro"), lab: sec.intro.strip()}
            )
        for item in fsec.items:
            survey.append(_survey_row(instrument, layout, item, assoc_list))
            if item.scale is not None and item.scale.id not in used_lists:
                used_lists.append(item.scale.id)
        survey.append({"type": "end_group", "name": group})
    # the hint column stays even when empty, so every form has the same columns
    for row in survey:
        row.setdefault(f"hint::{LANGUAGE}", "")
    return survey, used_lists


def _choices_sheet(
    instrument: Instrument,
    used_lists: list[str],
    assoc_list: str | None,
    registry: pd.DataFrame | None,
) -> list[dict[str, str]]:
    """The ``choices`` sheet: the scales the form uses, then the registry's associations."""
    lab = f"label::{LANGUAGE}"
    choices: list[dict[str, str]] = []
    for sid in used_lists:
        scale = instrument.scales[sid]
        for label in scale.labels:
            choices.append(
                {"list_name": sid, "name": choice_name(instrument, scale, label), lab: label.label}
            )
    if assoc_list is not None and registry is not None:
        reg = registry.sort_values("name", key=lambda s: s.str.casefold(), kind="stable")
        for aid, name in zip(reg["association_id"], reg["name"], strict=True):
            choices.append({"list_name": assoc_list, "name": _xml_name(str(aid)), lab: str(name)})
    return choices


def _xml_name(value: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", value)
    return name if re.match(r"[A-Za-z_]", name) else f"_{name}"


def _survey_row(
    instrument: Instrument, layout: FormLayout, item: Item, assoc_list: str | None
) -> dict[str, str]:
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
                f"not(selected(., '{m}') and count-selected(.) > 1)" for m in missing
            )
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
    names = [
        choice_name(instrument, target.scale, lab) for lab in _condition_labels(target, cond.values)
    ]
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
    widths = {
        "type": 26,
        "name": 24,
        f"label::{LANGUAGE}": 70,
        f"hint::{LANGUAGE}": 30,
        "relevant": 26,
        "constraint": 30,
        "list_name": 18,
        "form_title": 60,
    }
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
                body = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(<)", rb"\g<1>2000-01-01T00:00:00Z\g<2>", body
                )
            zi = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, body)
    return out.getvalue()


def write_xlsform(
    instrument: Instrument,
    path: str | Path,
    *,
    wave: int | None = None,
    registry: pd.DataFrame | None = None,
) -> Path:
    """Write the XLSForm (see :func:`xlsform_sheets`) to ``path`` atomically."""

    return write_bytes_atomic(
        path, xlsform_bytes(xlsform_sheets(instrument, wave=wave, registry=registry))
    )


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
        raise SurveyDataError(
            f"unknown form format {to!r}", expected=" or ".join(FORMATS), found=to
        )
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

    return write_pdf(instrument, path, wave=wave)
