"""Recommendations from explicit, reviewable rules (``surveys/anbefalinger.yml``).

Each rule names the finding it rests on, a threshold and the Danish recommendation text. The
analyst adds, edits or switches rules off in the YAML file; no code changes are needed::

    rules:
      - id: lokaler                     # unique: lower-case letters, digits, _ and -
        enabled: true                   # false: switched off (listed as such in the report)
        title: Lettere adgang til lokaler   # short Danish heading (optional)
        theme: behov                    # theme of the instrument (behov, kommune, ...)
        goal: 2                         # strategic goal 2025-2027 (1-4)
        finding:
          kind: share                   # share | change | index
          item: behov_lokaler
          labels: [I høj grad, I nogen grad]   # answer labels, or options of a multi-select
          wave: latest                  # latest | 2025 | 2027 ...
        threshold: {op: ">=", value: 30, on: estimate}
        recommendation: Kommunen bør ...
        rationale: Hvorfor reglen findes (valgfri).

``share``: the share of associations answering one of ``labels`` (base: substantive answers;
multi-select: associations that ticked at least one of the options, of those who answered).
``change``: the change in that share from wave ``from`` to wave ``to`` in percentage points
(Newcombe interval). ``index``: the mean 0-100 score of a battery (``battery``; optional
``label`` names it in the text), with a t interval.

``threshold.on`` says what must pass the threshold: ``estimate`` (the value itself), ``ci``
(the whole 95 % confidence interval: its lower bound for ``>``/``>=``, its upper bound for
``<``/``<=``; the conservative choice for recommendations to politicians), or explicitly
``ci_low`` / ``ci_high``.

Disclosure control: a rule is evaluated on the same suppressed numbers the site publishes. When
its base, count or complement is below k, or the share would reveal a hidden cell of the
item's published distribution (:func:`fslt_survey.publish.share_publishable`), the rule never
fires and its numbers are not shown.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from fslt_survey import config, publish, stats
from fslt_survey._yaml import read_yaml
from fslt_survey.codebook import Instrument
from fslt_survey.errors import ConfigError
from fslt_survey.stats.indices import scale_index
from fslt_survey.stats.intervals import newcombe_diff_ci, wilson_ci
from fslt_survey.tables import format_ci, format_number, format_pct

__all__ = [
    "KINDS",
    "ON",
    "OPS",
    "Rule",
    "evaluate_rules",
    "load_rules",
    "parse_rules",
    "rules_file",
    "threshold_text",
]



def rules_file() -> Path:
    """The project's recommendation rules (``surveys/anbefalinger.yml``), resolved when used."""
    return config.surveys_dir() / "anbefalinger.yml"


def __getattr__(name: str) -> Path:  # ``RULES_FILE``: the old constant, resolved when used
    if name == "RULES_FILE":
        return rules_file()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
KINDS = ("share", "change", "index")
OPS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}
ON = ("estimate", "ci", "ci_low", "ci_high")
_OP_WORDS = {">=": "mindst", ">": "over", "<=": "højst", "<": "under"}
_RULE_KEYS = frozenset(
    {"id", "enabled", "title", "theme", "goal", "finding", "threshold", "recommendation",
     "rationale"}
)  # fmt: skip
_FINDING_KEYS = frozenset({"kind", "item", "battery", "labels", "wave", "from", "to", "label"})
_THRESHOLD_KEYS = frozenset({"op", "value", "on"})
_ID = re.compile(r"[a-z0-9][a-z0-9_-]*")


@dataclass(frozen=True)
class Rule:
    """One validated recommendation rule (see the module docstring for the fields)."""

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
    title: str | None = None
    finding_label: str | None = None

    @property
    def bound(self) -> str:
        """The measure compared with the threshold: ``estimate``, ``ci_low`` or ``ci_high``."""
        if self.on == "ci":
            return "ci_low" if self.op in (">", ">=") else "ci_high"
        return self.on


def load_rules(path: str | Path | None = None, instrument: Instrument | None = None) -> list[Rule]:
    """Load and validate the rules; every problem is reported at once, each with the rule id.

    Raises
    ------
    ConfigError
        With ``problems`` listing ``"rule <id>: <what is wrong>"`` lines.
    """
    path = Path(path) if path is not None else rules_file()
    data = read_yaml(path, "recommendation rules")
    return parse_rules(data, instrument, file=path)


