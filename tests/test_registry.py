from __future__ import annotations

import pytest

from fslt_survey.errors import SurveyDataError
from fslt_survey.registry import REGISTRY_COLUMNS, load_registry


def test_demo_registry(registry):
    assert len(registry) == 90
    assert list(registry.columns) == list(REGISTRY_COLUMNS)
    assert registry["association_id"].is_unique
    assert registry["assoc_type"].nunique() == 6
    assert registry["size_band"].cat.ordered


def _write(tmp_path, text):
    p = tmp_path / "members.csv"
    p.write_text(text, encoding="utf-8")
    return p


HEADER = "association_id,name,assoc_type,size_band,locality,member_since\n"


def test_duplicate_id_names_row(tmp_path):
    p = _write(
        tmp_path, "# comment\n" + HEADER + "F1,A,x,25-99,Virum,2000\nF1,B,x,25-99,Virum,2000\n"
    )
    with pytest.raises(SurveyDataError, match="duplicate association_id") as info:
        load_registry(p)
    assert info.value.row == 4 and info.value.column == "association_id"


def test_duplicate_name_after_normalisation(tmp_path):
    p = _write(
        tmp_path, HEADER + "F1,Virum Kor,x,25-99,Virum,2000\nF2,virum  kor,x,25-99,Virum,2000\n"
    )
    with pytest.raises(SurveyDataError, match="duplicate name"):
        load_registry(p)


def test_missing_columns_and_file(tmp_path):
    with pytest.raises(SurveyDataError, match="lacks required columns"):
        load_registry(_write(tmp_path, "id,name\n1,a\n"))
    with pytest.raises(SurveyDataError, match="not found"):
        load_registry(tmp_path / "nope.csv")


def test_empty_name(tmp_path):
    with pytest.raises(SurveyDataError, match="empty name") as info:
        load_registry(_write(tmp_path, HEADER + "F1,,x,25-99,Virum,2000\n"))
    assert info.value.row == 2
