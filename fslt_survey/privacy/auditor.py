"""Release-level disclosure audit: what can an intruder holding *every* output work out?

Per-table suppression checks one table at a time. An intruder reads the whole release at once:
the distribution table that hides two cells, the indicator that prints their top-2 share with a
base, the Metode page's registry counts, a chart's alt text with "n = 42-44", a feedback sheet.
This module takes everything a reader can see as **linear facts over unknown non-negative
integer cell counts** and, for each cell hidden anywhere, finds its feasible range
``[min, max]`` with integer linear programming (:func:`scipy.optimize.milp`, HiGHS).

A cell is *disclosed* when its range is narrower than ``k`` (``max - min < k``); this includes a
count pinned exactly (a pinned count in 1..k-1 is the classic small-cell disclosure, a pinned 0
says "nobody"). The report names the facts that combine: the smallest set found by dropping
facts one at a time while the cell stays disclosed.

The module is independent of the suppression code (:mod:`fslt_survey.privacy.disclosure`): it
only reads what is printed, so it checks suppression from the outside, across outputs.

Facts (all take an ``id``: the figure or source a reader sees, e.g. ``"kommune/indikator"``)

* :meth:`Release.add_table` - cells shown (value) or hidden (``None`` or listed in ``hidden``),
  with margins (totals of rows, columns, the table);
* :meth:`Release.add_sum` / :meth:`Release.add_range` - a total, or a bound such as an alt
  text's ``n = 42-44``; :meth:`Release.add_difference` - a change between two tables;
* :meth:`Release.add_share` - a percentage rounded to ``decimals`` with its base (a printed
  number, or the sum of cells); ``36 %`` of 58 means ``35.5 <= 100 n / 58 <= 36.5``. Both ends
  are closed, so the truth is feasible whatever the publisher's rounding rule (half-up or
  half-even);
* :meth:`Release.add_interval` - a printed Wilson interval with its base, which reveals the
  count (:func:`wilson_counts` gives the counts consistent with it);
* :meth:`Release.add_order_statistic` - a median (or other order statistic) of numeric answers
  of a group: printed exactly and at an integer rank (odd ``n`` for the median) it *is* one
  unit's value, and it is reported unless the group has at least ``min_order_group`` units.

Cells are named by the caller (e.g. ``"2027/kommune/tilfredshed/Meget tilfreds"``); the same id
in two outputs is the same count. A cell shown in one output and hidden in another is audited as
hidden: its range is then a single value, and the report says which output shows it. Only cells
that some output hides are audited; a cell that only appears inside other facts (e.g. the
answers behind a share's base) is an unknown of the programs but is not itself reported.

Example::

    rel = Release()
    rel.add_table("tabel", {"a": None, "b": 37, "c": None},
                  margins={"I alt": (["a", "b", "c"], 48)})
    rel.add_share("indikator", ["a"], base=48, shown_pct=17)
    report = rel.audit(k=5)
    report.disclosed     # [CellRange(cell='a', low=8, high=8, ...), CellRange(cell='c', ...)]
    print(report.explain())
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

__all__ = [
    "AuditReport",
    "CellRange",
    "Fact",
    "OrderStatistic",
    "Release",
    "wilson_counts",
    "wilson_interval",
]

Number = int | float | Fraction
_Z95 = 1.959963984540054  # the 97.5 % quantile of the standard normal


@dataclass(frozen=True)
class Fact:
    """One thing a reader sees: ``low <= sum(coef * cell) <= high`` for each of its ``rows``.

    Rows have integer coefficients and integer (or infinite) bounds, so the programs are exact.
    """

    id: str
    kind: str
    text: str
    rows: tuple[tuple[tuple[tuple[str, int], ...], float, float], ...]

    @property
    def cells(self) -> set[str]:
        return {cell for terms, _, _ in self.rows for cell, _ in terms}


@dataclass(frozen=True)
class CellRange:
    """The feasible range of a hidden cell, and the facts that pin it (when disclosed)."""

    cell: str
    low: float
    high: float
    disclosed: bool
    facts: tuple[str, ...] = ()

    @property
    def pinned(self) -> bool:
        return self.low == self.high

    def __str__(self) -> str:
        rng = f"= {int(self.low)}" if self.pinned else f"in [{_fmt(self.low)}, {_fmt(self.high)}]"
        why = f" from {', '.join(self.facts)}" if self.facts else ""
        return f"{self.cell} {rng}{why}"


@dataclass(frozen=True)
class OrderStatistic:
    """A printed order statistic (e.g. a median) of a group's numeric answers."""

    id: str
    group: str
    n: int
    rank: Fraction
    value: Number
    exact: bool

    @property
    def one_units_value(self) -> bool:
        """Printed exactly at an integer rank: the value *is* one unit's answer."""
        return self.exact and self.rank.denominator == 1


