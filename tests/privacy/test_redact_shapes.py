"""Shapes of personal data that passed the redaction before issue 18, and ordinary text that must
survive it.

Each shape is redacted in a sentence and judged twice: by :func:`scan_for_personal_data` (the
redaction's own patterns) and, independently of them, by :func:`leaks` from the corpus test (the
digits of a number in any run of digits, the local part of an address anywhere).
"""

from __future__ import annotations

import pytest

from fslt_survey.privacy import (
    normalise_text,
    personal_names,
    redact_text,
    redact_text_counts,
    scan_for_personal_data,
)
from tests.privacy.test_privacy_corpus import leaks

ZW = "\u200b"  # zero-width space

SHAPES = [
    # (kind, text, secret)
    ("email", "skriv til anne at gmail dot com i aften", "anne"),
    ("email", "skriv til anne at gmail punktum com", "anne"),
    ("email", "skriv til anne @ gmail . com i aften", "anne"),
    ("email", "skriv til anne\uff20gmail.com", "anne"),  # full-width at sign
    ("email", "skriv til anne\uff20gmail\uff0ecom", "anne"),  # full-width at and dot
    ("email", "skriv til anne@gmail, hun svarer", "anne"),  # no domain
    ("email", f"skriv til an{ZW}ne@gm{ZW}ail.com", "anne"),
    ("phone", "ring på 22 334 455 efter kl. 16", "22334455"),
    ("phone", "ring +45 22-33 44 55 efter kl. 16", "22334455"),
    ("phone", "ring 22 33 - 44 55 efter kl. 16", "22334455"),
    ("phone", f"ring 22{ZW}33{ZW}44{ZW}55", "22334455"),
    ("phone", f"ring 2{ZW}2{ZW}3{ZW}3{ZW}4{ZW}4{ZW}5{ZW}5", "22334455"),
    ("phone", "tlf 2012 2024", "20122024"),  # reads as two years, but a cue word says phone
    ("phone", "Tlf.: 20 12 2024", "20122024"),  # reads as a date
    ("phone", "mobil: 2012-2024", "20122024"),
    ("phone", "ring på \uff12\uff12\uff13\uff13\uff14\uff14\uff15\uff15", "22334455"),
    ("cpr", "cpr 01.01.90-1234 vedlagt", "0101901234"),
    ("cpr", "cpr 01-01-90-1234 vedlagt", "0101901234"),
    ("cpr", "cpr 010190/1234 vedlagt", "0101901234"),
    ("cpr", "cpr 0101 90 1234 vedlagt", "0101901234"),
    ("cpr", f"cpr 0101{ZW}90-1234", "0101901234"),
]


@pytest.mark.parametrize(("kind", "text", "secret"), SHAPES, ids=[t for _, t, _ in SHAPES])
def test_each_former_gap_is_redacted(kind, text, secret):
    red, counts = redact_text_counts(text)
    assert counts[kind] >= 1, red
    assert not leaks(red, kind, secret), red
    assert not scan_for_personal_data(red), red
    assert scan_for_personal_data(text), text  # the scan finds it before redaction


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("se bit.ly/abc123 for mere", "se [link] for mere"),
        ("Læs fslt.dk/kontakt.", "Læs [link]."),
        ("kontakt via Frivillig-Lyngby.dk/om-os?id=3 i dag", "kontakt via [link] i dag"),
        ("se goo.gl/xyz", "se [link]"),
    ],
)
def test_short_links_and_bare_domains_with_a_path(text, expected):
    assert redact_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lise Holm er vores formand.", "[navn] er vores formand."),
        ("Anne-Marie Sørensen er kasserer", "[navn] er kasserer"),
        ("Kontakt Anne-Marie Sørensen i dag", "Kontakt [navn] i dag"),
        ("Tak til Jens Peter Hansen-Holm!", "Tak til [navn]!"),
        ("Formand Lise Holm svarer", "Formand [navn] svarer"),
    ],
)
def test_names_at_the_start_of_a_sentence_and_hyphenated(text, expected):
    assert redact_text(text) == expected


def test_hyphenated_names_from_the_list_are_redacted_whole():
    assert redact_text("Spørg Anne-Marie Sørensen", names=["Marie Sørensen"]) == "Spørg [navn]"
    assert redact_text("Marie Sørensen-Holms bog", names=["Marie Sørensen"]) == "[navn] bog"


@pytest.mark.parametrize(
    "text",
    [
        "Borgmester Sofia Osmani sagde ja",
        "Sofia Osmanis forslag",  # genitive
        "SOFIA OSMANI kom forbi",
        f"Sofia{ZW} Osmani kom forbi",
        "Sofia\u00a0Osmani kom forbi",
        "sofia\n  osmani kom forbi",
    ],
)
def test_public_persons_in_the_name_list(text):
    red = redact_text(text, names=["Sofia Osmani"])
    assert "[navn]" in red and "osmani" not in red.casefold(), red


def test_normalisation():
    assert normalise_text(f"a\uff20b{ZW}c\u00add") == "a@bcd"
    assert redact_text("Prisen er \uff11\uff15\uff10\uff10 kr.") == "Prisen er 1500 kr."
    findings = scan_for_personal_data(f"x 22{ZW}33{ZW}44{ZW}55 y")
    assert [(f.kind, f.start, f.end, f.column) for f in findings] == [("phone", 2, 13, 3)]


ORDINARY = [
    "I 2025 svarede 58 foreninger, i 2027 var det 61.",
    "Det koster 1.500 kr. om året, og 12.500 kr. i alt.",
    "Budgettet er 12 500 000 kr. og 10 000 000 kr. sidste år.",
    "36 % er tilfredse, 4,5 % er utilfredse; 100 % svarede.",
    "Mødet er d. 12.03.2025 kl. 10.30-11.30, eller 1/3-2025.",
    "Fristen er 31-12-2025 og 2025-03-12.",
    "Tilskud efter §18 i serviceloven (§ 18, stk. 2).",
    "Lyngby Roklub og Virum Gymnastikforening samarbejder med Kongens Lyngby Bibliotek.",
    "Frivilligcenter og Selvhjælp Lyngby-Taarbæk holder til på Rustenborgvej 2A.",
    "Spørg Lise, hun ved det.",
    "Vi håber at frivillige.dk vil hjælpe (se side 12-14).",
    "Se www-siden eller fslt.dk for mere; og/eller ring.",
    "Uge 10-12 og 14-16, 2024-2025, 3-4 gange om året.",
    "mød os @ Rustenborgvej 2A",
    "Svarprocent 58/90 = 64 %.",
    "Ca. 1.234.567,89 kr. i alt over 20 år.",
    "Husk at tjekke dot-listen og prik-opgaven.",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_text_is_not_redacted(text):
    assert redact_text(text) == text
    assert not scan_for_personal_data(text)


def test_personal_names_needs_a_first_name_and_a_second_capitalised_word():
    assert personal_names("Lise Holm og Hans Jensen kommer") == ["Lise Holm", "Hans Jensen"]
    assert personal_names("Spørg Lise eller Per.") == []
    assert personal_names("Per mail eller Bo i nærheden") == []
    assert personal_names("Kongens Lyngby Bibliotek") == []


def test_redaction_stays_idempotent_on_the_new_shapes():
    for _, text, _ in SHAPES:
        once = redact_text(text)
        assert redact_text(once) == once
