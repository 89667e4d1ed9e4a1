"""Recommendations from explicit, reviewable rules: each rule evaluated on the published numbers.

The rules and their format are in :mod:`fslt_survey.publish.rulebook`. Disclosure control: a
rule is evaluated on the same suppressed numbers the site publishes. When its base, count or
complement is below k, or the share would reveal a hidden cell of the item's published
distribution (:func:`fslt_survey.publish.share_publishable`), the rule never fires and its
numbers are not shown.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from fslt_survey import config, publish, stats
from fslt_survey.codebook import Instrument
from fslt_survey.danish import signed
from fslt_survey.publish.findings import Findings
from fslt_survey.publish.recommend_findings import finding_evidence, measure_finding
from fslt_survey.publish.rulebook import (
    _OP_WORDS,
    KINDS,
    ON,
    OPS,
    OWNERS,
    PRIORITIES,
    Rule,
    load_rules,
    parse_rules,
    rules_file,
)
from fslt_survey.stats.indices import scale_index
from fslt_survey.stats.intervals import newcombe_diff_ci, wilson_ci
from fslt_survey.tables import CI_HEADING, format_ci, format_number, format_pct

__all__ = [
    "KINDS",
    "ON",
    "OPS",
    "OWNERS",
    "PRIORITIES",
    "Rule",
    "evaluate_rules",
    "load_rules",
    "parse_rules",
    "rules_file",
    "threshold_text",
    "threshold_value",
]


# --------------------------------------------------------------------------- evaluation


def _share(
    data: pd.DataFrame, instrument: Instrument, rule: Rule, wave: int, k: int
) -> tuple[int, int, bool]:
    """(count, base, publishable) of the rule's share in one wave."""

    item = instrument.item(rule.item or "")
    d = data.loc[data["wave"] == wave]
    assert item.scale is not None
    wanted = [item.scale.match(lab) for lab in rule.labels]
    names = [lab.label for lab in wanted if lab is not None]
    if item.type == "multi":
        tab = stats.tab_multi(d, item)
        subst = tab.loc[~tab["missing"].astype(bool)]
        base = int(subst["base"].iloc[0]) if len(subst) else 0
        cols = [item.option_column(lab) for lab in wanted if lab is not None]
        present = [c for c in cols if c in d.columns]
        if not present or base == 0:
            return 0, base, False
        option_cols = [item.option_column(lab) for lab in item.scale.substantive]
        answered = d[[c for c in option_cols if c in d.columns]].notna().any(axis=1)
        ticks = d.loc[answered, present].fillna(False).astype(bool)
        hit = int(ticks.any(axis=1).sum())
        if len(present) == 1:
            sup = publish.suppress(tab, k=k, multi_select=True)
            ok = publish.share_publishable(tab, names, k=k, suppressed=sup, multi_select=True)
        else:
            ok = (
                publish.patterns_publishable(ticks, k=k)
                and not publish.small_count(hit, k)
                and not publish.small_count(base - hit, k)
            )
        return hit, base, ok
    tab = stats.tab_single(d, item)
    subst = tab.loc[~tab["missing"].astype(bool)]
    base = int(subst["base"].iloc[0]) if len(subst) else 0
    hit = int(subst.loc[subst["category"].astype(str).isin(names), "n"].sum())
    ok = base > 0 and publish.share_publishable(tab, names, k=k)
    return hit, base, ok


def _t_interval(scores: pd.Series, conf: float) -> tuple[float, float]:
    n = len(scores)
    if n < 2:
        return np.nan, np.nan
    mean = float(scores.mean())
    se = float(scores.std(ddof=1) / np.sqrt(n))
    q = float(sps.t.ppf(0.5 + conf / 2, n - 1))
    return mean - q * se, mean + q * se


_COLUMNS = [
    "id", "title", "theme", "goal", "kind", "item", "wave", "n", "base", "value", "ci_low",
    "ci_high", "op", "threshold", "on", "bound", "unit", "fired", "suppressed", "status",
    "finding", "evidence", "threshold_text", "threshold_reason", "recommendation", "rationale",
    "priority", "owner", "next_step", "time_frame",
]  # fmt: skip
_UNITS = {"share": "%", "change": "procentpoint", "index": "point"}


