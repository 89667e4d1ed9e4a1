"""Curated quotes (issue 19): the analyst approves, the proposer suggests, nothing else is
published. Each refusal is read whole; each expected text is written out by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from fslt_survey.errors import ConfigError
from fslt_survey.publish import Quote, load_quotes, propose, quotes_markdown

ITEMS = ["stoerste_udfordring", "kommentar"]


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "citater.yml"
    path.write_text("citater:\n" + body, encoding="utf-8")
    return path


def test_approved_quotes_are_read_in_the_analysts_order(tmp_path):
    path = _write(
        tmp_path,
        '  - {id: a, spoergsmaal: kommentar, tekst: "Tak for  hjælpen med\\n fondsansøgningen."}\n'
        "  - {id: b, spoergsmaal: stoerste_udfordring, tema: frivillige,\n"
        '     tekst: "Vi mangler frivillige til weekenderne."}\n',
    )
    assert load_quotes(path, items=ITEMS) == [
        Quote("a", "kommentar", "Tak for hjælpen med fondsansøgningen."),
        Quote("b", "stoerste_udfordring", "Vi mangler frivillige til weekenderne.", "frivillige"),
    ]
    assert load_quotes(tmp_path / "findes-ikke.yml", items=ITEMS) == []


def test_every_problem_is_listed_with_the_quote_id(tmp_path):
    path = _write(
        tmp_path,
        "  - {id: a, spoergsmaal: kommentar, tekst: Ring på 22 33 44 55 efter kl. 16}\n"
        "  - {id: b, spoergsmaal: kommentar, tekst: Skriv til anne at gmail dot com}\n"
        "  - {id: c, spoergsmaal: kommentar, tekst: Spørg Lyngby Skakklub om lokalet}\n"
        '  - {id: d, spoergsmaal: kommentar, tekst: "<script>alert(1)</script> Tak"}\n'
        '  - {id: e, spoergsmaal: kommentar, tekst: "=HYPERLINK(\\"x\\")"}\n'
        "  - {id: f, spoergsmaal: kommentar, tekst: 'Kan kontaktes på [telefon]'}\n"
        "  - {id: g, spoergsmaal: hvem, tekst: Et fint svar om alting}\n"
        "  - {id: a, spoergsmaal: kommentar, tekst: Et andet fint svar, farve: rød}\n"
        "  - {id: h, spoergsmaal: kommentar, tekst: ''}\n",
    )
    with pytest.raises(ConfigError) as err:
        load_quotes(path, items=ITEMS, names=["Lyngby Skakklub"])
    text = str(err.value)
    assert str(path) in text and "10 problem(s) in the approved quotes" in text
    personal = "holds what looks like personal data"
    junk = "holds markup, a formula or a redaction placeholder"
    for line in (
        f"quote a: tekst {personal}",
        f"quote b: tekst {personal}",
        f"quote c: tekst {personal}",
        f"quote d: tekst {junk}",
        f"quote e: tekst {junk}",
        f"quote f: tekst {junk}",
        "quote g: spoergsmaal 'hvem' is not an item of the survey",
        "quote a: unknown key 'farve'",
        "quote a: duplicate id",
        "quote h: tekst is empty",
    ):
        assert f"  - {line}" in text, line


def test_quotes_are_chosen_by_item_or_theme_and_escaped():
    quotes = [
        Quote("a", "kommentar", "Tak for *alt*"),
        Quote("b", "stoerste_udfordring", "Vi mangler frivillige", "frivillige"),
        Quote("c", "stoerste_udfordring", "Vi mangler en kasserer", "bestyrelse"),
    ]
    assert quotes_markdown(quotes, item="kommentar") == "> Tak for \\*alt\\*\n"
    assert quotes_markdown(quotes, item="stoerste_udfordring", limit=1) == (
        "> Vi mangler frivillige\n"
    )
    assert quotes_markdown(quotes, theme="bestyrelse") == "> Vi mangler en kasserer\n"
    assert quotes_markdown(quotes, theme="digitalt") == (
        "*Der er endnu ikke udvalgt citater her.*\n"
    )


def test_the_proposer_leaves_out_junk_and_personal_data_and_counts_repeats():
    answers = [
        ("kommentar", "Tak for god hjælp med fondsansøgningen!"),
        ("kommentar", "Tak  for god hjælp med\nfondsansøgningen!"),
        ("kommentar", "<script>alert(1)</script> Tak for hjælpen med hjemmesiden"),
        ("kommentar", '=HYPERLINK("http://evil.example","Klik her for mere")'),
        ("kommentar", "Formanden kan kontaktes på [telefon] om aftenen"),
        ("kommentar", "Ring til formanden på 22 33 44 55 om aftenen"),
        ("kommentar", "Kort svar"),
        ("kommentar", None),
        ("stoerste_udfordring", "Vi mangler yngre frivillige til vores aktiviteter."),
    ]
    got = propose(answers)
    assert [(p["spoergsmaal"], p["tekst"], p["antal"]) for p in got] == [
        ("kommentar", "Tak for god hjælp med fondsansøgningen!", "2"),
        ("stoerste_udfordring", "Vi mangler yngre frivillige til vores aktiviteter.", "1"),
    ]
    assert got[0]["id"] == propose(list(reversed(answers)))[0]["id"]  # stable
    assert got[0]["id"].startswith("c-") and got[0]["id"] != got[1]["id"]
