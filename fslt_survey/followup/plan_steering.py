"""The internal steering view of the action plan: the board meeting's one-page agenda.

Internal (board and management): owners, initiative ids and recommendation rule ids are shown.
:func:`steering_agenda` lists overdue and stalled initiatives, initiatives with no linked
evidence, recommendations that fired but that no (live) initiative answers, and indicators that
moved the wrong way; :func:`evaluation_table` sets planned, done and the indicators side by side
per goal. :func:`steering_markdown` writes both for ``reports/handleplan/styregruppe.qmd``, and
:func:`write_steering_pdf` renders that document to ``build/handleplan/styregruppe.pdf``
(never into ``_site``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd

from fslt_survey import config
from fslt_survey.errors import RenderError
from fslt_survey.followup.plan import OPEN_STATUSES
from fslt_survey.followup.plan_report import (
    PlanContext,
    danish_day,
    goal_evaluation,
    movement_text,
)
from fslt_survey.render import render_document
from fslt_survey.tables import escape_markdown, to_markdown_table

__all__ = [
    "STALL_DAYS",
    "STEERING_DOC",
    "evaluation_table",
    "steering_agenda",
    "steering_dir",
    "steering_markdown",
    "write_steering_pdf",
]

#: An open initiative whose status has not moved for this many days is "stalled".
STALL_DAYS = 180
STEERING_DOC = "reports/handleplan/styregruppe.qmd"
_RULE_COLUMNS = ["id", "title", "goal", "status"]


def steering_dir(root: str | Path = ".") -> Path:
    """Where the internal steering PDF goes: ``<root>/build/handleplan`` (never ``_site``)."""
    return Path(root) / "build" / "handleplan"


def _initiative_rows(ctx: PlanContext, keep: Any) -> pd.DataFrame:
    rows = []
    for ini in ctx.plan:
        why = keep(ini)
        if not why:
            continue
        last = ini.status_on(ctx.today)
        rows.append(
            {
                "initiative": ini.id,
                "goal": ini.goal,
                "title": ini.title,
                "owner": ini.owner,
                "status": ini.status(ctx.today),
                "since": last.date if last else None,
                "due": ini.due,
                "why": why,
            }
        )
    cols = ["initiative", "goal", "title", "owner", "status", "since", "due", "why"]
    return pd.DataFrame(rows, columns=cols)


def _stalled(ini: Any, today: dt.date, stall_days: int) -> str:
    status = ini.status(today)
    if status not in OPEN_STATUSES or ini.overdue(today):
        return ""
    if status == "udskudt":
        return "udskudt"
    last = ini.status_on(today)
    since = last.date if last else ini.start
    if (today - since).days > stall_days and today >= ini.start:
        return f"ingen bevægelse i {(today - since).days} dage"
    return ""


def steering_agenda(ctx: PlanContext, *, stall_days: int = STALL_DAYS) -> dict[str, pd.DataFrame]:
    """The board's agenda as tables (internal; see the module docstring).

    Keys: ``overdue``, ``stalled``, ``no_evidence`` (initiative tables with ``why``),
    ``unanswered`` (fired rules no open or finished initiative links to: ``id, title, goal``)
    and ``wrong_way`` (indicator movements in the wrong direction, with ``initiatives``).
    """
    today = ctx.today
    overdue = _initiative_rows(
        ctx, lambda i: f"frist {danish_day(i.due)} overskredet" if i.overdue(today) else ""
    )
    stalled = _initiative_rows(ctx, lambda i: _stalled(i, today, stall_days))
    no_evidence = _initiative_rows(
        ctx,
        lambda i: (
            ""
            if i.has_evidence or i.status(today) == "droppet"
            else "ingen indikator eller anbefaling knyttet til"
        ),
    )
    answered = {r for i in ctx.plan if i.status(today) != "droppet" for r in i.recommendations}
    rules = ctx.rules if not ctx.rules.empty else pd.DataFrame(columns=_RULE_COLUMNS)
    fired = rules[rules["status"] == "fired"]
    unanswered = fired.loc[~fired["id"].isin(answered), ["id", "title", "goal"]]
    wrong = ctx.movements[ctx.movements["direction"] == "wrong"].copy()
    wrong["initiatives"] = [
        ", ".join(i.id for i in ctx.plan if f in i.indicators) for f in wrong["finding"]
    ]
    return {
        "overdue": overdue,
        "stalled": stalled,
        "no_evidence": no_evidence,
        "unanswered": unanswered.reset_index(drop=True),
        "wrong_way": wrong.reset_index(drop=True),
    }


def evaluation_table(ctx: PlanContext) -> pd.DataFrame:
    """Per goal, side by side: planned, done, not finished, and the indicators' directions."""
    rows = []
    for goal in config.GOALS:
        ev = goal_evaluation(ctx, goal)
        rows.append(
            {
                "Mål": goal,
                "Planlagt": ev["planned"],
                "Gennemført": ev["done"],
                "I gang/planlagt": ev["ongoing"],
                "Udskudt": ev["postponed"],
                "Droppet": ev["dropped"],
                "Indikatorer rigtig vej": ev["right"],
                "Forkert vej": ev["wrong"],
                "Uændret/ukendt": ev["flat_or_unknown"],
            }
        )
    return pd.DataFrame(rows)


