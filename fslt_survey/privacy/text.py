"""Text normalisation before matching, and personal names that nobody supplied.

:func:`normalise_text` applies NFKC (a full-width ``＠`` or digit becomes ``@`` or 0-9) and
removes zero-width characters (:data:`ZERO_WIDTH`), so that an address or a number cannot hide
behind them; redaction and the scan both match the normalised text.

:func:`fslt_survey.privacy.redact.redact_text` redacts the names it is given (the registry's
names, public persons) and, with :func:`personal_names`, runs that *look like* a person's name
wherever they stand, also at the start of a sentence ("Lise Holm er vores formand") and
hyphenated ("Anne-Marie Sørensen"): a first name from :data:`FIRST_NAMES` (about 230 common
Danish first names, compiled by hand; not exhaustive, so the analyst still reads every quote)
followed by one or more capitalised words or first names. A first name alone ("spørg Lise") is
not redacted: alone it rarely identifies anyone, and many are ordinary words ("Per", "Bo").
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "FIRST_NAMES",
    "ZERO_WIDTH",
    "normalise_mapped",
    "normalise_text",
    "personal_names",
]

#: Common Danish first names (women's and men's), lower case.
FIRST_NAMES: frozenset[str] = frozenset(
    """
    agnes aksel alberte alexander allan alma amalie anders andreas ane anna anne annemette
    annette anton arne asger astrid august axel benedikte benjamin bent bente birger birgitte
    birthe bjarne bjørn bo bodil brian børge camilla carl caroline carsten casper cecilie
    charlotte christian christina christoffer clara claus connie dan daniel david dennis dorte
    dorthe elisabeth ella ellen else emil emilie emma erik esben esther eva finn flemming frank
    frederik freja frida gerda gitte grethe gunnar gustav hanna hanne hans heidi helle henning
    henriette henrik ib ida inge inger ingrid isabella jacob jakob jan jane janne jeanette jens
    jeppe jesper jette johan johannes john jonas jonathan jonna josefine julie jytte jørgen
    jørn kaj kamilla karen karin karl karoline kasper katrine kenneth kim kirsten knud kristian
    kristina kurt lars lasse lauge laura leif lene line lis lisa lisbeth lise liv lone lotte
    louise lucas lykke mads magnus maiken maja malene malthe margrethe maria marianne marie
    martin mathias mathilde merete mette mia michael mikkel mogens mona morten nanna niels
    nikolaj nils nina noah ole oliver oscar otto ove palle per pernille peter philip pia poul
    preben rasmus rene rené rikke rune ruth sanne sara sarah sebastian sidsel signe sigurd
    simon sofia sofie solveig steen stefan steffen stine sune susan susanne sven svend søren
    tage tanja theis thomas thor tim tina tine tobias tommy tonny torben tove trine troels ulla
    ulrich ulrik vagn valdemar vibeke victor villads vivi william winnie yvonne
    """.split()  # noqa: SIM905 - a word list reads best as words
)

#: Characters that hide inside numbers and addresses without showing: zero-width space,
#: non-joiner, joiner, word joiner, byte-order mark, soft hyphen, Mongolian vowel separator.
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"
_ZERO_WIDTH_RE = re.compile(f"[{ZERO_WIDTH}]")


def normalise_text(text: str) -> str:
    """NFKC (full-width ``＠`` and digits become ``@`` and 0-9) and zero-width characters removed.

    Redaction matches (and returns) the normalised text.

    >>> normalise_text("anne\uff20gmail.com 22\u200b33\u200b44\u200b55")
    'anne@gmail.com 22334455'
    """
    return _ZERO_WIDTH_RE.sub("", unicodedata.normalize("NFKC", text))


def normalise_mapped(text: str) -> tuple[str, list[int]]:
    """:func:`normalise_text` character by character, with each output character's origin."""
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        norm = "" if ch in ZERO_WIDTH else unicodedata.normalize("NFKC", ch)
        out.append(norm)
        origin.extend([i] * len(norm))
    origin.append(len(text))
    return "".join(out), origin


_CAP = r"[A-ZÆØÅÉÜÖÄ][a-zæøåéüöä]+"
_RUN = re.compile(rf"(?<![\w\-])({_CAP}(?:-{_CAP})?(?:\s+(?:{_CAP}(?:-{_CAP})?|von|van|de))*)")


def personal_names(text: str) -> list[str]:
    """Runs in ``text`` that look like a person's name: a first name and more capitalised words.

    Hyphenated parts stay together ("Anne-Marie Sørensen"); the run starts at the first first
    name, so "Formand Lise Holm" gives "Lise Holm" and so does "Lise Holm er vores formand".

    >>> personal_names("Lise Holm er vores formand, og Anne-Marie Sørensen er kasserer.")
    ['Lise Holm', 'Anne-Marie Sørensen']
    >>> personal_names("Vi holder til i Kongens Lyngby; spørg Lise.")
    []
    """
    found: list[str] = []
    for m in _RUN.finditer(text):
        words = m.group(1).split()
        for i, word in enumerate(words[:-1]):
            if word.split("-")[0].casefold() in FIRST_NAMES and words[i + 1][0].isupper():
                found.append(" ".join(words[i:]))
                break
    return found
