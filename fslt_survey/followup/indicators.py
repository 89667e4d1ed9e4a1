"""Strategy indicators as data: definitions, loading and validation.

The indicators live in ``surveys/indicators.yml`` (format in the file's header). Each belongs to
one of the four goals (:data:`fslt_survey.config.GOALS`), is computed from named items of the
member survey or from the network data, and may carry a target. :func:`load_indicators`
validates the file against the instrument and lists every problem at once
(:class:`~fslt_survey.errors.ConfigError`: file, indicator id, what is wrong).

Holds the frozen dataclasses (:class:`Target`, :class:`Indicator`, :class:`IndicatorSet`), the
loader and validator (:func:`load_indicators`, :func:`parse_indicators`) and
:func:`describe_indicators`. :mod:`fslt_survey.followup` computes the indicators and re-exports
every public name here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fslt_survey import config
from fslt_survey._yaml import check_goal, open_entry, read_yaml, require_mapping
from fslt_survey.codebook import load_instrument
from fslt_survey.errors import ConfigError
from fslt_survey.store import instrument_path
from fslt_survey.tables import format_number

__all__ = [
    "DIRECTIONS",
    "INDICATOR_COLUMNS",
    "KINDS",
    "MEASURES",
    "MET",
    "NOT_MET",
    "PERIOD_COLUMNS",
    "POPULATIONS",
    "SOURCES",
    "UNKNOWN",
    "Indicator",
    "IndicatorSet",
    "Target",
    "config_unit",
    "indicators_file",
    "load_indicators",
    "parse_indicators",
]



def indicators_file() -> Path:
    """``surveys/indicators.yml`` of the current project."""
    return config.SURVEYS_DIR / "indicators.yml"


def __getattr__(name: str) -> Any:
    """``INDICATORS_FILE``: the path in the current project, resolved when used."""
    if name == "INDICATORS_FILE":
        return indicators_file()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
KINDS = ("share", "top2", "mean_index", "count", "network")
SOURCES = ("survey", "network")
DIRECTIONS = ("increase", "decrease", "at_least")
MEASURES = ("count", "distinct", "sum")
MET, NOT_MET, UNKNOWN = "yes", "no", "unknown"
POPULATIONS = {"all": "alle svarende foreninger", "paired": "foreninger, der svarede begge år"}
#: Columns tried, in order, for the year of a network row when ``period`` is not given.
PERIOD_COLUMNS = ("year", "aar", "år", "wave", "date", "dato", "meeting_date", "start")

INDICATOR_COLUMNS = [
    "indicator", "goal", "title", "kind", "unit", "population", "wave_from", "wave_to",
    "value_from", "n_from", "base_from", "ci_low_from", "ci_high_from",
    "value_to", "n_to", "base_to", "ci_low_to", "ci_high_to",
    "change", "change_ci_low", "change_ci_high", "test", "statistic", "p", "n_pairs",
    "alpha_from", "alpha_to", "target_value", "target_direction", "target_met",
    "small_base", "note",
]  # fmt: skip
_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_KEYS = {
    "id", "goal", "title", "description", "kind", "source", "items", "item", "battery",
    "labels", "min_options", "reverse", "min_share", "target", "unit", "table", "measure",
    "column", "where", "period", "periods",
}  # fmt: skip


# --------------------------------------------------------------------------- definitions


@dataclass(frozen=True)
class Target:
    """A target: reach ``value`` (or move the right way) in ``direction``."""

    direction: str
    value: float | None = None

    def describe(self, unit: str = "") -> str:
        """Danish wording, e.g. ``"stige til 60 %"``, ``"mindst 50 %"``, ``"stige"``."""
        if self.value is None:
            return {"increase": "stige", "decrease": "falde"}.get(self.direction, "")
        v = _num(self.value, 0 if float(self.value).is_integer() else 1)
        v = f"{v}{config_unit(unit)}"
        return {
            "increase": f"stige til {v}",
            "decrease": f"falde til {v}",
            "at_least": f"mindst {v}",
        }[self.direction]


def config_unit(unit: str) -> str:
    """Unit as written after a number: ``" %"`` (no-break space) or ``" grupper"``."""
    if not unit:
        return ""
    return "\u00a0%" if unit == "%" else f" {unit}"


@dataclass(frozen=True)
class Indicator:
    """One indicator of the follow-up (see the module docstring and ``indicators.yml``)."""

    id: str
    goal: int
    title: str
    kind: str
    source: str = "survey"
    description: str = ""
    items: tuple[str, ...] = ()
    labels: tuple[str, ...] | None = None  # None = all options ("any") / top two
    min_options: int = 1
    reverse: tuple[str, ...] = ()
    min_share: float = 0.5
    target: Target | None = None
    unit: str = ""
    table: str | None = None
    measure: str | None = None
    column: str | None = None
    where: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    period: str | None = None
    periods: tuple[int, int] | None = None


@dataclass(frozen=True)
class IndicatorSet:
    """The validated indicators of one survey, with its baseline and follow-up waves."""

    survey: str
    baseline: int
    followup: int
    indicators: tuple[Indicator, ...]
    instrument: Any  # fslt_survey.codebook.Instrument
    path: Path | None = None

    def __iter__(self) -> Iterator[Indicator]:
        return iter(self.indicators)

    def __len__(self) -> int:
        return len(self.indicators)

    def get(self, indicator_id: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise ConfigError(f"no indicator {indicator_id!r}", file=self.path)

    def select(
        self,
        *,
        goal: int | None = None,
        ids: Sequence[str] | None = None,
        source: str | None = None,
    ) -> IndicatorSet:
        """A subset (same waves and instrument), e.g. ``select(goal=2)``."""
        keep = tuple(
            i
            for i in self.indicators
            if (goal is None or i.goal == goal)
            and (ids is None or i.id in ids)
            and (source is None or i.source == source)
        )
        return IndicatorSet(
            self.survey, self.baseline, self.followup, keep, self.instrument, self.path
        )


# --------------------------------------------------------------------------- loading


def load_indicators(path: str | Path | None = None, instrument: Any = None) -> IndicatorSet:
    """Load and validate an indicator file against its survey's instrument.

    Raises
    ------
    ConfigError
        Listing every problem: file, indicator id and what is wrong.
    """
    path = Path(path) if path is not None else indicators_file()
    data = read_yaml(path, "indicator file")
    return parse_indicators(data, path=path, instrument=instrument)


def parse_indicators(
    data: Any, *, path: Path | None = None, instrument: Any = None
) -> IndicatorSet:
    """Validate an already parsed indicator mapping (see :func:`load_indicators`)."""

    problems: list[str] = []
    require_mapping(data, "an indicator file must be a YAML mapping", path)
    unknown = set(data) - {"survey", "baseline", "followup", "indicators"}
    if unknown:
        problems.append(f"unknown top-level key(s) {sorted(unknown)}")
    survey = data.get("survey")
    if instrument is None:
        if not isinstance(survey, str):
            raise ConfigError("missing 'survey' (the instrument id)", file=path)
        instrument = load_instrument(instrument_path(survey))
    elif survey is not None and survey != instrument.id:
        problems.append(f"survey {survey!r} does not match the instrument {instrument.id!r}")
    waves = {}
    for key in ("baseline", "followup"):
        w = data.get(key)
        if not isinstance(w, int) or isinstance(w, bool):
            problems.append(f"{key}: must be a year (whole number), found {w!r}")
        elif instrument.waves and w not in instrument.waves:
            problems.append(
                f"{key}: wave {w} is not one of the instrument's waves {list(instrument.waves)}"
            )
        waves[key] = w if isinstance(w, int) else 0
    if waves["baseline"] and waves["baseline"] >= waves["followup"]:
        problems.append("baseline must come before followup")
    raw = data.get("indicators")
    if not isinstance(raw, list) or not raw:
        problems.append("indicators: needs a non-empty list")
        raw = []
    out: list[Indicator] = []
    seen: set[str] = set()
    for n, spec in enumerate(raw, start=1):
        iid = str(spec.get("id")) if isinstance(spec, dict) else None
        if iid in seen:
            problems.append(f"indicator {iid}: duplicate id")
            continue
        if iid is not None:
            seen.add(iid)
        ind = _parse_one(spec, n, instrument, (waves["baseline"], waves["followup"]), problems)
        if ind is not None:
            out.append(ind)
    if problems:
        k = len(problems)
        raise ConfigError(
            f"invalid indicator file ({k} problem{'s' if k != 1 else ''})",
            file=path,
            problems=problems,
        )
    return IndicatorSet(
        instrument.id, waves["baseline"], waves["followup"], tuple(out), instrument, path
    )


def _parse_one(
    spec: Any, n: int, inst: Any, waves: tuple[int, int], problems: list[str]
) -> Indicator | None:
    opened = open_entry(spec, n, "indicator", _ID_RE, "a-z, 0-9, _", _KEYS, problems)
    if opened is None:
        return None
    iid, bad = opened
    start = len(problems)
    goal = spec.get("goal")
    check_goal(goal, bad)
    title = spec.get("title")
    if not isinstance(title, str) or not title.strip():
        bad("missing title")
    kind = spec.get("kind")
    if kind not in KINDS:
        bad(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
        return None
    source = spec.get("source", "network" if kind == "network" else "survey")
    if source not in SOURCES:
        bad(f"unknown source {source!r}; expected survey or network")
    elif (source == "network") != (kind == "network"):
        bad(f"kind {kind!r} needs source {'network' if kind == 'network' else 'survey'}")
    target = _parse_target(spec.get("target"), kind, bad)
    fields: dict[str, Any] = {}
    if kind == "network":
        fields = _parse_network(spec, bad)
    else:
        fields = _parse_survey(spec, kind, inst, waves, bad)
    unit = spec.get("unit")
    if unit is not None and not isinstance(unit, str):
        bad(f"unit must be text, found {unit!r}")
    if unit is None:
        unit = {"share": "%", "top2": "%", "mean_index": "point"}.get(kind, "")
        if kind == "count" and fields.get("items"):
            unit = inst.item(fields["items"][0]).unit or ""
    if len(problems) > start:
        return None
    return Indicator(
        id=iid,
        goal=int(goal),
        title=title.strip(),
        kind=kind,
        source=source,
        description=str(spec.get("description") or "").strip(),
        target=target,
        unit=unit,
        **fields,
    )


def _parse_target(raw: Any, kind: str, bad: Any) -> Target | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or set(raw) - {"value", "direction"}:
        bad("target must be {value: <number>, direction: increase|decrease|at_least}")
        return None
    direction, value = raw.get("direction"), raw.get("value")
    if direction not in DIRECTIONS:
        bad(f"target direction must be one of {', '.join(DIRECTIONS)}, found {direction!r}")
        return None
    if value is not None and (not isinstance(value, int | float) or isinstance(value, bool)):
        bad(f"target value must be a number, found {value!r}")
        return None
    if value is None and direction == "at_least":
        bad("target direction at_least needs a value")
        return None
    if value is not None:
        upper = 100 if kind in ("share", "top2", "mean_index") else math.inf
        if not 0 <= value <= upper:
            bad(f"target value {value} is outside 0-{upper:g}")
            return None
    return Target(direction, float(value) if value is not None else None)


def _parse_network(spec: dict[str, Any], bad: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ("items", "item", "battery", "labels", "min_options"):
        if key in spec:
            bad(f"{key} does not apply to network indicators")
    table, measure, column = spec.get("table"), spec.get("measure", "count"), spec.get("column")
    if not isinstance(table, str) or not table:
        bad("network indicators need table (e.g. meetings, attendance, groups)")
    if measure not in MEASURES:
        bad(f"measure must be one of {', '.join(MEASURES)}, found {measure!r}")
    if measure in ("distinct", "sum") and not isinstance(column, str):
        bad(f"measure {measure} needs column")
    where = spec.get("where") or {}
    if not isinstance(where, dict):
        bad("where must map column -> value or list of values")
        where = {}
    period = spec.get("period")
    if period is not None and not isinstance(period, str):
        bad("period must be a column name")
    periods = spec.get("periods")
    if periods is not None and not (
        isinstance(periods, list)
        and len(periods) == 2
        and all(isinstance(p, int) and not isinstance(p, bool) for p in periods)
    ):
        bad("periods must be [baseline year, follow-up year]")
        periods = None
    out.update(
        table=table,
        measure=measure,
        column=column,
        period=period,
        periods=tuple(periods) if periods else None,
        where={str(k): tuple(v if isinstance(v, list) else [v]) for k, v in where.items()},
    )
    return out


_ITEM_TYPES = {
    "share": ("single", "likert", "multi"),
    "top2": ("likert",),
    "mean_index": ("likert",),
    "count": ("numeric",),
}


def _parse_survey(
    spec: dict[str, Any], kind: str, inst: Any, waves: tuple[int, int], bad: Any
) -> dict[str, Any]:
    for key in ("table", "measure", "column", "where", "period", "periods"):
        if key in spec:
            bad(f"{key} only applies to network indicators")
    found = _survey_items(spec, kind, inst, waves, bad)
    if found is None:
        return {}
    items = [it.id for it in found]
    out: dict[str, Any] = {"items": tuple(items)}
    if kind == "mean_index":
        return out | _index_fields(spec, items, bad)
    if kind == "count":
        return out
    return out | _label_fields(spec, kind, found[0], bad)


def _survey_items(
    spec: dict[str, Any], kind: str, inst: Any, waves: tuple[int, int], bad: Any
) -> list[Any] | None:
    """The instrument's items an indicator counts (``items``/``item``, or a ``battery`` for a
    mean index), checked against the waves and the kind; ``None`` after a problem."""
    items = spec.get("items", spec.get("item"))
    if isinstance(items, str):
        items = [items]
    if kind == "mean_index" and items is None and spec.get("battery") is not None:
        items = [it.id for it in inst.items if it.battery == spec["battery"]]
        if not items:
            bad(f"battery {spec['battery']!r} is not in instrument {inst.id!r}")
            return None
    if not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items):
        bad("needs items (a list of item ids)" + (" or battery" if kind == "mean_index" else ""))
        return None
    missing = [iid for iid in items if iid not in inst]
    for iid in missing:
        bad(f"item {iid!r} is not in instrument {inst.id!r}")
    if missing:
        return None
    found = [inst.item(iid) for iid in items]
    for it in found:
        if it.waves and not any(w in it.waves for w in waves):
            bad(f"item {it.id!r} is asked in neither {waves[0]} nor {waves[1]}")
    allowed = _ITEM_TYPES[kind]
    for it in found:
        if it.type not in allowed:
            bad(f"item {it.id!r} has type {it.type!r}; kind {kind} needs {' or '.join(allowed)}")
            return None
    if kind in ("share", "top2", "count") and len(found) != 1:
        bad(f"kind {kind} takes exactly one item, found {len(found)}")
        return None
    return found


def _index_fields(spec: dict[str, Any], items: list[str], bad: Any) -> dict[str, Any]:
    """A mean index's ``reverse`` items and ``min_share`` of answered items."""
    if len(items) < 2:
        bad("mean_index needs at least two items")
    rev = spec.get("reverse") or []
    if not isinstance(rev, list) or any(r not in items for r in rev):
        bad(f"reverse must list some of the index's items {items}")
        rev = []
    share = spec.get("min_share", 0.5)
    if not isinstance(share, int | float) or not 0 < share <= 1:
        bad(f"min_share must be in (0, 1], found {share!r}")
        share = 0.5
    return {"reverse": tuple(rev), "min_share": float(share)}


