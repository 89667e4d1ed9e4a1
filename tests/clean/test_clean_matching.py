"""Which column holds which item when headers are grid rows shared by two batteries, or option
columns of two questions with the same text: the answers, and the refusals, by hand.

Two batteries share the row "Lokaler" (as in the member survey, where needs and satisfaction
both have a row for premises). A grid header ``Question [Row]`` / ``Question - Row`` /
``Question.Row`` goes to the battery whose section title or battery id is the question part,
else to the item whose text shares the most leading words with it; a tie is refused.
"""

from __future__ import annotations

import pandas as pd
import pytest

from fslt_survey.clean import match_columns
from fslt_survey.codebook import parse_instrument
from fslt_survey.errors import ReadError
from fslt_survey.ingest import Provenance, RawExport

GRAD = {"ordered": True, "labels": [{"code": 1, "label": "I høj grad"},
                                    {"code": 2, "label": "Slet ikke"}]}
INSTRUMENT = {
    "instrument": "grid", "title": "Gitter", "kind": "member",
    "scales": {
        "grad": GRAD,
        "temaer": {"ordered": False, "labels": [
            {"code": 1, "label": "Frivillige", "key": "frivillige"},
            {"code": 2, "label": "GDPR", "key": "gdpr"}]},
    },
    "sections": [
        {"id": "a", "title": "Behov for støtte", "items": [
            {"id": "forening", "text": "Hvilken forening?", "type": "association"},
            {"id": "behov_lok", "text": "Hvor stort er behovet for lokaler?", "type": "likert",
             "scale": "grad", "battery": "behov", "short": "Lokaler"},
            {"id": "tema_a", "text": "Hvilke temaer?", "type": "multi", "scale": "temaer"},
        ]},
        {"id": "b", "title": "Tilfredshed", "items": [
            {"id": "tilf_lok", "text": "Hvor tilfreds er I med lokaler?", "type": "likert",
             "scale": "grad", "battery": "tilfreds", "short": "Lokaler"},
            {"id": "tema_b", "text": "Hvilke temaer?", "type": "multi", "scale": "temaer"},
        ]},
    ],
}


@pytest.fixture(scope="module")
def instrument():
    return parse_instrument(INSTRUMENT)


def export(columns: list[str]) -> RawExport:
    frame = pd.DataFrame({c: pd.array(["x"], dtype="string") for c in columns})
    return RawExport(frame, [2], Provenance("svar.csv", "0" * 64, 1, "csv"), "csv")


@pytest.mark.parametrize(("header", "item", "how"), [
    ("Behov for støtte [Lokaler]", "behov_lok", "grid"),  # the section title
    ("Behov for\nstøtte [Lokaler]", "behov_lok", "grid"),  # a title broken over two lines
    ("tilfreds - Lokaler", "tilf_lok", "grid"),  # the battery id
    ("Tilfredshed.Lokaler", "tilf_lok", "grid"),
    # neither: the item text sharing the most leading words ("hvor tilfreds er i": 4 with
    # tilf_lok, 1 with behov_lok)
    ("Hvor tilfreds er I? [Lokaler]", "tilf_lok", "grid"),
    ("Hvor stort er jeres behov? [Lokaler]", "behov_lok", "grid"),
])
def test_a_shared_grid_row_goes_to_the_right_battery(instrument, header, item, how):
    m = match_columns(export(["Hvilken forening?", header]), instrument)
    assert [(c.column, c.item_id, c.option, c.how) for c in m.matches] == [
        ("Hvilken forening?", "forening", None, "text"), (header, item, None, how)]
    assert m.unmatched == [] and m.columns_of(item) == [header]
    assert m.columns_of("forening") == ["Hvilken forening?"]


@pytest.mark.parametrize("header", [
    "Ukendt [Andet]",  # a row no battery has
    ".Lokaler",  # no question part
    "Lokaler - ",
])
def test_headers_that_are_no_grid_row_are_unmatched(instrument, header):
    m = match_columns(export(["Hvilken forening?", header]), instrument)
    assert m.unmatched == [header]
    assert m.missing_items == ["behov_lok", "tema_a", "tilf_lok", "tema_b"]


def test_two_columns_on_one_item_the_better_question_wins(instrument):
    cols = ["Hvilken forening?", "Hvor tilfreds er I? [Lokaler]", "tilfreds - Lokaler"]
    m = match_columns(export(cols), instrument)
    assert [(c.column, c.item_id) for c in m.matches] == [
        ("Hvilken forening?", "forening"), ("tilfreds - Lokaler", "tilf_lok")]
    assert m.unmatched == ["Hvor tilfreds er I? [Lokaler]"]


def test_a_tie_between_batteries_is_refused(instrument):
    """"Hvor" is the first word of both items' texts: one leading word each."""
    with pytest.raises(ReadError, match="column matches several items") as info:
        match_columns(export(["Hvilken forening?", "Hvor [Lokaler]"]), instrument)
    assert str(info.value) == (
        "svar.csv, column 'Hvor [Lokaler]': column matches several items (behov_lok, "
        "tilf_lok); make the item texts or sx names distinct (expected one item per column; "
        "found 'behov_lok, tilf_lok')")


def test_an_option_column_of_two_questions_with_one_text_is_refused(instrument):
    with pytest.raises(ReadError, match="column matches several items") as info:
        match_columns(export(["Hvilken forening?", "Hvilke temaer? - GDPR"]), instrument)
    exc = info.value
    assert (exc.file, exc.column, exc.expected, exc.found) == (
        "svar.csv", "Hvilke temaer? - GDPR", "one item per column", "tema_a, tema_b")


def test_option_columns_of_one_question(instrument):
    """One multi item, its options as ``Question - Option`` columns (Microsoft Forms' export
    of a multi-select question as one column per option)."""
    inst = parse_instrument({**INSTRUMENT, "sections": [INSTRUMENT["sections"][0]]})
    cols = ["Hvilken forening?", "Hvilke temaer? - GDPR", "Hvilke temaer? [Frivillige]"]
    m = match_columns(export(cols), inst)
    assert [(c.column, c.item_id, c.option, c.how) for c in m.matches][1:] == [
        ("Hvilke temaer? - GDPR", "tema_a", "gdpr", "option"),
        ("Hvilke temaer? [Frivillige]", "tema_a", "frivillige", "option")]
    assert m.multi_columns == {"Hvilke temaer? - GDPR": ("tema_a", "gdpr"),
                               "Hvilke temaer? [Frivillige]": ("tema_a", "frivillige")}
    assert m.columns_of("tema_a") == cols[1:]
