"""Recommendations from explicit, reviewable rules (``surveys/anbefalinger.yml``).

Each rule names the finding it rests on, a threshold and the Danish recommendation text. The
analyst adds, edits or switches rules off in the YAML file; no code changes are needed::

    rules:
      - id: lokaler
        enabled: true
        theme: behov                    # report theme the rule belongs to
        goal: 2                         # strategic goal (1-4)
        finding:
          kind: share                   # share | change | index
          item: behov_lokaler
          labels: [I høj grad, I nogen grad]   # single/likert labels, or multi option labels
          wave: latest                  # latest | 2025 | 2027 ...
        threshold: {op: ">=", value: 30, on: estimate}   # on: estimate | ci_low | ci_high
        recommendation: Kommunen bør ...
        rationale: Hvorfor reglen findes (valgfri).

``share``: the share of associations answering one of ``labels`` (base: substantive answers).
``change``: the change in that share from ``from`` to ``to`` wave in percentage points (with a
Newcombe interval). ``index``: the mean 0-100 score of a battery (``battery``).
With ``on: ci_low`` a rule fires only when the whole confidence interval passes the threshold
(the conservative choice for recommendations to politicians).
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from fslt_survey import config
from fslt_survey.codebook import Instrument
from fslt_survey.errors import ConfigError
from fslt_survey.intervals import newcombe_diff_ci, wilson_ci
from fslt_survey.tables import format_ci, format_number, format_pct

RULES_FILE = config.SURVEYS_DIR / "anbefalinger.yml"
KINDS = ("share", "change", "index")
OPS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}
ON = ("estimate", "ci_low", "ci_high")


@dataclass(frozen=True)
class Rule:
    id: str
    enabled: bool
    theme: str
    goal: int
    kind: str
    item: str | None
    battery: str | None
    labels: tuple[str, ...]
    wave: str | int
    wave_from: int | None
    wave_to: int | None
    op: str
    value: float
    on: str
    recommendation: str
    rationale: str | None


def load_rules(path: str | Path = RULES_FILE, instrument: Instrument | None = None) -> list[Rule]:
    """Load and validate the rules; every problem is reported with the rule id."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("recommendation rules not found", file=path) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError(
            f"not valid YAML: {getattr(exc, 'problem', exc)}",
            file=path,
            row=mark.line + 1 if mark else None,
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise ConfigError("expected a mapping with a list 'rules'", file=path)
    problems: list[str] = []
    rules: list[Rule] = []
    seen: set[str] = set()
    for n, raw in enumerate(data["rules"], start=1):
        rule = _parse_rule(raw, n, instrument, problems)
        if rule is None:
            continue
        if rule.id in seen:
            problems.append(f"rule {rule.id}: duplicate id")
        seen.add(rule.id)
        rules.append(rule)
    if problems:
        raise ConfigError(
            f"invalid recommendation rules ({len(problems)} problems)", file=path, problems=problems
        )
    return rules