def _labels(raw: Any, kind: str, item: Any, bad: Any) -> tuple[str, ...] | None:
    """The answer labels a share counts, as the scale spells them (``None``: any option of a
    multi-select; ``()`` after a problem)."""
    scale = item.scale
    if raw in (None, "any"):
        if kind == "share" and item.type != "multi":
            bad(f"share of {item.type} item {item.id!r} needs labels (e.g. [Ja])")
        if raw == "any" and item.type != "multi":
            bad("labels: any only applies to multi-select items")
        return None
    if not isinstance(raw, list) or not raw:
        bad("labels must be a non-empty list of answer labels"
            + (" or any" if item.type == "multi" else ""))
        return ()
    canon = []
    for lab in raw:
        match = scale.match(lab) if scale is not None else None
        if match is None:
            bad(f"label {lab!r} is not a label of item {item.id!r} (scale {scale.id!r}: "
                f"{', '.join(scale.categories)})")
        elif match.missing:
            bad(f"label {lab!r} of item {item.id!r} is a typed missing answer, not a "
                "substantive one")
        else:
            canon.append(match.label)
    return tuple(canon)


def _label_fields(spec: dict[str, Any], kind: str, item: Any, bad: Any) -> dict[str, Any]:
    """A share's or top-2's ``labels`` and ``min_options``."""
    scale = item.scale
    labels = _labels(spec.get("labels"), kind, item, bad)
    if kind == "top2" and (not scale.ordered or len(scale.categories) < 3):
        bad(f"top2 needs an ordered scale with 3+ labels; item {item.id!r} has "
            f"{len(scale.categories)}")
    n_opts = spec.get("min_options", 1)
    if n_opts != 1 and item.type != "multi":
        bad("min_options only applies to multi-select items")
    elif not isinstance(n_opts, int) or isinstance(n_opts, bool) or n_opts < 1:
        bad(f"min_options must be a whole number >= 1, found {n_opts!r}")
    elif labels != ():  # () = the labels were refused above
        pool = len(labels) if labels is not None else len(scale.categories)
        if n_opts > pool:
            bad(f"min_options {n_opts} is more than the {pool} options counted")
    return {"labels": labels, "min_options": n_opts if isinstance(n_opts, int) else 1}


# --------------------------------------------------------------------------- formatting


def _num(x: Any, decimals: int = 0) -> str:
    return str(format_number(x, decimals))
