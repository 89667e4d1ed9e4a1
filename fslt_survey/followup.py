"""Follow-up on the strategy 2025-2027: indicators as data, baseline against follow-up, targets.

The indicators live in ``surveys/indicators.yml`` (format in the file's header). Each belongs to
one of the four goals (:data:`fslt_survey.config.GOALS`), is computed from named items of the
member survey or from the network data, and may carry a target. :func:`load_indicators`
validates the file against the instrument and lists every problem at once
(:class:`~fslt_survey.errors.ConfigError`: file, indicator id, what is wrong).

Kinds and methods (the statistics are those of :mod:`fslt_survey.stats`, reused, not copied)
-----------------------------------------------------------------------------------------
* ``share`` / ``top2``: a per-association yes/no (chose one of ``labels``; multi-select: ticked
  at least ``min_options`` of them; top2: the first two labels of an ordered scale) compared
  with :func:`~fslt_survey.waves.compare_waves`: Wilson intervals per wave, Newcombe's interval
  of the change in percentage points, z-test or Fisher; paired: Newcombe's paired interval and
  McNemar. Typed missing ("Ved ikke") is outside the base.
* ``mean_index``: :func:`~fslt_survey.indices.scale_index` (0-100) with
  :func:`~fslt_survey.indices.cronbach_alpha` per wave; t intervals, Welch's t-test of the
  change (paired: the paired t-test).
* ``count``: the sum of a numeric item; associations routed past it by skip logic count as 0.
  A total, not an estimate: no interval; paired: Wilcoxon's signed-rank test of the change per
  association.
* ``network``: rows, distinct values or a sum in a table of the network data, per calendar
  year. Registrations, not a sample: no interval and no test.

Targets: ``increase`` and ``at_least`` are met when the follow-up value reaches ``value``,
``decrease`` when it is at most ``value``. ``increase``/``decrease`` without a value are met when
the change goes the right way and its interval excludes 0 (counts and network: any change the
right way). ``target_met`` is ``"yes"``, ``"no"``, ``"unknown"`` (no follow-up value, or a base
below k) or NA (no target).

Small bases: a base below ``k`` (:data:`~fslt_survey.config.SUPPRESSION_K`) sets ``small_base``
and a Danish note; the values are still computed, :func:`publish_indicators` hides them.

Examples
--------
>>> iset = load_indicators()                                    # doctest: +SKIP
>>> table = compute_followup(load_clean("medlemsundersoegelse"), iset)  # doctest: +SKIP
>>> present_indicators(publish_indicators(table), goal=2)       # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import importlib
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import yaml

from fslt_survey import config
from fslt_survey.errors import ConfigError, SurveyDataError

__all__ = [
    "DIRECTIONS",
    "INDICATORS_FILE",
    "INDICATOR_COLUMNS",
    "KINDS",
    "Indicator",
    "IndicatorSet",
    "Target",
    "compute_followup",
    "compute_indicators",
    "describe_indicators",
    "goal_markdown",
    "indicator_hits",
    "load_indicators",
    "load_network_data",
    "overview_markdown",
    "parse_indicators",
    "plot_goal_change",
    "present_indicators",
    "publish_indicators",
    "register_cli",
    "set_column_widths",
    "target_status",
]

INDICATORS_FILE = config.SURVEYS_DIR / "indicators.yml"
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


def load_indicators(path: str | Path = INDICATORS_FILE, instrument: Any = None) -> IndicatorSet:
    """Load and validate an indicator file against its survey's instrument.

    Raises
    ------
    ConfigError
        Listing every problem: file, indicator id and what is wrong.
    """
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("indicator file not found", file=path) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError(
            f"not valid YAML: {getattr(exc, 'problem', exc)}",
            file=path,
            row=mark.line + 1 if mark else None,
        ) from None
    return parse_indicators(data, path=path, instrument=instrument)


def parse_indicators(
    data: Any, *, path: Path | None = None, instrument: Any = None
) -> IndicatorSet:
    """Validate an already parsed indicator mapping (see :func:`load_indicators`)."""
    from fslt_survey.codebook import load_instrument
    from fslt_survey.pipeline import instrument_path

    problems: list[str] = []
    if not isinstance(data, dict):
        raise ConfigError(
            "an indicator file must be a YAML mapping",
            file=path,
            expected="mapping",
            found=type(data).__name__,
        )
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
    if not isinstance(spec, dict):
        problems.append(f"indicator {n}: must be a mapping")
        return None
    iid = spec.get("id")
    if not isinstance(iid, str) or not _ID_RE.match(iid):
        problems.append(f"indicator {n}: missing or invalid id {iid!r} (a-z, 0-9, _)")
        return None
    start = len(problems)

    def bad(what: str) -> None:
        problems.append(f"indicator {iid}: {what}")

    for key in sorted(set(spec) - _KEYS):
        bad(f"unknown key {key!r}")
    goal = spec.get("goal")
    if goal not in config.GOALS or isinstance(goal, bool):
        bad(f"goal must be one of {sorted(config.GOALS)}, found {goal!r}")
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


def _parse_survey(
    spec: dict[str, Any], kind: str, inst: Any, waves: tuple[int, int], bad: Any
) -> dict[str, Any]:
    for key in ("table", "measure", "column", "where", "period", "periods"):
        if key in spec:
            bad(f"{key} only applies to network indicators")
    items = spec.get("items", spec.get("item"))
    if isinstance(items, str):
        items = [items]
    if kind == "mean_index" and items is None and spec.get("battery") is not None:
        members = [it.id for it in inst.items if it.battery == spec["battery"]]
        if not members:
            bad(f"battery {spec['battery']!r} is not in instrument {inst.id!r}")
            return {}
        items = members
    if not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items):
        bad("needs items (a list of item ids)" + (" or battery" if kind == "mean_index" else ""))
        return {}
    found = []
    for iid in items:
        if iid not in inst:
            bad(f"item {iid!r} is not in instrument {inst.id!r}")
        else:
            found.append(inst.item(iid))
    if len(found) < len(items):
        return {}
    for it in found:
        if it.waves and not any(w in it.waves for w in waves):
            bad(f"item {it.id!r} is asked in neither {waves[0]} nor {waves[1]}")
    allowed = {
        "share": ("single", "likert", "multi"),
        "top2": ("likert",),
        "mean_index": ("likert",),
        "count": ("numeric",),
    }[kind]
    for it in found:
        if it.type not in allowed:
            bad(f"item {it.id!r} has type {it.type!r}; kind {kind} needs {' or '.join(allowed)}")
            return {}
    if kind in ("share", "top2", "count") and len(found) != 1:
        bad(f"kind {kind} takes exactly one item, found {len(found)}")
        return {}
    out: dict[str, Any] = {"items": tuple(items)}
    if kind == "mean_index":
        if len(found) < 2:
            bad("mean_index needs at least two items")
        rev = spec.get("reverse") or []
        if not isinstance(rev, list) or any(r not in items for r in rev):
            bad(f"reverse must list some of the index's items {items}")
            rev = []
        share = spec.get("min_share", 0.5)
        if not isinstance(share, int | float) or not 0 < share <= 1:
            bad(f"min_share must be in (0, 1], found {share!r}")
            share = 0.5
        out.update(reverse=tuple(rev), min_share=float(share))
        return out
    if kind == "count":
        return out
    item = found[0]
    scale = item.scale
    raw_labels = spec.get("labels")
    labels: tuple[str, ...] | None = None
    if raw_labels in (None, "any"):
        if kind == "share" and item.type != "multi":
            bad(f"share of {item.type} item {item.id!r} needs labels (e.g. [Ja])")
        if raw_labels == "any" and item.type != "multi":
            bad("labels: any only applies to multi-select items")
    elif isinstance(raw_labels, list) and raw_labels:
        canon = []
        for lab in raw_labels:
            match = scale.match(lab) if scale is not None else None
            if match is None:
                bad(
                    f"label {lab!r} is not a label of item {item.id!r} (scale {scale.id!r}: "
                    f"{', '.join(scale.categories)})"
                )
            elif match.missing:
                bad(
                    f"label {lab!r} of item {item.id!r} is a typed missing answer, not a "
                    "substantive one"
                )
            else:
                canon.append(match.label)
        labels = tuple(canon)
    else:
        bad(
            "labels must be a non-empty list of answer labels"
            + (" or any" if item.type == "multi" else "")
        )
    if kind == "top2" and (not scale.ordered or len(scale.categories) < 3):
        bad(
            f"top2 needs an ordered scale with 3+ labels; item {item.id!r} has "
            f"{len(scale.categories)}"
        )
    n_opts = spec.get("min_options", 1)
    if n_opts != 1 and item.type != "multi":
        bad("min_options only applies to multi-select items")
    elif not isinstance(n_opts, int) or isinstance(n_opts, bool) or n_opts < 1:
        bad(f"min_options must be a whole number >= 1, found {n_opts!r}")
    elif labels != ():  # () = the labels were refused above
        pool = len(labels) if labels is not None else len(scale.categories)
        if n_opts > pool:
            bad(f"min_options {n_opts} is more than the {pool} options counted")
    out.update(labels=labels, min_options=n_opts if isinstance(n_opts, int) else 1)
    return out


def describe_indicators(indicators: IndicatorSet) -> pd.DataFrame:
    """One row per indicator: id, goal, title, kind, source items or table, target (Danish)."""
    return pd.DataFrame(
        [
            {
                "indicator": i.id,
                "goal": i.goal,
                "title": i.title,
                "kind": i.kind,
                "source": ", ".join(i.items) if i.items else f"{i.table} ({i.measure})",
                "labels": ("; ".join(i.labels) if i.labels else "alle" if i.kind == "share" else "")
                + (f" (mindst {i.min_options})" if i.min_options > 1 else ""),
                "target": i.target.describe(i.unit) if i.target else "",
            }
            for i in indicators
        ]
    )


# --------------------------------------------------------------------------- network data


def load_network_data() -> dict[str, pd.DataFrame] | None:
    """The network data as tables by name, from :mod:`fslt_survey.network`; None if absent.

    Tables: ``meetings`` (one row per meeting: ``meeting_id, date, year, forum_id, kind,
    theme``), ``attendance`` (one row per association and meeting: ``meeting_id,
    association_id, participants, year``) and ``groups`` (one row per forum and year with a
    meeting: ``forum_id, forum, kind, theme, year``), as returned by the module's
    ``load_network_data`` (or built here from ``load_network``/``load_attendance``). A missing
    module or ``surveys/netvaerk/netvaerk.yml`` gives None (the indicators then say "ingen
    data"); invalid files raise their ConfigError.
    """
    try:
        mod = importlib.import_module("fslt_survey.network")
    except ModuleNotFoundError as exc:
        if exc.name == "fslt_survey.network":
            return None
        raise
    folder = mod.network_dir() if hasattr(mod, "network_dir") else config.SURVEYS_DIR / "netvaerk"
    if not (Path(folder) / "netvaerk.yml").is_file():
        return None  # no network data in this project (yet)
    custom = getattr(mod, "load_network_data", None)
    if callable(custom):
        return _network_tables(custom())
    if not callable(getattr(mod, "load_network", None)):
        return None
    from fslt_survey.registry import load_registry

    net = mod.load_network()
    meetings = net.meetings_frame()
    tables = {"meetings": meetings}
    if (Path(folder) / "fremmoede.csv").is_file() and hasattr(mod, "load_attendance"):
        tables["attendance"] = mod.load_attendance(network=net, registry=load_registry())
    group_cols = [c for c in ("forum_id", "forum", "kind", "theme", "year") if c in meetings]
    tables["groups"] = meetings.drop_duplicates(["forum_id", "year"])[group_cols].reset_index(
        drop=True
    )
    return tables


def _network_tables(result: Any) -> dict[str, pd.DataFrame] | None:
    if result is None:
        return None
    if isinstance(result, Mapping):
        items = result.items()
    else:
        items = ((k, getattr(result, k)) for k in dir(result) if not k.startswith("_"))
    return {str(k): v for k, v in items if isinstance(v, pd.DataFrame)}


# --------------------------------------------------------------------------- computation


def _num(x: Any, decimals: int = 0) -> str:
    from fslt_survey.tables import format_number

    return str(format_number(x, decimals))


def indicator_hits(
    data: pd.DataFrame, indicator: Indicator, instrument: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Per row of ``data``: (value, answered) of a share/top2/count/mean_index indicator.

    share/top2: value 1.0 (yes) or 0.0; mean_index: the 0-100 index; count: the number (0 when
    routed past). ``answered`` is False where the row is not in the base (value NaN).
    """
    from fslt_survey.answers import indicators as answer_matrix
    from fslt_survey.answers import resolve_item
    from fslt_survey.indices import scale_index

    items = [instrument.item(i) for i in indicator.items]
    if indicator.kind == "mean_index":
        idx = scale_index(
            data, items, name="_index", reverse=indicator.reverse, min_share=indicator.min_share
        )["_index"]
        x = idx.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        return x, ~np.isnan(x)
    item = items[0]
    if indicator.kind == "count":
        if item.id not in data.columns:
            raise SurveyDataError(
                f"indicator {indicator.id}: column {item.id!r} is not in the data", column=item.id
            )
        x = pd.to_numeric(data[item.id], errors="coerce").astype(float).to_numpy(na_value=np.nan)
        cond = item.relevant
        if cond is not None and cond.item in data.columns:
            scale = instrument.item(cond.item).scale
            ok = {scale.match(v).label for v in cond.values if scale.match(v) is not None}
            gate = data[cond.item].astype(object)
            routed = (gate.notna() & ~gate.isin(ok)).to_numpy() & np.isnan(x)
            x = np.where(routed, 0.0, x)
        return x, ~np.isnan(x)
    spec = resolve_item(data, item, ("single", "likert", "multi"), "compute_indicators")
    matrix, answered = answer_matrix(data, spec)
    labels = indicator.labels
    if labels is None:
        labels = spec.categories if item.type == "multi" else spec.categories[:2]
    mask = np.array([c in labels for c in spec.categories])
    if item.type == "multi":
        hit = matrix[:, mask].sum(axis=1) >= indicator.min_options
    else:
        hit = matrix[:, mask].any(axis=1)
    return np.where(answered, hit.astype(float), np.nan), answered


def _mean_ci(x: np.ndarray, conf: float) -> tuple[float, float, float]:
    from scipy import stats as sps

    n = len(x)
    if n == 0:
        return math.nan, math.nan, math.nan
    m = float(np.mean(x))
    if n < 2:
        return m, math.nan, math.nan
    half = float(sps.t.ppf(0.5 + conf / 2, n - 1) * np.std(x, ddof=1) / math.sqrt(n))
    return m, m - half, m + half


def _pairs(
    data: pd.DataFrame, ok: np.ndarray, w_from: int, w_to: int
) -> tuple[np.ndarray, np.ndarray]:
    """Row positions (from, to) of associations with ``ok`` rows in both waves."""
    if "association_id" not in data.columns:
        raise SurveyDataError("paired comparison needs 'association_id'", column="association_id")
    ids = data["association_id"].astype(object).to_numpy()
    wave = data["wave"].to_numpy()
    pos = {}
    for w in (w_from, w_to):
        sel = np.flatnonzero((wave == w) & ok & pd.notna(ids))
        pos[w] = dict(zip(ids[sel], sel, strict=True))
    common = [a for a in pos[w_from] if a in pos[w_to]]
    return (
        np.array([pos[w_from][a] for a in common], dtype=np.int64),
        np.array([pos[w_to][a] for a in common], dtype=np.int64),
    )


def _row(ind: Indicator, iset: IndicatorSet, population: str) -> dict[str, Any]:
    t = ind.target
    return {
        "indicator": ind.id,
        "goal": ind.goal,
        "title": ind.title,
        "kind": ind.kind,
        "unit": ind.unit,
        "population": population,
        "wave_from": iset.baseline,
        "wave_to": iset.followup,
        "test": "none",
        "target_value": t.value if t and t.value is not None else np.nan,
        "target_direction": t.direction if t else None,
        "notes": [],
    }


def _share(
    data: pd.DataFrame,
    ind: Indicator,
    iset: IndicatorSet,
    row: dict[str, Any],
    paired: bool,
    conf: float,
) -> None:
    from fslt_survey.intervals import wilson_ci
    from fslt_survey.waves import compare_waves

    hit, answered = indicator_hits(data, ind, iset.instrument)
    present = set(pd.unique(data["wave"]))
    waves = (iset.baseline, iset.followup)
    if all(w in present for w in waves):
        frame = pd.DataFrame(
            {
                "wave": data["wave"].to_numpy(),
                "_hit": pd.Categorical(
                    np.where(answered, np.where(hit == 1, "Ja", "Nej"), None),
                    categories=["Ja", "Nej"],
                ),
            }
        )
        if "association_id" in data.columns:
            frame["association_id"] = data["association_id"].to_numpy()
        cmp = compare_waves(frame, "_hit", paired=paired, waves=waves, conf=conf)
        r = cmp[(cmp["measure"] == "category") & (cmp["category"] == "Ja")].iloc[0]
        counts = [(int(r["n_from"]), int(r["base_from"])), (int(r["n_to"]), int(r["base_to"]))]
        row.update(
            change=r["diff"],
            change_ci_low=r["diff_ci_low"],
            change_ci_high=r["diff_ci_high"],
            test=r["test"],
            statistic=r["statistic"],
            p=r["p"],
            n_pairs=r["n_pairs"],
        )
    else:  # one wave not in the data (yet): levels only
        wave = data["wave"].to_numpy()
        counts = [
            (int(np.nansum(hit[(wave == w) & answered])), int((answered & (wave == w)).sum()))
            if not paired
            else (0, 0)
            for w in waves
        ]
    for sfx, (n, base) in zip(("from", "to"), counts, strict=True):
        low, high = wilson_ci(n, base, conf) if base else (math.nan, math.nan)
        row.update(
            {
                f"n_{sfx}": n,
                f"base_{sfx}": base,
                f"value_{sfx}": 100 * n / base if base else math.nan,
                f"ci_low_{sfx}": 100 * low,
                f"ci_high_{sfx}": 100 * high,
            }
        )


def _mean_index(
    data: pd.DataFrame,
    ind: Indicator,
    iset: IndicatorSet,
    row: dict[str, Any],
    paired: bool,
    conf: float,
) -> None:
    from scipy import stats as sps

    from fslt_survey.indices import cronbach_alpha

    x, ok = indicator_hits(data, ind, iset.instrument)
    wave = data["wave"].to_numpy()
    items = [iset.instrument.item(i) for i in ind.items]
    if paired:
        a, b = _pairs(data, ok, iset.baseline, iset.followup)
        sel = {iset.baseline: a, iset.followup: b}
        row["n_pairs"] = len(a)
    else:
        sel = {w: np.flatnonzero((wave == w) & ok) for w in (iset.baseline, iset.followup)}
    vals = {}
    for sfx, w in (("from", iset.baseline), ("to", iset.followup)):
        v = x[sel[w]]
        vals[sfx] = v
        m, lo, hi = _mean_ci(v, conf)
        rows = data.iloc[sel[w]] if paired else data[wave == w]
        alpha = (
            cronbach_alpha(rows, items, reverse=ind.reverse)["alpha"].iloc[0]
            if len(rows)
            else math.nan
        )
        row.update(
            {
                f"value_{sfx}": m,
                f"n_{sfx}": len(v),
                f"base_{sfx}": len(v),
                f"ci_low_{sfx}": lo,
                f"ci_high_{sfx}": hi,
                f"alpha_{sfx}": alpha,
            }
        )
    v1, v2 = vals["from"], vals["to"]
    if len(v1) >= 2 and len(v2) >= 2:
        if paired:
            res = sps.ttest_rel(v2, v1)
            test = "paired_t"
        else:
            res = sps.ttest_ind(v2, v1, equal_var=False)
            test = "welch_t"
        ci = res.confidence_interval(conf)
        row.update(
            change=float(np.mean(v2) - np.mean(v1)),
            change_ci_low=float(ci.low),
            change_ci_high=float(ci.high),
            test=test,
            statistic=float(res.statistic),
            p=float(res.pvalue),
        )
    elif len(v1) and len(v2):
        row["change"] = float(np.mean(v2) - np.mean(v1))
    a_from, a_to = (_num(row.get(f"alpha_{s}"), 2) for s in ("from", "to"))
    row["notes"].append(
        f"Indeks 0–100 af {len(items)} udsagn; Cronbachs alfa {a_from} "
        f"({iset.baseline}) og {a_to} ({iset.followup})."
    )


def _count(
    data: pd.DataFrame, ind: Indicator, iset: IndicatorSet, row: dict[str, Any], paired: bool
) -> None:
    from scipy import stats as sps

    x, ok = indicator_hits(data, ind, iset.instrument)
    wave = data["wave"].to_numpy()
    if paired:
        a, b = _pairs(data, ok, iset.baseline, iset.followup)
        sel = {iset.baseline: a, iset.followup: b}
        row["n_pairs"] = len(a)
        d = x[b] - x[a]
        if len(d) and np.any(d != 0):
            res = sps.wilcoxon(d)
            row.update(test="wilcoxon", statistic=float(res.statistic), p=float(res.pvalue))
    else:
        sel = {w: np.flatnonzero((wave == w) & ok) for w in (iset.baseline, iset.followup)}
    for sfx, w in (("from", iset.baseline), ("to", iset.followup)):
        v = x[sel[w]]
        row.update(
            {
                f"value_{sfx}": float(v.sum()) if len(v) else math.nan,
                f"base_{sfx}": len(v),
                f"n_{sfx}": int((v > 0).sum()),
            }
        )
    row["change"] = row["value_to"] - row["value_from"]
    row["notes"].append(
        "Et antal i alt blandt de svarende foreninger (ikke et stikprøveskøn), "
        "derfor intet konfidensinterval."
    )


def _network(
    ind: Indicator,
    iset: IndicatorSet,
    row: dict[str, Any],
    tables: Mapping[str, pd.DataFrame] | None,
) -> None:
    years = ind.periods or (iset.baseline, iset.followup)
    row.update(wave_from=years[0], wave_to=years[1])
    if tables is None:
        row["notes"].append(
            "Ingen data: netværksdata (fslt_survey.network) er ikke tilgængelige endnu."
        )
        return
    t = tables.get(ind.table or "")
    if t is None:
        row["notes"].append(f"Ingen data: netværksdata har ingen tabel {ind.table!r}.")
        return
    col = ind.period or next((c for c in PERIOD_COLUMNS if c in t.columns), None)
    needed = [c for c in (col, ind.column, *ind.where) if c is not None]
    missing = [c for c in needed if c not in t.columns] + ([] if col else ["<year or date>"])
    if missing:
        raise ConfigError(
            f"indicator {ind.id}: network table {ind.table!r} lacks column(s) {', '.join(missing)}",
            expected=", ".join(map(str, t.columns)),
        )
    s = t[col]
    if pd.api.types.is_datetime64_any_dtype(s) or (
        s.dtype == object and not s.map(lambda v: isinstance(v, int | np.integer)).all()
    ):
        year = pd.to_datetime(s, errors="coerce", dayfirst=True).dt.year
    else:
        year = pd.to_numeric(s, errors="coerce")
    keep = pd.Series(True, index=t.index)
    for c, values in ind.where.items():
        keep &= t[c].isin(values)
    last = year.max()
    for sfx, y in (("from", years[0]), ("to", years[1])):
        rows = t[keep & (year == y)]
        if rows.empty and (pd.isna(last) or y > last):
            row["notes"].append(f"Ingen netværksdata for {y} endnu.")
            continue
        if ind.measure == "count":
            v = float(len(rows))
        elif ind.measure == "distinct":
            v = float(rows[ind.column].nunique(dropna=True))
        else:
            v = float(pd.to_numeric(rows[ind.column], errors="coerce").sum())
        row.update({f"value_{sfx}": v, f"n_{sfx}": int(v), f"base_{sfx}": len(rows)})
    if pd.notna(row.get("value_from")) and pd.notna(row.get("value_to")):
        row["change"] = row["value_to"] - row["value_from"]
    row["notes"].append(
        "Fra centrets registreringer (ikke en stikprøve): intet konfidensinterval og ingen test."
    )


def target_status(
    ind: Indicator | Target | None,
    value_from: float,
    value_to: float,
    change: float = math.nan,
    change_ci_low: float = math.nan,
    change_ci_high: float = math.nan,
) -> Any:
    """``"yes"``, ``"no"``, ``"unknown"``, or NA without a target (rules: module docstring)."""
    t = ind.target if isinstance(ind, Indicator) else ind
    if t is None:
        return pd.NA
    if pd.isna(value_to):
        return UNKNOWN
    if t.value is not None:
        ok = value_to <= t.value if t.direction == "decrease" else value_to >= t.value
        return MET if ok else NOT_MET
    if pd.isna(value_from) or pd.isna(change):
        return UNKNOWN
    sign = 1 if t.direction == "increase" else -1
    if sign * change <= 0:
        return NOT_MET
    bound = change_ci_low if sign > 0 else change_ci_high
    if pd.isna(change_ci_low) and pd.isna(change_ci_high):
        return MET  # a total or a registration: any change the right way
    return MET if sign * bound > 0 else NOT_MET


def compute_indicators(
    data: pd.DataFrame,
    indicators: IndicatorSet,
    *,
    paired: bool = False,
    network: Mapping[str, pd.DataFrame] | str | None = "auto",
    k: int | None = None,
    conf: float = config.CONFIDENCE,
) -> pd.DataFrame:
    """Baseline, follow-up, change and target status of every indicator.

    Parameters
    ----------
    data
        Clean member-survey data (both waves; see ``clean.py``). Not modified.
    indicators
        From :func:`load_indicators` (``.select(goal=2)`` for a subset).
    paired
        Only associations that answered (the indicator's items) in both waves.
    network
        Tables of the network data by name; ``"auto"`` loads them with
        :func:`load_network_data` when a network indicator needs them; None: no network data.
    k
        Small-base threshold (default :data:`~fslt_survey.config.SUPPRESSION_K`).

    Returns
    -------
    DataFrame
        :data:`INDICATOR_COLUMNS`, one row per indicator in file order. Values of shares are
        percentages (0-100) and changes percentage points; ``population`` is ``"all"`` or
        ``"paired"``; ``note`` holds Danish notes (small base, not measured, method).
    """
    if not isinstance(data, pd.DataFrame) or "wave" not in data.columns:
        raise SurveyDataError(
            "compute_indicators needs the clean data with a 'wave' column", column="wave"
        )
    k = config.SUPPRESSION_K if k is None else int(k)
    if isinstance(network, str):
        network = load_network_data() if any(i.kind == "network" for i in indicators) else None
    population = "paired" if paired else "all"
    rows = []
    for ind in indicators:
        row = _row(ind, indicators, population)
        if ind.kind in ("share", "top2"):
            _share(data, ind, indicators, row, paired, conf)
        elif ind.kind == "mean_index":
            _mean_index(data, ind, indicators, row, paired, conf)
        elif ind.kind == "count":
            _count(data, ind, indicators, row, paired)
        else:
            _network(ind, indicators, row, network)
        _finish(row, ind, indicators, k)
        rows.append(row)
    out = pd.DataFrame(rows).reindex(columns=INDICATOR_COLUMNS)
    for col in ("n_from", "base_from", "n_to", "base_to", "n_pairs"):
        out[col] = pd.array(out[col], dtype="Int64")
    floats = [c for c in INDICATOR_COLUMNS if c.startswith(("value", "ci", "change", "alpha"))]
    for col in [*floats, "statistic", "p", "target_value"]:
        out[col] = out[col].astype(float)
    out["small_base"] = out["small_base"].astype(bool)
    out["target_met"] = out["target_met"].astype("string")
    return out


def _finish(row: dict[str, Any], ind: Indicator, iset: IndicatorSet, k: int) -> None:
    notes = row.pop("notes")
    items = [iset.instrument.item(i) for i in ind.items]
    if ind.kind != "network":
        for w in (iset.baseline, iset.followup):
            if items and all(it.waves and w not in it.waves for it in items):
                notes.insert(0, f"Spørgsmålet blev ikke stillet i {w}.")
    small = []
    if ind.kind != "network":
        for sfx, w in (("from", row["wave_from"]), ("to", row["wave_to"])):
            base = row.get(f"base_{sfx}")
            if base is not None and 0 < base < k:
                small.append(str(w))
    row["small_base"] = bool(small)
    if small:
        notes.insert(
            0,
            f"Få svar: under {k} foreninger i {' og '.join(small)}; tallene "
            "offentliggøres ikke og bør ikke tolkes.",
        )
    if row["population"] == "paired" and ind.kind != "network":
        notes.append(
            f"Kun foreninger, der svarede både i {iset.baseline} og {iset.followup} "
            f"({row.get('n_pairs') or 0})."
        )
    status = target_status(
        ind,
        row.get("value_from", math.nan),
        row.get("value_to", math.nan),
        row.get("change", math.nan),
        row.get("change_ci_low", math.nan),
        row.get("change_ci_high", math.nan),
    )
    if row["small_base"] and status is not pd.NA:
        status = UNKNOWN
    row["target_met"] = status
    row["note"] = " ".join(notes)


def compute_followup(data: pd.DataFrame, indicators: IndicatorSet, **kwargs: Any) -> pd.DataFrame:
    """:func:`compute_indicators` for all respondents and for the paired associations, stacked
    (``population`` "all", then "paired"); the network data are loaded once."""
    network = kwargs.pop("network", "auto")
    if isinstance(network, str):
        network = load_network_data() if any(i.kind == "network" for i in indicators) else None
    parts = [
        compute_indicators(data, indicators, paired=p, network=network, **kwargs)
        for p in (False, True)
    ]
    return pd.concat(parts, ignore_index=True)


# --------------------------------------------------------------------------- publishing


def publish_indicators(table: pd.DataFrame, *, k: int | None = None) -> pd.DataFrame:
    """Hide what must not be published: values from a base below ``k`` and small cells.

    Shares: the yes/no counts of each wave go through
    :func:`~fslt_survey.privacy.suppress_counts` (a share from fewer than k yes or no answers is
    hidden). Counts: hidden when fewer than k associations contribute. Means: base below k.
    A hidden wave hides the change and makes the target status unknown. Adds the bool columns
    ``suppressed_from`` and ``suppressed_to``. Network registrations are never hidden.
    """
    from fslt_survey.privacy import suppress_counts

    k = config.SUPPRESSION_K if k is None else int(k)
    out = table.copy()
    hidden = {"from": np.zeros(len(out), bool), "to": np.zeros(len(out), bool)}
    for i, r in enumerate(out.itertuples(index=False)):
        for sfx in ("from", "to"):
            n, base = getattr(r, f"n_{sfx}"), getattr(r, f"base_{sfx}")
            if pd.isna(base) or r.kind == "network":
                continue
            n, base = int(n) if pd.notna(n) else 0, int(base)
            if r.kind in ("share", "top2"):
                cells = pd.DataFrame(
                    {"category": ["ja", "nej"], "n": [n, base - n], "base": [base, base]}
                )
                hide = bool(suppress_counts(cells, k=k)["suppressed"].any())
            elif r.kind == "count":
                hide = 0 < n < k or 0 < base < k
            else:
                hide = 0 < base < k
            hidden[sfx][i] = hide
    for sfx in ("from", "to"):
        cols = [f"value_{sfx}", f"n_{sfx}", f"ci_low_{sfx}", f"ci_high_{sfx}", f"alpha_{sfx}"]
        for c in cols:
            out[c] = out[c].mask(hidden[sfx])
        out[f"suppressed_{sfx}"] = hidden[sfx]
    either = hidden["from"] | hidden["to"]
    for c in ("change", "change_ci_low", "change_ci_high", "statistic", "p"):
        out[c] = out[c].mask(either)
    out["target_met"] = out["target_met"].mask(hidden["to"] & out["target_met"].notna(), UNKNOWN)
    return out


def _value_text(value: Any, kind: str, unit: str) -> str:
    if pd.isna(value):
        return "–"
    if kind in ("share", "top2"):
        return f"{_num(value)}\u00a0%"
    return _num(value, 1 if kind == "mean_index" else 0)


def _change_text(r: Any) -> str:
    if pd.isna(r.change):
        return "–"
    dec = 1 if r.kind == "mean_index" else 0
    sign = "+" if round(r.change, dec) > 0 else ""
    unit = {"share": "", "top2": "", "mean_index": " point"}.get(r.kind, config_unit(r.unit))
    text = f"{sign}{_num(r.change, dec)}{unit}"
    if pd.notna(r.change_ci_low) and pd.notna(r.change_ci_high):
        lo, hi = _num(r.change_ci_low, dec), _num(r.change_ci_high, dec)
        sep = " til " if lo.startswith("-") or hi.startswith("-") else "–"
        text += f" ({lo}{sep}{hi})"
    return text


STATUS_TEXT = {MET: "Nået", NOT_MET: "Ikke nået", UNKNOWN: "Ukendt"}


def present_indicators(
    published: pd.DataFrame, *, goal: int | None = None, indicators: IndicatorSet | None = None
) -> pd.DataFrame:
    """Danish presentation table of :func:`publish_indicators` output (strings only).

    One row per indicator of the ``"all"`` population; when the table also holds the
    ``"paired"`` population its change is added as "Samme foreninger".
    """
    from fslt_survey.tables import format_p

    t = published if goal is None else published[published["goal"] == goal]
    main = t[t["population"] == "all"]
    paired = t[t["population"] == "paired"].set_index("indicator")
    targets = {i.id: i.target for i in indicators} if indicators is not None else {}
    rows = []
    for r in main.itertuples(index=False):
        wf, wt = int(r.wave_from), int(r.wave_to)
        row = {"Indikator": r.title}
        for sfx, w in (("from", wf), ("to", wt)):
            v, base = getattr(r, f"value_{sfx}"), getattr(r, f"base_{sfx}")
            text = _value_text(v, r.kind, r.unit)
            if r.kind != "network":
                text = "ikke målt" if pd.isna(base) or int(base) == 0 else f"{text} ({_num(base)})"
            row[f"{w} (n)"] = text
        row["Ændring i %-point (95\u00a0%-KI)"] = _change_text(r)
        row["p"] = "" if pd.isna(r.p) else str(format_p(r.p, prefix=False))
        if r.indicator in paired.index:
            pr = SimpleNamespace(**paired.loc[r.indicator].to_dict())
            same = "–" if pd.isna(pr.change) else _change_text(pr).split(" (")[0]
            n_pairs = 0 if pd.isna(pr.n_pairs) else int(pr.n_pairs)
            row["Samme foreninger (n)"] = (
                "" if r.kind == "network" else f"{same} ({_num(n_pairs)})" if n_pairs else "–"
            )
        target = targets.get(r.indicator)
        if target is None and pd.notna(r.target_direction):
            target = Target(
                str(r.target_direction), None if pd.isna(r.target_value) else float(r.target_value)
            )
        row["Mål"] = target.describe(r.unit) if target is not None else ""
        row["Status"] = "" if pd.isna(r.target_met) else STATUS_TEXT[str(r.target_met)]
        rows.append(row)
    return pd.DataFrame(rows)


def plot_goal_change(published: pd.DataFrame, goal: int, *, source: str | None = None) -> Any:
    """Dumbbell chart of the shares (share/top2) of one goal, baseline to follow-up.

    Hidden values are drawn as "–". Returns a :class:`~fslt_survey.plots.Chart`, or None when
    the goal has no share indicators.
    """
    from fslt_survey.plots import plot_dumbbell

    t = published[
        (published["goal"] == goal)
        & (published["population"] == "all")
        & published["kind"].isin(["share", "top2"])
    ]
    if t.empty:
        return None
    frame = pd.DataFrame(
        {
            "item": t["indicator"].to_numpy(),
            "label": t["title"].to_numpy(),
            "wave_from": t["wave_from"].to_numpy(),
            "wave_to": t["wave_to"].to_numpy(),
            "pct_from": t["value_from"].to_numpy(),
            "pct_to": t["value_to"].to_numpy(),
            "base_from": t["base_from"].to_numpy(),
            "base_to": t["base_to"].to_numpy(),
            "diff": t["change"].to_numpy(),
            "p": t["p"].to_numpy(),
        }
    )
    title = f"Mål {goal}: {config.GOALS[goal]}"
    return plot_dumbbell(frame, title=title, source=source)


def set_column_widths(table: str, widths: Sequence[int]) -> str:
    """Set a pipe table's relative column widths (pandoc reads them from the dashes of the
    separator line; the PDF needs them, HTML sizes columns itself)."""
    lines = table.split("\n")
    cells = lines[1].strip("|").split("|")
    lines[1] = (
        "|"
        + "|".join(
            (":" if c.startswith(":") else "") + "-" * w + (":" if c.endswith(":") else "")
            for c, w in zip(cells, widths, strict=True)
        )
        + "|"
    )
    return "\n".join(lines)


def _status_sentence(t: pd.DataFrame) -> str:
    s = t["target_met"].dropna().astype(str)
    if s.empty:
        return "Ingen af indikatorerne har et fastsat mål."
    counts = {v: int((s == v).sum()) for v in (MET, NOT_MET, UNKNOWN)}
    text = (
        f"Af {len(s)} indikator{'er' if len(s) != 1 else ''} med et mål er {counts[MET]} nået "
        f"og {counts[NOT_MET]} ikke nået"
    )
    if counts[UNKNOWN]:
        text += f"; {counts[UNKNOWN]} kan ikke vurderes endnu"
    return text + "."


def overview_markdown(results: pd.DataFrame, *, k: int | None = None) -> str:
    """A pipe table: per goal the number of indicators and how many targets are met."""
    from fslt_survey.tables import to_markdown_table

    pub = publish_indicators(results, k=k)
    t = pub[pub["population"] == "all"]
    rows = []
    for g, name in config.GOALS.items():
        s = t.loc[t["goal"] == g, "target_met"]
        rows.append(
            {
                "Mål": f"{g}. {name}",
                "Indikatorer": len(s),
                "Med mål": int(s.notna().sum()),
                "Nået": int((s == MET).sum()),
                "Ikke nået": int((s == NOT_MET).sum()),
                "Kan ikke vurderes": int((s == UNKNOWN).sum()),
            }
        )
    return to_markdown_table(pd.DataFrame(rows), caption="Status for strategiens fire mål")


def goal_markdown(
    results: pd.DataFrame,
    goal: int,
    *,
    indicators: IndicatorSet | None = None,
    fig_dir: str | Path = "figurer",
    fig_name: str | None = None,
    source: str | None = None,
    k: int | None = None,
) -> str:
    """Pandoc markdown for one goal: status sentence, table, dumbbell chart, notes.

    ``results`` is :func:`compute_followup` output (suppression is applied here). The chart is
    saved as ``<fig_dir>/<fig_name>.svg`` (relative to the working directory, i.e. the
    document's folder) and referenced with its Danish alt text.
    """
    from fslt_survey.render import markdown_image
    from fslt_survey.tables import escape_markdown, to_markdown_table

    pub = publish_indicators(results, k=k)
    t = pub[(pub["goal"] == goal) & (pub["population"] == "all")]
    if t.empty:
        return f"Der er ingen indikatorer for mål {goal}.\n"
    parts = [_status_sentence(t) + "\n"]
    shown = present_indicators(pub, goal=goal, indicators=indicators)
    widths = {"Indikator": 24, "p": 7, "Mål": 10, "Status": 9}
    align = "".join(
        "r" if (c.endswith("(n)") and c[0].isdigit()) or c == "p" else "l" for c in shown.columns
    )
    table = to_markdown_table(
        shown, align=align, caption=f"Indikatorer for mål {goal}: {config.GOALS[goal]}"
    )
    parts.append(set_column_widths(table, [widths.get(c, 13) for c in shown.columns]))
    chart = plot_goal_change(pub, goal, source=source)
    if chart is not None:
        name = fig_name or f"opfoelgning-maal-{goal}"
        path = Path(fig_dir) / name
        chart.save(path, formats=("svg",))
        caption = (
            f"Mål {goal}: andele i {int(t['wave_from'].iloc[0])} og {int(t['wave_to'].iloc[0])}"
        )
        parts.append(
            markdown_image(
                f"{path.as_posix()}.svg", alt=chart.alt, caption=caption, label=f"fig-maal-{goal}"
            )
        )
    notes = [
        f"- **{escape_markdown(r.title)}**: {escape_markdown(r.note)}"
        for r in t.itertuples(index=False)
        if r.note
    ]
    if notes:
        parts.append("Noter:\n\n" + "\n".join(notes) + "\n")
    return "\n".join(parts)


# --------------------------------------------------------------------------- command line


def register_cli(sub: argparse._SubParsersAction) -> None:
    """Add ``fslt-survey indicators`` and ``fslt-survey feedback``."""
    from fslt_survey import feedback

    p = sub.add_parser("indicators", help="validate the follow-up indicators and show them")
    p.add_argument("file", nargs="?", default=str(INDICATORS_FILE), help="indicators.yml")
    p.add_argument(
        "--compute",
        action="store_true",
        help="also compute them from the clean data (run `fslt-survey build` first)",
    )
    p.set_defaults(func=_cmd_indicators)
    feedback.register_feedback_cli(sub)


def _cmd_indicators(args: argparse.Namespace) -> int:
    iset = load_indicators(args.file)
    print(
        f"{args.file}: OK - {len(iset)} indicators for {iset.survey} "
        f"({iset.baseline} -> {iset.followup})"
    )
    for g, name in config.GOALS.items():
        ids = [i.id for i in iset if i.goal == g]
        print(f"  goal {g} ({name}): {', '.join(ids) or '-'}")
    if args.compute:
        from fslt_survey.pipeline import load_clean

        pub = publish_indicators(compute_indicators(load_clean(iset.survey), iset))
        cols = ["indicator", "value_from", "value_to", "change", "p", "target_met"]
        print(pub[cols].round(1).to_string(index=False))
    return 0