def parse_rules(
    data: Any, instrument: Instrument | None = None, *, file: str | Path | None = None
) -> list[Rule]:
    """Validate already parsed YAML (``{"rules": [...]}``); see :func:`load_rules`."""
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise ConfigError("expected a mapping with a list 'rules'", file=file)
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
            f"invalid recommendation rules ({len(problems)} problems)", file=file, problems=problems
        )
    return rules


def _mapping(value: Any, name: str, where: str, problems: list[str]) -> dict[str, Any]:
    if value is None:
        problems.append(f"{where}: {name} is required")
        return {}
    if not isinstance(value, dict):
        problems.append(f"{where}: {name} must be a mapping, found {value!r}")
        return {}
    # YAML 1.1 (PyYAML) reads an unquoted key `on` as the boolean True
    return {("on" if key is True else key): v for key, v in value.items()}


def _unknown(
    keys: Any, allowed: frozenset[str], what: str, where: str, problems: list[str]
) -> None:
    extra = sorted(str(k) for k in keys if k not in allowed)
    if extra:
        problems.append(
            f"{where}: unknown {what} key(s) {', '.join(extra)} "
            f"(allowed: {', '.join(sorted(allowed))})"
        )


def _wave_value(value: Any, name: str, where: str, problems: list[str], inst: Instrument | None):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(f"{where}: finding.{name} must be a wave year, found {value!r}")
        return None
    if inst is not None and inst.waves and value not in inst.waves:
        problems.append(
            f"{where}: finding.{name} {value} is not a wave of the survey "
            f"({', '.join(map(str, inst.waves))})"
        )
    return value


