"""Non-response check against the registry, by hand on a small registry."""

from __future__ import annotations

import pandas as pd
import pytest

from fslt_survey.errors import SurveyDataError
from fslt_survey.stats.nonresponse import nonresponse_check


def test_counts_rates_and_shares_by_hand() -> None:
    reg = pd.DataFrame(
        {
            "association_id": ["F1", "F2", "F3", "F4", "F5"],
            "assoc_type": ["A", "A", "B", "B", "B"],
            "size_band": pd.Categorical(
                ["25-99", "Under 25", "25-99", "25-99", "Under 25"],
                categories=["Under 25", "25-99"],
                ordered=True,
            ),
        }
    )
    out = nonresponse_check(["F1", "F3", "F3", "X9"], reg, by=("assoc_type", "size_band"))
    a = out[(out.variable == "assoc_type") & (out.category == "A")].iloc[0]
    assert (a.members, a.respondents, a.nonrespondents) == (2, 1, 1)
    assert a.response_rate == pytest.approx(50.0)
    assert (a.registry_pct, a.respondent_pct) == pytest.approx((40.0, 50.0))
    assert a.difference_pp == pytest.approx(10.0)
    assert out[out.variable == "size_band"]["category"].tolist() == ["Under 25", "25-99"]
    sb = out[out.variable == "size_band"].set_index("category")
    assert sb.loc["25-99", "respondents"] == 2 and sb.loc["Under 25", "respondents"] == 0
    with pytest.raises(SurveyDataError, match="locality"):
        nonresponse_check([], reg)
