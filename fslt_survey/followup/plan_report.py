"""The action plan with its evidence: indicator movements and the public page "Handleplan".

:func:`load_plan_context` gathers what the page and the steering view need (the validated plan,
the published indicator movements from :func:`~fslt_survey.followup.compute_followup` and the
evaluated recommendation rules) as of a date. :func:`indicator_movements` reduces the published
follow-up table to one row per indicator (``finding`` is the indicator id, the reference the
findings layer will give). :func:`public_goal_markdown` and :func:`public_evaluation_markdown`
write the sections of ``reports/handleplan.qmd``: plain Danish, no owner, no ids, no file names.
The internal steering view is in :mod:`fslt_survey.followup.plan_steering`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from fslt_survey import config
from fslt_survey.codebook import load_instrument
from fslt_survey.danish import long_date, signed
from fslt_survey.followup.compute import compute_followup
from fslt_survey.followup.indicators import _num, config_unit, load_indicators
from fslt_survey.followup.plan import ActionPlan, Initiative, load_plan
from fslt_survey.followup.report import publish_indicators
from fslt_survey.publish import HIDDEN, Findings
from fslt_survey.publish.recommend import evaluate_rules, load_rules
from fslt_survey.store import instrument_path, load_clean
from fslt_survey.tables import escape_markdown

__all__ = [
    "MOVEMENT_COLUMNS",
    "PlanContext",
    "danish_day",
    "goal_evaluation",
    "indicator_movements",
    "load_plan_context",
    "movement_text",
    "public_evaluation_markdown",
    "public_goal_markdown",
    "public_overview_markdown",
]

MOVEMENT_COLUMNS = [
    "finding", "goal", "title", "kind", "unit", "wave_from", "wave_to", "value_from",
    "value_to", "change", "change_ci_low", "change_ci_high", "direction", "certain",
    "id_from", "id_to", "id_change",
]  # fmt: skip
#: Danish wording of a movement's direction.
DIRECTION_TEXT = {
    "right": "i den ønskede retning",
    "wrong": "i den forkerte retning",
    "flat": "uændret",
    "unknown": "kan ikke vurderes endnu",
}


@dataclass(frozen=True)
class PlanContext:
    """The action plan with its evidence as of ``today``."""

    plan: ActionPlan
    movements: pd.DataFrame  # indicator_movements(...)
    rules: pd.DataFrame  # evaluate_rules(...): id, title, goal, status, ...
    today: dt.date


def danish_day(day: dt.date) -> str:
    """``30. juni 2027`` (:func:`fslt_survey.danish.long_date`)."""
    return long_date(day)


def _as_date(today: dt.date | str | None) -> dt.date:
    if today is None or today == "":
        return dt.date.today()
    if isinstance(today, dt.date):
        return today
    return dt.date.fromisoformat(str(today))


def load_plan_context(
    today: dt.date | str | None = None,
    *,
    plan_file: str | Path | None = None,
    clean_dir: str | Path | None = None,
    data: pd.DataFrame | None = None,
) -> PlanContext:
    """Load the plan, compute the indicators (published) and evaluate the recommendation rules.

    Reads the clean member survey from ``clean_dir`` (``fslt-survey clean
    medlemsundersoegelse``) unless ``data`` (a clean table of both waves) is given.
    """
    indicators = load_indicators()
    instrument = load_instrument(instrument_path(indicators.survey))
    store = None  # given data (tests, notebooks): computed directly, not from the findings
    if data is None:
        data = load_clean(indicators.survey, clean_dir)
        store = Findings.load(clean_dir, indicators.survey)  # the published figures
    published = publish_indicators(compute_followup(data, indicators, findings=store))
    rules = evaluate_rules(data, instrument, load_rules(instrument=instrument), findings=store)
    return PlanContext(
        plan=load_plan(plan_file),
        movements=indicator_movements(published),
        rules=rules,
        today=_as_date(today),
    )


# --------------------------------------------------------------------------- movements


def _direction(change: Any, low: Any, high: Any, target_direction: Any) -> tuple[str, bool]:
    """(direction, certain): the sign of the change against the wanted direction."""
    if pd.isna(change):
        return "unknown", False
    want_down = target_direction == "decrease"
    if round(float(change), 1) == 0:
        return "flat", False
    up = change > 0
    direction = "right" if up != want_down else "wrong"
    certain = pd.notna(low) and pd.notna(high) and (low > 0 or high < 0)
    return direction, bool(certain)


def indicator_movements(published: pd.DataFrame) -> pd.DataFrame:
    """One row per indicator (all respondents): baseline -> follow-up and its direction.

    ``direction`` is ``right``, ``wrong``, ``flat`` or ``unknown`` (a hidden or missing wave)
    against the target's direction (``decrease`` wants a fall, anything else a rise);
    ``certain`` is the finding's adjusted verdict ("sikker") when the indicator is a finding,
    else that the change's 95 % interval excludes zero.
    """
    rows = []
    if published.empty:
        return pd.DataFrame(rows, columns=MOVEMENT_COLUMNS)
    for r in published[published["population"] == "all"].itertuples(index=False):
        direction, certain = _direction(
            r.change, r.change_ci_low, r.change_ci_high, r.target_direction
        )
        if isinstance(getattr(r, "finding_change", None), str):
            certain = bool(r.significant)  # the finding's one adjusted verdict
        rows.append(
            {
                "finding": r.indicator,
                "goal": int(r.goal),
                "title": r.title,
                "kind": r.kind,
                "unit": r.unit,
                "wave_from": int(r.wave_from),
                "wave_to": int(r.wave_to),
                "value_from": r.value_from,
                "value_to": r.value_to,
                "change": r.change,
                "change_ci_low": r.change_ci_low,
                "change_ci_high": r.change_ci_high,
                "direction": direction,
                "certain": certain,
                **{
                    f"id_{sfx}": getattr(r, f"finding_{sfx}", None)
                    for sfx in ("from", "to", "change")
                },
            }
        )
    return pd.DataFrame(rows, columns=MOVEMENT_COLUMNS)


def _mark(text: str, fid: Any) -> str:
    """``text`` tied to its finding (the site's one number), when the figure is a finding."""
    return f'[{text}]{{data-finding="{fid}"}}' if isinstance(fid, str) else text


def _value(value: Any, kind: str, unit: str, fid: Any = None) -> str:
    if pd.isna(value):
        return _mark(HIDDEN, fid) if isinstance(fid, str) else "ikke opgjort"
    return _mark(_value_text(value, kind, unit), fid)


def _value_text(value: Any, kind: str, unit: str) -> str:
    if kind in ("share", "top2"):
        return f"{_num(value)}\u00a0%"
    if kind == "mean_index":
        return f"{_num(value, 1)} point"
    return f"{_num(value)}{config_unit(unit)}"


def movement_text(row: Any) -> str:
    """Plain Danish: ``"Titel: 42 % i 2025 → 53 % i 2027 (+11 procentpoint)"``."""
    ids = {sfx: getattr(row, f"id_{sfx}", None) for sfx in ("from", "to", "change")}
    text = (
        f"{escape_markdown(row.title)}: {_value(row.value_from, row.kind, row.unit, ids['from'])}"
        f" i {row.wave_from} → {_value(row.value_to, row.kind, row.unit, ids['to'])} i "
        f"{row.wave_to}"
    )
    if pd.isna(row.change):
        return text
    dec = 1 if row.kind == "mean_index" else 0
    unit = {"share": " procentpoint", "top2": " procentpoint", "mean_index": " point"}.get(
        row.kind, config_unit(row.unit)
    )
    star = "*" if isinstance(ids["change"], str) and bool(row.certain) else ""  # the verdict
    text += " (" + _mark(f"{signed(row.change, dec)}{star}{unit}", ids["change"])
    if row.direction in ("right", "wrong") and not row.certain and pd.notna(row.change_ci_low):
        text += ", kan skyldes tilfældigheder"
    return text + ")"


# --------------------------------------------------------------------------- public page


def _status_line(ini: Initiative, today: dt.date) -> str:
    status = ini.status(today)
    line = f"**Status:** {status} · **Frist:** {danish_day(ini.due)}"
    if ini.overdue(today):
        line += " (fristen er overskredet)"
    return line


def _initiative_markdown(ini: Initiative, ctx: PlanContext) -> str:
    parts = [
        f"### {escape_markdown(ini.title)}",
        "",
        _status_line(ini, ctx.today),
        "",
        escape_markdown(ini.description),
    ]
    moves = ctx.movements.set_index("finding")
    linked = [i for i in ini.indicators if i in moves.index]
    if linked:
        parts += ["", "Det viser tallene fra medlemsundersøgelsen og centrets registrering:", ""]
        for fid in linked:
            row = moves.loc[fid]
            parts.append(f"- {movement_text(_Row(fid, row))}")
    if ini.invites and ini.status(ctx.today) != "droppet":
        parts += ["", f"**Det kan I gøre:** {escape_markdown(ini.invites)}"]
    return "\n".join(parts)


class _Row:
    """A movement row with attribute access (``itertuples`` style) from ``.loc``."""

    def __init__(self, finding: str, row: pd.Series) -> None:
        self.finding = finding
        self.__dict__.update(row.to_dict())


def public_overview_markdown(ctx: PlanContext) -> str:
    """One sentence per status: how many initiatives are where, as of the date."""
    counts: dict[str, int] = {}
    for ini in ctx.plan:
        s = ini.status(ctx.today)
        counts[s] = counts.get(s, 0) + 1
    total = len(ctx.plan)
    done = counts.get("gennemført", 0)
    lines = [
        f"Pr. {danish_day(ctx.today)} rummer handleplanen {total} indsatser. "
        f"{done} er gennemført, {counts.get('i gang', 0)} er i gang, "
        f"{counts.get('planlagt', 0)} er planlagt, {counts.get('udskudt', 0)} er udskudt, "
        f"og {counts.get('droppet', 0)} er droppet.",
    ]
    return "\n".join(lines)


def public_goal_markdown(ctx: PlanContext, goal: int) -> str:
    """The initiatives of one goal: status, due date, indicator movements, what you can do."""
    initiatives = ctx.plan.for_goal(goal)
    if not initiatives:
        return "Der er endnu ingen indsatser under dette mål."
    return "\n\n".join(_initiative_markdown(ini, ctx) for ini in initiatives)


def goal_evaluation(ctx: PlanContext, goal: int) -> dict[str, Any]:
    """Planned vs done vs what the indicators show, for one goal (as of ``ctx.today``)."""
    inis = ctx.plan.for_goal(goal)
    statuses = [i.status(ctx.today) for i in inis]
    moves = ctx.movements[ctx.movements["goal"] == goal]
    return {
        "goal": goal,
        "planned": len(inis),
        "done": statuses.count("gennemført"),
        "ongoing": statuses.count("i gang") + statuses.count("planlagt"),
        "postponed": statuses.count("udskudt"),
        "dropped": statuses.count("droppet"),
        "right": int((moves["direction"] == "right").sum()),
        "wrong": int((moves["direction"] == "wrong").sum()),
        "flat_or_unknown": int(moves["direction"].isin(["flat", "unknown"]).sum()),
        "done_titles": [i.title for i, s in zip(inis, statuses, strict=True) if s == "gennemført"],
    }


def public_evaluation_markdown(ctx: PlanContext) -> str:
    """The end-of-period view: per goal, planned, done and what the indicators show."""
    parts = []
    for goal, name in config.GOALS.items():
        ev = goal_evaluation(ctx, goal)
        done = ", ".join(escape_markdown(t) for t in ev["done_titles"])
        parts += [
            f"### Mål {goal}: {name}",
            "",
            f"- **Planlagt:** {ev['planned']} indsatser",
            f"- **Gennemført:** {ev['done']}" + (f" ({done})" if done else ""),
            f"- **Ikke afsluttet:** {ev['ongoing']} i gang eller planlagt, "
            f"{ev['postponed']} udskudt, {ev['dropped']} droppet",
            f"- **Indikatorerne:** {ev['right']} i den ønskede retning, {ev['wrong']} i den "
            f"forkerte retning, {ev['flat_or_unknown']} uændret eller endnu ikke målt",
            "",
        ]
    return "\n".join(parts).rstrip()