def _parse_rule(
    raw: Any, n: int, instrument: Instrument | None, problems: list[str]
) -> Rule | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str) or not raw["id"].strip():
        problems.append(f"rule {n}: must be a mapping with an id")
        return None
    rid = raw["id"].strip()
    where = f"rule {rid}"
    if not _ID.fullmatch(rid):
        problems.append(f"{where}: id must use lower-case letters, digits, _ and - only")
    _unknown(raw.keys(), _RULE_KEYS, "rule", where, problems)
    finding = _mapping(raw.get("finding"), "finding", where, problems)
    threshold = _mapping(raw.get("threshold"), "threshold", where, problems)
    _unknown(finding.keys(), _FINDING_KEYS, "finding", where, problems)
    _unknown(threshold.keys(), _THRESHOLD_KEYS, "threshold", where, problems)
    kind = finding.get("kind")
    if kind not in KINDS:
        problems.append(f"{where}: finding.kind must be one of {', '.join(KINDS)}, found {kind!r}")
        return None
    item = finding.get("item")
    battery = finding.get("battery")
    raw_labels = finding.get("labels") or ()
    if isinstance(raw_labels, str):
        raw_labels = [raw_labels]
    labels = tuple(str(v) for v in raw_labels)
    if kind in ("share", "change"):
        if not item:
            problems.append(f"{where}: finding.item is required for kind {kind}")
        if not labels:
            problems.append(f"{where}: finding.labels is required for kind {kind}")
        if battery:
            problems.append(f"{where}: finding.battery belongs to kind index, not {kind}")
    if kind == "index":
        if not battery:
            problems.append(f"{where}: finding.battery is required for kind index")
        if item or labels:
            problems.append(f"{where}: kind index takes a battery, not item/labels")
    if instrument is not None:
        if item and item not in instrument:
            problems.append(f"{where}: unknown item {item!r}")
        elif item:
            it = instrument.item(item)
            if it.scale is None or it.type not in ("single", "likert", "multi"):
                problems.append(f"{where}: item {item!r} has no answer labels ({it.type})")
            else:
                for lab in labels:
                    match = it.scale.match(lab)
                    if match is None:
                        problems.append(
                            f"{where}: {lab!r} is not a label of {item!r} "
                            f"(labels: {', '.join(it.scale.categories)})"
                        )
                    elif match.missing:
                        problems.append(
                            f"{where}: {lab!r} is a non-substantive answer of {item!r}; "
                            "shares are of substantive answers"
                        )
        if battery and not any(i.battery == battery for i in instrument.items):
            problems.append(f"{where}: unknown battery {battery!r}")
        theme = raw.get("theme")
        if theme is not None and instrument.themes and theme not in instrument.themes:
            problems.append(
                f"{where}: unknown theme {theme!r} (themes: {', '.join(instrument.themes)})"
            )
    wave = finding.get("wave", "latest")
    if wave != "latest":
        wave = _wave_value(wave, "wave", where, problems, instrument) or "latest"
    wave_from = _wave_value(finding.get("from"), "from", where, problems, instrument)
    wave_to = _wave_value(finding.get("to"), "to", where, problems, instrument)
    if kind != "change" and (wave_from is not None or wave_to is not None):
        problems.append(f"{where}: finding.from/to belong to kind change")
    if wave_from is not None and wave_to is not None and wave_from >= wave_to:
        problems.append(f"{where}: finding.from must be an earlier wave than finding.to")
    op = str(threshold.get("op", ">="))
    if op not in OPS:
        problems.append(f"{where}: threshold.op must be one of {', '.join(OPS)}, found {op!r}")
        op = ">="
    value = threshold.get("value")
    if not isinstance(value, int | float) or isinstance(value, bool):
        problems.append(f"{where}: threshold.value must be a number, found {value!r}")
        value = 0
    elif kind in ("share", "index") and not 0 <= value <= 100:
        problems.append(f"{where}: threshold.value must lie between 0 and 100, found {value}")
    on = threshold.get("on", "estimate")
    if on not in ON:
        problems.append(f"{where}: threshold.on must be one of {', '.join(ON)}, found {on!r}")
        on = "estimate"
    elif on == "ci_low" and op in ("<", "<="):
        problems.append(
            f"{where}: threshold.on ci_low with {op} lets the rule fire on the most favourable "
            "end of the interval; use on: ci (the whole interval) or ci_high"
        )
    elif on == "ci_high" and op in (">", ">="):
        problems.append(
            f"{where}: threshold.on ci_high with {op} lets the rule fire on the most favourable "
            "end of the interval; use on: ci (the whole interval) or ci_low"
        )
    goal = raw.get("goal")
    if isinstance(goal, bool) or goal not in config.GOALS:
        problems.append(f"{where}: goal must be one of {sorted(config.GOALS)}, found {goal!r}")
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        problems.append(f"{where}: enabled must be true or false, found {enabled!r}")
    text = raw.get("recommendation")
    if not isinstance(text, str) or not text.strip():
        problems.append(f"{where}: recommendation text is missing")
        text = ""
    for key in ("title", "rationale"):
        if raw.get(key) is not None and not isinstance(raw.get(key), str):
            problems.append(f"{where}: {key} must be text")
    flabel = finding.get("label")
    return Rule(
        id=rid,
        enabled=enabled is not False,
        theme=str(raw.get("theme") or ""),
        goal=goal if isinstance(goal, int) and not isinstance(goal, bool) else 0,
        kind=kind,
        item=item,
        battery=battery,
        labels=labels,
        wave=wave,
        wave_from=wave_from,
        wave_to=wave_to,
        op=op,
        value=float(value),
        on=on,
        recommendation=" ".join(text.split()),
        rationale=" ".join(str(raw["rationale"]).split()) if raw.get("rationale") else None,
        title=str(raw["title"]).strip() if isinstance(raw.get("title"), str) else None,
        finding_label=str(flabel) if isinstance(flabel, str) else None,
    )


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


