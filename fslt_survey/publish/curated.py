"""Curated quotes: only what the analyst approved is published (issue 19).

Free-text answers are never published as they come. :func:`propose` suggests candidates from the
answers - redacted, de-duplicated, without markup, formulas or redacted personal data - and the
analyst copies the ones to publish into the survey's approved quotes file (``citater.yml``),
shortening or correcting them if needed::

    # surveys/medlemsundersoegelse/citater.yml
    citater:
      - id: c-3f2a91                       # the proposer's id (any unique text will do)
        spoergsmaal: stoerste_udfordring   # the question it answers (an instrument item)
        tekst: "Det er svært at finde unge frivillige, der vil binde sig."   # as published
        tema: rekruttering                 # optional: the network theme (its handout)

:func:`load_quotes` refuses the file with every problem listed (file, quote id, what is wrong):
unknown keys or items, duplicate ids, and any text that redaction would change (an e-mail, a
phone or CPR number, a link, a name) or that holds markup or a formula. The pages
(:func:`fslt_survey.report.quotes_block`), the meetings page and the handouts publish the
approved quotes only. The demo's approved quotes live with the demo exports
(``surveys/demo/<survey>/citater.yml``), so a real build never shows a fictional quote.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fslt_survey import config
from fslt_survey._yaml import read_yaml
from fslt_survey.errors import ConfigError
from fslt_survey.privacy import redact_text
from fslt_survey.publish.outputs import name_candidates
from fslt_survey.tables import escape_markdown

__all__ = [
    "QUOTES_FILE",
    "Quote",
    "load_quotes",
    "propose",
    "quotes_file",
    "quotes_markdown",
]

QUOTES_FILE = "citater.yml"
_KEYS = {"id", "spoergsmaal", "tekst", "tema"}
#: Markup, a spreadsheet formula, or a redaction placeholder ("[telefon]"): never a quote.
_JUNK = re.compile(r"<[a-zA-Z/!]|^[=+\-@]|\[[^\]\n]{1,20}\]|&#|javascript:", re.IGNORECASE)


@dataclass(frozen=True)
class Quote:
    """One approved quote: its id, the item it answers, the text as published, its theme."""

    id: str
    item: str
    text: str
    theme: str | None = None


def quotes_file(survey: str, *, demo: bool) -> Path:
    """The survey's approved quotes: with the demo exports in demo mode, else the project's."""
    base = config.demo_dir() if demo else config.surveys_dir()
    return base / survey / QUOTES_FILE


def _problem(text: str, names: Sequence[str]) -> str | None:
    """Why ``text`` cannot be published as it stands, or None."""
    if _JUNK.search(text):
        return "holds markup, a formula or a redaction placeholder"
    if redact_text(text, [*names, *name_candidates(text)]) != text:
        return "holds what looks like personal data (a name, e-mail, phone or CPR number, link)"
    return None


def load_quotes(
    path: str | Path, *, items: Iterable[str], names: Sequence[str] = ()
) -> list[Quote]:
    """The approved quotes of ``path`` (an absent file: none), checked as the module says;
    ``items`` are the instrument's item ids, ``names`` the registry's association names."""
    path = Path(path)
    if not path.is_file():
        return []
    data = read_yaml(path, "approved quotes file") or {}
    entries = data.get("citater") if isinstance(data, dict) else None
    if entries is None:
        entries = []
    if not isinstance(entries, list):
        raise ConfigError("citater: must be a list", file=path, expected="citater: [...]")
    known, problems, quotes, seen = set(items), [], [], set()
    for n, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            problems.append(f"quote {n}: must be a mapping with id, spoergsmaal and tekst")
            continue
        qid = str(entry.get("id") or f"nr. {n}")
        text = " ".join(str(entry.get("tekst") or "").split())
        item = str(entry.get("spoergsmaal") or "")
        wrong = [f"unknown key {k!r}" for k in entry if k not in _KEYS]
        wrong += ["duplicate id"] if qid in seen else []
        wrong += [] if item in known else [f"spoergsmaal {item!r} is not an item of the survey"]
        wrong += [] if text else ["tekst is empty"]
        why = _problem(text, names) if text else None
        wrong += [f"tekst {why}"] if why else []
        seen.add(qid)
        if wrong:
            problems.extend(f"quote {qid}: {w}" for w in wrong)
            continue
        theme = entry.get("tema")
        quotes.append(Quote(qid, item, text, str(theme) if theme else None))
    if problems:
        raise ConfigError(
            f"{len(problems)} problem(s) in the approved quotes",
            file=path,
            expected="approved quotes as fslt-survey citater proposes them",
            problems=problems,
        )
    return quotes


def quotes_markdown(
    quotes: Sequence[Quote],
    *,
    item: str | None = None,
    theme: str | None = None,
    limit: int | None = None,
) -> str:
    """The approved quotes of ``item`` (and/or ``theme``) as Markdown block quotes, in the
    file's order (the analyst's), or a sentence saying none are chosen yet."""
    chosen = [
        q
        for q in quotes
        if (item is None or q.item == item) and (theme is None or q.theme == theme)
    ]
    if limit is not None:
        chosen = chosen[:limit]
    if not chosen:
        return "*Der er endnu ikke udvalgt citater her.*\n"
    return "\n".join(f"> {escape_markdown(q.text)}\n" for q in chosen)


def propose(
    answers: Iterable[tuple[str, Any]],
    *,
    names: Sequence[str] = (),
    min_length: int = 20,
    max_length: int = 300,
) -> list[dict[str, str]]:
    """Candidate quotes from ``(item, answer)`` pairs for the analyst to approve.

    Each answer is folded to one line and redacted (the names given and runs that look like a
    person's name); an answer that redaction changed, or that holds markup or a formula, is
    left out, as are short ones and exact repeats. Ordered by item, then the answers given most
    often, then the longer ones; the id is stable for the same item and text.
    """
    counts: dict[tuple[str, str], int] = {}
    for item, answer in answers:
        if not isinstance(answer, str):
            continue
        text = " ".join(answer.split())
        if not min_length <= len(text) <= max_length or _problem(text, names):
            continue
        key = (item, text)
        counts[key] = counts.get(key, 0) + 1
    order = sorted(counts, key=lambda k: (k[0], -counts[k], -len(k[1]), k[1]))
    return [
        {
            "id": "c-" + hashlib.sha1(f"{item}\n{text}".encode()).hexdigest()[:6],
            "spoergsmaal": item,
            "tekst": text,
            "antal": str(counts[(item, text)]),
        }
        for item, text in order
    ]
