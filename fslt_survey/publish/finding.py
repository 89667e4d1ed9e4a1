"""The finding: one published figure with its id, measure, estimate, verdict and status.

See :mod:`fslt_survey.publish.findings` for the ids, the families and how findings are
computed; this module holds the value object and how it is printed (the release's symbols for a
figure that is not shown, the marker that ties a printed figure to its id).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from fslt_survey.codebook import Item
from fslt_survey.danish import MINUS, signed
from fslt_survey.publish import estimate as est
from fslt_survey.publish.measures import HIDDEN, NOT_ASKED, NOTHING, Measure
from fslt_survey.tables import format_ci, format_number, format_pct

__all__ = ["FINDING_COLUMNS", "THEME_PAGES", "Finding"]

#: The published findings table (downloads, Data page): one row per finding.
FINDING_COLUMNS = [
    "id",
    "side",
    "maal",
    "maaling",
    "aar",
    "estimat",
    "ci_nedre",
    "ci_oevre",
    "basis",
    "test",
    "familie",
    "p_justeret",
    "vurdering",
    "status",
    "begrundelse",
]

#: The page that presents an item's theme (the findings table's "side").
THEME_PAGES = {
    "behov": "behov",
    "kommune": "kommune",
    "selvhjaelp": "selvhjaelp",
    "netvaerk": "netvaerk",
    "erhverv": "erhverv",
    "centret": "erhverv",
    "profil": "metode",
}


@dataclass(frozen=True)
class Finding:
    """One published figure (see the module docstring). Shares are in percent, changes of
    shares in percentage points, indices and their changes in index points."""

    id: str
    kind: str  # share | index | change | index_change
    item: str
    measure: Measure
    waves: tuple[int, ...]
    page: str
    estimate: float
    ci_low: float
    ci_high: float
    n: int
    base: int
    status: str
    reason: str
    test: str = "none"
    p: float = math.nan
    family: str = ""
    p_adj: float = math.nan
    significant: bool = False
    n_pairs: int = 0
    rows: tuple[int, ...] = field(default=(), repr=False)
    label: str = ""
    before: Finding | None = field(default=None, repr=False, compare=False)
    after: Finding | None = field(default=None, repr=False, compare=False)

    @property
    def shown(self) -> bool:
        return self.status == est.SHOWN

    @property
    def is_change(self) -> bool:
        return self.kind in ("change", "index_change")

    @property
    def symbol(self) -> str:
        """The release's symbol for a figure that is not shown."""
        return {est.HIDDEN: HIDDEN, est.NOT_ASKED: NOT_ASKED}.get(self.status, NOTHING)

    @property
    def verdict(self) -> str:
        """The adjusted verdict of a change (Danish); empty for levels."""
        if not self.is_change or not self.shown or self.test == "none":
            return ""  # a level, a hidden change, or a change judged on its interval only
        if not self.significant:
            return "ingen sikker ændring"
        return "sikker stigning" if self.estimate > 0 else "sikkert fald"

    def value(self, digits: int | None = None) -> str:
        """The estimate as printed ("54 %", "+20", "−3", "60,6"), or the symbol."""
        if not self.shown:
            return self.symbol
        if self.kind == "share":
            return format_pct(self.estimate)
        d = 1 if digits is None else digits
        if self.kind == "change":
            d = 0 if digits is None else digits
        if self.is_change:  # "+20", "−3" (a true minus), "0"
            return signed(self.estimate, d)
        return format_number(self.estimate, d)

    def interval(self) -> str:
        """The interval as printed ("(41–66 %)", "(−3 til 10)"), empty when not shown."""
        if not self.shown or math.isnan(self.ci_low):
            return ""
        if self.kind == "share":
            return format_ci(self.ci_low, self.ci_high)
        d = 0 if self.kind == "change" else 1
        lo, hi = format_number(self.ci_low, d), format_number(self.ci_high, d)
        sep = " til " if lo.startswith(MINUS) or hi.startswith(MINUS) else "–"
        return f"({lo}{sep}{hi})"

    def text(self) -> str:
        """Estimate and interval ("54 % (41–66 %)"; a change "+20 (1–37)*" when the adjusted
        verdict is significant), or the symbol."""
        if not self.shown:
            return self.symbol
        star = "*" if self.is_change and self.significant else ""
        return f"{self.value()}{star} {self.interval()}".strip()

    def marker(self, text: str | None = None) -> str:
        """``text`` (default :meth:`text`) wrapped in a span carrying the finding id, so every
        output's figure can be checked against the findings table."""
        body = self.text() if text is None else text
        return f'[{body}]{{data-finding="{self.id}"}}'

    def row(self) -> dict[str, Any]:
        shown = self.shown
        return {
            "id": self.id,
            "side": self.page,
            "maal": self.family,
            "maaling": self.measure.name,
            "aar": "-".join(str(w) for w in self.waves),
            "estimat": round(self.estimate, 4) if shown else None,
            "ci_nedre": round(self.ci_low, 4) if shown and not math.isnan(self.ci_low) else None,
            "ci_oevre": round(self.ci_high, 4) if shown and not math.isnan(self.ci_high) else None,
            "basis": int(self.base) if shown else None,
            "test": self.test if self.is_change else "",
            "familie": self.family if self.is_change else "",
            "p_justeret": round(self.p_adj, 4) if shown and self.p_adj == self.p_adj else None,
            "vurdering": self.verdict,
            "status": self.status,
            "begrundelse": self.reason,
        }


def _parse_id(fid: str) -> tuple[str, str, tuple[int, ...]]:
    head, _, waves = fid.rpartition(".")
    item, _, key = head.partition(".")
    return item, key, tuple(int(w) for w in waves.split("-"))


def goal_family(items: Iterable[Item]) -> str:
    for it in items:
        if it.goals:
            return f"mål {it.goals[0]}"
    first = next(iter(items), None)
    return f"tema {first.theme}" if first is not None else "øvrige"


@dataclass(frozen=True)
class Spec:
    """A declared change: an item's measure, or a battery's index (``item`` = battery)."""

    kind: str  # share | index
    item: str
    labels: tuple[str, ...] | None = None
    min_options: int = 1


def as_level(f: Finding) -> est.Level:
    return est.Level(f.estimate, f.ci_low, f.ci_high, f.n, f.base, f.status, f.reason, f.rows)


def change_finding(
    fid: str,
    kind: str,
    item: str,
    m: Measure,
    waves: tuple[int, int],
    levels: tuple[Finding, Finding],
    ch: est.Change,
    family: str,
) -> Finding:
    reason = ch.reason
    if ch.status != est.SHOWN:
        bad = next(f for f in levels if not f.shown)
        reason = f"{bad.waves[0]}: {bad.reason}" if bad.reason else reason
    return Finding(
        fid,
        kind,
        item,
        m,
        waves,
        levels[1].page,
        ch.estimate,
        ch.ci_low,
        ch.ci_high,
        ch.n_pairs,
        min(levels[0].base, levels[1].base),
        ch.status,
        reason,
        test=ch.test,
        p=ch.p,
        family=family,
        n_pairs=ch.n_pairs,
        rows=tuple(sorted(set(levels[0].rows) | set(levels[1].rows))),
        label=levels[1].label,
        before=levels[0],
        after=levels[1],
    )
