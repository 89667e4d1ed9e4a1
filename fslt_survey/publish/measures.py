"""What a published figure measures, named where it is shown, and the release's symbols.

A :class:`Measure` says which answers a share counts (``labels``), with a stable key for the
finding id and its Danish name built from the answers themselves, so two measures of one item
can never be mistaken for each other on the page:

* ``("I høj grad",)`` -> "andel i høj grad" (key ``top1``)
* ``("I høj grad", "I nogen grad")`` -> "andel i høj eller nogen grad" (key ``top2``)
* ``("Ja", "Måske")`` -> "andel ja eller måske" (key ``ja-maaske``)
* a multi-select option -> "andel, der har valgt »Kursus«"

:func:`parts_sentence` writes a share made of several answers with the measure's own wording,
one answer at a time ("35 % svarer ja og 35 % måske"), never a collapsed claim.

Symbols (one convention for the whole release, as statistical offices use; explained once on
every page that uses them by :func:`symbols_note`): :data:`HIDDEN` ".." hidden for
confidentiality, :data:`NOT_ASKED` "·" not asked in that wave, :data:`NOTHING` "-" nothing
(zero) or no figure yet.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fslt_survey.danish import join_or
from fslt_survey.tables import HIDDEN_SYMBOL, NOT_ASKED_SYMBOL, NOTHING_SYMBOL, format_pct

__all__ = [
    "HIDDEN",
    "NOTHING",
    "NOT_ASKED",
    "Measure",
    "canonical_label",
    "is_ordered",
    "join_answers",
    "measure_for",
    "parts_sentence",
    "slug",
    "symbols_note",
]

HIDDEN = HIDDEN_SYMBOL
NOT_ASKED = NOT_ASKED_SYMBOL
NOTHING = NOTHING_SYMBOL


@dataclass(frozen=True)
class Measure:
    """Which answers a figure counts, its id key and its Danish name.

    ``kind`` is ``share`` (a percentage of those who answered), ``mean_index`` (a 0-100 index)
    or ``count`` (a total). ``min_options`` applies to multi-select shares (ticked at least
    that many of ``labels``).
    """

    key: str
    name: str
    labels: tuple[str, ...] = ()
    kind: str = "share"
    multi: bool = False
    min_options: int = 1


def slug(text: str) -> str:
    """``"Ja, måske"`` -> ``"ja-maaske"``: lower case ASCII for ids."""
    t = text.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa").replace("§", "p")
    t = unicodedata.normalize("NFKD", t).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", t).strip("-")


def _lower(label: str) -> str:
    words = label.split()
    if words and words[0][:1].isupper() and (len(words[0]) == 1 or words[0][1:].islower()):
        words[0] = words[0].lower()
    return " ".join(words)


def join_answers(labels: Sequence[str]) -> str:
    """Answers in running text: "i høj eller nogen grad", "ja eller måske", "a, b eller c".

    Two answers sharing their first or last words are written once with the shared words
    ("i høj grad" + "i nogen grad" -> "i høj eller nogen grad")."""
    parts = [_lower(str(lab)) for lab in labels]
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        a, b = parts[0].split(), parts[1].split()
        pre = 0
        while pre < min(len(a), len(b)) - 1 and a[pre] == b[pre]:
            pre += 1
        suf = 0
        while suf < min(len(a), len(b)) - pre - 1 and a[-1 - suf] == b[-1 - suf]:
            suf += 1
        mid_a, mid_b = a[pre : len(a) - suf], b[pre : len(b) - suf]
        if (pre or suf) and mid_a and mid_b:
            head = " ".join(a[:pre])
            tail = " ".join(a[len(a) - suf :])
            core = f"{' '.join(mid_a)} eller {' '.join(mid_b)}"
            return " ".join(x for x in (head, core, tail) if x)
    return join_or(parts)


def measure_for(
    categories: Sequence[str],
    labels: Sequence[str] | None = None,
    *,
    multi: bool = False,
    min_options: int = 1,
    ordered: bool = False,
) -> Measure:
    """The measure counting ``labels`` of an item whose substantive answers are ``categories``.

    ``labels=None``: the item's headline measure - the top two answers of an ordered scale, the
    first answer of an unordered single choice, any option of a multi-select.
    """
    cats = [str(c) for c in categories]
    if labels is None:
        labels = cats if multi else (cats[:2] if ordered and len(cats) > 2 else cats[:1])
    labs = tuple(str(x) for x in labels)
    if multi:
        every = set(labs) == set(cats) and len(labs) > 1
        if every:
            name = "andel, der har valgt mindst " + (
                "én svarmulighed" if min_options == 1 else f"{min_options} svarmuligheder"
            )
            key = "mindst-en" if min_options == 1 else f"mindst-{min_options}"
        elif len(labs) == 1:
            name, key = f"andel, der har valgt »{labs[0]}«", slug(labs[0])
        else:
            quoted = ", ".join(f"»{x}«" for x in labs[:-1]) + f" eller »{labs[-1]}«"
            many = "mindst én af" if min_options == 1 else f"mindst {min_options} af"
            name = f"andel, der har valgt {many} {quoted}"
            key = f"mindst-{min_options}-af-" + "-".join(slug(x) for x in labs)
        return Measure(key, name, labs, multi=True, min_options=min_options)
    if ordered and labs == tuple(cats[:2]) and len(cats) > 2:
        key = "top2"
    elif ordered and labs == tuple(cats[:1]):
        key = "top1"
    else:
        key = "-".join(slug(x) for x in labs)
    return Measure(key, f"andel {join_answers(labs)}", labs)


def parts_sentence(parts: Sequence[tuple[str, float]]) -> str:
    """ "35 % svarer ja og 35 % måske": each answer's own share, in the measure's words."""
    bits = [
        f"{format_pct(pct)} {'svarer ' if i == 0 else ''}{_lower(lab)}"
        for i, (lab, pct) in enumerate(parts)
    ]
    if not bits:
        return ""
    return bits[0] if len(bits) == 1 else ", ".join(bits[:-1]) + " og " + bits[-1]


def symbols_note(k: int, unit: str = "foreninger") -> str:
    """The symbol convention in one Danish sentence, for every page and PDF that uses it."""
    return (
        f"*Tegn i tabellerne: {HIDDEN} skjult af hensyn til fortroligheden (færre end {k} "
        f"{unit} bag tallet, eller tallet ville afsløre et andet skjult tal); {NOT_ASKED} ikke "
        f"spurgt i den runde; {NOTHING} intet (nul) eller intet tal endnu.*\n"
    )


def canonical_label(item: Any, label: Any) -> str:
    """``label`` as the item's scale spells it (or as given, when the scale lacks it)."""
    match = item.scale.match(label) if item.scale is not None else None
    return match.label if match is not None else str(label)


def is_ordered(item: Any) -> bool:
    """Whether the item's answers are ordered (a Likert item or an ordered scale)."""
    return item.type == "likert" or bool(item.scale is not None and item.scale.ordered)
