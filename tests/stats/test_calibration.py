"""Raking, trimming and collapsing (stats.calibration).

References: samplics 0.6 ``SampleWeight.rake`` (an independent raking implementation) for the
untrimmed weights; with a single margin raking is post-stratification, so it must equal this
package's :func:`poststratify` (checked against R's survey::postStratify before).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from fslt_survey.errors import SurveyDataError
from fslt_survey.stats.calibration import OTHER, collapse_sparse, rake
from fslt_survey.stats.weights import poststratify

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from samplics.weighting import SampleWeight

BANDS = ["Under 25", "25-99", "100-499", "500 eller flere"]


def _frames(seed: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    reg = pd.DataFrame(
        {
            "assoc_type": rng.choice(["Idræt", "Kultur", "Social", "Sundhed"], 90),
            "size_band": pd.Categorical(rng.choice(BANDS, 90), categories=BANDS, ordered=True),
        }
    )
    take = rng.choice(90, size=65, replace=False)
    data = reg.iloc[np.sort(take)].reset_index(drop=True).assign(wave=2025)
    return data, reg


def test_raking_meets_both_margins_and_matches_samplics() -> None:
    data, reg = _frames()
    out = rake(data, reg, ["assoc_type", "size_band"], trim=None)
    w = out["weight"].to_numpy()
    assert w.mean() == pytest.approx(1.0)
    for col in ("assoc_type", "size_band"):
        got = pd.Series(w).groupby(data[col].astype(str).to_numpy()).sum() / w.sum()
        want = reg[col].astype(str).value_counts(normalize=True)
        assert got.sort_index().to_numpy() == pytest.approx(want.sort_index().to_numpy())
    n = len(data)
    control = {
        col: {k: v * n for k, v in reg[col].astype(str).value_counts(normalize=True).items()}
        for col in ("assoc_type", "size_band")
    }
    margins = {col: data[col].astype(str).to_numpy() for col in control}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = SampleWeight().rake(np.ones(n), margins, control=control, tol=1e-10, max_iter=1000)
    assert w == pytest.approx(np.asarray(ref), rel=1e-5)


def test_one_margin_is_poststratification() -> None:
    data, reg = _frames(8)
    raked = rake(data, reg, ["assoc_type"], trim=None)["weight"]
    ps = poststratify(data, reg, "assoc_type")["weight"]
    assert raked.to_numpy() == pytest.approx(ps.to_numpy())


def test_trimming_bounds_the_weights_and_keeps_the_margins() -> None:
    data, reg = _frames(13)
    free = rake(data, reg, trim=None)["weight"]
    trimmed = rake(data, reg, trim=(0.75, 1.23))["weight"]
    assert free.max() > 1.23  # the upper bound bites on this draw
    assert trimmed.mean() == pytest.approx(1.0)
    assert trimmed.max() <= 1.23 + 1e-12 and trimmed.min() >= 0.75 - 1e-12
    got = trimmed.groupby(data["assoc_type"]).sum() / trimmed.sum()
    want = reg["assoc_type"].value_counts(normalize=True)
    assert got.sort_index().to_numpy() == pytest.approx(want.sort_index().to_numpy(), abs=1e-5)
    with pytest.raises(SurveyDataError, match="trimming bounds"):
        rake(data, reg, trim=(0.99, 1.01), max_iter=20)


def test_collapse_sparse_merges_neighbours_or_into_other() -> None:
    data, reg = _frames()
    data = data[data["size_band"] != "500 eller flere"].reset_index(drop=True)
    top = reg["size_band"] == "500 eller flere"
    keep = data.index[data["size_band"] == "100-499"][:3]
    data = pd.concat([data[data["size_band"] != "100-499"], data.loc[keep]])
    d2, r2, mapping = collapse_sparse(data, reg, "size_band", min_n=3)
    assert mapping == {
        "100-499": "100-499 til 500 eller flere",
        "500 eller flere": "100-499 til 500 eller flere",
    }
    assert (r2.loc[top, "size_band"] == "100-499 til 500 eller flere").all()
    assert "weight" in rake(d2, r2, ["size_band"], trim=None)
    with pytest.raises(SurveyDataError, match="collapse"):
        rake(data, reg, ["size_band"], trim=None)
    small = data.assign(assoc_type=np.where(np.arange(len(data)) < 2, "Sjælden", "Idræt"))
    reg2 = reg.assign(assoc_type=np.where(np.arange(90) < 3, "Sjælden", "Idræt"))
    _, _, m2 = collapse_sparse(small, reg2, "assoc_type", min_n=3)
    assert set(m2.values()) == {OTHER}
