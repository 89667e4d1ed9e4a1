"""Publishing the follow-up: suppression, Danish tables, charts and the page sections.

:func:`publish_indicators` hides what must not be published (values from a base below k, small
cells); :func:`present_indicators` makes a Danish presentation table of strings;
:func:`plot_goal_change` draws the shares of one goal as a dumbbell chart;
:func:`overview_markdown` and :func:`goal_markdown` write the sections of the follow-up page
(``reports/opfoelgning.qmd``); :func:`set_column_widths` sets a pipe table's column widths.
Split from :mod:`fslt_survey.followup`, which re-exports every public name here.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from fslt_survey import config
from fslt_survey.danish import MINUS, signed
from fslt_survey.followup.from_findings import UNCERTAIN
from fslt_survey.followup.indicators import (
    MET,
    NOT_MET,
    UNKNOWN,
    IndicatorSet,
    Target,
    _num,
    config_unit,
)
from fslt_survey.plots import plot_dumbbell
from fslt_survey.privacy import suppress_counts
from fslt_survey.publish import HIDDEN, NOT_ASKED, NOTHING, figure
from fslt_survey.tables import (
    ci_heading,
    escape_markdown,
    format_p,
    to_markdown_table,
)

__all__ = [
    "STATUS_TEXT",
    "describe_indicators",
    "goal_markdown",
    "overview_markdown",
    "plot_goal_change",
    "present_indicators",
    "publish_indicators",
    "set_column_widths",
]

# --------------------------------------------------------------------------- publishing


def publish_indicators(table: pd.DataFrame, *, k: int | None = None) -> pd.DataFrame:
    """Hide what must not be published: values from a base below ``k`` and small cells.

    Shares: the yes/no counts of each wave go through
    :func:`~fslt_survey.privacy.suppress_counts` (a share from fewer than k yes or no answers is
    hidden). Counts: hidden when fewer than k associations contribute. Means: base below k.
    A hidden wave hides the change and makes the target status unknown. Adds the bool columns
    ``suppressed_from`` and ``suppressed_to``. Network registrations are never hidden.
    """

    k = config.SUPPRESSION_K if k is None else int(k)
    out = table.copy()
    hidden = {"from": np.zeros(len(out), bool), "to": np.zeros(len(out), bool)}
    has_findings = "finding_change" in out.columns
    for i, r in enumerate(out.itertuples(index=False)):
        for sfx in ("from", "to"):
            if has_findings and isinstance(getattr(r, f"finding_{sfx}"), str):
                hidden[sfx][i] = bool(getattr(r, f"hidden_{sfx}"))
                continue  # the finding's own disclosure decision (its item's distribution)
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
        return HIDDEN
    if kind in ("share", "top2"):
        return f"{_num(value)}\u00a0%"
    return _num(value, 1 if kind == "mean_index" else 0)


def _change_text(r: Any) -> str:
    if pd.isna(r.change):
        return HIDDEN
    dec = 1 if r.kind == "mean_index" else 0
    unit = {"share": "", "top2": "", "mean_index": " point"}.get(r.kind, config_unit(r.unit))
    if abs(round(r.change, dec)) == 1 and unit.strip() in _SINGULAR:
        unit = f" {_SINGULAR[unit.strip()]}"  # "+1 gruppe", never "+1 grupper"
    star = "*" if bool(getattr(r, "significant", False)) else ""
    text = f"{signed(r.change, dec)}{star}{unit}"  # "+5", "−3" (true minus); the verdict star
    if pd.notna(r.change_ci_low) and pd.notna(r.change_ci_high):
        lo, hi = _num(r.change_ci_low, dec), _num(r.change_ci_high, dec)
        sep = " til " if lo.startswith(MINUS) or hi.startswith(MINUS) else "–"
        text += f" ({lo}{sep}{hi})"
    return text


#: Units in the singular, for a change of exactly one.
_SINGULAR = {
    "grupper": "gruppe",
    "møder": "møde",
    "foreninger": "forening",
    "deltagere": "deltager",
    "personer": "person",
    "point": "point",
}

STATUS_TEXT = {
    MET: "Nået",
    UNCERTAIN: "Nået, men usikkert",
    NOT_MET: "Ikke nået",
    UNKNOWN: "Ukendt",
}


def _mark(r: Any, sfx: str, text: str) -> str:
    """``text`` tied to its finding id (when the figure is a finding)."""
    fid = getattr(r, f"finding_{sfx}", None)
    return f'[{text}]{{data-finding="{fid}"}}' if isinstance(fid, str) else text


def _verdict(r: Any) -> str:
    if not isinstance(getattr(r, "finding_change", None), str) or pd.isna(r.change):
        return ""
    if not bool(r.significant):
        return "ingen sikker ændring"
    return "sikker stigning" if r.change > 0 else "sikkert fald"


def present_indicators(
    published: pd.DataFrame,
    *,
    goal: int | None = None,
    indicators: IndicatorSet | None = None,
    conf: float = config.CONFIDENCE,
) -> pd.DataFrame:
    """Danish presentation table of :func:`publish_indicators` output (strings only).

    One row per indicator of the ``"all"`` population; when the table also holds the
    ``"paired"`` population its change is added as "Samme foreninger".
    """

    t = published if goal is None else published[published["goal"] == goal]
    main = t[t["population"] == "all"]
    paired = t[t["population"] == "paired"].set_index("indicator")
    targets = {i.id: i.target for i in indicators} if indicators is not None else {}
    rows = []
    for r in main.itertuples(index=False):
        wf, wt = int(r.wave_from), int(r.wave_to)
        row = {"Indikator": escape_markdown(r.title)}
        for sfx, w in (("from", wf), ("to", wt)):
            v, base = getattr(r, f"value_{sfx}"), getattr(r, f"base_{sfx}")
            text = _value_text(v, r.kind, r.unit)
            if pd.isna(v) and not bool(getattr(r, f"suppressed_{sfx}", True)):
                text = NOTHING  # no figure (yet), not a hidden one
            text = _mark(r, sfx, text)
            if r.kind != "network":
                asked = not (pd.isna(base) or int(base) == 0)
                text = f"{text} ({_num(base)})" if asked else f"{NOT_ASKED} (ikke spurgt)"
            row[f"{w} (n)"] = text
        change = _change_text(r)
        hidden = bool(getattr(r, "suppressed_from", False) or getattr(r, "suppressed_to", False))
        if pd.isna(r.change) and not hidden:
            change = NOTHING
        row[f"Ændring i procentpoint ({ci_heading(conf)})"] = _mark(r, "change", change)
        if "finding_change" in t.columns:
            row["Vurdering"] = _verdict(r)
        else:
            row["p"] = "" if pd.isna(r.p) else str(format_p(r.p, prefix=False))
        if r.indicator in paired.index:
            pr = SimpleNamespace(**paired.loc[r.indicator].to_dict())
            same = HIDDEN if pd.isna(pr.change) else _change_text(pr).split(" (")[0]
            n_pairs = 0 if pd.isna(pr.n_pairs) else int(pr.n_pairs)
            row["Samme foreninger (n)"] = (
                "" if r.kind == "network" else f"{same} ({_num(n_pairs)})" if n_pairs else HIDDEN
            )
        target = targets.get(r.indicator)
        if target is None and pd.notna(r.target_direction):
            target = Target(
                str(r.target_direction), None if pd.isna(r.target_value) else float(r.target_value)
            )
        row["Mål"] = escape_markdown(target.describe(r.unit)) if target is not None else ""
        row["Status"] = "" if pd.isna(r.target_met) else STATUS_TEXT[str(r.target_met)]
        rows.append(row)
    return pd.DataFrame(rows)


def plot_goal_change(published: pd.DataFrame, goal: int, *, source: str | None = None) -> Any:
    """Dumbbell chart of the shares (share/top2) of one goal, baseline to follow-up.

    Hidden values are drawn as "–". Returns a :class:`~fslt_survey.plots.Chart`, or None when
    the goal has no share indicators.
    """

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
            **(
                {"significant": t["significant"].astype(bool).to_numpy()}
                if "significant" in t.columns
                else {"p": t["p"].to_numpy()}
            ),
        }
    )
    title = f"Mål {goal}: {config.GOALS[goal]}"
    adj = "fdr_bh" if "significant" in t.columns else "auto"
    return plot_dumbbell(frame, title=title, source=source, adjustment=adj)


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
    counts = {v: int((s == v).sum()) for v in (MET, UNCERTAIN, NOT_MET, UNKNOWN)}
    text = (
        f"Af {len(s)} indikator{'er' if len(s) != 1 else ''} med et mål er {counts[MET]} nået"
        + (f", {counts[UNCERTAIN]} nået, men usikkert," if counts[UNCERTAIN] else "")
        + f" og {counts[NOT_MET]} ikke nået"
    )
    if counts[UNKNOWN]:
        text += f"; {counts[UNKNOWN]} kan ikke vurderes endnu"
    return text + "."


def overview_markdown(results: pd.DataFrame, *, k: int | None = None) -> str:
    """A pipe table: per goal the number of indicators and how many targets are met."""

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
                "Nået, men usikkert": int((s == UNCERTAIN).sum()),
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
    conf: float = config.CONFIDENCE,
) -> str:
    """Pandoc markdown for one goal: status sentence, table, dumbbell chart, notes.

    ``results`` is :func:`compute_followup` output (suppression is applied here). The chart is
    saved as ``<fig_dir>/<fig_name>.svg`` (relative to the working directory, i.e. the
    document's folder) and referenced with its Danish alt text.
    """

    pub = publish_indicators(results, k=k)
    t = pub[(pub["goal"] == goal) & (pub["population"] == "all")]
    if t.empty:
        return f"Der er ingen indikatorer for mål {goal}.\n"
    parts = [_status_sentence(t) + "\n"]
    shown = present_indicators(pub, goal=goal, indicators=indicators, conf=conf)
    widths = {"Indikator": 22, "p": 7, "Vurdering": 11, "Mål": 10, "Status": 10}
    align = "".join(
        "r" if (c.endswith("(n)") and c[0].isdigit()) or c == "p" else "l" for c in shown.columns
    )
    table = to_markdown_table(
        shown,
        align=align,
        caption=f"Indikatorer for mål {goal}: {config.GOALS[goal]}",
        escape=False,
    )
    parts.append(set_column_widths(table, [widths.get(c, 13) for c in shown.columns]))
    chart = plot_goal_change(pub, goal, source=source)
    if chart is not None:
        caption = (
            f"Mål {goal}: andele i {int(t['wave_from'].iloc[0])} og {int(t['wave_to'].iloc[0])}"
        )
        name = fig_name or f"opfoelgning-maal-{goal}"
        parts.append(figure(chart, name, caption=caption, folder=fig_dir, label=f"fig-maal-{goal}"))
    notes = [
        f"- **{escape_markdown(r.title)}**: {escape_markdown(r.note)}"
        for r in t.itertuples(index=False)
        if r.note
    ]
    if notes:
        parts.append("Noter:\n\n" + "\n".join(notes) + "\n")
    return "\n".join(parts)


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
