"""The publication's Danish style, written down once: dates, times, signs, quotes, lists, terms.

Every text a reader of the site, the PDFs, the handouts or the feedback sheets sees follows
these conventions (numbers and percentages themselves are formatted by :mod:`fslt_survey.tables`):

- **Dates** in running text and tables: "12. februar 2025" (never "12-02-2025", which wraps and
  is read differently abroad); with the weekday for meetings: "onsdag den 10. februar 2027".
  The spaces are non-breaking so a date never wraps over lines.
- **Times**: "kl. 16.00", ranges "kl. 16.00–18.00" (full stop between hours and minutes, en
  dash between the ends, as Retskrivningsordbogen and Sprognævnet recommend).
- **Signs**: a change is written with a true minus (U+2212) and a plus: "+5", "−9", and an
  unchanged value as "0" (never "+0" or "-0").
- **Quotes**: Danish guillemets pointing inwards, »sådan«.
- **Terms**: "procentpoint" for a difference between two shares (never "%-point"), the
  interval is a "konfidensinterval" (never "KI"), answers not given are "ubesvarede svar".
- **Lists**: "a, b og c" and "a, b eller c" (no comma before "og"/"eller").

>>> long_date(dt.date(2025, 2, 12))
'12.\\xa0februar\\xa02025'
>>> time_range("16:00", "18:00")
'kl.\\xa016.00–18.00'
>>> signed(-9), signed(5), signed(0.2)
('−9', '+5', '0')
>>> join_and(["a", "b", "c"])
'a, b og c'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

__all__ = [
    "MINUS",
    "MONTHS",
    "PERCENTAGE_POINTS",
    "WEEKDAYS",
    "clock",
    "join_and",
    "join_or",
    "long_date",
    "meeting_date",
    "quote",
    "signed",
    "time_range",
]

NBSP = "\u00a0"
EN_DASH = "\u2013"
MINUS = "\u2212"
PERCENTAGE_POINTS = "procentpoint"
WEEKDAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
MONTHS = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
          "september", "oktober", "november", "december")


def _as_date(value: dt.date | dt.datetime | str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def long_date(value: dt.date | dt.datetime | str) -> str:
    """``2025-02-12`` -> "12. februar 2025" (non-breaking spaces)."""
    d = _as_date(value)
    return f"{d.day}.{NBSP}{MONTHS[d.month - 1]}{NBSP}{d.year}"


def meeting_date(value: dt.date | dt.datetime | str) -> str:
    """``2027-02-10`` -> "onsdag den 10. februar 2027" (the weekday for meetings)."""
    d = _as_date(value)
    return f"{WEEKDAYS[d.weekday()]} den {long_date(d)}"


def clock(value: dt.time | str) -> str:
    """``"16:00"`` or ``time(16, 0)`` -> "16.00" (hours and minutes, full stop between)."""
    if isinstance(value, dt.time):
        return f"{value.hour:02d}.{value.minute:02d}"
    text = str(value).strip().replace(":", ".")
    hours, _, minutes = text.partition(".")
    return f"{int(hours):02d}.{int(minutes or 0):02d}"


def time_range(start: dt.time | str, end: dt.time | str) -> str:
    """``("16:00", "18:00")`` -> "kl. 16.00–18.00"."""
    return f"kl.{NBSP}{clock(start)}{EN_DASH}{clock(end)}"


def signed(x: Any, decimals: int = 0, unit: str = "") -> str:
    """A change with its sign: "+5", "−9", "0"; ``unit`` follows after a non-breaking space.

    Rounded half-up like every published number; a value that rounds to zero is "0".
    """
    d = Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = f"{abs(d):,.{decimals}f}".replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    sign = "" if d == 0 else ("+" if d > 0 else MINUS)
    return f"{sign}{text}" + (f"{NBSP}{unit}" if unit else "")


def quote(text: str) -> str:
    """»text« (Danish guillemets)."""
    return f"»{text}«"


def join_and(items: Iterable[str]) -> str:
    """``["a", "b", "c"]`` -> "a, b og c"; one item alone; empty -> ""."""
    parts = [str(i) for i in items]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " og " + parts[-1]


def join_or(items: Iterable[str]) -> str:
    """``["a", "b", "c"]`` -> "a, b eller c"; one item alone; empty -> ""."""
    parts = [str(i) for i in items]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " eller " + parts[-1]