def _parse_rule(
    raw: Any, n: int, instrument: Instrument | None, problems: list[str]
) -> Rule | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        problems.append(f"rule {n}: must be a mapping with an id")
        return None
    rid = raw["id"]
    where = f"rule {rid}"
    finding = raw.get("finding") or {}
    threshold = raw.get("threshold") or {}
    kind = finding.get("kind")
    if kind not in KINDS:
        problems.append(f"{where}: finding.kind must be one of {', '.join(KINDS)}, found {kind!r}")
        return None
    item = finding.get("item")
    battery = finding.get("battery")
    labels = tuple(str(v) for v in finding.get("labels") or ())
    if kind in ("share", "change"):
        if not item:
            problems.append(f"{where}: finding.item is required for kind {kind}")
        if not labels:
            problems.append(f"{where}: finding.labels is required for kind {kind}")
    if kind == "index" and not battery:
        problems.append(f"{where}: finding.battery is required for kind index")
    if instrument is not None:
        if item and item not in instrument:
            problems.append(f"{where}: unknown item {item!r}")
        elif item:
            it = instrument.item(item)
            if it.scale is None:
                problems.append(f"{where}: item {item!r} has no answer labels")
            else:
                for lab in labels:
                    if it.scale.match(lab) is None:
                        problems.append(f"{where}: {lab!r} is not a label of {item!r}")
        if battery and not any(i.battery == battery for i in instrument.items):
            problems.append(f"{where}: unknown battery {battery!r}")
    op = str(threshold.get("op", ">="))
    if op not in OPS:
        problems.append(f"{where}: threshold.op must be one of {', '.join(OPS)}")
    value = threshold.get("value")
    if not isinstance(value, int | float) or isinstance(value, bool):
        problems.append(f"{where}: threshold.value must be a number, found {value!r}")
        value = 0
    on = threshold.get("on", "estimate")
    if on not in ON:
        problems.append(f"{where}: threshold.on must be one of {', '.join(ON)}")
    goal = raw.get("goal")
    if goal not in config.GOALS:
        problems.append(f"{where}: goal must be one of {sorted(config.GOALS)}")
    text = raw.get("recommendation")
    if not isinstance(text, str) or not text.strip():
        problems.append(f"{where}: recommendation text is missing")
        text = ""
    return Rule(
        id=rid,
        enabled=bool(raw.get("enabled", True)),
        theme=str(raw.get("theme", "")),
        goal=goal if isinstance(goal, int) else 0,
        kind=kind,
        item=item,
        battery=battery,
        labels=labels,
        wave=finding.get("wave", "latest"),
        wave_from=finding.get("from"),
        wave_to=finding.get("to"),
        op=op,
        value=float(value),
        on=on,
        recommendation=text.strip(),
        rationale=raw.get("rationale"),
    )


def _share(data: pd.DataFrame, instrument: Instrument, rule: Rule, wave: int) -> tuple[int, int]:
    item = instrument.item(rule.item or "")
    d = data.loc[data["wave"] == wave]
    assert item.scale is not None
    wanted = [item.scale.match(lab) for lab in rule.labels]
    if item.type == "multi":
        cols = [item.option_column(lab) for lab in wanted if lab is not None]
        answered = d[cols[0]].notna()
        hit = d[cols].fillna(False).astype(bool).any(axis=1) & answered
        return int(hit.sum()), int(answered.sum())
    values = d[item.id]
    texts = {lab.label for lab in wanted if lab is not None}
    return int(values.isin(texts).sum()), int(values.notna().sum())


