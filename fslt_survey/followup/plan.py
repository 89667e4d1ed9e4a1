"""The strategy's action plan (handleplan) as data: initiatives per goal, validated.

The plan lives in ``surveys/handleplan.yml`` (format in ``surveys/README.md``). Each initiative
(indsats) belongs to one of the four goals (:data:`fslt_survey.config.GOALS`), has an owner role,
start and due dates, a dated status history and links to the indicators it should move
(``surveys/indicators.yml``), the recommendation rules it answers (``surveys/anbefalinger.yml``)
and the network meetings it uses (``surveys/netvaerk/netvaerk.yml``).

:func:`load_plan` validates the file and lists every problem at once
(:class:`~fslt_survey.errors.ConfigError`: file, initiative id, what is wrong), in the same style
as :func:`fslt_survey.followup.indicators.load_indicators`. :meth:`Initiative.status_on` replays
the history to a given date.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fslt_survey import config
from fslt_survey._yaml import check_goal, open_entry, read_yaml, require_mapping
from fslt_survey.errors import ConfigError
from fslt_survey.followup.indicators import load_indicators
from fslt_survey.network.data import load_network
from fslt_survey.publish.recommend import load_rules

__all__ = [
    "OPEN_STATUSES",
    "STATUSES",
    "ActionPlan",
    "Initiative",
    "StatusChange",
    "describe_plan",
    "load_plan",
    "parse_plan",
    "plan_file",
]



def plan_file() -> Path:
    """The project's action plan (``surveys/handleplan.yml``), resolved when used."""
    return config.surveys_dir() / "handleplan.yml"


def __getattr__(name: str) -> Path:  # ``PLAN_FILE``: the path in the current project
    if name == "PLAN_FILE":
        return plan_file()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
#: The statuses an initiative can have, in Danish as the centre writes them.
STATUSES = ("planlagt", "i gang", "gennemført", "udskudt", "droppet")
#: Statuses of an initiative that is still expected to be done.
OPEN_STATUSES = ("planlagt", "i gang", "udskudt")
_ID_RE = re.compile(r"^[a-z][a-z0-9_-]*$")
_KEYS = {
    "id", "goal", "title", "description", "owner", "start", "due", "history", "indicators",
    "recommendations", "meetings", "invites",
}  # fmt: skip


@dataclass(frozen=True)
class StatusChange:
    """One dated entry of an initiative's status history."""

    date: dt.date
    status: str
    note: str = ""


@dataclass(frozen=True)
class Initiative:
    """One initiative (indsats) of the action plan."""

    id: str
    goal: int
    title: str
    description: str
    owner: str
    start: dt.date
    due: dt.date
    history: tuple[StatusChange, ...]
    indicators: tuple[str, ...] = ()
    recommendations: tuple[str, ...] = ()
    meetings: tuple[str, ...] = ()
    invites: str = ""  # "Det kan I gøre": what member associations can do, if anything

    def status_on(self, day: dt.date) -> StatusChange | None:
        """The latest status change on or before ``day`` (None before the first entry)."""
        current = None
        for change in self.history:
            if change.date > day:
                break
            current = change
        return current

    def status(self, day: dt.date) -> str:
        """The status on ``day``; ``"planlagt"`` before the first history entry."""
        change = self.status_on(day)
        return change.status if change else "planlagt"

    def overdue(self, day: dt.date) -> bool:
        """Past the due date and still open on ``day``."""
        return day > self.due and self.status(day) in OPEN_STATUSES

    @property
    def has_evidence(self) -> bool:
        """Whether the initiative is linked to any indicator or recommendation."""
        return bool(self.indicators or self.recommendations)


@dataclass(frozen=True)
class ActionPlan:
    """The validated action plan: the strategy period and its initiatives."""

    period: tuple[int, int]
    initiatives: tuple[Initiative, ...]
    path: Path | None = None

    def __iter__(self) -> Iterator[Initiative]:
        return iter(self.initiatives)

    def __len__(self) -> int:
        return len(self.initiatives)

    def for_goal(self, goal: int) -> tuple[Initiative, ...]:
        """The initiatives of one goal, in file order."""
        return tuple(i for i in self.initiatives if i.goal == goal)

    def get(self, initiative_id: str) -> Initiative:
        for ini in self.initiatives:
            if ini.id == initiative_id:
                return ini
        raise ConfigError(f"no initiative {initiative_id!r}", file=self.path)


# --------------------------------------------------------------------------- loading


def _known_ids() -> tuple[set[str], set[str], set[str]]:
    """The indicator, recommendation rule and network meeting ids of the project."""
    indicators = {i.id for i in load_indicators()}
    rules = {r.id for r in load_rules()}
    meetings = {m.id for m in load_network().meetings}
    return indicators, rules, meetings


def load_plan(
    path: str | Path | None = None,
    *,
    indicators: Collection[str] | None = None,
    recommendations: Collection[str] | None = None,
    meetings: Collection[str] | None = None,
) -> ActionPlan:
    """Load and validate the action plan; unknown link ids are checked against the project.

    Raises
    ------
    ConfigError
        Listing every problem: file, initiative id and what is wrong.
    """
    path = Path(path) if path is not None else plan_file()
    data = read_yaml(path, "action plan file")
    if indicators is None or recommendations is None or meetings is None:
        known = _known_ids()
        indicators = known[0] if indicators is None else indicators
        recommendations = known[1] if recommendations is None else recommendations
        meetings = known[2] if meetings is None else meetings
    return parse_plan(
        data,
        path=path,
        indicators=indicators,
        recommendations=recommendations,
        meetings=meetings,
    )