def evaluate_rules(
    data: pd.DataFrame,
    instrument: Instrument,
    rules: list[Rule],
    *,
    k: int | None = None,
    findings: Findings | None = None,
) -> pd.DataFrame:
    """Evaluate every enabled rule on clean data (all waves).

    With ``findings`` (what the published pages use) every rule is evaluated on its finding:
    the same estimate, design interval and disclosure decision as everywhere else, the
    measure named in the evidence ("andel i høj eller nogen grad") and the true reason when
    the figure is hidden (columns ``finding_id`` and ``reason``).

    Returns
    -------
    DataFrame
        One row per enabled rule, in file order: ``id, title, theme, goal, kind, item, wave,
        n, base, value, ci_low, ci_high, op, threshold, on, bound, unit, fired, suppressed,
        status`` (``fired`` | ``not_fired`` | ``suppressed`` | ``no_data``), ``finding``
        (Danish: what was measured), ``evidence`` (Danish sentence with value, interval and
        base), ``threshold_text``, ``threshold_reason``, ``recommendation``, ``rationale``,
        ``priority``, ``owner``, ``next_step``, ``time_frame``. Value and interval are in
        % (share), percentage points (change) or points 0-100 (index). A suppressed rule never
        fires and its numbers are NA.
    """
    k = config.SUPPRESSION_K if k is None else k
    waves = sorted(int(w) for w in data["wave"].dropna().unique())
    measure = {"share": _measure_share, "change": _measure_change, "index": _measure_index}
    rows = []
    for rule in (r for r in rules if r.enabled):
        row = _rule_row(rule, instrument)
        if findings is not None:
            small, no_data = measure_finding(row, findings, rule, waves)
        else:
            small, no_data = measure[rule.kind](row, data, instrument, rule, waves, k)
        _verdict(row, rule, small=small, no_data=no_data, k=k)
        row["finding"] = _finding_text(rule, instrument)
        row["threshold_text"] = threshold_text(rule)
        row["evidence"] = (
            finding_evidence(rule, row, findings)
            if findings is not None
            else _evidence(rule, row, k)
        )
        rows.append(row)
    out = pd.DataFrame(rows)
    if out.empty:
        return pd.DataFrame(columns=_COLUMNS)
    extra = [c for c in out.columns if c not in _COLUMNS]
    return out.loc[:, _COLUMNS + extra]


def _rule_row(rule: Rule, instrument: Instrument) -> dict[str, Any]:
    return {
        "id": rule.id,
        "title": rule.title or _default_title(rule, instrument),
        "theme": rule.theme,
        "goal": rule.goal,
        "kind": rule.kind,
        "item": rule.item or rule.battery,
        "op": rule.op,
        "threshold": rule.value,
        "on": rule.on,
        "bound": rule.bound,
        "unit": _UNITS[rule.kind],
        "recommendation": rule.recommendation,
        "rationale": rule.rationale,
        "threshold_reason": rule.threshold_reason,
        "priority": rule.priority,
        "owner": rule.owner,
        "next_step": rule.next_step,
        "time_frame": rule.time_frame,
    }


def _measure_share(
    row: dict[str, Any],
    data: pd.DataFrame,
    instrument: Instrument,
    rule: Rule,
    waves: list[int],
    k: int,
) -> tuple[bool, bool]:
    """A share in one wave (Wilson interval); returns (too small to publish, no data)."""
    wave = waves[-1] if rule.wave == "latest" else int(rule.wave)
    if wave not in waves:
        n, base, ok = 0, 0, False
    else:
        n, base, ok = _share(data, instrument, rule, wave, k)
    lo, hi = wilson_ci(n, base, config.CONFIDENCE) if base else (np.nan, np.nan)
    row.update(
        wave=str(wave),
        n=n,
        base=base,
        value=100 * n / base if base else np.nan,
        ci_low=100 * lo,
        ci_high=100 * hi,
    )
    return not ok, wave not in waves or base == 0


def _measure_change(
    row: dict[str, Any],
    data: pd.DataFrame,
    instrument: Instrument,
    rule: Rule,
    waves: list[int],
    k: int,
) -> tuple[bool, bool]:
    """The change of a share between two waves (Newcombe interval, percentage points)."""
    w0 = rule.wave_from or waves[0]
    w1 = rule.wave_to or waves[-1]
    no_data = w0 not in waves or w1 not in waves or w0 == w1
    if no_data:
        n0 = b0 = n1 = b1 = 0
        ok0 = ok1 = False
    else:
        n0, b0, ok0 = _share(data, instrument, rule, w0, k)
        n1, b1, ok1 = _share(data, instrument, rule, w1, k)
    no_data = no_data or min(b0, b1) == 0
    if no_data:
        diff = lo = hi = np.nan
    else:
        diff, lo, hi = newcombe_diff_ci(n1, b1, n0, b0, config.CONFIDENCE)
    row.update(
        wave=f"{w0}–{w1}",
        n=n1,
        base=b1,
        base_from=b0,
        value_from=100 * n0 / b0 if b0 else np.nan,
        value_to=100 * n1 / b1 if b1 else np.nan,
        value=100 * diff,
        ci_low=100 * lo,
        ci_high=100 * hi,
    )
    return not (ok0 and ok1), no_data


def _measure_index(
    row: dict[str, Any],
    data: pd.DataFrame,
    instrument: Instrument,
    rule: Rule,
    waves: list[int],
    k: int,
) -> tuple[bool, bool]:
    """The mean 0-100 score of a battery in one wave (t interval)."""
    wave = waves[-1] if rule.wave == "latest" else int(rule.wave)
    d = data.loc[data["wave"] == wave]
    idx = scale_index(d, instrument.battery(rule.battery or ""), name="indeks")
    scores = pd.to_numeric(idx["indeks"], errors="coerce").dropna().astype(float)
    base = len(scores)
    lo, hi = _t_interval(scores, config.CONFIDENCE)
    row.update(
        wave=str(wave),
        n=base,
        base=base,
        value=float(scores.mean()) if base else np.nan,
        ci_low=lo,
        ci_high=hi,
    )
    return base < k, base == 0