@dataclass
class AuditReport:
    """The result of :meth:`Release.audit`: every hidden cell's range, and what is disclosed."""

    k: int
    ranges: list[CellRange]
    order_statistics: list[OrderStatistic] = field(default_factory=list)

    @property
    def disclosed(self) -> list[CellRange]:
        return [r for r in self.ranges if r.disclosed]

    @property
    def ok(self) -> bool:
        return not self.disclosed and not self.order_statistics

    def explain(self) -> str:
        """A readable account (English, internal) of each disclosure and the facts combined."""
        if self.ok:
            return (
                f"No disclosure with k = {self.k}: every one of the {len(self.ranges)} "
                "hidden cells has a feasible range at least k wide."
            )
        lines = [f"Disclosure with k = {self.k}:"]
        for r in self.disclosed:
            kind = "pinned" if r.pinned else f"range narrower than {self.k}"
            lines.append(f"- {r} ({kind})")
        for o in self.order_statistics:
            lines.append(
                f"- {o.id}: the printed order statistic {o.value} of group {o.group} "
                f"(n = {o.n}, rank {o.rank}) is one unit's exact value"
            )
        return "\n".join(lines)


def _fmt(x: float) -> str:
    return str(int(x)) if math.isfinite(x) else "∞"


def _frac(x: Number) -> Fraction:
    return (
        x if isinstance(x, Fraction) else Fraction(str(x)) if isinstance(x, float) else Fraction(x)
    )


def _integer_row(terms: Mapping[str, Fraction], low: Fraction | None, high: Fraction | None):
    """Scale a row with rational coefficients to integers; tighten its bounds to integers."""
    terms = {c: v for c, v in terms.items() if v != 0}
    scale = math.lcm(*(v.denominator for v in terms.values())) if terms else 1
    ints = tuple(sorted((c, int(v * scale)) for c, v in terms.items()))
    lo = -math.inf if low is None else math.ceil(low * scale)
    hi = math.inf if high is None else math.floor(high * scale)
    return ints, float(lo), float(hi)


# --------------------------------------------------------------------------- Wilson intervals