def parse_plan(
    data: Any,
    *,
    path: Path | None = None,
    indicators: Collection[str] = (),
    recommendations: Collection[str] = (),
    meetings: Collection[str] = (),
) -> ActionPlan:
    """Validate an already parsed action plan mapping (see :func:`load_plan`)."""
    require_mapping(data, "an action plan file must be a YAML mapping", path)
    problems: list[str] = []
    for key in sorted(set(data) - {"period", "initiatives"}):
        problems.append(f"unknown top-level key {key!r}")
    period = _parse_period(data.get("period"), problems)
    raw = data.get("initiatives")
    if not isinstance(raw, list) or not raw:
        problems.append("initiatives: needs a non-empty list")
        raw = []
    known = {"indicator": indicators, "recommendation": recommendations, "meeting": meetings}
    out: list[Initiative] = []
    seen: set[str] = set()
    for n, spec in enumerate(raw, start=1):
        iid = spec.get("id") if isinstance(spec, dict) else None
        if isinstance(iid, str) and iid in seen:
            problems.append(f"initiative {iid}: duplicate id")
            continue
        if isinstance(iid, str):
            seen.add(iid)
        ini = _parse_one(spec, n, known, problems)
        if ini is not None:
            out.append(ini)
    if problems:
        k = len(problems)
        raise ConfigError(
            f"invalid action plan ({k} problem{'s' if k != 1 else ''})",
            file=path,
            problems=problems,
        )
    return ActionPlan(period, tuple(out), path)


def _parse_period(raw: Any, problems: list[str]) -> tuple[int, int]:
    ok = (
        isinstance(raw, list)
        and len(raw) == 2
        and all(isinstance(y, int) and not isinstance(y, bool) for y in raw)
        and raw[0] <= raw[1]
    )
    if not ok:
        problems.append(f"period: must be [first year, last year], found {raw!r}")
        return (0, 0)
    return (raw[0], raw[1])


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _text(spec: dict, key: str, bad: Any, required: bool = True) -> str:
    value = spec.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        bad(f"missing {key} (text)")
        return ""
    return " ".join(value.split())


def _ids(spec: dict, key: str, known: Collection[str], what: str, bad: Any) -> tuple[str, ...]:
    raw = spec.get(key, [])
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        bad(f"{key} must be a list of {what} ids, found {raw!r}")
        return ()
    for x in raw:
        if x not in known:
            bad(f"unknown {what} id {x!r} in {key}")
    return tuple(raw)


def _parse_one(
    spec: Any, n: int, known: dict[str, Collection[str]], problems: list[str]
) -> Initiative | None:
    opened = open_entry(spec, n, "initiative", _ID_RE, "a-z, 0-9, _, -", _KEYS, problems)
    if opened is None:
        return None
    iid, bad = opened
    start_count = len(problems)
    goal = spec.get("goal")
    check_goal(goal, bad)
    texts = {k: _text(spec, k, bad) for k in ("title", "description", "owner")}
    dates = {}
    for key in ("start", "due"):
        dates[key] = _date(spec.get(key))
        if dates[key] is None:
            bad(f"{key} must be a date (YYYY-MM-DD), found {spec.get(key)!r}")
    if dates["start"] and dates["due"] and dates["due"] < dates["start"]:
        bad(f"due {dates['due']} is before start {dates['start']}")
    history = _parse_history(spec.get("history"), bad)
    links = {
        "indicators": _ids(spec, "indicators", known["indicator"], "indicator", bad),
        "recommendations": _ids(
            spec, "recommendations", known["recommendation"], "recommendation", bad
        ),
        "meetings": _ids(spec, "meetings", known["meeting"], "meeting", bad),
    }
    invites = _text(spec, "invites", bad, required=False)
    if len(problems) > start_count:
        return None
    return Initiative(
        id=iid,
        goal=int(goal),
        start=dates["start"],
        due=dates["due"],
        history=history,
        invites=invites,
        **texts,
        **links,
    )


def _parse_history(raw: Any, bad: Any) -> tuple[StatusChange, ...]:
    if not isinstance(raw, list) or not raw:
        bad("history: needs a non-empty list of {date, status, note}")
        return ()
    out: list[StatusChange] = []
    for n, entry in enumerate(raw, start=1):
        if not isinstance(entry, dict) or set(entry) - {"date", "status", "note"}:
            bad(f"history entry {n}: must be {{date, status, note}}, found {entry!r}")
            continue
        day = _date(entry.get("date"))
        status = entry.get("status")
        if day is None:
            bad(f"history entry {n}: date must be YYYY-MM-DD, found {entry.get('date')!r}")
        if status not in STATUSES:
            bad(
                f"history entry {n}: unknown status {status!r}; "
                f"expected one of {', '.join(STATUSES)}"
            )
        if day is not None and out and day < out[-1].date:
            bad(f"history entry {n}: date {day} is before the previous entry ({out[-1].date})")
        if day is not None and status in STATUSES:
            out.append(StatusChange(day, status, " ".join(str(entry.get("note") or "").split())))
    return tuple(out)


def describe_plan(plan: ActionPlan, day: dt.date) -> str:
    """A short English summary for the command line: initiatives per goal and status."""
    lines = [f"{plan.path or 'action plan'}: OK - {len(plan)} initiatives, status on {day}"]
    for goal, name in config.GOALS.items():
        inis = plan.for_goal(goal)
        counts = {s: sum(i.status(day) == s for i in inis) for s in STATUSES}
        text = ", ".join(f"{n} {s}" for s, n in counts.items() if n) or "-"
        lines.append(f"  goal {goal} ({name}): {text}")
    return "\n".join(lines)