def _verdict(row: dict[str, Any], rule: Rule, *, small: bool, no_data: bool, k: int) -> None:
    """Fired or not; a suppressed or empty rule never fires and its numbers are blanked."""
    measured = row["value" if rule.bound == "estimate" else rule.bound]
    fired = (
        not small
        and not no_data
        and bool(pd.notna(measured) and OPS[rule.op](measured, rule.value))
    )
    suppressed = small and not no_data
    if suppressed or no_data:
        for col in ("n", "value", "ci_low", "ci_high", "value_from", "value_to"):
            if col in row:
                row[col] = np.nan
        if row.get("base") is not None and 0 < row["base"] < k:
            row["base"] = np.nan
    status = "fired" if fired else "no_data" if no_data else "suppressed" if suppressed else None
    row.update(fired=fired, suppressed=suppressed, status=status or "not_fired")


# --------------------------------------------------------------------------- Danish text


def _default_title(rule: Rule, instrument: Instrument) -> str:
    if rule.item and rule.item in instrument:
        return instrument.item(rule.item).label
    if rule.battery:
        return rule.finding_label or f"Indeks: {rule.battery}"
    return rule.id


def _in_sentence(label: str) -> str:
    """An answer label inside a Danish sentence: "I høj grad" -> "i høj grad" (not "GDPR")."""
    if len(label) > 1 and label[0].isupper() and not label[1].isupper():
        return label[0].lower() + label[1:]
    return label


def _labels_text(rule: Rule) -> str:
    return " eller ".join(f"»{_in_sentence(lab)}«" for lab in rule.labels)


def _finding_text(rule: Rule, instrument: Instrument) -> str:
    """What the rule measures, in Danish."""
    if rule.kind == "index":
        items = instrument.battery(rule.battery or "")
        name = rule.finding_label or f"indekset for »{rule.battery}«"
        parts = ", ".join(f"»{i.label}«" for i in items)
        return f"Gennemsnit af {name} (0–100) ud fra udsagnene {parts}"
    item = instrument.item(rule.item or "")
    multi = item.type == "multi"
    what = (
        f"Andelen af foreningerne, der har valgt {_labels_text(rule)}"
        if multi
        else f"Andelen af foreningerne, der svarer {_labels_text(rule)}"
    )
    q = " ".join(item.text.split())
    if rule.kind == "change":
        return f"Ændringen i {what[0].lower() + what[1:]} på spørgsmålet »{q}«"
    return f"{what} på spørgsmålet »{q}«"


def threshold_value(kind: str, value: float) -> str:
    """A threshold's value in Danish with its unit: "30 %", "10 procentpoint", "60 point"."""
    if kind == "share":
        return format_pct(value)
    unit = "procentpoint" if kind == "change" else "point"
    return f"{format_number(value, 1 if value % 1 else 0)} {unit}"


def threshold_text(rule: Rule) -> str:
    """The threshold in Danish, e.g. "mindst 30 % (hele konfidensintervallet)"."""
    value = threshold_value(rule.kind, rule.value)
    where = {
        "estimate": "",
        "ci": " (hele konfidensintervallet)",
        "ci_low": " (konfidensintervallets nedre grænse)",
        "ci_high": " (konfidensintervallets øvre grænse)",
    }[rule.on]
    return f"{_OP_WORDS[rule.op]} {value}{where}"


def _evidence(rule: Rule, row: dict[str, Any], k: int) -> str:
    if row["status"] == "no_data":
        return "Der er ingen svar at vurdere reglen på."
    if row["suppressed"]:
        return (
            f"Grundlaget er for lille til at vise tallet (færre end {k} foreninger står bag "
            "det, eller tallet kunne afsløre et skjult tal), så reglen vurderes ikke."
        )
    if rule.kind == "share":
        return (
            f"{format_pct(row['value'])} {format_ci(row['ci_low'], row['ci_high'])} af de "
            f"{format_number(row['base'])} foreninger, der svarede i {row['wave']}."
        )
    if rule.kind == "change":
        w0, w1 = row["wave"].split("–")
        return (
            f"{signed(row['value'], 1)} procentpoint, fra "
            f"{format_pct(row['value_from'])} i {w0} til {format_pct(row['value_to'])} i {w1} "
            f"({CI_HEADING} {format_number(row['ci_low'], 1)} til "
            f"{format_number(row['ci_high'], 1)} procentpoint; "
            f"{format_number(row['base_from'])} og {format_number(row['base'])} foreninger)."
        )
    return (
        f"{format_number(row['value'], 1)} point ({CI_HEADING} "
        f"{format_number(row['ci_low'], 1)}–{format_number(row['ci_high'], 1)}) blandt de "
        f"{format_number(row['base'])} foreninger, der svarede i {row['wave']}."
    )


def __getattr__(name: str) -> Any:
    """``RULES_FILE``: the path in the current project, resolved when used."""
    if name == "RULES_FILE":
        return rules_file()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
