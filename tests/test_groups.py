"""Published groups (issue 18): declared broader groups, small groups merged into "Øvrige".

Known answers written out by hand from small registries; the declaration's refusals read whole.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from fslt_survey.errors import ConfigError
from fslt_survey.project import load_project, publication
from fslt_survey.report.data import OTHERS, Report, group_members


def _report(instrument, counts: dict[str, tuple[int, int]], groups=(), min_group=5) -> Report:
    """``counts``: type -> (registry members, respondents in 2027)."""
    reg, rows = [], []
    for t, (members, answered) in counts.items():
        for i in range(members):
            aid = f"{t[:3]}{i}"
            reg.append({"association_id": aid, "assoc_type": t})
            if i < answered:
                rows.append({"association_id": aid, "assoc_type": t, "wave": 2027})
    return Report(
        page="t",
        instrument=instrument,
        data=pd.DataFrame(rows),
        registry=pd.DataFrame(reg),
        log={},
        wave=2027,
        waves=[2027],
        k=3,
        min_group=min_group,
        groups=groups,
    )


def test_declared_groups_merge_their_types_and_others_stay(member_instrument):
    groups = (("assoc_type", (("Kultur og børn", ("Kultur", "Børn")),)),)
    r = _report(member_instrument, {"Kultur": (6, 3), "Børn": (5, 4), "Social": (9, 8)}, groups)
    assert group_members(r) == {"Kultur og børn": ["Kultur", "Børn"], "Social": ["Social"]}


def test_groups_still_below_the_minimum_are_merged_into_others(member_instrument):
    r = _report(
        member_instrument,
        {"Kultur": (6, 3), "Børn": (5, 4), "Social": (9, 8), "Ældre": (3, 2)},
    )
    assert group_members(r) == {"Social": ["Social"], OTHERS: ["Kultur", "Børn", "Ældre"]}
    one_small = _report(member_instrument, {"Social": (9, 8), "Ældre": (3, 2)})
    # one small group alone cannot be merged: it stays, and the suppression hides its cells
    assert group_members(one_small) == {"Social": ["Social"], "Ældre": ["Ældre"]}


def test_a_declared_category_the_registry_lacks_is_refused(member_instrument):
    groups = (("assoc_type", (("Kultur og børn", ("Kultur", "Boern")),)),)
    r = _report(member_instrument, {"Kultur": (6, 3), "Børn": (5, 4)}, groups)
    with pytest.raises(ConfigError) as err:
        group_members(r)
    text = str(err.value)
    assert "registry does not have" in text and "found 'Boern'" in text
    assert "expected one of Kultur, Børn" in text


def _declare(tmp_path: Path, groups: str) -> Path:
    (tmp_path / "_quarto.yml").write_text(
        "project:\n  type: website\nfslt-survey:\n  surveys:\n"
        "    - name: medlemsundersoegelse\n      unit: forening\n" + groups,
        encoding="utf-8",
    )
    return tmp_path


def test_the_declaration_is_read(tmp_path):
    root = _declare(
        tmp_path, "      groups:\n        assoc_type:\n          Bred: [A, B]\n          C: [C]\n"
    )
    settings = publication("medlemsundersoegelse", load_project(root))
    assert settings.groups_of("assoc_type") == {"Bred": ("A", "B"), "C": ("C",)}
    assert settings.groups_of("size_band") == {}


@pytest.mark.parametrize(
    ("groups", "message"),
    [
        ("      groups: [A, B]\n", "groups must be a mapping"),
        ("      groups:\n        assoc_type: [A]\n", "assoc_type must map group names"),
        ("      groups:\n        assoc_type:\n          Bred: A\n", "group 'Bred' needs a list"),
        ("      groups:\n        assoc_type:\n          Bred: []\n", "group 'Bred' needs a list"),
        (
            "      groups:\n        assoc_type:\n          X: [A, B]\n          Y: [B]\n",
            "'B' is in two groups ('X' and 'Y')",
        ),
    ],
)
def test_a_bad_declaration_is_refused_naming_the_file(tmp_path, groups, message):
    root = _declare(tmp_path, groups)
    with pytest.raises(ConfigError) as err:
        load_project(root)
    assert message in str(err.value) and "_quarto.yml" in str(err.value)
