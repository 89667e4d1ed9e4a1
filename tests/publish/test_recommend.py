"""Recommendation rules: validation with the rule id, firing logic, disclosure control
(fslt_survey.publish.recommend)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd
import pytest

from fslt_survey.errors import ConfigError
from fslt_survey.publish import recommend

K = 5
GRAD = ["I høj grad", "I nogen grad", "I mindre grad", "Slet ikke"]
REASONS = ["Ved ikke", "Ikke besvaret"]


def rules_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "anbefalinger.yml"
    path.write_text("rules:\n" + textwrap.indent(textwrap.dedent(body), "  "), encoding="utf-8")
    return path


#: The reason every threshold of these tests gives (added when a test's threshold has none).
REASON = "Fordi foreningerne ellers mangler hjælp."


def rule(**over: str) -> str:
    """One rule in YAML; keyword arguments replace whole lines by key (an empty string drops
    the line). A one-line threshold without a reason gets :data:`REASON`."""
    lines = {
        "id": "- id: lokaler",
        "goal": "  goal: 1",
        "priority": "  priority: høj",
        "owner": "  owner: kommunen",
        "finding": "  finding: {kind: share, item: behov_a, labels: [I høj grad]}",
        "threshold": '  threshold: {op: ">=", value: 30, on: estimate}',
        "recommendation": "  recommendation: Kommunen bør gøre noget.",
        "next_step": "  next_step: Kommunen holder et møde.",
        "time_frame": "  time_frame: Inden for 3 måneder",
    }
    lines.update(over)
    t = lines["threshold"]
    if t.endswith("}") and "reason" not in t:
        lines["threshold"] = t[:-1] + f", reason: {REASON}}}"
    return "\n".join(v for v in lines.values() if v) + "\n"


def likert(counts: dict[str, int], *, item: str = "behov_a", wave: int = 2027) -> pd.DataFrame:
    values = [lab for lab, n in counts.items() for _ in range(n)]
    return pd.DataFrame(
        {
            "wave": wave,
            "association_id": [f"F{wave}{i:03d}" for i in range(len(values))],
            item: pd.Categorical(values, categories=GRAD, ordered=True),
            f"{item}__missing": pd.Categorical([None] * len(values), categories=REASONS),
        }
    )


def evaluate(tmp_path, small_instrument, body: str, data: pd.DataFrame) -> pd.DataFrame:
    rules = recommend.load_rules(rules_file(tmp_path, body), instrument=small_instrument)
    return recommend.evaluate_rules(data, small_instrument, rules, k=K)


# --------------------------------------------------------------------------- validation


def test_shipped_rules_are_valid(member_instrument) -> None:
    rules = recommend.load_rules(recommend.RULES_FILE, instrument=member_instrument)
    assert len(rules) >= 10
    assert len({r.id for r in rules}) == len(rules)
    assert any(not r.enabled for r in rules)  # the file shows how to switch a rule off
    assert any(r.on == "ci" for r in rules)  # and uses the conservative interval rule
    for r in rules:  # every rule can be acted on, and every threshold says why
        assert r.priority in recommend.PRIORITIES and r.owner in recommend.OWNERS, r.id
        assert r.next_step and r.time_frame and r.threshold_reason, r.id
    assert {r.priority for r in rules} == set(recommend.PRIORITIES)


def test_yaml_on_key_is_honoured(tmp_path: Path, small_instrument) -> None:
    # PyYAML reads an unquoted `on:` key as True; it must still mean threshold.on
    path = rules_file(tmp_path, rule(threshold='  threshold: {op: ">=", value: 30, on: ci}'))
    (r,) = recommend.load_rules(path, instrument=small_instrument)
    assert r.on == "ci" and r.bound == "ci_low"


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"finding": "  finding: {kind: share, item: nope, labels: [Ja]}"}, "unknown item 'nope'"),
        ({"finding": "  finding: {kind: share, item: behov_a, labels: [Meget]}"}, "'Meget' is not"),
        ({"finding": "  finding: {kind: share, item: behov_a, labels: [Ved ikke]}"}, "non-subst"),
        ({"finding": "  finding: {kind: mean, item: behov_a}"}, "finding.kind must be one of"),
        ({"finding": "  finding: {kind: index, battery: nope}"}, "unknown battery 'nope'"),
        ({"finding": "  finding: {kind: share, labels: [Ja]}"}, "finding.item is required"),
        ({"threshold": '  threshold: {op: "=>", value: 30}'}, "threshold.op must be one of"),
        ({"threshold": '  threshold: {op: ">=", value: "30"}'}, "threshold.value must be a num"),
        ({"threshold": '  threshold: {op: ">=", value: 130}'}, "between 0 and 100"),
        (
            {"threshold": '  threshold: {op: "<", value: 30, on: ci_low}'},
            "use on: ci (the whole interval) or ci_high",
        ),
        ({"threshold": '  threshold: {op: ">=", value: 30, on: ci_high}'}, "or ci_low"),
        ({"threshold": '  threshold: {op: ">=", value: 3, on: always}'}, "threshold.on must be"),
        ({"threshold": '  treshold: {op: ">=", value: 3}'}, "unknown rule key(s) treshold"),
        ({"goal": "  goal: 7"}, "goal must be one of"),
        ({"recommendation": ""}, "recommendation text is missing"),
        ({"id": "- id: Lokaler Nu"}, "id must use lower-case"),
        (
            {
                "finding": "  finding: {kind: change, item: behov_a, labels: [I høj grad], "
                "from: 2027, to: 2025}"
            },
            "finding.from must be an earlier wave",
        ),
        (
            {
                "finding": "  finding: {kind: change, item: behov_a, labels: [I høj grad], "
                "from: 2019}"
            },
            "2019 is not a wave",
        ),
    ],
)
def test_validation_names_the_rule(tmp_path, small_instrument, over, message) -> None:
    path = rules_file(tmp_path, rule(**over))
    with pytest.raises(ConfigError, match="invalid recommendation rules") as err:
        recommend.load_rules(path, instrument=small_instrument)
    problems = "\n".join(err.value.problems)
    assert message in problems
    assert all(p.startswith("rule ") for p in err.value.problems)
    assert "lokaler" in problems or "Lokaler Nu" in problems or "rule 1" in problems


OWNERS = "kommunen, Frivilligcentret, foreningerne, fælles"


@pytest.mark.parametrize(
    ("over", "problem"),
    [
        ({"priority": ""}, "rule lokaler: priority is required (one of høj, middel, lav)"),
        (
            {"priority": "  priority: haster"},
            "rule lokaler: priority must be one of høj, middel, lav, found 'haster'",
        ),
        ({"priority": "  priority: 1"}, "rule lokaler: priority must be one of høj, middel, lav, "
                                        "found 1"),
        ({"owner": ""}, f"rule lokaler: owner is required (one of {OWNERS})"),
        (
            {"owner": "  owner: borgmesteren"},
            f"rule lokaler: owner must be one of {OWNERS}, found 'borgmesteren'",
        ),
        ({"owner": "  owner: [kommunen, fælles]"},
         f"rule lokaler: owner must be one of {OWNERS}, found ['kommunen', 'fælles']"),
        ({"next_step": ""},
         "rule lokaler: next_step is required (the first concrete step, in Danish)"),
        ({"time_frame": "  time_frame: ' '"},
         "rule lokaler: time_frame is required (when the next step is taken, in Danish)"),
        ({"time_frame": "  time_frame: [snart]"},
         "rule lokaler: time_frame must be text, found ['snart']"),
        (
            {"threshold": '  threshold: {op: ">=", value: 30, reason: ""}'},
            "rule lokaler: threshold.reason is required (why the threshold has this value, in "
            "Danish; the report prints it)",
        ),
    ],
)
def test_refuses_a_rule_that_cannot_be_acted_on(tmp_path, small_instrument, over, problem):
    """Priority, owner, next step, time frame and the threshold's reason are required; the
    refusal names the file, the rule and the field (read whole)."""
    path = rules_file(tmp_path, rule(**over))
    with pytest.raises(ConfigError) as err:
        recommend.load_rules(path, instrument=small_instrument)
    assert str(err.value) == f"{path}: invalid recommendation rules (1 problem)\n  - {problem}"


def test_owner_and_priority_are_matched_ignoring_case(tmp_path, small_instrument) -> None:
    body = rule(priority="  priority: Høj", owner="  owner: FRIVILLIGCENTRET",
                time_frame="  time_frame: 2027")
    (r,) = recommend.load_rules(rules_file(tmp_path, body), instrument=small_instrument)
    assert (r.priority, r.owner, r.rank, r.time_frame) == ("høj", "Frivilligcentret", 0, "2027")
    assert r.next_step == "Kommunen holder et møde." and r.threshold_reason == REASON


def test_all_problems_reported_at_once_and_duplicates(tmp_path, small_instrument) -> None:
    body = rule() + rule(goal="  goal: 9") + rule(id="- id: andet", recommendation="")
    with pytest.raises(ConfigError, match=r"invalid recommendation rules \(3 problems\)") as err:
        recommend.load_rules(rules_file(tmp_path, body), instrument=small_instrument)
    text = str(err.value)
    assert "rule lokaler: duplicate id" in text
    assert "rule lokaler: goal must be one of" in text
    assert "rule andet: recommendation text is missing" in text


def test_broken_yaml_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("rules:\n  - id: x\n    goal: [1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML") as err:
        recommend.load_rules(bad)
    assert err.value.row is not None
    with pytest.raises(ConfigError, match="not found"):
        recommend.load_rules(tmp_path / "nope.yml")


# --------------------------------------------------------------------------- firing


def test_fires_on_the_estimate_and_shows_the_evidence(tmp_path, small_instrument) -> None:
    data = likert({"I høj grad": 20, "I nogen grad": 20, "I mindre grad": 10, "Slet ikke": 10})
    ev = evaluate(tmp_path, small_instrument, rule(), data)
    row = ev.iloc[0]
    assert row["fired"] and row["status"] == "fired"
    assert row["value"] == pytest.approx(100 * 20 / 60)
    assert row["ci_low"] < row["value"] < row["ci_high"]
    assert row["base"] == 60
    assert "33\u00a0%" in row["evidence"] and "60 foreninger" in row["evidence"]
    assert row["threshold_text"] == "mindst 30\u00a0%"


def test_ci_rule_needs_the_whole_interval_past_the_threshold(tmp_path, small_instrument) -> None:
    data = likert({"I høj grad": 20, "I nogen grad": 20, "I mindre grad": 10, "Slet ikke": 10})
    body = (
        rule(threshold='  threshold: {op: ">=", value: 30, on: ci}')
        + rule(id="- id: ned", threshold='  threshold: {op: "<", value: 40, on: ci}')
        + rule(id="- id: lav", threshold='  threshold: {op: ">=", value: 20, on: ci_low}')
    )
    ev = evaluate(tmp_path, small_instrument, body, data).set_index("id")
    # 33 % with interval about 22-46 %: not wholly above 30, not wholly below 40, above 20
    assert not ev.loc["lokaler", "fired"] and ev.loc["lokaler", "status"] == "not_fired"
    assert not ev.loc["ned", "fired"]
    assert ev.loc["lav", "fired"]
    assert "hele konfidensintervallet" in ev.loc["lokaler", "threshold_text"]


def test_small_counts_never_fire_and_hide_their_numbers(tmp_path, small_instrument) -> None:
    # 3 associations answer "I høj grad": far above the threshold, but fewer than k
    data = likert({"I høj grad": 3, "I nogen grad": 0, "I mindre grad": 0, "Slet ikke": 6})
    ev = evaluate(tmp_path, small_instrument, rule(), data)
    row = ev.iloc[0]
    assert not row["fired"] and row["suppressed"] and row["status"] == "suppressed"
    assert pd.isna(row["value"]) and pd.isna(row["n"]) and pd.isna(row["ci_low"])
    assert "For" not in row["evidence"][:3] and "færre end 5" in row["evidence"]
    # a base below k
    data = likert({"I høj grad": 4, "I nogen grad": 0, "I mindre grad": 0, "Slet ikke": 0})
    row = evaluate(tmp_path, small_instrument, rule(), data).iloc[0]
    assert not row["fired"] and row["suppressed"] and pd.isna(row["base"])


def test_share_that_would_reveal_a_hidden_cell_never_fires(tmp_path, small_instrument) -> None:
    # "Slet ikke" (2) is hidden together with "I nogen grad" (6, the smallest complement):
    # their sum may be shown, but "I mindre grad + Slet ikke" would reveal the 2
    data = likert({"I høj grad": 30, "I nogen grad": 6, "I mindre grad": 20, "Slet ikke": 2})
    both = "  finding: {kind: share, item: behov_a, labels: [Slet ikke, I nogen grad]}"
    straddle = "  finding: {kind: share, item: behov_a, labels: [Slet ikke, I mindre grad]}"
    body = rule(finding=both) + rule(id="- id: afsloerer", finding=straddle)
    ev = evaluate(tmp_path, small_instrument, body, data).set_index("id")
    assert not ev.loc["lokaler", "suppressed"] and ev.loc["lokaler", "n"] == 8
    assert ev.loc["afsloerer", "suppressed"] and not ev.loc["afsloerer", "fired"]


def test_disabled_rules_are_skipped(tmp_path, small_instrument) -> None:
    data = likert({"I høj grad": 20, "I nogen grad": 20, "I mindre grad": 10, "Slet ikke": 10})
    body = rule() + rule(id="- id: slukket\n  enabled: false")
    rules = recommend.load_rules(rules_file(tmp_path, body), instrument=small_instrument)
    assert [r.enabled for r in rules] == [True, False]
    ev = recommend.evaluate_rules(data, small_instrument, rules, k=K)
    assert list(ev["id"]) == ["lokaler"]


def test_change_rule(tmp_path, small_instrument) -> None:
    early = likert({"I høj grad": 10, "I nogen grad": 20, "I mindre grad": 20, "Slet ikke": 10},
                   wave=2025)  # fmt: skip
    late = likert({"I høj grad": 30, "I nogen grad": 15, "I mindre grad": 10, "Slet ikke": 5})
    data = pd.concat([early, late], ignore_index=True)
    body = rule(
        finding="  finding: {kind: change, item: behov_a, labels: [I høj grad], from: 2025, "
        "to: 2027}",
        threshold='  threshold: {op: ">=", value: 10, on: ci}',
    )
    row = evaluate(tmp_path, small_instrument, body, data).iloc[0]
    assert row["fired"] and row["wave"] == "2025–2027"
    assert row["value"] == pytest.approx(100 * (30 / 60 - 10 / 60))
    assert "procentpoint" in row["evidence"] and "2025" in row["evidence"]


def test_index_rule(tmp_path, small_instrument) -> None:
    data = likert({"I høj grad": 20, "I nogen grad": 20, "I mindre grad": 10, "Slet ikke": 10})
    b = likert({"I høj grad": 10, "I nogen grad": 20, "I mindre grad": 20, "Slet ikke": 10},
               item="behov_b")  # fmt: skip
    data["behov_b"], data["behov_b__missing"] = b["behov_b"], b["behov_b__missing"]
    body = rule(
        finding="  finding: {kind: index, battery: behov, label: behovsindekset}",
        threshold='  threshold: {op: ">=", value: 50, on: estimate}',
    )
    row = evaluate(tmp_path, small_instrument, body, data).iloc[0]
    assert row["kind"] == "index" and row["unit"] == "point"
    assert 0 <= row["value"] <= 100 and row["ci_low"] < row["value"] < row["ci_high"]
    assert "behovsindekset" in row["finding"]


def test_multi_select_union_needs_safe_combinations(tmp_path, small_instrument) -> None:
    n = 30
    frivillige = [True] * 20 + [False] * 10
    gdpr = [True] * 2 + [False] * 18 + [True] * 10  # 2 tick both: a small combination
    data = pd.DataFrame(
        {
            "wave": [2027] * n,
            "temaer__frivillige": pd.array(frivillige, dtype="boolean"),
            "temaer__fundraising": pd.array([False] * n, dtype="boolean"),
            "temaer__gdpr": pd.array(gdpr, dtype="boolean"),
            "temaer__missing": pd.Categorical([None] * n, categories=REASONS),
        }
    )
    union = rule(finding="  finding: {kind: share, item: temaer, labels: [Frivillige, GDPR]}")
    one = rule(id="- id: en", finding="  finding: {kind: share, item: temaer, labels: [GDPR]}")
    ev = evaluate(tmp_path, small_instrument, union + one, data).set_index("id")
    assert ev.loc["lokaler", "suppressed"] and not ev.loc["lokaler", "fired"]
    assert ev.loc["en", "fired"] and ev.loc["en", "value"] == pytest.approx(40.0)


def test_demo_rules_evaluate_on_the_demo_data(member_instrument) -> None:
    from fslt_survey.pipeline import clean_survey

    data = clean_survey("medlemsundersoegelse", demo=True).data
    rules = recommend.load_rules(instrument=member_instrument)
    ev = recommend.evaluate_rules(data, member_instrument, rules)
    assert set(ev["status"]) <= {"fired", "not_fired", "suppressed", "no_data"}
    assert ev["fired"].any() and (~ev["fired"]).any()
    shown = ev.loc[~ev["suppressed"] & (ev["kind"] == "share")]
    assert (shown["n"] >= K).all() and ((shown["base"] - shown["n"]) >= K).all()
    assert ev.loc[ev["suppressed"], "value"].isna().all()