def _initiative_bullets(table: pd.DataFrame, empty: str) -> list[str]:
    if table.empty:
        return [f"- {empty}"]
    return [
        f"- **{escape_markdown(r.title)}** ({r.initiative}, mål {r.goal}; "
        f"{escape_markdown(r.owner)}): {r.status}, {r.why}"
        for r in table.itertuples(index=False)
    ]


def _agenda_sections(agenda: dict[str, pd.DataFrame]) -> list[str]:
    parts = ["## 1. Overskredne frister", ""]
    parts += _initiative_bullets(agenda["overdue"], "Ingen.")
    parts += ["", "## 2. Indsatser uden bevægelse", ""]
    parts += _initiative_bullets(agenda["stalled"], "Ingen.")
    parts += ["", "## 3. Indsatser uden dokumentation", ""]
    parts += _initiative_bullets(agenda["no_evidence"], "Ingen.")
    parts += ["", "## 4. Anbefalinger uden indsats", ""]
    if agenda["unanswered"].empty:
        parts.append("- Ingen: hver anbefaling, der er udløst, har en indsats.")
    for r in agenda["unanswered"].itertuples(index=False):
        parts.append(f"- **{escape_markdown(r.title)}** (regel {r.id}, mål {r.goal})")
    parts += ["", "## 5. Indikatorer, der går den forkerte vej", ""]
    if agenda["wrong_way"].empty:
        parts.append("- Ingen.")
    for r in agenda["wrong_way"].itertuples(index=False):
        who = f"; indsatser: {r.initiatives}" if r.initiatives else "; ingen indsats knyttet til"
        parts.append(f"- {movement_text(r)} ({r.finding}{who})")
    return parts


def steering_markdown(ctx: PlanContext, *, stall_days: int = STALL_DAYS) -> str:
    """The internal agenda and the evaluation per goal, as Markdown."""
    agenda = steering_agenda(ctx, stall_days=stall_days)
    parts = [
        f"Status pr. {danish_day(ctx.today)}. Internt dokument for bestyrelse og ledelse: "
        "viser ansvarlige og id'er og må ikke offentliggøres.",
        "",
    ]
    parts += _agenda_sections(agenda)
    parts += ["", "## 6. Evaluering: planlagt, gennemført og indikatorerne", ""]
    table = evaluation_table(ctx)
    parts.append(to_markdown_table(table, caption="Planlagt, gennemført og indikatorerne pr. mål"))
    return "\n".join(parts)


def write_steering_pdf(
    root: str | Path = ".",
    *,
    today: dt.date | str | None = None,
    out_dir: str | Path | None = None,
    engine: str = "auto",
    force: bool = False,
) -> Path:
    """Render the internal steering document to ``<out_dir>/styregruppe.pdf`` and return it.

    ``out_dir`` defaults to :func:`steering_dir` (``build/handleplan``), never the site.
    """
    out = Path(out_dir) if out_dir is not None else steering_dir(root)
    params = {"dato": str(today)} if today else None
    res = render_document(
        Path(root),
        STEERING_DOC,
        params=params,
        output_dir=out,
        formats=["pdf"],
        engine=engine,
        force=force,
    )
    pdf = next((p for d in res.documents for p in d.outputs if p.suffix == ".pdf"), None)
    if pdf is None:
        raise RenderError("the steering document wrote no PDF", file=STEERING_DOC)
    return pdf
