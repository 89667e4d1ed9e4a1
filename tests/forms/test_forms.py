"""Forms: XLSForm (pyxform), paper PDF (pypdf), text version, and the round trips back.

The round trips generate exports the way the tools write them - KoboToolbox from the XLSForm this
module writes (CSV with ``;`` and XML names, XLSX with labels), Microsoft Forms from the question
texts of the text version - then read, match and clean them and compare with what was generated.
"""

from __future__ import annotations

import csv
import io
import random
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
import pypdf
import pytest
from pyxform.validators.odk_validate import ODKValidateError
from pyxform.xls2xform import convert

from fslt_survey import forms
from fslt_survey.clean import clean_exports, match_columns
from fslt_survey.cli import main
from fslt_survey.codebook import Instrument, Item, Label, normalise, parse_instrument
from fslt_survey.errors import SurveyDataError
from fslt_survey.forms import (
    LANGUAGE,
    export_form,
    form_layout,
    form_markdown,
    kobo_frame,
    read_kobo_export,
    relevant_xpath,
    xlsform_bytes,
    xlsform_sheets,
)
from fslt_survey.forms.pdf import form_pdf, pdf_data
from fslt_survey.ingest import read_export
from tests.conftest import EVALUATION_INSTRUMENT, MEMBER_INSTRUMENT, small_instrument_dict

LABEL = f"label::{LANGUAGE}"
KOBO_META = ["_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status",
             "_submitted_by", "__version__", "_tags", "_index"]


def _instruments(member_instrument, evaluation_instrument, which):
    return member_instrument if which == "member" else evaluation_instrument


# --------------------------------------------------------------------------- XLSForm


@pytest.mark.parametrize("which", ["member", "evaluation"])
@pytest.mark.parametrize("with_registry", [False, True])
def test_pyxform_converts_the_xlsform(member_instrument, evaluation_instrument, registry,
                                       tmp_path, which, with_registry):
    inst = _instruments(member_instrument, evaluation_instrument, which)
    path = export_form(inst, "xlsform", tmp_path / "form.xlsx",
                       registry=registry if with_registry else None)
    warnings: list[str] = []
    result = convert(xlsform=str(path), warnings=warnings, validate=False)
    assert warnings == [] and result.warnings == []
    xform = result.xform
    assert f'<translation lang="{LANGUAGE}" default="true()">' in xform
    assert f"<h:title>{inst.title}" in xform
    for item in form_layout(inst).items:
        assert f"/{item.id}" in xform, item.id


@pytest.mark.skipif(shutil.which("java") is None, reason="ODK Validate needs Java")
def test_odk_validate_accepts_the_member_form(member_instrument, registry, tmp_path):
    """ODK Validate (the jar bundled with pyxform, run by ``validate=True``) passes our form and,
    as a control that it really runs, refuses the same form with one unbalanced condition."""
    path = export_form(member_instrument, "xlsform", tmp_path / "form.xlsx", registry=registry)
    warnings: list[str] = []
    result = convert(xlsform=str(path), validate=True, warnings=warnings)
    assert warnings == [] and result.warnings == []
    for item in form_layout(member_instrument).items:
        assert re.search(rf'<bind nodeset="/data/(\w+/)*{item.id}"', result.xform), item.id

    book = openpyxl.load_workbook(path)
    sheet = book["survey"]
    relevant = [cell.value for cell in sheet[1]].index("relevant")
    row = next(r for r in sheet.iter_rows(min_row=2) if r[relevant].value)
    row[relevant].value += " and ("
    book.save(tmp_path / "broken.xlsx")
    with pytest.raises(ODKValidateError, match="mismatched brackets or parentheses"):
        convert(xlsform=str(tmp_path / "broken.xlsx"), validate=True)