def wilson_interval(n: int, base: int, z: float = _Z95) -> tuple[float, float]:
    """Wilson score interval for ``n`` of ``base`` (as proportions)."""
    if base <= 0:
        raise ValueError(f"base must be positive, got {base}")
    p = n / base
    denom = 1 + z * z / base
    centre = (p + z * z / (2 * base)) / denom
    half = z * math.sqrt(p * (1 - p) / base + z * z / (4 * base * base)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def wilson_counts(
    base: int, lower_pct: float, upper_pct: float, decimals: int = 0, z: float = _Z95
) -> list[int]:
    """Every count ``n`` in ``0..base`` whose Wilson interval prints as ``lower_pct``-``upper_pct``.

    Percentages rounded to ``decimals``; both rounding conventions are accepted (closed ends).
    Both ends of the Wilson interval increase with ``n``, so the result is a run of counts.

    >>> wilson_counts(58, 25.1, 49.1, decimals=1)
    [21]
    """
    half = 0.5 * 10.0**-decimals + 1e-9
    out = []
    for n in range(base + 1):
        lo, hi = wilson_interval(n, base, z)
        if abs(100 * lo - lower_pct) <= half and abs(100 * hi - upper_pct) <= half:
            out.append(n)
    return out


# --------------------------------------------------------------------------- the release


class Release:
    """Everything a reader of a release (or one recipient) can see, as linear facts."""

    def __init__(self) -> None:
        self.facts: list[Fact] = []
        self.hidden: dict[str, list[str]] = {}  # cell -> outputs that hide it
        self.order_statistics: list[OrderStatistic] = []

    # ----------------------------------------------------------------- adding facts

    def _add(self, fid: str, kind: str, text: str, rows) -> Fact:
        if not rows or any(not terms for terms, _, _ in rows):
            raise ValueError(f"fact {fid!r} ({kind}) names no cell")
        fact = Fact(fid, kind, text, tuple(rows))  # one figure may give several facts
        self.facts.append(fact)
        return fact

    def _linear(self, fid, kind, text, terms: Mapping[str, Number], low, high) -> Fact:
        row = _integer_row(
            {c: _frac(v) for c, v in terms.items()},
            None if low is None else _frac(low),
            None if high is None else _frac(high),
        )
        return self._add(fid, kind, text, [row])

    def add_cell(self, fid: str, cell: str, value: int | None) -> None:
        """A single count: printed (``value``) or hidden (``None``) in output ``fid``."""
        if value is None:
            self.hidden.setdefault(cell, []).append(fid)
            self._add(fid, "hidden", f"{cell} hidden", [(((cell, 1),), 0.0, math.inf)])
            return
        if value < 0 or int(value) != value:
            raise ValueError(f"{fid}: count {cell!r} must be a non-negative integer, got {value}")
        self._linear(fid, "cell", f"{cell} = {int(value)}", {cell: 1}, value, value)

    def add_table(
        self,
        fid: str,
        cells: Mapping[str, int | None],
        *,
        hidden: Iterable[str] = (),
        margins: Mapping[str, tuple[Sequence[str], int | None]] | None = None,
    ) -> None:
        """A table: cells printed or hidden (``None``, or listed in ``hidden``), and its margins.

        ``margins`` maps a margin's label to ``(cell ids summed, printed value)``; a hidden
        margin (``None``) adds nothing. Values of cells listed in ``hidden`` are not used.
        """
        hide = set(hidden)
        unknown = hide - set(cells)
        if unknown:
            raise ValueError(f"{fid}: hidden cells not in the table: {sorted(unknown)}")
        for cell, value in cells.items():
            self.add_cell(fid, cell, None if cell in hide else value)
        for label, (ids, value) in (margins or {}).items():
            if value is not None:
                self.add_sum(f"{fid} [{label}]", ids, value)

    def add_sum(self, fid: str, cells: Sequence[str], value: int) -> None:
        """A printed total of ``cells`` (a margin, a base, a registry count)."""
        self._linear(fid, "sum", f"sum = {value}", dict.fromkeys(cells, 1), value, value)

    def add_range(self, fid: str, cells: Sequence[str], low: int | None, high: int | None) -> None:
        """A printed bound on a total, e.g. an alt text's ``n = 42-44``."""
        self._linear(fid, "range", f"sum in [{low}, {high}]", dict.fromkeys(cells, 1), low, high)

    def add_difference(
        self, fid: str, plus: Sequence[str], minus: Sequence[str], value: int
    ) -> None:
        """A printed difference ``sum(plus) - sum(minus) = value`` (e.g. a change between waves)."""
        terms: dict[str, Number] = dict.fromkeys(plus, 1)
        for cell in minus:
            terms[cell] = terms.get(cell, 0) - 1
        self._linear(fid, "difference", f"difference = {value}", terms, value, value)

    def add_linear(
        self, fid: str, terms: Mapping[str, Number], low: Number | None, high: Number | None
    ) -> None:
        """Any other linear fact ``low <= sum(coef * cell) <= high``."""
        self._linear(fid, "linear", f"linear in [{low}, {high}]", terms, low, high)

    def add_share(
        self,
        fid: str,
        cells: Sequence[str],
        base: int | Sequence[str],
        shown_pct: float,
        decimals: int = 0,
    ) -> None:
        """A percentage of ``base`` printed to ``decimals`` (e.g. ``36 % (58)``).

        ``base`` is a printed number, or the cell ids it sums (a base the reader cannot see but
        the share is taken of). The fact is ``shown - h <= 100 * sum(cells) / base <= shown + h``
        with ``h`` half the last printed digit.
        """
        half = Fraction(1, 2) / 10**decimals
        lo, hi = (_frac(shown_pct) - half) / 100, (_frac(shown_pct) + half) / 100
        text = f"{shown_pct} % of {base if isinstance(base, int) else 'sum'}"
        if isinstance(base, int):
            if base <= 0:
                raise ValueError(f"{fid}: a share needs a positive base, got {base}")
            terms = {c: Fraction(1) for c in cells}
            self._add(fid, "share", text, [_integer_row(terms, lo * base, hi * base)])
            return
        rows = []
        for p, low in ((lo, True), (hi, False)):  # sum(cells) - p * sum(base) >= 0 / <= 0
            terms = {c: Fraction(1) for c in cells}
            for c in base:
                terms[c] = terms.get(c, Fraction(0)) - p
            rows.append(
                _integer_row(terms, Fraction(0) if low else None, None if low else Fraction(0))
            )
        self._add(fid, "share", text, rows)

    def add_interval(
        self,
        fid: str,
        cells: Sequence[str],
        base: int,
        lower_pct: float,
        upper_pct: float,
        decimals: int = 0,
        method: str = "wilson",
    ) -> None:
        """A printed confidence interval for ``sum(cells) / base``; it reveals the count."""
        if method != "wilson":
            raise ValueError(f"{fid}: interval method {method!r} is not supported (only 'wilson')")
        counts = wilson_counts(base, lower_pct, upper_pct, decimals)
        if not counts:
            raise ValueError(f"{fid}: no count of {base} prints as {lower_pct}-{upper_pct} %")
        self._linear(
            fid,
            "interval",
            f"Wilson {lower_pct}-{upper_pct} % of {base}",
            dict.fromkeys(cells, 1),
            counts[0],
            counts[-1],
        )

    def add_order_statistic(
        self,
        fid: str,
        group: str,
        n: int,
        value: Number,
        *,
        rank: Number | None = None,
        exact: bool = True,
    ) -> None:
        """A printed order statistic of ``n`` units' numeric answers (default: the median).

        ``rank`` is 1-based (``(n + 1) / 2`` for the median; a half rank is the mean of two
        units); ``exact=False`` for a banded or rounded value.
        """
        if n < 1:
            raise ValueError(f"{fid}: an order statistic needs n >= 1, got {n}")
        r = Fraction(n + 1, 2) if rank is None else _frac(rank)
        self.order_statistics.append(OrderStatistic(fid, group, n, r, value, exact))

    # ----------------------------------------------------------------- auditing

    def audit(self, k: int, *, min_order_group: int | None = None) -> AuditReport:
        """Every hidden cell's feasible range; disclosed when ``max - min < k``.

        ``min_order_group``: an exact order statistic over at least this many units is not
        reported (``None``: every exact one at an integer rank is, since it is one unit's value).
        """
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        ranges: list[CellRange] = []
        for cells, facts in _components(self.facts, set(self.hidden)):
            ranges.extend(_audit_component(cells, facts, sorted(set(cells) & set(self.hidden)), k))
        stats = [
            o
            for o in self.order_statistics
            if o.one_units_value and (min_order_group is None or o.n < min_order_group)
        ]
        return AuditReport(k, sorted(ranges, key=lambda r: r.cell), stats)


def _components(facts: list[Fact], hidden: set[str]) -> list[tuple[list[str], list[Fact]]]:
    """Connected components of the cell-fact graph that hold a hidden cell."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for fact in facts:
        cells = sorted(fact.cells)
        for other in cells[1:]:
            parent[find(other)] = find(cells[0])
        find(cells[0])
    groups: dict[str, tuple[list[str], list[Fact]]] = {}
    for cell in parent:
        groups.setdefault(find(cell), ([], []))[0].append(cell)
    for fact in facts:
        groups[find(next(iter(fact.cells)))][1].append(fact)
    return [(sorted(c), f) for c, f in groups.values() if hidden & set(c)]


def _program(cells: list[str], facts: list[Fact]):
    index = {c: i for i, c in enumerate(cells)}
    rows = [row for fact in facts for row in fact.rows]
    a = np.zeros((len(rows), len(cells)))
    lo, hi = np.empty(len(rows)), np.empty(len(rows))
    for r, (terms, low, high) in enumerate(rows):
        for cell, coef in terms:
            a[r, index[cell]] += coef
        lo[r], hi[r] = low, high
    return a, lo, hi


def _bounds(cells: list[str], facts: list[Fact], target: str) -> tuple[float, float] | None:
    """``(min, max)`` of ``target`` over non-negative integer solutions; ``None`` if infeasible."""
    a, lo, hi = _program(cells, facts)
    constraints = [LinearConstraint(a, lo, hi)] if len(lo) else []
    c = np.zeros(len(cells))
    c[cells.index(target)] = 1.0
    kw = {
        "constraints": constraints,
        "integrality": np.ones(len(cells)),
        "bounds": Bounds(0, np.inf),
    }
    low = milp(c, **kw)
    if low.status == 2 or (low.status == 4 and "infeasible" in str(low.message).lower()):
        return None  # bounded below by 0, so "infeasible or unbounded" is infeasible
    if low.status != 0:
        raise RuntimeError(f"the MILP for {target!r} failed: {low.message}")
    high = milp(-c, **kw)
    if high.status == 0:
        return float(round(low.fun)), float(round(-high.fun))
    if high.status in (3, 4):  # feasible (a minimum exists), so this is unbounded
        return float(round(low.fun)), math.inf
    raise RuntimeError(f"the MILP for {target!r} failed: {high.message}")


def _audit_component(cells: list[str], facts: list[Fact], hidden: list[str], k: int):
    if _bounds(cells, facts, cells[0]) is None:
        ids = ", ".join(sorted({f.id for f in facts}))
        raise ValueError(f"the facts contradict each other (no counts satisfy them): {ids}")
    out = []
    for cell in hidden:
        low, high = _bounds(cells, facts, cell)
        disclosed = high - low < k
        why = _minimal_facts(cells, facts, cell, k) if disclosed else ()
        out.append(CellRange(cell, low, high, disclosed, why))
    return out


def _minimal_facts(cells: list[str], facts: list[Fact], cell: str, k: int):
    """The facts that combine: drop facts, in halving chunks, while the cell stays disclosed
    (the delta-debugging reduction: a handful of programs even in a component of hundreds)."""
    keep = [f for f in facts if f.kind != "hidden"]
    hidden_facts = [f for f in facts if f.kind == "hidden"]

    def disclosed(trial: list[Fact]) -> bool:
        b = _bounds(cells, trial + hidden_facts, cell)
        return b is not None and b[1] - b[0] < k

    chunk = max(1, len(keep) // 2)
    while True:
        i = 0
        while i < len(keep):
            trial = keep[:i] + keep[i + chunk :]
            if disclosed(trial):
                keep = trial
            else:
                i += chunk
        if chunk == 1:
            break
        chunk = max(1, chunk // 2)
    return tuple(sorted({f.id for f in keep}))