def evaluate_rules(
    data: pd.DataFrame, instrument: Instrument, rules: list[Rule], *, k: int | None = None
) -> pd.DataFrame:
    """Evaluate every enabled rule on clean data (all waves).

    Returns
    -------
    DataFrame
        One row per enabled rule, in file order: ``id, title, theme, goal, kind, item, wave,
        n, base, value, ci_low, ci_high, op, threshold, on, bound, unit, fired, suppressed,
        status`` (``fired`` | ``not_fired`` | ``suppressed`` | ``no_data``), ``finding``
        (Danish: what was measured), ``evidence`` (Danish sentence with value, interval and
        base), ``threshold_text``, ``recommendation``, ``rationale``. Value and interval are in
        % (share), percentage points (change) or points 0-100 (index). A suppressed rule never
        fires and its numbers are NA.
    """
    k = config.SUPPRESSION_K if k is None else k
    waves = sorted(int(w) for w in data["wave"].dropna().unique())
    rows = []
    for rule in rules:
        if not rule.enabled:
            continue
        row: dict[str, Any] = {
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
            "unit": {"share": "%", "change": "procentpoint", "index": "point"}[rule.kind],
            "recommendation": rule.recommendation,
            "rationale": rule.rationale,
        }
        small = False
        no_data = False
        if rule.kind == "share":
            wave = waves[-1] if rule.wave == "latest" else int(rule.wave)
            if wave not in waves:
                no_data, n, base, ok = True, 0, 0, False
            else:
                n, base, ok = _share(data, instrument, rule, wave, k)
            lo, hi = wilson_ci(n, base, config.CONFIDENCE) if base else (np.nan, np.nan)
            small = not ok
            no_data = no_data or base == 0
            row.update(
                wave=str(wave),
                n=n,
                base=base,
                value=100 * n / base if base else np.nan,
                ci_low=100 * lo,
                ci_high=100 * hi,
            )
        elif rule.kind == "change":
            w0 = rule.wave_from or waves[0]
            w1 = rule.wave_to or waves[-1]
            if w0 not in waves or w1 not in waves or w0 == w1:
                no_data = True
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
            small = not (ok0 and ok1)
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
        else:
            wave = waves[-1] if rule.wave == "latest" else int(rule.wave)
            d = data.loc[data["wave"] == wave]
            idx = scale_index(d, instrument.battery(rule.battery or ""), name="indeks")
            scores = pd.to_numeric(idx["indeks"], errors="coerce").dropna().astype(float)
            base = len(scores)
            lo, hi = _t_interval(scores, config.CONFIDENCE)
            no_data = base == 0
            small = base < k
            row.update(
                wave=str(wave),
                n=base,
                base=base,
                value=float(scores.mean()) if base else np.nan,
                ci_low=lo,
                ci_high=hi,
            )
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
        row.update(
            fired=fired,
            suppressed=suppressed,
            status="fired"
            if fired
            else ("no_data" if no_data else ("suppressed" if suppressed else "not_fired")),
        )
        row["finding"] = _finding_text(rule, instrument)
        row["threshold_text"] = threshold_text(rule)
        row["evidence"] = _evidence(rule, row, k)
        rows.append(row)
    cols = [
        "id", "title", "theme", "goal", "kind", "item", "wave", "n", "base", "value", "ci_low",
        "ci_high", "op", "threshold", "on", "bound", "unit", "fired", "suppressed", "status",
        "finding", "evidence", "threshold_text", "recommendation", "rationale",
    ]  # fmt: skip
    out = pd.DataFrame(rows)
    if out.empty:
        return pd.DataFrame(columns=cols)
    extra = [c for c in out.columns if c not in cols]
    return out.loc[:, cols + extra]


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


def threshold_text(rule: Rule) -> str:
    """The threshold in Danish, e.g. "mindst 30 % (hele konfidensintervallet)"."""
    if rule.kind == "share":
        value = format_pct(rule.value)
    elif rule.kind == "change":
        value = f"{format_number(rule.value, 1 if rule.value % 1 else 0)} procentpoint"
    else:
        value = f"{format_number(rule.value, 1 if rule.value % 1 else 0)} point"
    where = {
        "estimate": "",
        "ci": " (hele 95 %-konfidensintervallet)",
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
        sign = "+" if row["value"] > 0 else ""
        w0, w1 = row["wave"].split("–")
        return (
            f"{sign}{format_number(row['value'], 1)} procentpoint, fra "
            f"{format_pct(row['value_from'])} i {w0} til {format_pct(row['value_to'])} i {w1} "
            f"(95 %-konfidensinterval {format_number(row['ci_low'], 1)} til "
            f"{format_number(row['ci_high'], 1)} procentpoint; "
            f"{format_number(row['base_from'])} og {format_number(row['base'])} foreninger)."
        )
    return (
        f"{format_number(row['value'], 1)} point (95 %-konfidensinterval "
        f"{format_number(row['ci_low'], 1)}–{format_number(row['ci_high'], 1)}) blandt de "
        f"{format_number(row['base'])} foreninger, der svarede i {row['wave']}."
    )
