"""The recommendations report: the rules evaluated on the survey, and its summary.

:func:`evaluation` applies the reviewable rules (:func:`fslt_survey.publish.recommend.rules_file`,
see
:mod:`fslt_survey.publish.recommend`) to the page's data, cached on the report;
:func:`recommendations_block` writes the fired recommendations, each in a box with its evidence;
:func:`rules_not_fired_block` lists the enabled rules that gave no recommendation and the rules
switched off; :func:`summary_block` is the report's first page: key figures (a fact box in the
PDF) and :func:`overview_block`, the recommendations ordered by priority (:func:`by_priority`)
with owner, next step and time frame. Every threshold shown carries its reason.
Re-exported by :mod:`fslt_survey.report`, which the pages import.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from fslt_survey import publish
from fslt_survey.danish import signed
from fslt_survey.publish import recommend
from fslt_survey.report.data import (
    Report,
    _lower_first,
    demo_note,
    response_rate,
)
from fslt_survey.tables import (
    escape_markdown,
    format_ci,
    format_number,
    format_pct,
    to_markdown_table,
)

__all__ = [
    "OWNER_NAMES",
    "PRIORITY_NAMES",
    "by_priority",
    "evaluation",
    "overview_block",
    "recommendations_block",
    "rules_not_fired_block",
    "summary_block",
    "survey_note_block",
]

#: How a priority and an owner (:data:`recommend.PRIORITIES`, :data:`recommend.OWNERS`) read
#: at the start of a table cell.
PRIORITY_NAMES = {"høj": "Høj", "middel": "Middel", "lav": "Lav"}
OWNER_NAMES = {"kommunen": "Kommunen", "Frivilligcentret": "Frivilligcentret",
               "foreningerne": "Foreningerne", "fælles": "Fælles"}

# --------------------------------------------------------------------------- recommendations


def _rules_path(rules_file: str | Path | None) -> Path:
    return Path(rules_file) if rules_file is not None else recommend.rules_file()


def evaluation(r: Report, rules_file: str | Path | None = None) -> pd.DataFrame:
    """The evaluated rules (cached on the report; see :func:`recommend.evaluate_rules`)."""

    path = _rules_path(rules_file)
    key = str(path.resolve())
    if key not in r.cache:
        rules = recommend.load_rules(path, instrument=r.instrument)
        r.cache[key] = (
            rules,
            recommend.evaluate_rules(r.data, r.instrument, rules, k=r.k, findings=r.findings),
        )
    return r.cache[key][1]


def _value_text(row: Any, r: Report | None = None) -> str:
    fid = getattr(row, "finding_id", None)
    if r is not None and isinstance(fid, str):
        f = r.findings.get(fid)
        if f.status == "skjult":
            return f.marker()
        if f.shown:
            suffix = {"change": " procentpoint", "index_change": " point", "index": " point"}
            return f.marker(
                f"{f.value(1 if f.is_change else None)}{suffix.get(f.kind, '')} "
                f"{f.interval()}".strip()
            )
    if pd.isna(row.value):
        return publish.HIDDEN
    if row.unit == "%":
        return f"{format_pct(row.value)} {format_ci(row.ci_low, row.ci_high)}"
    lo, hi = format_number(row.ci_low, 1), format_number(row.ci_high, 1)
    if row.unit == "procentpoint":
        return f"{signed(row.value, 1)} procentpoint ({lo} til {hi})"
    return f"{format_number(row.value, 1)} point ({lo}–{hi})"


def _recommendation(row: Any) -> str:
    lines = [
        f'::: {{.callout-note title="{_attr(row.title)}"}}\n',
        f"**{escape_markdown(row.recommendation)}**\n",
        f"- *Prioritet:* {row.priority} · *Ansvarlig:* {escape_markdown(row.owner)} · "
        "*Tidsramme:* "
        f"{escape_markdown(_lower_first(row.time_frame))}",
        f"- *Næste skridt:* {escape_markdown(_lower_first(row.next_step))}",
        f"- *Grundlag:* {escape_markdown(row.finding)}.",
        f"- *Resultat:* {_evidence_md(row)}",
        f"- *Tærskel:* {escape_markdown(row.threshold_text)}; den er nået. {_why(row)}",
    ]
    if isinstance(row.rationale, str) and row.rationale:
        lines.append(f"- *Hvorfor reglen:* {escape_markdown(row.rationale)}")
    lines.append("")
    lines.append(":::\n")
    return "\n".join(lines)


def _why(row: Any) -> str:
    """ "*Hvorfor netop 20 %:* <the rule's reason>" (every threshold shown says why)."""
    value = recommend.threshold_value(row.kind, row.threshold)
    return f"*Hvorfor netop {value}:* {escape_markdown(row.threshold_reason)}"


def _evidence_md(row: Any) -> str:
    """The evidence as Markdown: written from findings (with their id markers) when the rule
    was evaluated on findings, else plain text to escape."""
    if isinstance(getattr(row, "finding_id", None), str):
        return str(row.evidence)
    return escape_markdown(row.evidence)


def _attr(text: str) -> str:
    """Text for a quoted Markdown attribute (a callout title)."""
    return escape_markdown(" ".join(str(text).split())).replace('"', "'")


def recommendations_block(
    r: Report, goal: int | None = None, *, rules_file: str | Path | None = None
) -> str:
    """The fired recommendations (of one strategic goal), each in a box with its evidence."""
    ev = evaluation(r, rules_file)
    fired = ev.loc[ev["fired"].astype(bool)]
    if goal is not None:
        fired = fired.loc[fired["goal"] == goal]
    if fired.empty:
        return "*Ingen af reglerne under dette mål gav anledning til en anbefaling.*\n"
    return "\n".join(_recommendation(row) for row in fired.itertuples(index=False))


def rules_not_fired_block(r: Report, *, rules_file: str | Path | None = None) -> str:
    """The enabled rules that gave no recommendation, and the rules switched off."""

    ev = evaluation(r, rules_file)
    rest = ev.loc[~ev["fired"].astype(bool)]
    out = []
    if rest.empty:
        out.append("Alle regler gav anledning til en anbefaling.\n")
    else:
        reason = {
            "not_fired": "Tærsklen er ikke nået",
            "suppressed": f"For få svar (under {r.k} foreninger) til at vurdere",
            "no_data": "Ingen svar",
        }

        def why(row: Any) -> str:
            true = getattr(row, "reason", None)
            if row.status == "suppressed" and isinstance(true, str) and true:
                return escape_markdown(f"Skjult, fordi {true}; reglen vurderes ikke")
            return reason[row.status]

        table = pd.DataFrame(
            {
                "Regel": rest["title"].astype(str).map(escape_markdown),
                "Resultat": [_value_text(row, r) for row in rest.itertuples(index=False)],
                "Tærskel": rest["threshold_text"].astype(str).map(escape_markdown),
                "Hvorfor denne tærskel": rest["threshold_reason"].astype(str).map(escape_markdown),
                "Vurdering": [why(row) for row in rest.itertuples(index=False)],
            }
        )
        out.append(to_markdown_table(table, caption="Regler uden anbefaling", escape=False,
                                     widths=[17, 17, 16, 32, 18]))
    path = _rules_path(rules_file)
    rules = (
        r.cache[str(path.resolve())][0]
        if str(path.resolve()) in r.cache
        else (recommend.load_rules(path, instrument=r.instrument))
    )
    off = [rule for rule in rules if not rule.enabled]
    if off:
        out.append(
            "Vurderes ikke i denne udgave: "
            + "; ".join(
                escape_markdown(rule.title or rule.id)
                + (f" ({escape_markdown(rule.rationale)})" if rule.rationale else "")
                for rule in off
            )
            + ".\n"
        )
    return "\n".join(out)


def by_priority(ev: pd.DataFrame) -> pd.DataFrame:
    """The fired recommendations of an evaluation, highest priority first (file order within
    a priority: the analyst's own order)."""
    fired = ev.loc[ev["fired"].astype(bool)]
    rank = fired["priority"].map({p: i for i, p in enumerate(recommend.PRIORITIES)})
    return fired.iloc[rank.argsort(kind="stable")]


def summary_block(r: Report, *, rules_file: str | Path | None = None) -> str:
    """The report's first page: key figures (a fact box in the PDF), who was asked, and the
    prioritised overview of the recommendations (:func:`overview_block`)."""
    ev = evaluation(r, rules_file)
    n, total = response_rate(r)
    fired = ev.loc[ev["fired"].astype(bool)]
    high = int((fired["priority"] == recommend.PRIORITIES[0]).sum())
    facts = [
        (f"{format_number(n)} af {format_number(total)}", "foreninger svarede i " + str(r.wave)),
        (format_number(len(fired)), f"anbefalinger af {format_number(len(ev))} mulige"),
        (format_number(high), "med høj prioritet"),
    ]
    out = [_typst_facts(facts), demo_note(r)]
    out.append(
        f"{format_number(len(fired))} af {format_number(len(ev))} faste regler gav anledning "
        "til en anbefaling. Her står de efter prioritet; bagefter følger hver anbefaling med de "
        "tal, den bygger på, og begrundelsen for tærsklen.\n"
    )
    out.append(overview_block(r, rules_file=rules_file))
    return "\n".join(out)


def survey_note_block(r: Report) -> str:
    """Who was asked and how many answered (the recommendations report's "Om tallene")."""
    n, total = response_rate(r)
    return (
        f"Frivilligcenter og Selvhjælp Lyngby-Taarbæk (FSLT) spurgte i {r.wave} alle "
        f"{format_number(total)} medlemsforeninger om deres behov og om samarbejdet med "
        f"kommunen; {format_number(n)} foreninger svarede ({format_pct(100 * n / total)}).\n"
    )


def overview_block(r: Report, *, rules_file: str | Path | None = None) -> str:
    """The fired recommendations in one table, highest priority first: priority,
    recommendation, owner, next step, time frame (the page breaks after it in the PDF)."""
    fired = by_priority(evaluation(r, rules_file))
    if fired.empty:
        return "*Ingen af reglerne gav anledning til en anbefaling.*\n"
    table = pd.DataFrame(
        {
            "Prioritet": fired["priority"].map(PRIORITY_NAMES),
            "Anbefaling": fired["title"].astype(str).map(escape_markdown),
            "Ansvarlig": fired["owner"].map(OWNER_NAMES).map(escape_markdown),
            "Næste skridt": fired["next_step"].astype(str).map(escape_markdown),
            "Tidsramme": fired["time_frame"].astype(str).map(escape_markdown),
        }
    )
    caption = "Anbefalingerne efter prioritet"
    return to_markdown_table(table, caption=caption, escape=False, widths=[7, 22, 14, 39, 18])


def _typst_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _typst_facts(facts: Sequence[tuple[str, str]]) -> str:
    """A row of key-figure boxes, for the PDF only (raw Typst; HTML ignores it)."""
    cells = ", ".join(f"fslt-fact({_typst_str(v)}, {_typst_str(t)})" for v, t in facts)
    accent = 'rgb("#1f3a5f")'
    return (
        "```{=typst}\n"
        f'#let fslt-fact(value, label) = block(width: 100%, fill: rgb("#eef4fb"), '
        f"radius: 3pt, inset: (x: 10pt, y: 9pt), stroke: (top: 2.5pt + {accent}))[\n"
        f'  #par(leading: 0.4em)[#text(size: 1.5em, weight: "bold", fill: {accent})[#value]]\n'
        "  #text(size: 0.9em, fill: luma(60))[#label]\n"
        "]\n"
        f"#grid(columns: (1fr,) * {len(facts)}, gutter: 10pt, {cells})\n"
        "#v(0.6em)\n"
        "```\n"
    )
