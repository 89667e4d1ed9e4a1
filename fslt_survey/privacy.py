"""Privacy: redaction of free text, pseudonymisation, small-cell suppression and safe output.

Four jobs, one module, because they share one purpose (nothing personal leaves the toolkit):

1. **Redaction** (:func:`redact_text`, :func:`redact_series`): e-mail addresses, Danish phone
   numbers, CPR numbers, links and known names in free text become Danish placeholders
   (``[e-mail]``, ``[telefon]``, ``[CPR-nr.]``, ``[link]``, ``[navn]``). The same compiled
   patterns drive :func:`scan_for_personal_data`, which checks published pages, so redaction and
   checking cannot drift apart.
2. **Pseudonymisation** (:func:`pseudonymise`): keyed HMAC-SHA256 codes such as ``F-3a9c1e``.
3. **Disclosure control** (:func:`suppress_counts`, :func:`suppress_crosstab`): primary
   suppression of cells with ``0 < n < k`` (``k`` = :data:`fslt_survey.config.SUPPRESSION_K`),
   the base rule, and secondary suppression verified by an exact linear-algebra criterion, with
   :func:`find_recoverable_counts` / :func:`find_recoverable_crosstab` as independent attackers.
4. **Output safety** (:func:`neutralise_frame`, :func:`write_csv_safe`, :func:`write_xlsx_safe`,
   :func:`escape_html`): no CSV/Excel formula injection, atomic writes, HTML escaping.

Choices (also in the docstrings where they apply)
-------------------------------------------------
* Phone numbers are eight digits written as 8, 2-2-2-2, 4-4 or 3-3-2 with *one consistent*
  separator (space, no-break space, ``.``, ``-``, en dash), optionally after ``+45``, ``0045``,
  ``(+45)`` or ``45`` plus separator. Mixed separators are deliberately not a phone number, so
  dates such as ``12-03-2025`` or ``12.03.2025`` (2-2-4) and ISO dates (4-2-2) stay untouched, and
  year ranges such as ``2024-2025`` are excluded explicitly. A bare eight-digit run is always
  treated as a phone number (over-redaction is the safe side), so ``12032025`` or an eight-digit
  CVR number is redacted too. Digits next to other digits (longer numbers, IP addresses, account
  numbers) are not touched.
* CPR numbers are ``ddmmyy-xxxx``, ``ddmmyyxxxx`` or ``ddmmyy xxxx`` with day 01-31 and month
  01-12, also glued to words (``cpr:0101901234``). No modulus-11 check (abandoned in 2007).
* Redaction runs links, e-mails, CPR, phones, names in that order and repeats until nothing
  changes, so it is idempotent by construction; placeholders are never redacted again.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.linalg

from fslt_survey import config
from fslt_survey.errors import ConfigError, SurveyDataError

__all__ = [
    "DEFAULT_HIDE_COLS",
    "PLACEHOLDERS",
    "Finding",
    "RecoveredCell",
    "crosstab_suppression_status",
    "escape_html",
    "find_recoverable_counts",
    "find_recoverable_crosstab",
    "neutralise_formula",
    "neutralise_frame",
    "pseudonymise",
    "redact_series",
    "redact_series_counts",
    "redact_text",
    "redact_text_counts",
    "scan_for_personal_data",
    "suppress_counts",
    "suppress_crosstab",
    "write_csv_safe",
    "write_xlsx_safe",
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

URL_RE = re.compile(
    r"(?:(?:https?|ftp)://|(?<![\w@.\-/])www\d{0,3}\.)[^\s<>\"']*[^\s<>\"'.,;:!?)\]}]",
    re.IGNORECASE,
)
# The look-behind keeps matching linear on long runs of word characters (base64 in HTML).
EMAIL_RE = re.compile(
    r"(?<![\w.%+\-])(?:mailto:)?[\w.%+\-]+"
    + _AT
    + r"[\w\-]+(?:"
    + _DOT
    + r"[\w\-]+)*"
    + _DOT
    + r"[^\W\d_]{2,}",
    re.IGNORECASE,
)
CPR_RE = re.compile(
    r"(?<!\d)(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])\d{2}"
    "[ \u00a0\\-\u2010\u2011\u2013]?" + r"\d{4}(?!\d)"
)
_PHONE_PREFIX = r"(?:(?:\+|00)\s?45|\(\s?(?:\+|00)?\s?45\s?\)|45(?=" + _SEP + r"))"
PHONE_RE = re.compile(
    r"(?<!\d)(?<!\d" + _DASHDOT + r")(?:" + _PHONE_PREFIX + _SEP + r"?\s?)?"
    r"(?:\d{2}(?P<s1>" + _SEP + r"?)\d{2}(?P=s1)\d{2}(?P=s1)\d{2}"  # 8 digits or 2-2-2-2
    r"|(?!(?:19|20)\d\d" + _SEP + r"(?:19|20)\d\d(?!\d))\d{4}" + _SEP + r"\d{4}"  # 4-4
    r"|\d{3}(?P<s2>" + _SEP + r")\d{3}(?P=s2)\d{2})"  # 3-3-2
    r"(?!\d)(?!" + _DASHDOT + r"\d)"
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
    return _guarded(re.compile(r"(?<!\w)(?:" + alts + r")(?:['\u2019]?s)?(?!\w)", re.IGNORECASE))


def _rules(names: Iterable[str], kinds: Sequence[str]) -> list[tuple[str, re.Pattern[str]]]:
    rules = [(kind, _GUARDED[kind]) for kind in kinds if kind in _GUARDED]
    name_re = _name_pattern(tuple(names))
    if name_re is not None and "name" in kinds:
        rules.append(("name", name_re))
    return rules


def _is_na(value: object) -> bool:
    try:
        return bool(pd.isna(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):  # array-likes are not NA scalars
        return False


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
    text = str(text)
    rules = _rules(tuple(names), tuple(PLACEHOLDERS))
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
    masked = text
    for kind, regex in _rules(tuple(names), ("email", "cpr", "phone", "name")):

        def repl(m: re.Match[str], kind: str = kind) -> str:
            if m.group("keep") is not None:
                return m.group(0)
            if (kind, _normalised(kind, m.group(0))) not in allowed:
                start = m.start()
                line = text.count("\n", 0, start) + 1
                column = start - (text.rfind("\n", 0, start) + 1) + 1
                findings.append(Finding(kind, start, m.end(), line, column))
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


# ---------------------------------------------------------------------------------------------
# 3. Disclosure control
# ---------------------------------------------------------------------------------------------
#
# Every table is modelled as an augmented (R+1) x (C+1) grid: interior cells, row totals in the
# last column, column totals in the last row, grand total in the corner. Each row and column of
# the grid is a linear equation (cells sum to the margin). An entry is *hidden* when suppressed
# or not published at all. With the published entries known, a hidden entry is exactly
# determined iff it is a bridge in the bipartite graph (grid rows and columns as nodes, hidden
# entries as edges), i.e. it lies on no cycle of hidden entries (Gusfield 1988). Secondary
# suppression adds complements until no suppressed entry is a bridge, on top of the classic
# rules "two hidden per line" and "hidden sum per line >= k".

#: Columns hidden together with ``n`` by default (when present): a published percentage or
#: interval times the published base would reveal the count.
DEFAULT_HIDE_COLS: tuple[str, ...] = ("pct", "ci_low", "ci_high", "se")

PRIMARY = "primær"
SECONDARY = "sekundær"

_PUB, _PRIM, _SEC, _UNPUB = 0, 1, 2, 3  # entry states
_CAND, _LAST, _NEVER = 0, 1, 2  # complement tiers: candidate, last resort, never


def _resolve_k(k: int | None) -> int:
    k = config.SUPPRESSION_K if k is None else k
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    return int(k)


def _grid_lines(shape: tuple[int, int]) -> list[tuple[list[tuple[int, int]], tuple[int, int]]]:
    rows, cols = shape
    lines = [([(i, j) for j in range(cols)], (i, cols - 1)) for i in range(rows)]
    lines += [([(i, j) for i in range(rows)], (rows - 1, j)) for j in range(cols)]
    return lines


def _bridges(state: np.ndarray) -> list[tuple[int, int]]:
    """Suppressed entries that lie on no cycle of hidden entries (so they are recoverable)."""
    hidden = [(int(i), int(j)) for i, j in zip(*np.nonzero(state != _PUB), strict=True)]
    return [e for e in hidden if state[e] in (_PRIM, _SEC) and not _connected(hidden, e)[2]]


def _connected(
    hidden: list[tuple[int, int]], edge: tuple[int, int]
) -> tuple[set[tuple[str, int]], set[tuple[str, int]], bool]:
    """Components of both ends of ``edge`` without it, and whether they are the same."""
    adj: dict[tuple[str, int], list[tuple[str, int]]] = {}
    for e in hidden:
        if e != edge:
            adj.setdefault(("r", e[0]), []).append(("c", e[1]))
            adj.setdefault(("c", e[1]), []).append(("r", e[0]))

    def component(start: tuple[str, int]) -> set[tuple[str, int]]:
        seen, stack = {start}, [start]
        while stack:
            for nxt in adj.get(stack.pop(), []):
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return seen

    a = component(("r", edge[0]))
    if ("c", edge[1]) in a:
        return a, a, True
    return a, component(("c", edge[1])), False


def _protect(values: np.ndarray, state: np.ndarray, tier: np.ndarray, k: int) -> np.ndarray:
    """Add secondary suppressions to ``state`` (a copy is returned) until it is safe."""
    state = state.copy()
    rows, cols = state.shape

    def key(e: tuple[int, int]) -> tuple[int, bool, bool, float, tuple[int, int]]:
        margin = e[0] == rows - 1 or e[1] == cols - 1
        return (int(tier[e]), bool(values[e] == 0), margin, float(values[e]), e)

    def candidates(entries: Iterable[tuple[int, int]], max_tier: int) -> list[tuple[int, int]]:
        return [e for e in entries if state[e] == _PUB and tier[e] <= max_tier]

    lines = _grid_lines(state.shape)
    given_up: set[tuple[int, int]] = set()
    while True:
        changed = False
        for entries, margin in lines:
            while any(state[e] in (_PRIM, _SEC) for e in entries):
                hidden = [e for e in entries if state[e] != _PUB]
                if len(hidden) < 2:  # the single hidden entry equals margin minus the rest
                    pool = candidates(entries, _CAND) or candidates(entries, _LAST)
                elif (
                    state[margin] == _PUB
                    and all(state[e] != _UNPUB for e in entries)
                    and sum(values[e] for e in hidden) < k
                ):  # the hidden entries together would form a small cell
                    pool = candidates(entries, _CAND)
                else:
                    break
                if not pool:
                    break
                state[min(pool, key=key)] = _SEC
                changed = True
        if changed:
            continue
        open_bridges = [b for b in _bridges(state) if b not in given_up]
        if not open_bridges:
            break
        bridge = open_bridges[0]
        hidden = [(int(i), int(j)) for i, j in zip(*np.nonzero(state != _PUB), strict=True)]
        side_a, side_b, _ = _connected(hidden, bridge)
        links = [
            (i, j)
            for i in range(rows)
            for j in range(cols)
            if (("r", i) in side_a and ("c", j) in side_b)
            or (("r", i) in side_b and ("c", j) in side_a)
        ]
        pool = candidates(links, _CAND) or candidates(links, _LAST)
        if pool:
            state[min(pool, key=key)] = _SEC
        else:
            given_up.add(bridge)
    if given_up:
        raise SurveyDataError(
            "small-cell suppression cannot protect this table: a hidden cell stays recoverable "
            "from the published totals",
            expected="at least two categories and groups, or fewer published totals",
            found=f"{len(given_up)} unprotectable cell(s)",
        )
    return state


def _int_array(values: Iterable[object], what: str, column: str | None = None) -> np.ndarray:
    arr = pd.to_numeric(pd.Series(list(values), dtype=object), errors="coerce").to_numpy(float)
    bad = np.isnan(arr) | (arr < 0) | (arr != np.round(arr))
    if bad.any():
        raise SurveyDataError(
            f"{what} must be non-negative whole numbers",
            column=column,
            expected="counts such as 0, 3, 12",
            found=f"{int(bad.sum())} invalid value(s)",
        )
    return arr


def _check_columns(table: pd.DataFrame, columns: Iterable[str | None]) -> None:
    for col in columns:
        if col is not None and col not in table.columns:
            raise SurveyDataError(
                "the table lacks a column that suppression needs",
                column=col,
                expected=f"column {col!r}",
                found=", ".join(map(str, table.columns)),
            )


def suppress_counts(
    table: pd.DataFrame,
    *,
    k: int | None = None,
    n_col: str = "n",
    base_col: str | None = "base",
    category_col: str = "category",
    group_col: str | None = None,
    total_group: Hashable | None = None,
    column_totals: bool = True,
    by: Sequence[str] = (),
    hide_cols: Sequence[str] | None = None,
    multi_select: bool = False,
) -> pd.DataFrame:
    """Small-cell suppression of a tidy frequency table (one row per category, or per cell).

    Layout: columns ``category``, ``n``, ``base`` (+ ``pct``, ``ci_low``, ``ci_high``, ...), and
    for a cross-tab a group column such as ``group``. Rules, with ``k`` from
    :data:`fslt_survey.config.SUPPRESSION_K` unless given:

    * **Primary**: a cell with ``0 < n < k``. Zeros are published (structural zeros are
      information, and a zero adds no equation an attacker could use), except in a group whose
      base is below ``k``: then *every* cell of the group, zeros included, is suppressed
      ("the whole group"; reason ``"primær"``). The base itself stays published: it is the size
      of the group, not an answer, and is derivable from public totals anyway.
    * **Secondary**: a hidden cell must not be recoverable from what stays published. Row totals
      (the base, assumed to be the sum of the listed categories) are always treated as known;
      every line with a suppressed cell gets at least two hidden cells whose sum is at least
      ``k`` (smallest non-zero complement first, ties by position), and the result is verified
      exactly (no suppressed cell is a bridge, see the module notes). A base is hidden only as a
      last resort (``base`` becomes NA), e.g. when a table has a single category.
    * A suppressed cell gets NA in ``n`` and in ``hide_cols`` (``pct``, ``ci_low``,
      ``ci_high``, ``se``): a published percentage times the base would reveal ``n``.

    Parameters
    ----------
    table:
        The tidy table. Not modified.
    k:
        Threshold; cells with fewer contributors are suppressed.
    n_col, base_col, category_col:
        Column names. ``base_col=None`` uses the sum of ``n`` as the base.
    group_col:
        For a cross-tab (group x category): the column holding the group. ``None`` = 1-D tables.
    total_group:
        Label in ``group_col`` of rows that hold the column totals (the overall distribution),
        e.g. ``"I alt"``. They are then suppressed jointly with the groups: the only way to
        publish the overall distribution next to the cross-tab with a guarantee.
    column_totals:
        Without ``total_group``: ``True`` (default, conservative) assumes the column totals are
        published elsewhere, all except those below ``k``, which that table must suppress
        itself; ``False`` assumes they are not published at all. With a single group the
        totals are that group's own counts, so the table is protected as a 1-D table.
    by:
        Columns that split the table into independent tables (e.g. ``["item"]``).
    hide_cols:
        Columns hidden together with ``n``; default :data:`DEFAULT_HIDE_COLS` that are present.
    multi_select:
        Options are not mutually exclusive (percent of respondents), so the counts of a group do
        not add up to its base and no row equation exists: only the primary and base rules
        apply within a group. In a cross-tab the column equations still hold and are protected.

    Returns
    -------
    pandas.DataFrame
        A copy with ``n`` (and ``base``) as nullable ``Int64``, NA in suppressed cells, and two
        new columns: ``suppressed`` (bool) and ``suppression`` (``"primær"``, ``"sekundær"``,
        or NA).

    Examples
    --------
    >>> t = pd.DataFrame({"category": ["A", "B", "C"], "n": [2, 10, 30], "base": 42})
    >>> suppress_counts(t, k=5)[["n", "suppression"]]
          n suppression
    0  <NA>      primær
    1  <NA>    sekundær
    2    30        <NA>
    """
    k = _resolve_k(k)
    by = list(by)
    hide = list(hide_cols) if hide_cols is not None else []
    if hide_cols is None:
        hide = [c for c in DEFAULT_HIDE_COLS if c in table.columns]
    _check_columns(table, [n_col, base_col, category_col, group_col, *by, *hide])
    keys = [*by, *([group_col] if group_col else []), category_col]
    if table[keys].isna().any().any():
        raise SurveyDataError("suppression keys must not be missing", column=", ".join(keys))
    if table.duplicated(keys).any():
        raise SurveyDataError(
            "the table has duplicate cells", column=", ".join(keys), expected="one row per cell"
        )
    n = _int_array(table[n_col], "counts", n_col)
    base = n.copy() if base_col is None else _int_array(table[base_col], "bases", base_col)
    hidden_n = np.zeros(len(table), bool)
    hidden_base = np.zeros(len(table), bool)
    reason: list[object] = [pd.NA] * len(table)
    positions = np.arange(len(table))
    parts = table.groupby(by, sort=False).indices.values() if by else [positions]
    for idx in parts:
        idx = np.sort(np.asarray(idx))
        sub = table.iloc[idx]
        groups = sub[group_col].tolist() if group_col else [None] * len(idx)
        state, cell_of, base_of = _tidy_state(
            sub[category_col].tolist(), groups, n[idx], base[idx], k, group_col is not None,
            total_group, column_totals, multi_select, base_col is None,
        )  # fmt: skip
        for (i, j), row in cell_of.items():
            if state[i, j] in (_PRIM, _SEC):
                hidden_n[idx[row]] = True
                reason[idx[row]] = PRIMARY if state[i, j] == _PRIM else SECONDARY
        for i, rows in base_of.items():
            if state[i, -1] in (_PRIM, _SEC):
                hidden_base[idx[rows]] = True
    out = table.copy()
    out[n_col] = pd.array(n.astype("int64"), dtype="Int64")
    out[n_col] = out[n_col].mask(hidden_n)
    if base_col is not None:
        out[base_col] = pd.array(base.astype("int64"), dtype="Int64")
        out[base_col] = out[base_col].mask(hidden_base)
    for col in hide:
        out[col] = out[col].mask(hidden_n)
    out["suppressed"] = hidden_n
    out["suppression"] = pd.Series(reason, index=out.index, dtype="string")
    return out


def _tidy_state(
    categories: list[Hashable],
    groups: list[Hashable],
    n: np.ndarray,
    base: np.ndarray,
    k: int,
    two_d: bool,
    total_group: Hashable | None,
    column_totals: bool,
    multi_select: bool,
    base_is_sum: bool,
) -> tuple[np.ndarray, dict[tuple[int, int], int], dict[int, np.ndarray]]:
    """Build the grid of one (sub)table, apply the primary rules and protect it."""
    cat_codes, cat_labels = pd.factorize(pd.Series(categories, dtype=object), sort=False)
    is_total = np.array([two_d and total_group is not None and g == total_group for g in groups])
    group_labels = list(dict.fromkeys(g for g, t in zip(groups, is_total, strict=True) if not t))
    n_rows, n_cols = len(group_labels), len(cat_labels)
    row_code = {g: i for i, g in enumerate(group_labels)}
    values = np.zeros((n_rows + 1, n_cols + 1))
    state = np.full(values.shape, _PUB, dtype=np.int8)
    tier = np.full(values.shape, _NEVER, dtype=np.int8)  # missing cells are known zeros
    cell_of: dict[tuple[int, int], int] = {}
    base_of: dict[int, np.ndarray] = {}
    group_base: dict[int, float] = {}
    for row, (g, c, t) in enumerate(zip(groups, cat_codes, is_total, strict=True)):
        i = n_rows if t else row_code[g]
        values[i, c], tier[i, c], cell_of[(i, c)] = n[row], _CAND, row
        if group_base.setdefault(i, base[row]) != base[row] and not base_is_sum:
            raise SurveyDataError("the base differs within one group", found=str(g))
    for i in group_base:
        base_of[i] = np.array([r for (ii, _), r in cell_of.items() if ii == i])
        if base_is_sum:
            group_base[i] = values[i, :n_cols].sum()
    values[:, n_cols] = values[:, :n_cols].sum(axis=1)
    has_totals_rows = bool(is_total.any())
    if not has_totals_rows:
        values[n_rows, :] = values[:n_rows, :].sum(axis=0)
    if not multi_select and any(values[i, n_cols] > group_base[i] for i in group_base):
        raise SurveyDataError(
            "the counts of a group add up to more than its base",
            expected="single-select counts (or pass multi_select=True)",
        )
    tier[:n_rows, n_cols] = _LAST  # bases: last resort only
    if has_totals_rows:
        tier[n_rows, n_cols] = _LAST
    elif not two_d or not column_totals or n_rows == 1:
        state[n_rows, :] = _UNPUB  # no column equations (one group: its totals are the row)
    else:  # external column totals: known, except small ones (suppressed in their own table)
        small = (values[n_rows, :n_cols] > 0) & (values[n_rows, :n_cols] < k)
        state[n_rows, :n_cols][small] = _UNPUB
    if multi_select:
        state[:, n_cols] = _UNPUB
        tier[:, n_cols] = _NEVER
    for (i, j), _row in cell_of.items():
        if 0 < values[i, j] < k or 0 < group_base[i] < k:
            state[i, j] = _PRIM
    return _protect(values, state, tier, k), cell_of, base_of


def _drop_unpublished_margins(
    wide: pd.DataFrame, margins: bool, margins_name: Hashable
) -> pd.DataFrame:
    if not margins and margins_name in wide.index and margins_name in wide.columns:
        return wide.drop(index=margins_name, columns=margins_name)
    return wide


def _crosstab_grid(wide: pd.DataFrame, margins_name: Hashable) -> tuple[np.ndarray, bool]:
    has = margins_name in wide.index and margins_name in wide.columns
    if (margins_name in wide.index) != (margins_name in wide.columns):
        raise SurveyDataError(
            "a cross-tab needs margins on both axes or on none", found=str(margins_name)
        )
    values = np.column_stack([_int_array(wide[c], "cross-tab cells", str(c)) for c in wide])
    values = values.reshape(wide.shape)
    if has:
        inner = values[:-1, :-1]
        if (
            list(wide.index).index(margins_name) != len(wide.index) - 1
            or list(wide.columns).index(margins_name) != len(wide.columns) - 1
            or not np.array_equal(inner.sum(axis=1), values[:-1, -1])
            or not np.array_equal(inner.sum(axis=0), values[-1, :-1])
            or inner.sum() != values[-1, -1]
        ):
            raise SurveyDataError(
                "the margins of the cross-tab are not last or do not equal the sums",
                found=str(margins_name),
            )
        return values, True
    grid = np.zeros((values.shape[0] + 1, values.shape[1] + 1))
    grid[:-1, :-1] = values
    grid[-1, :-1], grid[:-1, -1], grid[-1, -1] = values.sum(0), values.sum(1), values.sum()
    return grid, False


def crosstab_suppression_status(
    wide: pd.DataFrame,
    *,
    k: int | None = None,
    margins: bool = True,
    margins_name: Hashable = "I alt",
) -> pd.DataFrame:
    """The suppression pattern of :func:`suppress_crosstab`: ``""``, ``"primær"``, ``"sekundær"``.

    Same shape and labels as the result of :func:`suppress_crosstab` with the same arguments.
    """
    k = _resolve_k(k)
    wide = _drop_unpublished_margins(wide, margins, margins_name)
    values, had_margins = _crosstab_grid(wide, margins_name)
    state = np.full(values.shape, _PUB, dtype=np.int8)
    tier = np.full(values.shape, _CAND, dtype=np.int8)
    if margins:
        state[(values > 0) & (values < k)] = _PRIM  # margins are cells too
    else:
        state[:-1, :-1][(values[:-1, :-1] > 0) & (values[:-1, :-1] < k)] = _PRIM
        state[-1, :], state[:, -1] = _UNPUB, _UNPUB
        tier[-1, :], tier[:, -1] = _NEVER, _NEVER
    for i in np.nonzero((values[:-1, -1] > 0) & (values[:-1, -1] < k))[
        0
    ]:  # a small group: the whole row
        state[i, :] = np.where(state[i, :] == _UNPUB, _UNPUB, _PRIM)
    for j in np.nonzero((values[-1, :-1] > 0) & (values[-1, :-1] < k))[
        0
    ]:  # a small category: the whole column
        state[:, j] = np.where(state[:, j] == _UNPUB, _UNPUB, _PRIM)
    state = _protect(values, state, tier, k)
    labels = np.array(["", PRIMARY, SECONDARY, ""], dtype=object)[state]
    if margins:
        index = wide.index if had_margins else [*wide.index, margins_name]
        columns = wide.columns if had_margins else [*wide.columns, margins_name]
        return pd.DataFrame(labels, index=index, columns=columns)
    return pd.DataFrame(labels[:-1, :-1], index=wide.index, columns=wide.columns)


def suppress_crosstab(
    wide: pd.DataFrame,
    *,
    k: int | None = None,
    margins: bool = True,
    margins_name: Hashable = "I alt",
) -> pd.DataFrame:
    """Small-cell suppression of a wide contingency table (groups x categories of counts).

    Every entry, margins included, with ``0 < count < k`` is suppressed; a row or column whose
    total is below ``k`` is suppressed whole (zeros and margin too); secondary suppression then
    makes sure no hidden entry is recoverable from the published ones (margins may be chosen as
    complements, smallest count first).

    Parameters
    ----------
    wide:
        Counts, e.g. from ``pd.crosstab``. If it already has a last row and column named
        ``margins_name`` they are taken as the margins (and checked).
    k:
        Threshold, default :data:`fslt_survey.config.SUPPRESSION_K`.
    margins:
        ``True``: the margins are published (added when missing) and protected. ``False``: no
        totals are published at all, so only primary suppression is needed.
    margins_name:
        Label of the margin row and column.

    Returns
    -------
    pandas.DataFrame
        ``Int64`` counts with NA where suppressed; see :func:`crosstab_suppression_status` for
        the reasons.
    """
    wide = _drop_unpublished_margins(wide, margins, margins_name)
    status = crosstab_suppression_status(wide, k=k, margins=margins, margins_name=margins_name)
    values, _ = _crosstab_grid(wide, margins_name)
    if not margins:
        values = values[:-1, :-1]
    out = pd.DataFrame(values.astype("int64"), index=status.index, columns=status.columns)
    out = out.astype("Int64")
    return out.mask(status.ne("").to_numpy())


@dataclass(frozen=True)
class RecoveredCell:
    """A hidden cell that an attacker can compute from the published table.

    ``method`` is ``"subtraction"`` (a line with one hidden cell), ``"linear"`` (a combination
    of lines) or ``"pct×base"`` (the count is hidden but its percentage is not). ``key`` holds
    the values of the ``by`` columns for tidy tables.
    """

    row: Hashable
    column: Hashable
    value: float
    method: str
    key: tuple[Hashable, ...] = ()


def _recover(grid: np.ndarray) -> list[tuple[int, int, float, str]]:
    """Hidden (NaN) entries of an augmented grid that the line equations determine."""
    grid = grid.copy()
    found: list[tuple[int, int, float, str]] = []
    lines = _grid_lines(grid.shape)

    def residual(entries: list[tuple[int, int]], margin: tuple[int, int]) -> float:
        return sum(grid[e] for e in entries if e != margin and not np.isnan(grid[e])) - (
            0.0 if np.isnan(grid[margin]) else grid[margin]
        )

    changed = True
    while changed:
        changed = False
        for entries, margin in lines:
            unknown = [e for e in entries if np.isnan(grid[e])]
            if len(unknown) == 1:
                e = unknown[0]
                value = residual(entries, margin) * (1 if e == margin else -1)
                grid[e] = value
                found.append((*e, float(value), "subtraction"))
                changed = True
    unknown = [(int(i), int(j)) for i, j in zip(*np.nonzero(np.isnan(grid)), strict=True)]
    if not unknown:
        return found
    col_of = {e: c for c, e in enumerate(unknown)}
    a_rows, b = [], []
    for entries, margin in lines:
        coeffs = np.zeros(len(unknown))
        for e in entries:
            if e in col_of:
                coeffs[col_of[e]] = -1.0 if e == margin else 1.0
        if coeffs.any():
            a_rows.append(coeffs)
            b.append(-residual(entries, margin))
    a = np.array(a_rows)
    null = scipy.linalg.null_space(a) if len(a) else np.eye(len(unknown))
    solution = np.linalg.lstsq(a, np.array(b), rcond=None)[0] if len(a) else None
    for e, c in col_of.items():
        if solution is not None and np.all(np.abs(null[c, :]) < 1e-9):
            found.append((*e, float(np.round(solution[c], 9)), "linear"))
    return found


def find_recoverable_crosstab(
    published: pd.DataFrame, *, margins_name: Hashable = "I alt"
) -> list[RecoveredCell]:
    """Try to recover the hidden (NA) cells of a published wide cross-tab.

    The margins are the last row and column named ``margins_name`` if present (NA there means a
    hidden margin), else unknown. Returns every hidden entry that subtraction along a row or
    column, or any linear combination of rows and columns, determines exactly.
    """
    has = margins_name in published.index and margins_name in published.columns
    arr = published.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    if has:
        grid, index, columns = arr, list(published.index), list(published.columns)
    else:
        grid = np.full((arr.shape[0] + 1, arr.shape[1] + 1), np.nan)
        grid[:-1, :-1] = arr
        index, columns = [*published.index, None], [*published.columns, None]
    hidden = np.isnan(grid)
    if not has:
        hidden[-1, :], hidden[:, -1] = False, False
    return [
        RecoveredCell(index[i], columns[j], value, method)
        for i, j, value, method in _recover(grid)
        if hidden[i, j]
    ]


def find_recoverable_counts(
    published: pd.DataFrame,
    *,
    n_col: str = "n",
    base_col: str | None = "base",
    category_col: str = "category",
    group_col: str | None = None,
    total_group: Hashable | None = None,
    column_totals: Mapping[Hashable, float] | pd.Series | None = None,
    by: Sequence[str] = (),
    hide_cols: Sequence[str] | None = None,
    multi_select: bool = False,
) -> list[RecoveredCell]:
    """Attack a published tidy table the way a reader could; return what it recovers.

    Assumes the listed categories exhaust the base (single-select); with ``multi_select`` there
    is no row equation. Column totals come from the ``total_group`` rows or from
    ``column_totals`` (category -> published total, NA = hidden); otherwise they are unknown.
    A hidden ``n`` whose percentage or interval is still published counts as recovered
    (``"pct×base"``).
    """
    hide = list(hide_cols) if hide_cols is not None else []
    if hide_cols is None:
        hide = [c for c in DEFAULT_HIDE_COLS if c in published.columns]
    _check_columns(published, [n_col, base_col, category_col, group_col, *by, *hide])
    found: list[RecoveredCell] = []
    parts = published.groupby(list(by), sort=False) if by else [((), published)]
    for key, part in parts:
        key = key if isinstance(key, tuple) else (key,)
        sub = part.reset_index(drop=True)
        n = sub[n_col].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        groups = sub[group_col].tolist() if group_col else [None] * len(sub)
        cats = sub[category_col].tolist()
        for pos in range(len(sub)):
            if np.isnan(n[pos]) and any(not _is_na(sub[c].iloc[pos]) for c in hide):
                found.append(RecoveredCell(groups[pos], cats[pos], np.nan, "pct×base", key))
        is_total = [group_col is not None and total_group is not None and g == total_group
                    for g in groups]  # fmt: skip
        glabels = list(dict.fromkeys(g for g, t in zip(groups, is_total, strict=True) if not t))
        clabels = list(dict.fromkeys(cats))
        grid = np.zeros((len(glabels) + 1, len(clabels) + 1))
        grid[:, -1], grid[-1, :] = np.nan, np.nan
        bases = (
            sub[base_col].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
            if base_col
            else np.full(len(sub), np.nan)
        )
        for pos, (g, c, t) in enumerate(zip(groups, cats, is_total, strict=True)):
            i = len(glabels) if t else glabels.index(g)
            grid[i, clabels.index(c)] = n[pos]
            if not multi_select:
                grid[i, -1] = bases[pos]
        if column_totals is not None and not any(is_total):
            for j, c in enumerate(clabels):
                value = column_totals.get(c, np.nan)
                grid[-1, j] = np.nan if _is_na(value) else float(value)
        hidden = np.isnan(grid)
        for i, j, value, method in _recover(grid):
            if hidden[i, j] and j < len(clabels) and (i < len(glabels) or any(is_total)):
                g = glabels[i] if i < len(glabels) else total_group
                found.append(RecoveredCell(g, clabels[j], value, method, key))
    return found


# ---------------------------------------------------------------------------------------------
# 4. Output safety
# ---------------------------------------------------------------------------------------------

#: First characters that make Excel/LibreOffice evaluate a cell (OWASP CSV injection).
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: object) -> object:
    """Prefix ``'`` to a string that a spreadsheet would take as a formula; leave others alone.

    >>> neutralise_formula("=HYPERLINK(\\"http://x\\")"), neutralise_formula(-5)
    ('\\'=HYPERLINK("http://x")', -5)
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _neutralise_label(label: object) -> object:
    if isinstance(label, tuple):
        return tuple(neutralise_formula(part) for part in label)
    return neutralise_formula(label)


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy in which every string cell, column name and index label is neutralised.

    Numeric, boolean and date columns are untouched: ``-5`` as a number is a number, ``"-5"`` as
    text gets the apostrophe.
    """
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            out[col] = s.cat.rename_categories([_neutralise_label(c) for c in s.cat.categories])
        elif s.dtype == object or isinstance(s.dtype, pd.StringDtype):
            out[col] = s.map(neutralise_formula, na_action="ignore").astype(s.dtype)
    out.columns = out.columns.map(_neutralise_label)
    out.index = out.index.map(_neutralise_label)
    return out


def _atomic_write(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Write via a temporary file in the target folder, then ``os.replace`` it into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def write_csv_safe(df: pd.DataFrame, path: str | Path, *, index: bool = False) -> Path:
    """Write ``df`` as a CSV that Danish Excel opens correctly, neutralised and atomically.

    Format: UTF-8 with BOM (``utf-8-sig``, so Excel detects the encoding and shows æøå), ``;``
    as delimiter and ``,`` as decimal separator (the Danish list and decimal separators, so a
    double-click opens the file in columns with numbers as numbers), NA as an empty field.
    """
    safe = neutralise_frame(df)

    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8-sig", newline="") as handle:
            safe.to_csv(handle, sep=";", decimal=",", index=index, lineterminator="\r\n")
            handle.flush()
            os.fsync(handle.fileno())

    return _atomic_write(path, write)


def _cell_value(value: object) -> object:
    if _is_na(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.tz_localize(None).to_pydatetime() if value.tzinfo else value.to_pydatetime()
    if isinstance(value, str | int | float | bool) or hasattr(value, "isoformat"):
        return value
    return str(value)


def write_xlsx_safe(
    df: pd.DataFrame, path: str | Path, *, sheet_name: str = "Data", index: bool = False
) -> Path:
    """Write ``df`` to an Excel workbook, neutralised and atomically.

    Every string (header included) is written with cell type ``"s"`` (shared string), so
    openpyxl never turns ``=...`` into a formula; neutralised strings keep their leading ``'``.
    """
    from openpyxl import Workbook

    safe = neutralise_frame(df.reset_index() if index else df)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_name

    def put(row: int, col: int, value: Any) -> None:
        cell = sheet.cell(row=row, column=col)
        cell.value = _cell_value(value)
        if isinstance(cell.value, str):
            cell.data_type = "s"

    for j, label in enumerate(safe.columns, start=1):
        put(1, j, " / ".join(map(str, label)) if isinstance(label, tuple) else str(label))
    for i, row in enumerate(safe.itertuples(index=False, name=None), start=2):
        for j, value in enumerate(row, start=1):
            put(i, j, value)
    sheet.freeze_panes = "A2"
    return _atomic_write(path, lambda tmp: workbook.save(tmp))


def escape_html(text: object) -> str:
    """Escape text for HTML, quotes included (the one place the toolkit does it). NA -> ``""``."""
    if _is_na(text):
        return ""
    return html.escape(str(text), quote=True)