def evaluate_rules(
    data: pd.DataFrame, instrument: Instrument, rules: list[Rule], *, k: int | None = None
) -> pd.DataFrame:
    """Evaluate every enabled rule on clean data.

    Returns one row per enabled rule: ``id, theme, goal, kind, item, wave, n, base, value,
    ci_low, ci_high, threshold, fired, suppressed, evidence, recommendation`` (value and interval
    in % or percentage points; ``evidence`` is the Danish sentence shown next to it).
    A rule whose base (or whose count or its complement) is below k is never fired and its
    numbers are suppressed.
    """
    k = config.SUPPRESSION_K if k is None else k
    waves = sorted(int(w) for w in data["wave"].unique())
    rows = []
    for rule in rules:
        if not rule.enabled:
            continue
        row: dict[str, Any] = {
            "id": rule.id,
            "theme": rule.theme,
            "goal": rule.goal,
            "kind": rule.kind,
            "item": rule.item or rule.battery,
            "recommendation": rule.recommendation,
            "threshold": rule.value,
            "op": rule.op,
            "on": rule.on,
        }
        if rule.kind == "share":
            wave = waves[-1] if rule.wave == "latest" else int(rule.wave)
            n, base = _share(data, instrument, rule, wave)
            lo, hi = wilson_ci(n, base, config.CONFIDENCE)
            value = 100 * n / base if base else np.nan
            small = base < k or 0 < n < k or 0 < base - n < k
            row.update(wave=wave, n=n, base=base, value=value, ci_low=100 * lo, ci_high=100 * hi)
        elif rule.kind == "change":
            w0 = rule.wave_from or waves[0]
            w1 = rule.wave_to or waves[-1]
            n0, b0 = _share(data, instrument, rule, w0)
            n1, b1 = _share(data, instrument, rule, w1)
            diff, lo, hi = newcombe_diff_ci(n1, b1, n0, b0)
            small = min(b0, b1) < k or any(0 < x < k for x in (n0, n1, b0 - n0, b1 - n1))
            row.update(
                wave=f"{w0}–{w1}",
                n=n1,
                base=b1,
                value=100 * diff,
                ci_low=100 * lo,
                ci_high=100 * hi,
            )
        else:
            from fslt_survey.indices import scale_index

            wave = waves[-1] if rule.wave == "latest" else int(rule.wave)
            d = data.loc[data["wave"] == wave]
            idx = scale_index(d, instrument.battery(rule.battery or ""), name="indeks")
            scores = pd.to_numeric(idx["indeks"], errors="coerce").dropna()
            base = len(scores)
            mean = float(scores.mean()) if base else np.nan
            se = float(scores.std(ddof=1) / np.sqrt(base)) if base > 1 else np.nan
            small = base < k
            row.update(
                wave=wave,
                n=base,
                base=base,
                value=mean,
                ci_low=mean - 1.96 * se,
                ci_high=mean + 1.96 * se,
            )
        measured = {"estimate": row["value"], "ci_low": row["ci_low"], "ci_high": row["ci_high"]}[
            rule.on
        ]
        fired = (not small) and bool(pd.notna(measured) and OPS[rule.op](measured, rule.value))
        row.update(fired=fired, suppressed=small)
        if small:
            for col in ("n", "value", "ci_low", "ci_high"):
                row[col] = np.nan
        row["evidence"] = _evidence(rule, row, instrument)
        rows.append(row)
    return pd.DataFrame(rows)


def _evidence(rule: Rule, row: dict[str, Any], instrument: Instrument) -> str:
    if row["suppressed"]:
        return (
            "Grundlaget er for lille til at vise tallet (færre end "
            f"{config.SUPPRESSION_K} foreninger), så anbefalingen vurderes ikke."
        )
    ci = format_ci(row["ci_low"], row["ci_high"])
    labels = " eller ".join(f"»{lab.lower()}«" for lab in rule.labels)
    if rule.kind == "share":
        item = instrument.item(rule.item or "")
        return (
            f"{format_pct(row['value'])} {ci} af de {format_number(row['base'])} foreninger, "
            f"der svarede i {row['wave']}, svarede {labels} til »{item.label}«. "
            f"Tærskel: {rule.op} {format_pct(rule.value)}"
            + (" (hele konfidensintervallet)." if rule.on != "estimate" else ".")
        )
    if rule.kind == "change":
        item = instrument.item(rule.item or "")
        sign = "+" if row["value"] > 0 else ""
        return (
            f"Andelen, der svarede {labels} til »{item.label}«, ændrede sig med "
            f"{sign}{format_number(row['value'], 1)} procentpoint fra {row['wave']} "
            f"(95 %-konfidensinterval {format_number(row['ci_low'], 1)} til "
            f"{format_number(row['ci_high'], 1)}). Tærskel: {rule.op} "
            f"{format_number(rule.value, 1)} procentpoint."
        )
    return (
        f"Indeks for »{rule.battery}« (0-100): {format_number(row['value'], 1)} "
        f"(95 %-konfidensinterval {format_number(row['ci_low'], 1)}–"
        f"{format_number(row['ci_high'], 1)}), {format_number(row['base'])} foreninger. "
        f"Tærskel: {rule.op} {format_number(rule.value, 1)}."
    )
