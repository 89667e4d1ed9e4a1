"""The Danish cleaning log speaks Danish: no English fragment in the text an analyst reads
(issue 14, "one language per surface": the demo log said "(politik: warn)" and "(a number from 0
to 20000)"). The JSON log and the console stay English."""

from __future__ import annotations

import re

import pytest

from fslt_survey.clean import clean_directory

ENGLISH = re.compile(
    r"\b(a number|one of|options separated|an option of|policy|warn|fail|expected|rows?|kept|"
    r"excluded|wave|file|unknown|duplicate|blank|invited|or)\b",
    re.IGNORECASE,
)


def _prose(summary: str) -> str:
    """The log's own words: quoted values (answers, column texts), paths and the metadata
    column names (as the export writes them) removed."""
    text = re.sub(r"'[^']*'", "", summary)
    text = re.sub(r"\S+/\S+", "", text)
    return "\n".join(line for line in text.splitlines() if "Metadata" not in line)


@pytest.fixture(scope="module")
def demo_log(member_instrument, registry):
    from tests.clean.test_clean import DEMO as demo_dir

    return clean_directory(member_instrument, demo_dir / "medlemsundersoegelse", registry).log


def test_danish_log_has_no_english_fragment(demo_log):
    assert demo_log.unknown_values and demo_log.out_of_range
    da = _prose(demo_log.summary("da"))
    assert not ENGLISH.findall(da), da
    assert "et tal fra 0 til 20000" in demo_log.summary("da")
    assert "regel: advar og sæt til manglende" in demo_log.summary("da")


def test_english_log_and_json_stay_english(demo_log):
    en = demo_log.summary("en")
    assert "a number from 0 to 20000" in en and "(policy: warn)" in en
    record = demo_log.to_dict()["out_of_range"][0]
    assert record["expected"] == "a number from 0 to 20000"
    assert record["expected_da"] == "et tal fra 0 til 20000"
