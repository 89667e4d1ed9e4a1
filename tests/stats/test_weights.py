"""Tests of fslt_survey.stats.weights: post-stratification to the member registry, Kish's n."""

from __future__ import annotations

import pandas as pd
import pytest

from fslt_survey.errors import SurveyDataError
from fslt_survey.stats.weights import effective_n, poststratify

TYPES = ["Forening", "Selvhjælp", "Netværk", "Andet"]  # "Andet": in no sample row


@pytest.fixture
def data() -> pd.DataFrame:
    """12 responses of wave 2025: 6 Forening, 4 Selvhjælp, 2 Netværk."""
    types = ["Forening"] * 6 + ["Selvhjælp"] * 4 + ["Netværk"] * 2
    return pd.DataFrame(
        {
            "response_id": [f"r{i:02d}" for i in range(12)],
            "wave": [2025] * 12,
            "assoc_type": pd.Categorical(types, categories=TYPES),
            "size_band": pd.Categorical(["Under 25", "25-99"] * 6),
        }
    )


@pytest.fixture
def registry() -> pd.DataFrame:
    """20 member associations: 40 % Forening, 40 % Selvhjælp, 20 % Netværk."""
    types = ["Forening"] * 8 + ["Selvhjælp"] * 8 + ["Netværk"] * 4
    return pd.DataFrame(
        {
            "association_id": [f"f{i:02d}" for i in range(20)],
            "assoc_type": pd.Categorical(types, categories=TYPES),
            "size_band": ["Under 25", "25-99"] * 10,
        }
    )


def test_effective_n() -> None:
    assert effective_n([1, 1, 1, 1]) == pytest.approx(4)
    assert effective_n([0.8] * 6 + [1.2] * 3) == pytest.approx(8.4**2 / (6 * 0.64 + 3 * 1.44))
    assert effective_n([]) == 0.0


def test_poststratify_matches_registry_shares(data, registry) -> None:
    w = poststratify(data, registry)
    assert "weight" not in data.columns
    assert w["weight"].mean() == pytest.approx(1.0)
    shares = w.groupby("assoc_type", observed=True)["weight"].sum() / w["weight"].sum()
    reg = registry["assoc_type"].value_counts(normalize=True)
    for t in ["Forening", "Selvhjælp", "Netværk"]:
        assert shares[t] == pytest.approx(reg[t])
    assert w.loc[0, "weight"] == pytest.approx(0.8)
    assert w.loc[6, "weight"] == pytest.approx(1.2)


def test_poststratify_within_waves(data, registry) -> None:
    two = pd.concat([data, data.iloc[[0, 1, 2, 6, 7, 10]].assign(wave=2027)], ignore_index=True)
    w = poststratify(two, registry)
    for _, g in w.groupby("wave"):
        assert g["weight"].mean() == pytest.approx(1.0)
        s = g.groupby("assoc_type", observed=True)["weight"].sum() / g["weight"].sum()
        assert s["Forening"] == pytest.approx(0.4)


def test_poststratify_refuses_unknown_or_empty_groups(data, registry) -> None:
    with pytest.raises(SurveyDataError, match="without respondents"):
        poststratify(data.iloc[:6], registry)
    bad = data.copy()
    bad["assoc_type"] = bad["assoc_type"].cat.add_categories(["Ukendt"])
    bad.loc[0, "assoc_type"] = "Ukendt"
    with pytest.raises(SurveyDataError, match="not in the registry"):
        poststratify(bad, registry)
    with pytest.raises(SurveyDataError, match="not in the registry"):
        poststratify(data.assign(assoc_type=pd.NA), registry)
    with pytest.raises(SurveyDataError, match="column 'locality' is not in the data"):
        poststratify(data, registry, by="locality")


def test_poststratify_cells_of_two_columns_and_one_stratum(data, registry) -> None:
    w = poststratify(data, registry, by=["assoc_type", "size_band"], within=None)
    cells = w.groupby(["assoc_type", "size_band"], observed=True)["weight"].sum() / len(w)
    reg = registry.groupby(["assoc_type", "size_band"], observed=True).size() / len(registry)
    got = {(str(a), str(b)): v for (a, b), v in cells.items()}
    want = {(str(a), str(b)): v for (a, b), v in reg.items()}
    assert got == pytest.approx(want)
    assert w["weight"].mean() == pytest.approx(1.0)


def test_poststratify_does_not_mutate(data, registry) -> None:
    before, reg_before = data.copy(deep=True), registry.copy(deep=True)
    out = poststratify(data, registry, name="w")
    assert out is not data and "w" in out.columns and "w" not in data.columns
    assert data.equals(before) and data.dtypes.equals(before.dtypes)
    assert registry.equals(reg_before)
    assert list(out.columns[:-1]) == list(data.columns)
