"""The recommendation rules as data (``surveys/anbefalinger.yml``): loading and validation.

Evaluation is in :mod:`fslt_survey.publish.recommend`.

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
        threshold:
          op: ">="
          value: 30
          on: estimate
          reason: Hvorfor netop 30 % (dansk; står ved tærsklen i rapporten).
        recommendation: Kommunen bør ...
        rationale: Hvorfor reglen findes (valgfri).
        priority: høj                   # høj | middel | lav (the report's overview order)
        owner: kommunen                 # kommunen | Frivilligcentret | foreningerne | fælles
        next_step: Det første konkrete skridt (dansk).
        time_frame: Inden for 6 måneder   # when the next step is taken (dansk)

``share``: the share of associations answering one of ``labels`` (base: substantive answers;
multi-select: associations that ticked at least one of the options, of those who answered).
``change``: the change in that share from wave ``from`` to wave ``to`` in percentage points
(Newcombe interval). ``index``: the mean 0-100 score of a battery (``battery``; optional
``label`` names it in the text), with a t interval.

``threshold.on`` says what must pass the threshold: ``estimate`` (the value itself), ``ci``
(the whole 95 % confidence interval: its lower bound for ``>``/``>=``, its upper bound for
``<``/``<=``; the conservative choice for recommendations to politicians), or explicitly
``ci_low`` / ``ci_high``. ``threshold.reason`` says in Danish why the value is what it is; the
report prints it next to the threshold, so no threshold looks arbitrary.

So that a recommendation can be acted on, each rule also says how urgent it is (``priority``,
:data:`PRIORITIES`, highest first: the order of the report's overview), who takes it forward
(``owner``, :data:`OWNERS`; case does not matter, the canonical spelling is kept), the first
concrete step (``next_step``) and when (``time_frame``, free Danish text such as "Inden for 6
måneder" or "Budget 2028"). All five are required, also for a rule that is switched off.

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

from fslt_survey import config
from fslt_survey._yaml import check_goal, read_yaml
from fslt_survey.codebook import Instrument
from fslt_survey.errors import ConfigError

__all__ = ["KINDS", "ON", "OPS", "OWNERS", "PRIORITIES", "Rule", "load_rules", "parse_rules",
           "rules_file"]


def rules_file() -> Path:
    """``surveys/anbefalinger.yml`` of the current project."""
    return config.SURVEYS_DIR / "anbefalinger.yml"


def __getattr__(name: str) -> Any:
    """``RULES_FILE``: the path in the current project, resolved when used."""
    if name == "RULES_FILE":
        return rules_file()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


KINDS = ("share", "change", "index")
OPS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}
ON = ("estimate", "ci", "ci_low", "ci_high")
_OP_WORDS = {">=": "mindst", ">": "over", "<=": "højst", "<": "under"}
#: A rule's priority, highest first (the order of the report's overview).
PRIORITIES = ("høj", "middel", "lav")
#: Who takes a recommendation forward (the canonical spelling; matched ignoring case).
OWNERS = ("kommunen", "Frivilligcentret", "foreningerne", "fælles")
_RULE_KEYS = frozenset(
    {"id", "enabled", "title", "theme", "goal", "finding", "threshold", "recommendation",
     "rationale", "priority", "owner", "next_step", "time_frame"}
)  # fmt: skip
_FINDING_KEYS = frozenset({"kind", "item", "battery", "labels", "wave", "from", "to", "label"})
_THRESHOLD_KEYS = frozenset({"op", "value", "on", "reason"})
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
    priority: str = "middel"
    owner: str = "fælles"
    next_step: str = ""
    time_frame: str = ""
    threshold_reason: str = ""

    @property
    def rank(self) -> int:
        """The priority's place in :data:`PRIORITIES` (0 = høj): sort by it."""
        return PRIORITIES.index(self.priority)

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
        n = len(problems)
        raise ConfigError(
            f"invalid recommendation rules ({n} problem{'s' if n != 1 else ''})",
            file=file,
            problems=problems,
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
    item, battery, labels = _parse_finding(finding, kind, where, problems)
    if instrument is not None:
        _check_against_instrument(raw, item, battery, labels, instrument, where, problems)
    wave, wave_from, wave_to = _parse_waves(finding, kind, where, problems, instrument)
    op, value, on, reason = _parse_threshold(threshold, kind, where, problems)
    goal, enabled, text = _parse_texts(raw, where, problems)
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
        threshold_reason=reason,
        **_parse_action(raw, where, problems),
    )


