"""A theme page's key findings in plain Danish sentences, written from the findings.

:func:`key_findings_block` opens a theme page with what a reader came for: which answer is the
most common, which changes between the waves are certain (after the page's multiplicity
correction) and which are so small that they may be chance. Every number is the finding's own
(:meth:`~fslt_survey.publish.finding.Finding.marker`, so the one-number test checks it), in the
publication's Danish style (:mod:`fslt_survey.danish`); a hidden figure is never described.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fslt_survey.codebook import Item
from fslt_survey.danish import join_and, join_or, long_date, quote
from fslt_survey.publish import Finding
from fslt_survey.publish.recommend import PRIORITIES
from fslt_survey.report.data import Report, _lower_first
from fslt_survey.report.findings_view import changes_for
from fslt_survey.report.recommendations import by_priority, evaluation
from fslt_survey.tables import ci_heading, escape_markdown

__all__ = ["key_findings_block", "next_steps_block", "reading_guide_block"]

#: How many items each sentence names at most (the rest are counted).
NAMED = 3


def _choice_items(r: Report, theme: str) -> list[Item]:
    return [
        it for it in r.instrument.by_theme(theme)
        if it.scale is not None and it.type in ("single", "likert")
        and (not it.waves or r.wave in it.waves)
    ]


def _name(f: Finding) -> str:
    return quote(escape_markdown(f.label))


def _highest(r: Report, its: Sequence[Item]) -> str:
    levels = [r.findings.share(it, None, r.wave) for it in its]
    shown = [f for f in levels if f.shown]
    if not shown:
        return ""
    top = max(shown, key=lambda f: f.estimate)
    said = join_or(quote(escape_markdown(lab)) for lab in top.measure.labels)
    return (
        f"Højest i {r.wave}: {_name(top)}, hvor {top.marker(top.value())} af de svarende "
        f"foreninger svarer {said}."
    )


def _moved(changes: Sequence[Finding]) -> str:
    certain = sorted((c for c in changes if c.shown and c.significant),
                     key=lambda c: -abs(c.estimate))
    if not certain:
        return ""
    parts = []
    for c in certain[:NAMED]:
        assert c.before is not None and c.after is not None
        verb = "steg" if c.estimate > 0 else "faldt"
        before, after = c.before.marker(c.before.value()), c.after.marker(c.after.value())
        parts.append(f"{_name(c)} {verb} fra {before} til {after} "
                     f"({c.marker(c.value() + '*')} procentpoint)")  # * = certain, as elsewhere
    wa, wb = certain[0].waves
    count = f" ({len(certain)} i alt, de største her)" if len(certain) > NAMED else ""
    return f"Sikre ændringer (\\*) fra {wa} til {wb}{count}: {join_and(parts)}."


def _uncertain(changes: Sequence[Finding]) -> str:
    small = [c for c in changes if c.shown and c.test != "none" and not c.significant]
    if not small:
        return ""
    names = [_name(c) for c in small[:NAMED]]
    rest = len(small) - NAMED
    if rest > 0:
        names.append(f"{rest} {'andet spørgsmål' if rest == 1 else 'andre spørgsmål'}")
    return f"Ændringerne i {join_and(names)} er så små, at de kan skyldes tilfældigheder."


def key_findings_block(r: Report, theme: str) -> str:
    """The page's key findings (module docstring) as a short list, or "" when the theme has no
    published figure."""
    its = _choice_items(r, theme)
    changes = changes_for(r.findings, [it for it in its if len(r.waves) >= 2
                                       and all(w in (it.waves or r.waves) for w in r.waves)])
    lines = [s for s in (_highest(r, its), _moved(changes), _uncertain(changes)) if s]
    if not lines:
        return ""
    return "\n".join(f"- {s}" for s in lines) + "\n"


def _owner_when(row: Any) -> str:
    """ "(kommunen, inden for 3 måneder)": who takes a recommendation forward, and when."""
    owner = "fælles opgave" if row.owner == "fælles" else row.owner
    return f"({escape_markdown(owner)}, {escape_markdown(_lower_first(row.time_frame))})"


def next_steps_block(r: Report) -> str:
    """ "Hvad sker der nu?" for the front page: how many recommendations the results give (and
    how many of high priority), the first of them by priority with who takes each forward and
    when, and where the recommendations and the action plan are."""
    fired = by_priority(evaluation(r))
    if fired.empty:
        return ("Resultaterne udløser ingen af de anbefalinger, der er fastlagt på forhånd. "
                "Frivilligcentrets indsatser står under [Handleplan](handleplan.html).\n")
    high = int((fired["priority"] == PRIORITIES[0]).sum())
    first = [f"{quote(escape_markdown(str(row.title)))} {_owner_when(row)}"
             for row in fired.head(NAMED).itertuples(index=False)]
    return (
        f"Resultaterne giver {len(fired)} anbefalinger til kommunen, Frivilligcentret og "
        f"foreningerne, {high} af dem med høj prioritet. Øverst på listen står "
        f"{join_and(first)}. Hver anbefaling står med det første skridt og de tal, den bygger "
        "på, under [Anbefalinger](anbefalinger.html). Frivilligcentrets egne indsatser, med "
        "status og frist, står under [Handleplan](handleplan.html), og hvordan strategiens "
        "mål udvikler sig, under [Opfølgning](opfoelgning.html).\n"
    )


def reading_guide_block(r: Report) -> str:
    """ "Sådan læser du tallene": share, base, interval, the symbols and what "sikker" means,
    with the publication's own confidence level and suppression limit, and when the answers
    were collected."""
    last = r.latest["submitted"].dropna().max() if "submitted" in r.latest else None
    collected = (f" Tallene for {r.wave} bygger på svar indsamlet til og med "
                 f"{long_date(last)}." if last is not None and last == last else "")
    return (
        f"- **Andel** er en procentdel af de foreninger, der har svaret på spørgsmålet; "
        f"»Ved ikke« og ubesvarede svar tæller ikke med.{collected}\n"
        "- **Basis** (n) er, hvor mange foreninger andelen bygger på.\n"
        f"- **Intervallet** i parentes er et {ci_heading(r.confidence)}: den sande andel blandt "
        "alle medlemsforeningerne ligger med stor sikkerhed inden for det.\n"
        f"- **..** betyder, at tallet er skjult af hensyn til fortroligheden, fordi færre end "
        f"{r.k} foreninger står bag (eller fordi det ellers kunne regnes ud); **·** betyder, "
        "at spørgsmålet ikke blev stillet det år.\n"
        "- **En sikker ændring** (markeret med \\*) er så stor, at den ikke kan skyldes "
        "tilfældigheder, også når der tages højde for, at mange ændringer testes på én gang.\n"
        f"{TERMS}"
    )


#: The words of the network pages, said once (issue 19: "Netværk", "netværksmøde",
#: "netværksgruppe", "erfa-forum" and "fora" were used without saying what they are).
TERMS = (
    "\nOrdene om netværk:\n\n"
    "- **Netværksmøde** eller **erfa-forum** (flere: fora): et møde, hvor "
    "medlemsforeningerne deler erfaringer om et tema, som Frivilligcentret inviterer til.\n"
    "- **Selvhjælpsgruppe**: mennesker med en fælles, svær livsudfordring, der mødes og deler "
    "erfaringer; ikke terapi eller behandling. Gruppen har en frivillig gruppeleder.\n"
    "- **Netværksgruppe**: en selvhjælpsgruppe uden frivillig gruppeleder, for mennesker med en "
    "lettere fælles udfordring.\n"
)
