"""A recommendation rule evaluated on its finding (:mod:`fslt_survey.publish.findings`).

The rule's share, change or index is the finding the pages publish - same estimate, design
interval (FPC) and disclosure decision - so a recommendation can never quote a figure that
differs from the theme page's, and a hidden figure is explained by its true reason. The
evidence names the measure ("andel i høj eller nogen grad"), and when the theme pages show the
item with another measure (the needs ranking's "andel i høj grad") it says so beside it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fslt_survey.publish.estimate import NO_DATA, NOT_ASKED
from fslt_survey.publish.finding import Finding
from fslt_survey.publish.findings import Findings
from fslt_survey.publish.rulebook import Rule
from fslt_survey.tables import ci_heading, format_number

__all__ = ["finding_evidence", "measure_finding"]


def _finding(store: Findings, rule: Rule, waves: list[int]) -> Finding:
    if rule.kind == "index":
        wave = waves[-1] if rule.wave == "latest" else int(rule.wave)
        return store.index(rule.battery or "", wave)
    if rule.kind == "change":
        w0 = int(rule.wave_from or waves[0])
        w1 = int(rule.wave_to or waves[-1])
        return store.change(rule.item or "", list(rule.labels), (w0, w1), tested=False)
    wave = waves[-1] if rule.wave == "latest" else int(rule.wave)
    return store.share(rule.item or "", list(rule.labels), wave)


def measure_finding(
    row: dict[str, Any], store: Findings, rule: Rule, waves: list[int]
) -> tuple[bool, bool]:
    """Fill ``row`` from the rule's finding; returns (hidden, no data) like the measures of
    :mod:`fslt_survey.publish.recommend`."""
    f = _finding(store, rule, waves)
    no_data = f.status in (NO_DATA, NOT_ASKED) or f.base == 0
    shown = f.shown
    row.update(
        finding_id=f.id,
        reason=f.reason,
        measure_name=f.measure.name,
        wave="–".join(str(w) for w in f.waves),
        n=f.n,
        base=f.base,
        value=f.estimate if shown else np.nan,
        ci_low=f.ci_low if shown else np.nan,
        ci_high=f.ci_high if shown else np.nan,
    )
    if f.is_change and f.before is not None and f.after is not None:
        row.update(
            base_from=f.before.base,
            base=f.after.base,
            value_from=f.before.estimate if shown else np.nan,
            value_to=f.after.estimate if shown else np.nan,
        )
    return not shown, no_data


def _starred(f: Finding) -> str:
    """The change as every page prints it: its value, with * when the adjusted verdict is
    "sikker" (a change no family declares has no verdict and no star)."""
    return f.value() + ("*" if f.significant else "")


def finding_evidence(rule: Rule, row: dict[str, Any], store: Findings) -> str:
    """The Danish evidence sentence (Markdown; the figures carry their finding ids)."""
    if row["status"] == "no_data":
        return "Der er ingen svar at vurdere reglen på."
    f = store.get(str(row["finding_id"]))
    if not f.shown:
        return f"Tallet er skjult, fordi {f.reason}, så reglen vurderes ikke."
    if rule.kind == "change":
        a, b = f.before, f.after
        assert a is not None and b is not None
        return (
            f"{f.measure.name[:1].upper()}{f.measure.name[1:]}: {f.marker(_starred(f))} "
            f"procentpoint, fra {a.marker(a.value())} i {a.waves[0]} til {b.marker(b.value())} "
            f"i {b.waves[0]} ({ci_heading(store.conf)} {f.marker(f.interval().strip('()'))} "
            f"procentpoint; {format_number(a.base)} og {format_number(b.base)} foreninger)."
        )
    if rule.kind == "index":
        return (
            f"{f.marker(f.value())} point ({ci_heading(store.conf)} "
            f"{f.marker(f.interval().strip('()'))}) blandt de {format_number(f.base)} "
            f"foreninger, der svarede i {f.waves[0]}."
        )
    text = (
        f"{f.measure.name[:1].upper()}{f.measure.name[1:]}: {f.marker()} af de "
        f"{format_number(f.base)} foreninger, der svarede i {f.waves[0]}."
    )
    headline = store.share(f.item, None, f.waves[0])
    if headline.id != f.id and headline.shown:
        text += (
            f" Temasiderne viser et andet mål for samme spørgsmål, {headline.measure.name}: "
            f"{headline.marker()}."
        )
    return text
