"""Privacy: redaction of free text, pseudonymisation and the scan for personal data.

Nothing personal leaves the toolkit:

1. **Redaction** (:func:`redact_text`, :func:`redact_series`): e-mail addresses, Danish phone
   numbers, CPR numbers, links and known names in free text become Danish placeholders
   (``[e-mail]``, ``[telefon]``, ``[CPR-nr.]``, ``[link]``, ``[navn]``). The same compiled
   patterns drive :func:`scan_for_personal_data`, which checks published pages, so redaction and
   checking cannot drift apart.
2. **Pseudonymisation** (:func:`pseudonymise`): keyed HMAC-SHA256 codes such as ``F-3a9c1e``.

The other safeguards have modules of their own; their names are re-exported here, so
``from fslt_survey.privacy import ...`` works for every name this module ever offered:

3. **Disclosure control** (:mod:`fslt_survey.privacy.disclosure`: :func:`suppress_counts`,
   :func:`suppress_crosstab`), with :func:`find_recoverable_counts` /
   :func:`find_recoverable_crosstab` as independent attackers
   (:mod:`fslt_survey.privacy.recoverability`).
4. **Output safety** (:mod:`fslt_survey.privacy.safe_output`: :func:`neutralise_frame`,
   :func:`write_csv_safe`, :func:`write_xlsx_safe`, :func:`escape_html`): no CSV/Excel formula
   injection, atomic writes, HTML escaping.

Choices (also in the docstrings where they apply)
-------------------------------------------------
* Text is normalised first (:func:`~fslt_survey.privacy.text.normalise_text`: NFKC, zero-width
  characters removed), so a full-width ``＠`` or digits split by zero-width spaces are caught.
* E-mail addresses are ``local@domain.tld``, also with ``(at)``/``[at]``/``snabel-a`` and
  ``(dot)``; with spaces around ``@`` and the dots (``anne @ gmail . com``); spelled out
  (``anne at gmail dot com``: the dot must be spelled out too, "håber at frivillige.dk" is
  text); and ``anne@gmail`` without a domain. After a spaced ``@`` or a spelled ``at`` the
  domain must end in a plausible top-level domain (:data:`EMAIL_TLDS`).
* Phone numbers: eight digits as 8, 2-2-2-2, 4-4, 3-3-2, 2-2-4, 4-2-2 (one separator: space,
  ``.``, ``-``, en dash) or 2-3-3 (spaces; not ``12 500 000`` or before ``kr``/``%``), maybe
  after ``+45``/``0045``/``(+45)``/``45``; 2-2-2-2 may mix spaces and dashes (``22 33 - 44 55``)
  but not dots (``10.30-11.30`` is a time). Dates (``12-03-2025``) and year ranges
  (``2024-2025``) stay, unless a cue word (:data:`PHONE_CUES`) precedes: ``tlf 2012 2024``. A
  bare eight-digit run always is one; digits next to other digits are not touched.
* CPR numbers: ``ddmmyy`` and ``xxxx`` (day 01-31, month 01-12), each part maybe separated by
  space, ``.``, ``-`` or ``/`` (``01.01.90-1234``, ``0101 90 1234``). No modulus-11 check.
* Links: ``http(s)://``, ``www.``, and domains with a path (``bit.ly/abc123``, :data:`LINK_TLDS`).
* Names: those supplied (``names=``: the registry, public persons), with hyphenated parts
  (``Anne-Marie Sørensen`` for "Marie Sørensen") and genitive ``s``, and runs that look like a
  person's name (:func:`~fslt_survey.privacy.text.personal_names`), also at a sentence start.
* Redaction runs links, e-mails, CPR, phones, names in that order and repeats until nothing
  changes, so it is idempotent by construction; placeholders are never redacted again.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from fslt_survey.errors import ConfigError
from fslt_survey.privacy.safe_output import (
    _is_na,
)
from fslt_survey.privacy.text import normalise_mapped, normalise_text, personal_names

__all__ = [
    "EMAIL_TLDS",
    "LINK_TLDS",
    "PHONE_CUES",
    "PLACEHOLDERS",
    "Finding",
    "pseudonymise",
    "redact_series",
    "redact_series_counts",
    "redact_text",
    "redact_text_counts",
    "scan_for_personal_data",
]

# ---------------------------------------------------------------------------------------------
# 1. Patterns and redaction
# ---------------------------------------------------------------------------------------------

#: Placeholder per kind of personal data, in the order redaction applies them.
PLACEHOLDERS: dict[str, str] = {
    "url": "[link]",
    "email": "[e-mail]",
    "cpr": "[CPR-nr.]",
    "phone": "[telefon]",
    "name": "[navn]",
}

_SEP = "[ \u00a0\u202f.\\-\u2010\u2011\u2013]"  # one separator inside a phone/CPR number
_DASHDOT = "[.\\-\u2010\u2011\u2013]"
_AT = r"(?:@|\s*[(\[{<]\s*(?:at|snabel-?a)\s*[)\]}>]\s*|\s+snabel-?a\s+)"
_DOT = r"(?:\.|\s*[(\[{<]\s*(?:dot|punktum|prik)\s*[)\]}>]\s*)"

_URL_END = r"[^\s<>\"']*[^\s<>\"'.,;:!?)\]}]"
#: Top-level domains accepted after an ``@`` written with spaces around it (``anna @ fslt.dk``):
#: a spaced ``@`` also occurs in ordinary text ("mød os @ Rustenborgvej"), so the domain must end
#: in a TLD that addresses in Danish free text plausibly use.
EMAIL_TLDS: tuple[str, ...] = (
    "dk", "com", "org", "net", "eu", "info", "nu", "se", "no", "de", "fi", "nl", "uk", "fo",
    "gl", "io", "me", "co", "biz", "dev", "app", "edu", "gov", "int", "online", "email",
)  # fmt: skip
#: Top-level domains of a bare domain with a path (``fslt.dk/kontakt``, ``bit.ly/abc123``).
LINK_TLDS: tuple[str, ...] = (*EMAIL_TLDS, "ly", "gl", "gd", "to", "cc", "tv", "link", "page")
URL_RE = re.compile(
    r"(?:(?:https?|ftp)://|(?<![\w@.\-/])www\d{0,3}\.)"
    + _URL_END
    + r"|(?<![\w@.\-/])(?:[a-z\d](?:[a-z\d\-]*[a-z\d])?\.)+(?:"
    + "|".join(LINK_TLDS)
    + r")/(?:"
    + _URL_END
    + r")?",
    re.IGNORECASE,
)
_SPACED_AT = r"(?:[ \t\u00a0\u202f]+@[ \t\u00a0\u202f]*|@[ \t\u00a0\u202f]+)"
_LABELS = r"[\w\-]+(?:" + _DOT + r"[\w\-]+)*" + _DOT
# after a spaced "@" dots may be spaced or spelled out too ("anne @ gmail . com"); after a
# spelled-out "at" they must be spelled out ("anne at gmail dot com"): "håber at frivillige.dk"
_SAID_DOT = r"(?:\s+(?:dot|punktum|prik)\s+|\s*[(\[{<]\s*(?:dot|punktum|prik)\s*[)\]}>]\s*)"
_LOOSE_DOT = r"(?:[ \t\u00a0]*\.[ \t\u00a0]*|" + _SAID_DOT + ")"
_LOOSE_LABELS = r"[\w\-]+(?:" + _LOOSE_DOT + r"[\w\-]+)*" + _LOOSE_DOT
_SAID_LABELS = r"[\w\-]+(?:" + _SAID_DOT + r"[\w\-]+)*" + _SAID_DOT
_TLD = r"(?:" + "|".join(EMAIL_TLDS) + r")(?![\w\-])"
# The look-behind keeps matching linear on long runs of word characters (base64 in HTML).
EMAIL_RE = re.compile(
    r"(?<![\w.%+\-])(?:mailto:)?[\w.%+\-]+"
    + r"(?:"
    + _AT
    + _LABELS
    + r"[^\W\d_]{2,}"
    + r"|"
    + _SPACED_AT  # "anne @ gmail . com"
    + _LOOSE_LABELS
    + _TLD
    + r"|\s+(?:at|snabel-?a)\s+"  # "anne at gmail dot com"
    + _SAID_LABELS
    + _TLD
    + r"|@[^\W\d_][\w\-]*"  # "anne@gmail": glued to a name, an address without its domain
    + r")",
    re.IGNORECASE,
)
_CPR_SEP = "[ .\\-/\u2010\u2011\u2013]?"
CPR_RE = re.compile(
    r"(?<!\d)(?<!\d[.\-/])(?:0[1-9]|[12]\d|3[01])"
    + _CPR_SEP
    + r"(?:0[1-9]|1[0-2])"
    + _CPR_SEP
    + r"\d{2}"
    + _CPR_SEP
    + r"\d{4}(?!\d)(?![.\-/]\d)"
)
_PHONE_PREFIX = r"(?:(?:\+|00)\s?45|\(\s?(?:\+|00)?\s?45\s?\)|45(?=" + _SEP + r"))"
# day and month in either order (dd-mm or mm-dd), and a year: 2-2-4 and 4-2-2 that read as a date
_DAY_MONTH = (
    r"(?:(?:0[1-9]|[12]\d|3[01])" + _SEP + r"(?:0[1-9]|1[0-2])"
    r"|(?:0[1-9]|1[0-2])" + _SEP + r"(?:0[1-9]|[12]\d|3[01]))"
)
_YEAR = r"(?:19|20)\d\d"
# spaces, or a dash with or without spaces: "22 33 - 44 55", "+45 22-33 44 55" (no dots: times)
_MIXED = r"(?:[ \u00a0]*[\-\u2010\u2011\u2013][ \u00a0]*|[ \u00a0]+)"
#: Words that announce a phone number: after one, any eight digits are one ("tlf 2012 2024").
PHONE_CUES: tuple[str, ...] = (
    "tlf", "tlf.", "tlf:", "tlf.:", "tlf.nr.", "tlf.nr", "tlf.nr.:", "telefon", "telefon:",
    "telefonnummer", "telefonnummer:", "mobil", "mobil:", "mob.", "mob:", "tel.", "tel:",
    "ring på", "sms",
)  # fmt: skip
_CUED = (
    "(?i:"
    + "|".join(f"(?<={re.escape(cue + gap)})" for cue in PHONE_CUES for gap in ("", " ", "\u00a0"))
    + ")"
)
PHONE_RE = re.compile(
    r"(?<!\d)(?<!\d" + _DASHDOT + r")(?:" + _PHONE_PREFIX + _SEP + r"?\s?)?"
    r"(?:\d{2}(?P<s1>" + _SEP + r"?)\d{2}(?P=s1)\d{2}(?P=s1)\d{2}"  # 8 digits or 2-2-2-2
    r"|(?!" + _YEAR + _SEP + _YEAR + r"(?!\d))\d{4}" + _SEP + r"\d{4}"  # 4-4
    r"|\d{3}(?P<s2>" + _SEP + r")\d{3}(?P=s2)\d{2}"  # 3-3-2
    r"|(?!" + _DAY_MONTH + _SEP + _YEAR + r"(?!\d))"
    r"\d{2}(?P<s3>" + _SEP + r")\d{2}(?P=s3)\d{4}"  # 2-2-4, not a date
    r"|(?!" + _YEAR + _SEP + _DAY_MONTH + r"(?!\d))"
    r"\d{4}(?P<s4>" + _SEP + r")\d{2}(?P=s4)\d{2}"  # 4-2-2, not a date
    r"|\d{2}(?P<s5>[ \u00a0])\d{3}(?P=s5)(?!000)\d{3}(?!\s*(?:kr|dkk|%|€|mio))"  # 2-3-3
    r"|\d{2}" + _MIXED + r"\d{2}" + _MIXED + r"\d{2}" + _MIXED + r"\d{2})"  # 2-2-2-2, mixed
    r"(?!\d)(?!" + _DASHDOT + r"\d)"
    r"|" + _CUED + r"(?:\+45[ \u00a0]?)?\d(?:[ \u00a0.\-\u2013]?\d){7}(?!\d)"
)
_KEEP = "|".join(re.escape(p) for p in PLACEHOLDERS.values())
_BASE_PATTERNS: dict[str, re.Pattern[str]] = {
    "url": URL_RE,
    "email": EMAIL_RE,
    "cpr": CPR_RE,
    "phone": PHONE_RE,
}


def _guarded(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """Match a placeholder first (kept as is) so that placeholders are never redacted again."""
    return re.compile(f"(?P<keep>{_KEEP})|(?P<hit>{pattern.pattern})", pattern.flags)


_GUARDED: dict[str, re.Pattern[str]] = {k: _guarded(p) for k, p in _BASE_PATTERNS.items()}


@lru_cache(maxsize=64)
def _name_pattern(names: tuple[str, ...]) -> re.Pattern[str] | None:
    """Whole-word, case-insensitive alternation of ``names`` (longest first, genitive -s too)."""
    cleaned = sorted(
        {" ".join(n.split()) for n in names if isinstance(n, str) and n.strip()},
        key=lambda s: (-len(s), s.casefold()),
    )
    if not cleaned:
        return None
    alts = "|".join(r"\s+".join(re.escape(part) for part in n.split()) for n in cleaned)
    # hyphenated parts belong to the name: "Anne-Marie Sørensen" for "Marie Sørensen"
    hyphened = r"(?<![\w\-])(?:\w+-)*(?:" + alts + r")(?:-\w+)*(?:['\u2019]?s)?(?!\w)"
    return _guarded(re.compile(hyphened, re.IGNORECASE))


def _rules(names: Iterable[str], kinds: Sequence[str]) -> list[tuple[str, re.Pattern[str]]]:
    rules = [(kind, _GUARDED[kind]) for kind in kinds if kind in _GUARDED]
    name_re = _name_pattern(tuple(names))
    if name_re is not None and "name" in kinds:
        rules.append(("name", name_re))
    return rules


def redact_text_counts(text: str, names: Iterable[str] = ()) -> tuple[str, dict[str, int]]:
    """Redact ``text`` and count what was redacted, per kind (never the values).

    Parameters
    ----------
    text:
        Free text. NA values (``None``, ``pd.NA``, NaN) are returned unchanged.
    names:
        Personal names to replace (case-insensitive, whole words, also with genitive ``s``).
        Short names that are also ordinary words (``Per``) are redacted wherever they occur.

    Returns
    -------
    tuple
        The redacted text and ``{"url": .., "email": .., "cpr": .., "phone": .., "name": ..}``.

    Examples
    --------
    >>> redact_text_counts("Ring til Anna på 12 34 56 78", names=["Anna"])
    ('Ring til [navn] på [telefon]', {'url': 0, 'email': 0, 'cpr': 0, 'phone': 1, 'name': 1})
    """
    counts = dict.fromkeys(PLACEHOLDERS, 0)
    if _is_na(text):
        return text, counts
    text = normalise_text(str(text))
    rules = _rules((*names, *personal_names(text)), tuple(PLACEHOLDERS))
    for _ in range(50):  # every pass shrinks the unredacted text, so this always terminates
        before = text
        for kind, regex in rules:

            def repl(m: re.Match[str], kind: str = kind) -> str:
                if m.group("keep") is not None:
                    return m.group(0)
                counts[kind] += 1
                return PLACEHOLDERS[kind]

            text = regex.sub(repl, text)
        if text == before:
            break
    return text, counts


def redact_text(text: str, names: Iterable[str] = ()) -> str:
    """Replace e-mails, phone numbers, CPR numbers, links and ``names`` by placeholders.

    Idempotent: ``redact_text(redact_text(t)) == redact_text(t)``. See the module docstring
    for which spellings count as phone and CPR numbers.

    Examples
    --------
    >>> redact_text("Skriv til anna+fslt@Mail.DK eller se www.fslt.dk i 2025")
    'Skriv til [e-mail] eller se [link] i 2025'
    """
    return redact_text_counts(text, names)[0]


def _as_text(value: object) -> str:
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))  # a phone number read from Excel as 12345678.0
    return str(value)


def redact_series_counts(
    s: pd.Series, names: Iterable[str] = ()
) -> tuple[pd.Series, dict[str, int]]:
    """Redact every value of ``s``; return a new Series and the total counts per kind.

    NA stays NA. Non-string values (a number typed into a free-text field) are redacted as text
    and come back as strings. String dtypes are kept; anything else becomes ``object``.
    """
    names = tuple(names)
    totals = dict.fromkeys(PLACEHOLDERS, 0)
    out: list[object] = []
    for value in s.tolist():
        if _is_na(value):
            out.append(value)
            continue
        red, counts = redact_text_counts(_as_text(value), names)
        for key, count in counts.items():
            totals[key] += count
        out.append(red)
    dtype = s.dtype if isinstance(s.dtype, pd.StringDtype) else object
    return pd.Series(out, index=s.index, name=s.name, dtype=dtype), totals


def redact_series(s: pd.Series, names: Iterable[str] = ()) -> pd.Series:
    """Return a redacted copy of ``s`` (see :func:`redact_series_counts`)."""
    return redact_series_counts(s, names)[0]


@dataclass(frozen=True)
class Finding:
    """Personal data found by :func:`scan_for_personal_data` (position only, never the value).

    ``start``/``end`` are offsets into the scanned text; ``line`` and ``column`` are 1-based.
    """

    kind: str
    start: int
    end: int
    line: int
    column: int

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.kind}"


def _normalised(kind: str, value: str) -> str:
    if kind == "email":
        value = re.sub(r"^mailto:", "", value, flags=re.IGNORECASE)
        value = re.sub(r"\s*@\s*", "@", value)  # "info @ fslt.dk" is info@fslt.dk
        return unicodedata.normalize("NFC", value).casefold()
    if kind in ("phone", "cpr"):
        digits = re.sub(r"\D", "", value)
        return digits[-8:] if kind == "phone" else digits
    return value.casefold()


def scan_for_personal_data(
    text: str, *, names: Iterable[str] = (), allow: Iterable[str] = ()
) -> list[Finding]:
    """Find e-mail addresses, phone numbers, CPR numbers (and ``names``) in ``text``.

    Uses the very patterns that redaction uses, so a redacted text never yields a finding.
    Links are not findings (a site is full of them) but they are searched for e-mails
    (``mailto:``) and numbers.

    Parameters
    ----------
    text:
        Any text, e.g. the visible text or the raw HTML of a published page.
    names:
        Names to look for as well (kind ``"name"``).
    allow:
        Values that may be published, e.g. the centre's own ``info@...`` address or phone number;
        compared case-insensitively (e-mails) or by digits (phone numbers).

    Returns
    -------
    list of Finding
        Sorted by position.
    """
    allowed = {(kind, _normalised(kind, a)) for a in allow for kind in ("email", "phone", "cpr")}
    findings: list[Finding] = []
    masked, origin = normalise_mapped(text)  # positions map back to ``text``
    for kind, regex in _rules(tuple(names), ("email", "cpr", "phone", "name")):

        def repl(m: re.Match[str], kind: str = kind) -> str:
            if m.group("keep") is not None:
                return m.group(0)
            if (kind, _normalised(kind, m.group(0))) not in allowed:
                start, end = origin[m.start()], origin[m.end() - 1] + 1
                line = text.count("\n", 0, start) + 1
                column = start - (text.rfind("\n", 0, start) + 1) + 1
                findings.append(Finding(kind, start, end, line, column))
            return "\x00" * (m.end() - m.start())  # same length: positions stay valid

        masked = regex.sub(repl, masked)
    return sorted(findings, key=lambda f: (f.start, f.kind))


# ---------------------------------------------------------------------------------------------
# 2. Pseudonymisation
# ---------------------------------------------------------------------------------------------


def pseudonymise(
    values: Iterable[object],
    salt: str | bytes,
    *,
    prefix: str = "F",
    length: int = 6,
    normalise: bool = True,
) -> pd.Series:
    """Replace identifiers by stable short codes: ``prefix-`` + HMAC-SHA256(salt, value) in hex.

    The same value and salt always give the same code; without the salt the code cannot be
    linked back, not even by hashing the (public) list of member associations. Keep the salt
    secret and outside git (e.g. generate it once with ``secrets.token_hex(16)``).

    Parameters
    ----------
    values:
        Identifiers (association names, ids). NA stays NA.
    salt:
        The secret key; at least 16 characters/bytes. There is deliberately no default.
    prefix:
        Text before the code (``"F"`` for *forening*); ``""`` gives the bare hex code.
    length:
        Number of hex characters kept (4-64). 6 gives 16.7 million codes; a collision among the
        values raises an error, so raise ``length`` if it ever happens.
    normalise:
        Apply Unicode NFC, trim and collapse whitespace and casefold before hashing, so that
        ``"Foreningen X "`` and ``"foreningen x"`` get the same code.

    Returns
    -------
    pandas.Series
        Codes, with the index of ``values`` if it was a Series.

    Examples
    --------
    >>> code = pseudonymise(["Foreningen A"], salt="en-meget-hemmelig-nøgle").iloc[0]
    >>> code == pseudonymise(["foreningen a"], salt="en-meget-hemmelig-nøgle").iloc[0]
    True
    >>> bool(re.fullmatch(r"F-[0-9a-f]{6}", code))
    True
    """
    if salt is None or len(salt) < 16:
        raise ConfigError(
            "pseudonymisation needs a secret salt of at least 16 characters",
            expected="a secret such as secrets.token_hex(16)",
            found=None if salt is None else f"{len(salt)} characters",
        )
    if not 4 <= length <= 64:
        raise ValueError(f"length must be between 4 and 64, got {length}")
    key = salt.encode("utf-8") if isinstance(salt, str) else bytes(salt)
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    seen: dict[str, str] = {}
    out: list[object] = []
    for value in series.tolist():
        if _is_na(value):
            out.append(pd.NA)
            continue
        text = str(value)
        if normalise:
            text = " ".join(unicodedata.normalize("NFC", text).split()).casefold()
        digest = hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()[:length]
        code = f"{prefix}-{digest}" if prefix else digest
        if seen.setdefault(code, text) != text:
            raise ValueError(f"two different values share the code {code}; raise length")
        out.append(code)
    return pd.Series(out, index=series.index, name=series.name, dtype="string")
