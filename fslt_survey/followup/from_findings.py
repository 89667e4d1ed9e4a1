"""The indicators' survey figures taken from the findings, and targets judged with uncertainty.

An indicator of kind ``share``, ``top2`` or ``mean_index`` is a finding of the member survey
(:mod:`fslt_survey.publish.findings`): its levels, change, test and the one adjusted verdict are
the finding's, so the follow-up page, its PDF, the action plan and the theme pages print the
same numbers and the same verdict. Counts and network registrations stay computed here.

Target rules (stated on the page, :data:`TARGET_RULE`)
-----------------------------------------------------
* A value target (``increase``/``at_least`` to ``value``; ``decrease`` to at most ``value``) is
  *Nået* only when the whole interval of the follow-up value clears the target, *Nået, men
  usikkert* when the estimate does but the interval does not, else *Ikke nået*.
* A direction target on a share or index is *Nået* when the change goes the right way with the
  adjusted verdict "sikker", *Nået, men usikkert* when it goes the right way without, else
  *Ikke nået*.
* A count from the survey (a total over those who answered) is judged among the associations
  that answered both years: *Nået* only when their total moved the right way too.
* Network registrations are complete counts without uncertainty: any change the right way.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from fslt_survey.followup.indicators import MET, NOT_MET, UNKNOWN, Indicator, IndicatorSet
from fslt_survey.publish import Finding, Findings

__all__ = ["TARGET_RULE", "UNCERTAIN", "apply_findings", "declarations", "indicator_findings"]

#: "Nået, men usikkert": the estimate reaches the target, its interval does not.
UNCERTAIN = "uncertain"

TARGET_RULE = (
    "Et mål for en andel eller et indeks er **nået**, når hele konfidensintervallet for 2027 "
    "ligger på den rigtige side af målet; ligger kun selve tallet der, står der **nået, men "
    "usikkert**. Et mål om en stigning er nået, når stigningen er sikker (efter korrektion for "
    "mange sammenligninger), og nået, men usikkert, når tallet stiger uden at stigningen er "
    "sikker. Et antal fra undersøgelsen (fx antal grupper) regnes kun som nået, når det også "
    "er steget blandt de foreninger, der har svaret begge år. Centrets egne registreringer "
    "(møder, deltagere) er hele optællinger uden usikkerhed."
)


def declarations(iset: IndicatorSet, instrument: Any) -> list[dict[str, Any]]:
    """An indicator set as the declarations :class:`~fslt_survey.publish.Findings` takes
    (their measures join the families), like ``surveys/indicators.yml`` writes them."""
    out = []
    for ind in iset:
        entry: dict[str, Any] = {"id": ind.id, "kind": ind.kind, "items": list(ind.items)}
        if ind.kind == "share":
            entry["labels"] = list(ind.labels) if ind.labels else "any"
        elif ind.labels:
            entry["labels"] = list(ind.labels)
        entry["min_options"] = ind.min_options
        if ind.kind == "mean_index":
            batteries = {instrument.item(i).battery for i in ind.items}
            if len(batteries) == 1 and None not in batteries:
                entry["battery"] = next(iter(batteries))
        out.append(entry)
    return out


def indicator_findings(
    ind: Indicator, store: Findings, waves: tuple[int, int]
) -> tuple[Finding, Finding, Finding] | None:
    """(baseline level, follow-up level, change) of a survey indicator, or None for counts
    and network indicators."""
    if ind.kind == "mean_index":
        battery = _battery(ind, store)
        if battery is None:
            return None
        return (
            store.index(battery, waves[0]),
            store.index(battery, waves[1]),
            store.index_change(battery, waves),
        )
    if ind.kind not in ("share", "top2") or not ind.items:
        return None
    item = store.instrument.item(ind.items[0])
    labels = ind.labels
    if labels is None and item.type == "multi" and item.scale is not None:
        labels = tuple(lab.label for lab in item.scale.substantive)
    args = {"min_options": ind.min_options}
    return (
        store.share(item, labels, waves[0], **args),
        store.share(item, labels, waves[1], **args),
        store.change(item, labels, waves, **args),
    )


def _battery(ind: Indicator, store: Findings) -> str | None:
    batteries = {store.instrument.item(i).battery for i in ind.items}
    return next(iter(batteries)) if len(batteries) == 1 and None not in batteries else None


def apply_findings(table: pd.DataFrame, iset: IndicatorSet, store: Findings) -> pd.DataFrame:
    """``compute_followup`` output with the survey indicators' figures from the findings.

    The ``all`` rows get levels, intervals, change, test, p, the adjusted ``p_adj`` and
    ``significant``, the finding ids (``finding_from``, ``finding_to``, ``finding_change``) and
    the hidden flags; the ``paired`` rows keep their change as a description only (no test, so
    there is one verdict). Every target is judged again by the rules of the module docstring.
    """
    out = table.copy()
    for col in ("finding_from", "finding_to", "finding_change"):
        out[col] = pd.Series([None] * len(out), dtype=object)
    out["p_adj"] = np.nan
    out["significant"] = False
    out["hidden_from"] = False
    out["hidden_to"] = False
    by_id = {i.id: i for i in iset}
    waves = (iset.baseline, iset.followup)
    paired_change = {r.indicator: r.change for r in table.itertuples() if r.population == "paired"}
    for pos, r in enumerate(table.itertuples(index=False)):
        ind = by_id[r.indicator]
        if r.population == "paired":
            out.loc[out.index[pos], ["p", "statistic"]] = np.nan
            out.loc[out.index[pos], "test"] = "none"
            continue
        found = indicator_findings(ind, store, waves)
        if found is not None:
            _put(out, out.index[pos], found)
        row = out.loc[out.index[pos]]
        out.loc[out.index[pos], "target_met"] = _judge(ind, row, found, paired_change)
    return out


def _put(out: pd.DataFrame, idx: Any, found: tuple[Finding, Finding, Finding]) -> None:
    a, b, ch = found
    for sfx, f in (("from", a), ("to", b)):
        out.loc[idx, f"finding_{sfx}"] = f.id
        out.loc[idx, f"hidden_{sfx}"] = not f.shown
        vals = (f.estimate, f.ci_low, f.ci_high) if f.shown else (math.nan,) * 3
        out.loc[idx, [f"value_{sfx}", f"ci_low_{sfx}", f"ci_high_{sfx}"]] = vals
        out.loc[idx, f"base_{sfx}"] = f.base if f.base else pd.NA
        out.loc[idx, f"n_{sfx}"] = f.n if f.shown else pd.NA
    out.loc[idx, "finding_change"] = ch.id
    vals = (ch.estimate, ch.ci_low, ch.ci_high, ch.p, ch.p_adj) if ch.shown else (math.nan,) * 5
    out.loc[idx, ["change", "change_ci_low", "change_ci_high", "p", "p_adj"]] = vals
    out.loc[idx, "significant"] = bool(ch.shown and ch.significant)
    out.loc[idx, "test"] = ch.test
    out.loc[idx, "statistic"] = math.nan
    out.loc[idx, "n_pairs"] = ch.n_pairs


def _judge(
    ind: Indicator,
    row: pd.Series,
    found: tuple[Finding, Finding, Finding] | None,
    paired_change: dict[str, float],
) -> Any:
    t = ind.target
    if t is None:
        return pd.NA
    value_to, change = row["value_to"], row["change"]
    if pd.isna(value_to) or bool(row.get("small_base", False)):
        return UNKNOWN
    sign = -1 if t.direction == "decrease" else 1
    if t.value is not None:
        if found is None:  # a count or a registration: no interval
            return MET if sign * (value_to - t.value) >= 0 else NOT_MET
        bound = row["ci_low_to"] if sign > 0 else row["ci_high_to"]
        if pd.notna(bound) and sign * (bound - t.value) >= 0:
            return MET
        return UNCERTAIN if sign * (value_to - t.value) >= 0 else NOT_MET
    if pd.isna(change) or pd.isna(row["value_from"]):
        return UNKNOWN
    if sign * change <= 0:
        return NOT_MET
    if ind.kind == "count":
        same = paired_change.get(ind.id, math.nan)
        return MET if pd.notna(same) and sign * same > 0 else NOT_MET
    if found is None:
        return MET  # a registration: complete, any change the right way
    return MET if bool(row["significant"]) else UNCERTAIN