def _parse_finding(
    finding: dict[str, Any], kind: str, where: str, problems: list[str]
) -> tuple[Any, Any, tuple[str, ...]]:
    """The item (share, change) or battery (index) and the answer labels of a finding."""
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
    return item, battery, labels


def _check_against_instrument(
    raw: dict[str, Any],
    item: Any,
    battery: Any,
    labels: tuple[str, ...],
    instrument: Instrument,
    where: str,
    problems: list[str],
) -> None:
    """Item, labels, battery and theme must exist in the instrument; labels be substantive."""
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


def _parse_waves(
    finding: dict[str, Any],
    kind: str,
    where: str,
    problems: list[str],
    instrument: Instrument | None,
) -> tuple[Any, int | None, int | None]:
    """``wave`` (share, index) or ``from``/``to`` (change)."""
    wave = finding.get("wave", "latest")
    if wave != "latest":
        wave = _wave_value(wave, "wave", where, problems, instrument) or "latest"
    wave_from = _wave_value(finding.get("from"), "from", where, problems, instrument)
    wave_to = _wave_value(finding.get("to"), "to", where, problems, instrument)
    if kind != "change" and (wave_from is not None or wave_to is not None):
        problems.append(f"{where}: finding.from/to belong to kind change")
    if wave_from is not None and wave_to is not None and wave_from >= wave_to:
        problems.append(f"{where}: finding.from must be an earlier wave than finding.to")
    return wave, wave_from, wave_to


def _parse_threshold(
    threshold: dict[str, Any], kind: str, where: str, problems: list[str]
) -> tuple[str, Any, str, str]:
    """Operator, value, what must pass it (never the favourable end of the interval) and the
    reason for the value."""
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
    elif (on == "ci_low" and op in ("<", "<=")) or (on == "ci_high" and op in (">", ">=")):
        other = "ci_high" if on == "ci_low" else "ci_low"
        problems.append(
            f"{where}: threshold.on {on} with {op} lets the rule fire on the most favourable "
            f"end of the interval; use on: ci (the whole interval) or {other}"
        )
    reason = _text(threshold.get("reason"), "threshold.reason", where, problems,
                   "why the threshold has this value, in Danish; the report prints it")
    return op, value, on, reason


def _parse_texts(raw: dict[str, Any], where: str, problems: list[str]) -> tuple[Any, Any, str]:
    """Goal, enabled flag and the recommendation text (title and rationale must be text)."""
    goal = raw.get("goal")
    check_goal(goal, lambda text: problems.append(f"{where}: {text}"))
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
    return goal, enabled, text


def _text(value: Any, field: str, where: str, problems: list[str], what: str) -> str:
    """A required piece of Danish text, whitespace normalised ("" and a problem if absent)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        problems.append(f"{where}: {field} is required ({what})")
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # a year ("time_frame: 2027") is text enough
    if not isinstance(value, str):
        problems.append(f"{where}: {field} must be text, found {value!r}")
        return ""
    return " ".join(value.split())


def _choice(value: Any, field: str, allowed: tuple[str, ...], where: str,
            problems: list[str]) -> str | None:
    """One of ``allowed`` (ignoring case), in its canonical spelling; else a problem."""
    canonical = {a.casefold(): a for a in allowed}
    if isinstance(value, str) and value.strip().casefold() in canonical:
        return canonical[value.strip().casefold()]
    if value is None:
        problems.append(f"{where}: {field} is required (one of {', '.join(allowed)})")
    else:
        problems.append(f"{where}: {field} must be one of {', '.join(allowed)}, found {value!r}")
    return None


def _parse_action(raw: dict[str, Any], where: str, problems: list[str]) -> dict[str, str]:
    """Priority, owner, next step and time frame: what makes a recommendation actionable."""
    return {
        "priority": _choice(raw.get("priority"), "priority", PRIORITIES, where, problems)
        or PRIORITIES[-1],
        "owner": _choice(raw.get("owner"), "owner", OWNERS, where, problems) or OWNERS[-1],
        "next_step": _text(raw.get("next_step"), "next_step", where, problems,
                           "the first concrete step, in Danish"),
        "time_frame": _text(raw.get("time_frame"), "time_frame", where, problems,
                            "when the next step is taken, in Danish"),
    }
