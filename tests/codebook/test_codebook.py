from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from fslt_survey.codebook import load_instrument, normalise, parse_instrument
from fslt_survey.errors import CodebookError
from tests.conftest import small_instrument_dict


def test_member_instrument_covers_the_strategy(member_instrument):
    inst = member_instrument
    assert inst.kind == "member"
    assert inst.waves == (2025, 2027)
    assert {s.theme for s in inst.sections} >= {
        "profil",
        "behov",
        "centret",
        "kommune",
        "selvhjaelp",
        "netvaerk",
        "erhverv",
        "fritekst",
    }
    # every strategic goal is served by some item
    for goal in (1, 2, 3, 4):
        assert inst.by_goal(goal), goal
    needs = inst.battery("behov")
    assert len(needs) >= 10
    assert all(it.type == "likert" and it.scale.id == "grad" for it in needs)
    assert inst.association_item.id == "forening"
    assert "Ved ikke" in [lab.label for lab in inst.scales["grad"].missing]


def test_core_items_are_shared_between_waves(member_instrument):
    base = {it.id for it in member_instrument.for_wave(2025)}
    follow = {it.id for it in member_instrument.for_wave(2027)}
    core = {it.id for it in member_instrument.core_items}
    assert core <= base & follow
    assert follow - base == {"centret_lettere"}


def test_evaluation_instrument_loads(evaluation_instrument):
    assert evaluation_instrument.kind == "evaluation"
    assert evaluation_instrument.item("udbytte").type == "likert"


def test_columns_of_each_item_type(small_instrument):
    inst = small_instrument
    assert inst.item("behov_a").columns == ["behov_a", "behov_a__missing"]
    assert inst.item("temaer").columns == [
        "temaer__frivillige",
        "temaer__fundraising",
        "temaer__gdpr",
        "temaer__missing",
    ]
    assert inst.item("forening").columns == []


def test_scale_matching_handles_case_whitespace_and_codes(small_instrument):
    scale = small_instrument.scales["grad"]
    assert scale.match("  i HØJ   grad ").label == "I høj grad"
    assert scale.match("I høj grad.").label == "I høj grad"
    assert scale.match("Meget høj grad") is None
    assert scale.by_code(9).missing
    assert scale.by_code("2").label == "I nogen grad"
    assert scale.by_code(2.0).label == "I nogen grad"
    assert scale.categories == ["I høj grad", "I nogen grad", "I mindre grad", "Slet ikke"]


def test_normalise():
    assert normalise("Fundraising,  fonde og §18!") == "fundraising fonde og §18"
    assert normalise("Æble\u00a0Ø") == "æble ø"


def _problems(data) -> list[str]:
    with pytest.raises(CodebookError, match=r"invalid instrument \(\d+ problems?\)") as info:
        parse_instrument(data, path=Path("x.yml"))
    assert "x.yml" in str(info.value)
    return info.value.problems


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda d: d["sections"][0]["items"].append(copy.deepcopy(d["sections"][0]["items"][1])),
            "item behov_a: duplicate id",
        ),
        (lambda d: d["sections"][0]["items"][1].update(scale="nope"), "unknown scale 'nope'"),
        (lambda d: d["sections"][0]["items"][1].update(type="likertt"), "unknown type 'likertt'"),
        (lambda d: d["scales"]["grad"]["labels"][0].pop("label"), "has no label text"),
        (
            lambda d: d["sections"][0]["items"][4].update(relevant={"item": "x", "in": ["Ja"]}),
            "relevant refers to unknown item 'x'",
        ),
        (
            lambda d: d["sections"][0]["items"][4].update(
                relevant={"item": "driver", "in": ["Jo"]}
            ),
            "relevant value 'Jo' is not a label",
        ),
        (lambda d: d["sections"][0]["items"][1].pop("text"), "missing question text"),
        (lambda d: d["sections"][0]["items"][2].update(sx="q1_1"), "SurveyXact name 'q1_1'"),
        (lambda d: d["sections"][0].update(goals=[7]), "unknown strategic goal 7"),
        (lambda d: d["sections"][0]["items"][4].update(min=10, max=1), "min 10 is larger"),
        (lambda d: d["sections"][0]["items"][1].update(colour="red"), "unknown key 'colour'"),
        (
            lambda d: d["sections"][0]["items"][1].update(sensitive="ja"),
            "sensitive must be true or false, found 'ja'",
        ),
        (
            lambda d: d["scales"]["grad"]["labels"].append({"code": 1, "label": "X"}),
            "duplicate code 1",
        ),
        (lambda d: d["sections"][0]["items"][1].update(id="Behov A"), "invalid id"),
    ],
)
def test_validation_names_item_and_problem(mutate, expected):
    data = small_instrument_dict()
    mutate(data)
    problems = _problems(data)
    assert any(expected in p for p in problems), problems


def test_an_item_is_declared_sensitive():
    data = small_instrument_dict()
    data["sections"][0]["items"][1]["sensitive"] = True
    inst = parse_instrument(data)
    flags = [it.sensitive for it in inst]
    assert flags[1] is True and flags.count(True) == 1


def test_all_problems_are_reported_at_once():
    data = small_instrument_dict()
    data["sections"][0]["items"][1]["scale"] = "nope"
    data["sections"][0]["items"][2]["type"] = "bad"
    assert len(_problems(data)) >= 2


def test_load_errors_name_the_file(tmp_path):
    bad = tmp_path / "i.yml"
    bad.write_text("instrument: x\n  title: [", encoding="utf-8")
    with pytest.raises(CodebookError, match="not valid YAML") as info:
        load_instrument(bad)
    assert info.value.file == bad and info.value.row
    with pytest.raises(CodebookError, match="not found"):
        load_instrument(tmp_path / "none.yml")
    bad.write_bytes("instrument: æ".encode("cp1252"))
    with pytest.raises(CodebookError, match="not UTF-8"):
        load_instrument(bad)


def test_round_trip_through_yaml(tmp_path):
    path = tmp_path / "lille.yml"
    path.write_text(yaml.safe_dump(small_instrument_dict(), allow_unicode=True), encoding="utf-8")
    inst = load_instrument(path)
    assert inst.path == path and len(inst) == 7


def test_yaml_loader_reads_the_project_files_as_the_pure_python_parser_does():
    """The fast (libyaml) loader gives the same data as PyYAML's pure-Python safe loader, with
    dates kept as text, for every YAML file of the project; a syntax error still names its row."""
    from fslt_survey import _yaml

    class Pure(yaml.SafeLoader):
        pass

    Pure.yaml_implicit_resolvers = _yaml._Loader.yaml_implicit_resolvers
    root = Path(__file__).resolve().parents[2]
    files = [*root.glob("surveys/**/*.yml"), root / "_quarto.yml"]
    assert len(files) >= 6
    for path in files:
        text = path.read_text("utf-8")
        assert _yaml.read_yaml(path, "file") == yaml.load(text, Loader=Pure), path


def test_yaml_syntax_error_names_the_row(tmp_path):
    from fslt_survey._yaml import read_yaml
    from fslt_survey.errors import ConfigError

    path = tmp_path / "x.yml"
    path.write_text("a: 1\nb: [1, 2\nc: 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML") as err:
        read_yaml(path, "test file")
    assert err.value.row in (3, 4)
    path.write_text("dato: 2025-02-12\n", encoding="utf-8")
    assert read_yaml(path, "test file") == {"dato": "2025-02-12"}
