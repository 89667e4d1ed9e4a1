"""The meetings page as facts for the release audit (:mod:`fslt_survey.publish.release_audit`).

The Netværksmøder page prints, per meeting and per year, the share of positive answers to each
evaluation question with the number of evaluations, and its chart's alt text gives the range of
the bases ("n = 42–44 deltagere i 2025"). Combined with each other and with the year's
distribution in the downloads, these can bound a meeting's hidden answers (the recovery of issue
18 with "n = 42-44"). Per meeting ``m`` of year ``y`` and question ``q`` the unknowns are the
positive answers ``y/m/q/+``, the other answers ``y/m/q/-`` and the rest (typed missing)
``y/m/q/~``. The page's year figures count evaluations of known meetings; the round's download
counts every evaluation, so those with an unknown meeting code are the unknowns ``y/?/q/±``
(the round is taken as the meetings' year, as the page's tables take it).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from fslt_survey.codebook import Instrument
from fslt_survey.privacy.auditor import Release
from fslt_survey.publish.release_read import count, html_tables, number

__all__ = ["meeting_facts"]

HELD = "Afholdte møder: fremmøde og evalueringer"
PER_MEETING = "Andel positive svar pr. møde"
PER_YEAR = "Andel positive svar pr. år"
_HEADER = re.compile(r"^(.*?) \((.*)\)$")  # "Brugbart udbytte (I høj grad + I nogen grad)"
_ALT = re.compile(r"n = (\d+)–(\d+) deltagere i (\d{4}) og (\d+)–(\d+) i (\d{4})")


def _question(header: str, instrument: Instrument) -> tuple[str, list[str], list[str]]:
    """(cell name, positive answers, other answers) of a column "<label> (<a> + <b>)"."""
    m = _HEADER.match(header)
    label, positive = (m[1], m[2].split(" + ")) if m else (header, [])
    for it in instrument:
        if it.label == label and it.scale is not None:
            cats = [lab.label for lab in it.scale.substantive]
            return it.id, positive, [c for c in cats if c not in positive]
    return label, positive, []


def meeting_facts(release: Release, page: Path, instrument: Instrument, fid: str) -> bool:
    """Add the meetings page's facts to ``release``; False when the page has no such tables."""
    tables = {caption.split(" (")[0]: rows for caption, rows in html_tables(page)}
    if PER_MEETING not in tables or HELD not in tables:
        return False
    year_of = {r[0]: re.findall(r"\d{4}", r[1])[-1] for r in tables[HELD][1:]}
    per = tables[PER_MEETING]
    questions = [_question(h, instrument) for h in per[0][2:]]
    for r in per[1:]:
        meeting, n, year = r[0], count(r[1]), year_of.get(r[0], "?")
        for j, (q, _, _) in enumerate(questions, start=2):
            pos, neg, rest = (f"{year}/{meeting}/{q}/{s}" for s in "+-~")
            if n is not None:
                release.add_sum(f"{fid} {PER_MEETING} {meeting} (besvarelser)", [pos, neg, rest], n)
            value, decimals = number(r[j])
            if value is None:
                release.add_cell(f"{fid} {PER_MEETING} {meeting}", pos, None)
                release.add_cell(f"{fid} {PER_MEETING} {meeting}", neg, None)
            else:
                release.add_share(
                    f"{fid} {PER_MEETING} {meeting} {q}", [pos], [pos, neg], value, decimals
                )
    for r in tables.get(PER_YEAR, [[]])[1:]:
        year, n = r[0], count(r[1])
        meetings = [m for m, y in year_of.items() if y == year]  # known meetings only
        for j, (q, positive, other) in enumerate(questions, start=2):
            cells = {s: [f"{year}/{m}/{q}/{s}" for m in meetings] for s in "+-~"}
            if n is not None:
                release.add_sum(
                    f"{fid} {PER_YEAR} {year} (besvarelser)",
                    cells["+"] + cells["-"] + cells["~"],
                    n,
                )
            value, decimals = number(r[j])
            if value is not None:
                release.add_share(
                    f"{fid} {PER_YEAR} {year} {q}",
                    cells["+"],
                    cells["+"] + cells["-"],
                    value,
                    decimals,
                )
            for sign, labels in (("+", positive), ("-", other)):
                if labels:  # the round's download counts these, unlinked evaluations ("?") too
                    terms = dict.fromkeys([*cells[sign], f"{year}/?/{q}/{sign}"], 1)
                    terms.update({f"{year}/I alt/{q}/{lab}": -1 for lab in labels})
                    release.add_linear(f"{fid} {PER_YEAR} {year} = download", terms, 0, 0)
    for m in _ALT.finditer(html.unescape(page.read_text(encoding="utf-8"))):
        for low, high, year in ((m[1], m[2], m[3]), (m[4], m[5], m[6])):
            meetings = [k for k, y in year_of.items() if y == year]
            for q, _, _ in questions:
                cells = [f"{year}/{k}/{q}/{s}" for k in meetings for s in "+-"]
                release.add_range(f"{fid} alt-tekst {year}", cells, int(low), int(high))
    return True