def _sheet_rows(path: Path, sheet: str) -> list[dict[str, str]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = list(wb[sheet].iter_rows(values_only=True))
    wb.close()
    header = [str(h) for h in rows[0]]
    return [{h: ("" if v is None else str(v)) for h, v in zip(header, r, strict=True)}
            for r in rows[1:]]


def test_xlsform_sheets_follow_the_instrument(member_instrument, tmp_path):
    inst = member_instrument
    path = export_form(inst, "xlsform", tmp_path / "m.xlsx")
    survey = _sheet_rows(path, "survey")
    choices = _sheet_rows(path, "choices")
    (settings,) = _sheet_rows(path, "settings")
    by_name = {r["name"]: r for r in survey}
    # every item of the latest wave, with its exact Danish text as label
    for item in inst.for_wave(2027):
        assert by_name[item.id][LABEL] == item.text
    assert by_name["forening"]["type"] == "text"
    assert by_name["forening"]["required"] == "yes"
    assert by_name["rolle"]["type"] == "select_one rolle"
    assert by_name["behov_lokaler"]["appearance"] == "likert"
    assert by_name["kendskab_tilbud"]["type"] == "select_multiple tilbud"
    assert by_name["medlemmer"]["type"] == "integer"
    assert by_name["medlemmer"]["constraint"] == ". >= 0 and . <= 20000"
    assert by_name["medlemmer"][f"constraint_message::{LANGUAGE}"]
    assert by_name["stoerste_udfordring"]["type"] == "text"
    # skip logic from `relevant:`
    assert by_name["sh_antal"]["relevant"] == "${sh_driver} = '1'"
    assert by_name["sh_behov"]["relevant"] == "${sh_driver} = '1'"
    assert by_name["paragraf18_proces"]["relevant"] == "${paragraf18_soegt} = '1'"
    # one group per section with its title; notes for the intros
    groups = [r for r in survey if r["type"] == "begin_group"]
    assert [g[LABEL] for g in groups] == [s.title for s in inst.sections]
    assert by_name["behov_intro"]["type"] == "note"
    assert sum(r["type"] == "end_group" for r in survey) == len(groups)
    # choices: codes for single choices, keys for multi, typed missing included
    grad = {r["name"]: r[LABEL] for r in choices if r["list_name"] == "grad"}
    assert grad == {"1": "I høj grad", "2": "I nogen grad", "3": "I mindre grad",
                    "4": "Slet ikke", "8": "Ikke relevant", "9": "Ved ikke"}
    tilbud = [r["name"] for r in choices if r["list_name"] == "tilbud"]
    assert tilbud[:2] == ["raadgivning", "kurser"]
    assert all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", n) for n in tilbud)
    assert settings["form_id"] == "medlemsundersoegelse"
    assert settings["default_language"] == LANGUAGE
    assert re.fullmatch(r"2027-[0-9a-f]{10}", settings["version"])


def test_xlsform_with_registry_lists_the_associations(member_instrument, registry):
    sheets = xlsform_sheets(member_instrument, registry=registry)
    row = next(r for r in sheets["survey"] if r["name"] == "forening")
    assert row["type"] == "select_one foreninger"
    names = {r["name"]: r[LABEL] for r in sheets["choices"] if r["list_name"] == "foreninger"}
    assert names == dict(zip(registry["association_id"], registry["name"], strict=True))


def test_xlsform_is_deterministic_and_versioned_by_content(member_instrument):
    a = xlsform_bytes(xlsform_sheets(member_instrument))
    assert a == xlsform_bytes(xlsform_sheets(member_instrument))
    v2025 = xlsform_sheets(member_instrument, wave=2025)["settings"][0]["version"]
    v2027 = xlsform_sheets(member_instrument, wave=2027)["settings"][0]["version"]
    assert v2025.startswith("2025-") and v2027.startswith("2027-") and v2025[5:] != v2027[5:]


def test_relevant_translates_multi_and_several_values():
    d = small_instrument_dict()
    items = d["sections"][0]["items"]
    items.append({"id": "gdpr_hjaelp", "text": "Hvilken hjælp til GDPR?", "type": "text",
                  "relevant": {"item": "temaer", "in": ["GDPR", "Frivillige"]}})
    items.append({"id": "hvorfor", "text": "Hvorfor?", "type": "text",
                  "relevant": {"item": "behov_a", "in": ["I høj grad", "I nogen grad"]}})
    inst = parse_instrument(d)
    assert relevant_xpath(inst, inst.item("antal")) == "${driver} = '1'"
    assert relevant_xpath(inst, inst.item("gdpr_hjaelp")) == (
        "(selected(${temaer}, 'gdpr') or selected(${temaer}, 'frivillige'))")
    assert relevant_xpath(inst, inst.item("hvorfor")) == "(${behov_a} = '1' or ${behov_a} = '2')"
    result = convert(xlsform=io.BytesIO(xlsform_bytes(xlsform_sheets(inst))), validate=False,
                     file_type=".xlsx")
    assert re.search(r"selected\( /\w+/a/temaer , 'gdpr'\) or selected\(", result.xform)
    layout = form_layout(inst)
    assert layout.relevant_hint(inst.item("gdpr_hjaelp")) == (
        "Besvares kun hvis du valgte »GDPR« eller »Frivillige« i spørgsmål 5.")


def test_waves_select_the_items(member_instrument):
    assert form_layout(member_instrument).wave == 2027
    ids_2025 = {it.id for it in form_layout(member_instrument, 2025).items}
    ids_2027 = {it.id for it in form_layout(member_instrument, 2027).items}
    assert ids_2027 - ids_2025 == {"centret_lettere"}
    with pytest.raises(SurveyDataError, match="not fielded in wave 2030"):
        form_layout(member_instrument, 2030)


def test_batteries_become_numbered_grids(member_instrument):
    layout = form_layout(member_instrument)
    grids = [q for s in layout.sections for q in s.questions if q.is_grid]
    assert [len(q.items) for q in grids] == [12, 5]
    assert layout.numbers["behov_rekruttering"] == "7.1"
    assert layout.numbers["behov_uddannelse"] == "7.12"
    assert layout.relevant_hint(member_instrument.item("sh_antal")) == (
        f"Besvares kun hvis du svarede »Ja« til spørgsmål {layout.numbers['sh_driver']}.")


# --------------------------------------------------------------------------- PDF


def _pdf_text(pdf: bytes) -> tuple[pypdf.PdfReader, str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return reader, _flat(text)


def _flat(text: str) -> str:
    """Whitespace collapsed, and no space after a line-end hyphen (``§18-\\nmidler``)."""
    return re.sub(r"-\s+", "-", " ".join(text.split()))


@pytest.mark.parametrize("which,pages", [("member", (4, 12)), ("evaluation", (1, 3))])
def test_pdf_is_a_paper_questionnaire(member_instrument, evaluation_instrument, which, pages):
    inst = _instruments(member_instrument, evaluation_instrument, which)
    pdf = form_pdf(inst)
    assert isinstance(pdf, bytes) and pdf.startswith(b"%PDF")
    reader, text = _pdf_text(pdf)
    assert reader.metadata.title == inst.title
    assert pages[0] <= len(reader.pages) <= pages[1]
    layout = form_layout(inst)
    for item in layout.items:
        assert _flat(item.text) in text, item.id
        if item.scale is not None:
            for lab in item.scale.labels:
                assert _flat(lab.label) in text
    assert "Sæt ét kryds" in text
    assert "Ved ikke" in text
    assert f"Side 1 af {len(reader.pages)}" in text
    for sec in layout.sections:
        assert _flat(sec.section.title) in text
    if which == "member":
        assert "Sæt gerne flere krydser" in text
        assert "Sæt ét kryds i hver række" in text
        n = layout.numbers["sh_driver"]
        assert f"Besvares kun hvis du svarede »Ja« til spørgsmål {n}." in text
        assert "7.12" in text


def test_pdf_prints_special_characters_literally():
    d = small_instrument_dict()
    nasty = "Pris i $ og # * _ @navn <tag> `kode` \\ [a] ]b[ // /* 100%"
    d["title"] = "Skema #1 [test] $5"
    d["sections"][0]["title"] = "Del *A* _b_"
    d["sections"][0]["items"][3]["text"] = nasty
    inst = parse_instrument(d)
    reader, text = _pdf_text(form_pdf(inst))
    assert reader.metadata.title == "Skema #1 [test] $5"
    assert _flat(nasty) in text
    assert "Del *A* _b_" in text


#: Pages of the paper questionnaires as laid out today (A4, Typst): a layout change that adds or
#: loses a page must be a deliberate change of this number.
PDF_PAGES = {"member": 7, "evaluation": 2}


@pytest.mark.parametrize("which", ["member", "evaluation"])
def test_pdf_pins_every_question_number_text_and_the_page_count(
        member_instrument, evaluation_instrument, which):
    """The text of the PDF holds each question as "<number>. <text>" in questionnaire order.

    A filtered question prints its condition between number and text ("17. → Besvares kun hvis du
    svarede »Ja« til spørgsmål 16. Ansøgnings- ..."). Battery rows are numbered 7.1, 7.2, ...
    """
    inst = _instruments(member_instrument, evaluation_instrument, which)
    pdf = form_pdf(inst)
    reader, text = _pdf_text(pdf)
    assert len(reader.pages) == PDF_PAGES[which]
    assert f"Side {PDF_PAGES[which]} af {PDF_PAGES[which]}" in text
    layout = form_layout(inst)
    assert len(layout.numbers) == len(layout.items)  # every question has a number
    condition = r"(?:→ Besvares kun hvis du svarede »[^«]+« til spørgsmål \d+\. )?"
    position = -1
    for item in layout.items:
        number = layout.numbers[item.id]
        found = re.search(
            rf"(?<![\d.]){re.escape(number)}\.? {condition}{re.escape(_flat(item.text))}",
            text[position + 1:],
        )
        assert found, f"{item.id}: '{number}. {item.text}' not in the PDF after position {position}"
        position += 1 + found.start()
    numbers = list(layout.numbers.values())
    assert numbers[0] == "1" and len(set(numbers)) == len(numbers)
    assert form_pdf(inst) == pdf  # reproducible: no date or random id in the file
    if which == "evaluation":  # the meeting code is written by hand
        assert pdf_data(inst)["sections"][0]["questions"][0]["kind"] == "text"


# --------------------------------------------------------------------------- text version


@pytest.mark.parametrize("which", ["member", "evaluation"])
def test_markdown_has_every_question_text_exactly_once(member_instrument,
                                                       evaluation_instrument, which):
    inst = _instruments(member_instrument, evaluation_instrument, which)
    md = form_markdown(inst)
    layout = form_layout(inst)
    assert md.startswith(f"# {inst.title}\n")
    assert "Microsoft Forms" in md and "SurveyXact" in md and "ret ikke" in md
    for item in layout.items:
        assert md.count(item.text) == 1, item.id
    for sec in layout.sections:
        assert f"\n## {sec.section.title}\n" in md
    for item in layout.items:
        if item.scale is not None:
            for lab in item.scale.labels:
                assert f"\n- {lab.label}\n" in md
    if which == "member":
        assert "Vælg gerne flere" in md
        assert "Besvares kun hvis du svarede »Ja« til spørgsmål" in md
        assert "| 7.1 | I hvilken grad har foreningen behov for støtte til at rekruttere" in md


def markdown_questions(md: str) -> list[str]:
    """The question texts of the text version, as someone pasting it would copy them."""
    texts: list[str] = []
    blocks = re.split(r"^### Spørgsmål .*$", md, flags=re.MULTILINE)[1:]
    for block in blocks:
        rows = re.findall(r"^\| \d+\.\d+ \| (.+) \|$", block, flags=re.MULTILINE)
        if rows:
            texts += rows
            continue
        lines = [ln for ln in block.split("\n") if ln.strip()]
        texts.append(next(ln for ln in lines if not ln.startswith(("*", "Svartype", "-",
                                                                    "Hjælpetekst", "#"))))
    return texts


# --------------------------------------------------------------------------- generated answers


@dataclass
class Answer:
    """What one respondent answered: label (choice), labels (multi), number or text."""

    values: dict[str, object]


def generate_answers(inst: Instrument, registry: pd.DataFrame, n: int, seed: int) -> list[Answer]:
    rng = random.Random(seed)
    layout = form_layout(inst)
    names = list(registry["name"])
    rng.shuffle(names)
    out: list[Answer] = []
    for r in range(n):
        values: dict[str, object] = {}
        for item in layout.items:
            cond = item.relevant
            if cond is not None:
                got = values.get(cond.item)
                if not isinstance(got, Label) or got.label not in cond.values:
                    continue  # not shown: Kobo/Forms leave it empty
            if item.type == "association":
                if inst.kind == "member" or r % 3:
                    values[item.id] = names[r]
            elif item.type in ("single", "likert"):
                assert item.scale is not None
                labels = list(item.scale.labels)
                if item.id in ("sh_driver", "paragraf18_soegt"):
                    labels = [item.scale.labels[r % 2]]  # both branches of the skip logic
                values[item.id] = rng.choice(labels)
            elif item.type == "multi":
                assert item.scale is not None
                subs = list(item.scale.substantive)
                k = rng.randint(0, len(subs))
                if k:
                    values[item.id] = sorted(rng.sample(subs, k), key=subs.index)
            elif item.type == "numeric":
                hi = int(item.maximum) if item.maximum is not None else 1000
                values[item.id] = rng.randint(int(item.minimum or 0), min(hi, 400))
            elif rng.random() < 0.8:
                values[item.id] = rng.choice([
                    "Vi mangler frivillige til weekenderne.",
                    "Lokaler; økonomi, og \"tid\" - især om vinteren.",
                    "Mere hjælp til §18-ansøgningen, tak!",
                    "Flere fælles netværksmøder i huset på Rustenborgvej",
                ])
        out.append(Answer(values))
    return out


def clean(inst: Instrument, raw, registry: pd.DataFrame):
    """``clean_exports`` for one export of wave 2027."""
    return clean_exports(inst, [(raw, 2027)], registry)


def check_clean(inst: Instrument, answers: list[Answer], data: pd.DataFrame,
                registry: pd.DataFrame) -> None:
    """The clean table holds exactly what was generated."""
    ids = dict(zip(registry["name"], registry["association_id"], strict=True))
    assert len(data) == len(answers)
    rows = data.set_index("row")
    for n, ans in enumerate(answers):
        row = rows.loc[n + 2]  # header is row 1
        for item in form_layout(inst).items:
            value = ans.values.get(item.id)
            if item.type == "association":
                want = ids[value] if value is not None else None
                assert (row["association_id"] if pd.notna(row["association_id"]) else None) \
                    == want, (n, item.id)
            elif item.type in ("single", "likert"):
                if value is None:
                    assert pd.isna(row[item.id])
                    assert row[item.missing_column] in ("Ikke relevant", "Ikke besvaret")
                elif value.missing:
                    assert pd.isna(row[item.id]) and row[item.missing_column] == value.label
                else:
                    assert row[item.id] == value.label, (n, item.id)
                    assert pd.isna(row[item.missing_column])
            elif item.type == "multi":
                for lab in item.scale.substantive:
                    got = row[item.option_column(lab)]
                    if value is None:
                        assert pd.isna(got), (n, item.id)
                    else:
                        assert bool(got) == (lab in value), (n, item.id, lab.key)
            elif item.type == "numeric":
                if value is None:
                    assert pd.isna(row[item.id])
                else:
                    assert row[item.id] == value, (n, item.id)
            elif value is None:
                assert pd.isna(row[item.id])
            else:
                assert row[item.id] == value, (n, item.id)


# --------------------------------------------------------------------------- Kobo round trip


def kobo_export(inst: Instrument, answers: list[Answer], *, headers: str = "xml",
                multi: str = "both", groups: bool = True,
                registry: pd.DataFrame | None = None) -> list[dict[str, str]]:
    """Rows of a KoboToolbox export of the XLSForm made by :func:`xlsform_sheets`.

    ``headers``: ``xml`` (names, choice names) or ``labels``; ``multi``: ``both``,
    ``summary`` or ``details`` (Kobo's "select_multiple" export options).
    """
    sheets = xlsform_sheets(inst, registry=registry)
    choices: dict[str, dict[str, str]] = {}
    for c in sheets["choices"]:
        choices.setdefault(c["list_name"], {})[c[LABEL]] = c["name"]
    out = []
    for n, ans in enumerate(answers):
        rec: dict[str, str] = {"start": f"2027-03-{n % 27 + 1:02d}T10:0{n % 10}:00.000+01:00",
                               "end": f"2027-03-{n % 27 + 1:02d}T10:2{n % 10}:13.512+01:00"}
        path: list[tuple[str, str]] = []
        for row in sheets["survey"]:
            typ, name = row["type"], row["name"]
            if typ == "begin_group":
                path.append((name, row[LABEL]))
                continue
            if typ == "end_group":
                path.pop()
                continue
            if typ in ("note", "start", "end"):
                continue
            item = inst.item(name)
            if headers == "xml":
                head = "/".join([p for p, _ in path] * groups + [name])
            else:
                head = "/".join([lab for _, lab in path] * groups + [item.text])
            value = ans.values.get(name)
            if typ.startswith("select_multiple"):
                lst = choices[typ.split()[1]]
                if multi in ("both", "summary"):
                    if value is None:
                        rec[head] = ""
                    elif headers == "xml":
                        rec[head] = " ".join(lst[lab.label] for lab in value)
                    else:
                        rec[head] = " ".join(lab.label for lab in value)
                if multi in ("both", "details"):
                    for lab_text, cname in lst.items():
                        col = f"{head}/{cname if headers == 'xml' else lab_text}"
                        rec[col] = "" if value is None else (
                            "1" if lab_text in {lab.label for lab in value} else "0")
            elif typ.startswith("select_one"):
                lst = choices[typ.split()[1]]
                if value is None:
                    rec[head] = ""
                elif isinstance(value, Label):
                    rec[head] = lst[value.label] if headers == "xml" else value.label
                else:  # association from the registry list
                    rec[head] = lst[value] if headers == "xml" else value
            else:
                rec[head] = "" if value is None else str(value)
        rec.update({"_id": str(1000 + n), "_uuid": f"uuid-{n:04d}",
                    "_submission_time": f"2027-03-{n % 27 + 1:02d}T09:30:00",
                    "_validation_status": "", "_notes": "", "_status": "submitted_via_web",
                    "_submitted_by": "", "__version__": "vKobo123", "_tags": "",
                    "_index": str(n + 1)})
        out.append(rec)
    return out


def write_kobo_csv(rows: list[dict[str, str]], path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter=";", quoting=csv.QUOTE_ALL)
        w.writeheader()
        w.writerows(rows)
    return path


def write_xlsx(rows: list[dict[str, object]], path: Path, sheet: str) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    header = list(rows[0])
    ws.append(header)
    for r in rows:
        ws.append([None if r[h] in ("", None) else r[h] for h in header])
    wb.save(path)
    return path


def _check_matching(inst: Instrument, raw, allow_meta: set[str]) -> None:
    m = match_columns(raw, inst)
    assert m.unmatched == []
    asked = {it.id for it in form_layout(inst).items}
    matched = {x.item_id for x in m.matches}
    assert asked <= matched
    assert set(m.metadata) == allow_meta


@pytest.mark.parametrize("multi", ["both", "summary", "details"])
def test_kobo_csv_round_trip(member_instrument, registry, tmp_path, multi):
    inst = member_instrument
    answers = generate_answers(inst, registry, 40, seed=1)
    path = write_kobo_csv(kobo_export(inst, answers, multi=multi), tmp_path / "kobo.csv")
    raw = read_kobo_export(path, inst)
    assert raw.format == "kobo" and len(raw.frame) == 40
    assert raw.provenance.delimiter == ";"
    _check_matching(inst, raw, {"start", "end", *KOBO_META})
    assert raw.metadata["end"] == "submitted" and raw.metadata["_submission_time"] == "received"
    result = clean(inst, raw, registry)
    assert result.log.rows_in == 40 and result.log.rows_kept == 40
    assert result.log.unknown_values == [] and result.log.out_of_range == []
    assert result.log.sources[0]["unmatched_columns"] == []
    check_clean(inst, answers, result.data, registry)
    assert result.data["submitted"].notna().all()


def test_kobo_xlsx_round_trip_with_labels_and_registry(member_instrument, registry, tmp_path):
    inst = member_instrument
    answers = generate_answers(inst, registry, 30, seed=2)
    rows = kobo_export(inst, answers, headers="labels", groups=True, registry=registry)
    for r in rows:  # Kobo's xlsx holds numbers as numbers
        for k, v in r.items():
            if isinstance(v, str) and re.fullmatch(r"\d+", v) and not k.startswith("_"):
                r[k] = int(v)
    path = write_xlsx(rows, tmp_path / "kobo.xlsx", inst.title)
    raw = read_kobo_export(path, inst)
    _check_matching(inst, raw, {"start", "end", *KOBO_META})
    result = clean(inst, raw, registry)
    assert result.log.rows_kept == 30 and result.log.unknown_values == []
    check_clean(inst, answers, result.data, registry)


def test_kobo_xml_values_with_registry_ids(member_instrument, registry, tmp_path):
    inst = member_instrument
    answers = generate_answers(inst, registry, 12, seed=3)
    rows = kobo_export(inst, answers, groups=False, registry=registry)
    assert rows[0]["forening"].startswith("F")  # the association id is the choice name
    raw = read_kobo_export(write_kobo_csv(rows, tmp_path / "k.csv"), inst)
    _check_matching(inst, raw, {"start", "end", *KOBO_META})
    result = clean(inst, raw, registry)
    check_clean(inst, answers, result.data, registry)


def test_kobo_round_trip_evaluation(evaluation_instrument, registry, tmp_path):
    inst = evaluation_instrument
    answers = generate_answers(inst, registry, 25, seed=4)
    raw = read_kobo_export(write_kobo_csv(kobo_export(inst, answers), tmp_path / "e.csv"), inst)
    _check_matching(inst, raw, {"start", "end", *KOBO_META})
    result = clean(inst, raw, registry)
    assert result.log.rows_kept == 25
    check_clean(inst, answers, result.data, registry)


def test_kobo_frame_keeps_unknown_columns_visible(member_instrument):
    frame = pd.DataFrame({
        "profil/rolle": pd.array(["1", "9"], dtype="string"),
        "centret/kendskab_tilbud": pd.array(["kurser andet", pd.NA], dtype="string"),
        "ekstra_felt": pd.array(["x", "y"], dtype="string"),
        "_submission_time": pd.array(["2027-01-01T10:00:00"] * 2, dtype="string"),
    })
    before = frame.copy()
    out, meta, notes = kobo_frame(frame, member_instrument)
    assert any("split into one column per option" in n for n in notes)
    pd.testing.assert_frame_equal(frame, before)  # input not modified
    text = member_instrument.item("kendskab_tilbud").text
    assert list(out["Hvilken rolle har du i foreningen?"]) == ["Formand", "9"]
    assert list(out[f"{text} - Kurser og workshops for frivillige"]) == ["1", pd.NA]
    assert list(out[f"{text} - andet"]) == ["1", pd.NA]  # unknown option: own column
    assert "ekstra_felt" in out.columns
    assert meta == {"_submission_time": "submitted"}  # no `end`: the server time
    assert forms.is_kobo_export(["start", "_uuid", "_submission_time"])
    assert not forms.is_kobo_export(["ID", "Start time"])


# --------------------------------------------------------------------------- Microsoft Forms


def msforms_export(inst: Instrument, answers: list[Answer], texts: list[str],
                   likert_headers: dict[str, str] | None = None) -> list[dict[str, object]]:
    """A Microsoft Forms export: metadata columns, then one column per pasted question."""
    by_text = {normalise(it.text): it for it in form_layout(inst).items}
    out = []
    for n, ans in enumerate(answers):
        rec: dict[str, object] = {
            "ID": n + 1, "Start time": f"3/{n % 27 + 1}/27 10:0{n % 10}:00",
            "Completion time": f"3/{n % 27 + 1}/27 10:2{n % 10}:00", "Email": "anonymous",
            "Name": "", "Last modified time": "",
        }
        for text in texts:
            item = by_text[normalise(text)]
            head = (likert_headers or {}).get(item.id, text)
            value = ans.values.get(item.id)
            if value is None:
                rec[head] = ""
            elif isinstance(value, Label):
                rec[head] = value.label
            elif isinstance(value, list):
                rec[head] = "".join(f"{lab.label};" for lab in value)
            else:
                rec[head] = value
        out.append(rec)
    return out


@pytest.mark.parametrize("which", ["member", "evaluation"])
def test_msforms_round_trip_from_the_text_version(member_instrument, evaluation_instrument,
                                                   registry, tmp_path, which):
    inst = _instruments(member_instrument, evaluation_instrument, which)
    texts = markdown_questions(form_markdown(inst))
    assert sorted(texts) == sorted(it.text for it in form_layout(inst).items)
    answers = generate_answers(inst, registry, 30, seed=5)
    path = write_xlsx(msforms_export(inst, answers, texts), tmp_path / "forms.xlsx", "Sheet1")
    raw = read_export(path)
    assert raw.format == "msforms"
    m = match_columns(raw, inst)
    assert m.unmatched == []
    assert set(m.metadata) == {"ID", "Start time", "Completion time", "Email", "Name",
                               "Last modified time"}
    assert {x.item_id for x in m.matches} == {it.id for it in form_layout(inst).items}
    assert all(x.how == "text" for x in m.matches)
    result = clean(inst, raw, registry)
    assert result.log.rows_kept == 30 and result.log.unknown_values == []
    check_clean(inst, answers, result.data, registry)


def test_msforms_likert_headers_with_the_grid_title(member_instrument, registry, tmp_path):
    """A Likert question exported as ``<title>.<statement>`` still matches its rows."""
    inst = member_instrument
    layout = form_layout(inst)
    grid = next(q for s in layout.sections for q in s.questions if q.is_grid and
                q.items[0].battery == "samarbejde")
    stem = layout.grid_stem(grid)
    heads = {it.id: f"{stem}.{it.text}" for it in grid.items}
    texts = markdown_questions(form_markdown(inst))
    answers = generate_answers(inst, registry, 10, seed=6)
    path = write_xlsx(msforms_export(inst, answers, texts, heads), tmp_path / "f.xlsx", "Sheet1")
    raw = read_export(path)
    m = match_columns(raw, inst)
    assert m.unmatched == []
    assert {m.by_column[h].item_id for h in heads.values()} == set(heads)


# --------------------------------------------------------------------------- command line


@pytest.mark.parametrize("to,suffix", [("xlsform", ".xlsx"), ("pdf", ".pdf"),
                                       ("markdown", ".md")])
def test_cli_export_form(tmp_path, capsys, to, suffix):
    out = tmp_path / f"form{suffix}"
    assert main(["export-form", str(MEMBER_INSTRUMENT), "--to", to, "--out", str(out)]) == 0
    assert out.is_file() and out.stat().st_size > 0
    assert str(out) in capsys.readouterr().out


def test_cli_survey_name_wave_folder_and_registry(tmp_path, capsys):
    assert main(["export-form", "moedeevaluering", "--to", "markdown", "--wave", "2025",
                 "--out", str(tmp_path)]) == 0
    assert (tmp_path / "moedeevaluering-2025.md").is_file()
    assert main(["export-form", str(EVALUATION_INSTRUMENT), "--to", "xlsform", "--registry",
                 str(MEMBER_INSTRUMENT.parents[1] / "members.csv"), "--out",
                 str(tmp_path / "e.xlsx")]) == 0
    survey = _sheet_rows(tmp_path / "e.xlsx", "survey")
    assert next(r for r in survey if r["name"] == "forening")["type"] == "select_one foreninger"


def test_cli_refuses_bad_input(tmp_path, capsys):
    assert main(["export-form", str(tmp_path / "nope" / "instrument.yml"), "--to", "pdf"]) == 3
    assert "instrument file not found" in capsys.readouterr().err
    assert main(["export-form", str(MEMBER_INSTRUMENT), "--to", "pdf", "--wave", "2030",
                 "--out", str(tmp_path / "x.pdf")]) == 3
    assert not (tmp_path / "x.pdf").exists()
    bad = tmp_path / "bad.yml"
    bad.write_text("instrument: Bad Id\n", encoding="utf-8")
    assert main(["export-form", str(bad), "--to", "markdown"]) == 3


def test_read_kobo_export_refuses_a_missing_file(member_instrument, tmp_path):
    with pytest.raises(SurveyDataError, match=r"findes-ikke\.csv: file not found"):
        read_kobo_export(tmp_path / "findes-ikke.csv", member_instrument)


def test_out_folder_gets_the_default_name(member_instrument, tmp_path):
    path = export_form(member_instrument, "markdown", f"{tmp_path}/ny/")
    assert path == tmp_path / "ny" / "medlemsundersoegelse-2027.md" and path.is_file()


def test_export_form_rejects_unknown_format(member_instrument):
    with pytest.raises(SurveyDataError, match="unknown form format"):
        export_form(member_instrument, "docx")


def test_item_type_annotations_are_consistent(member_instrument):
    # every item type of the instrument model has a Danish instruction
    types = {it.type for it in member_instrument}
    assert types <= set(forms.INSTRUCTION)
    assert isinstance(member_instrument.item("forening"), Item)
