"""One multiplicity policy: BH within declared families, the same verdict everywhere.

Reference: statsmodels ``multipletests(method="fdr_bh")`` per family.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

from fslt_survey.errors import ConfigError, SurveyDataError
from fslt_survey.stats.multiplicity import adjust_family, verdicts

P = {"a": 0.01, "b": 0.04, "c": 0.03, "d": 0.2, "e": 0.012, "f": float("nan")}
FAMILIES = {"Mål 1": ["a", "b", "c", "d"], "Mål 2": ["e", "f", "g"]}


def test_bh_within_each_family_matches_statsmodels() -> None:
    out = verdicts(P, FAMILIES).set_index("key")
    for fam, keys in FAMILIES.items():
        ks = [k for k in keys if k in P and not np.isnan(P[k])]
        rej, adj, *_ = multipletests([P[k] for k in ks], alpha=0.05, method="fdr_bh")
        assert out.loc[ks, "p_adj"].tolist() == pytest.approx(adj.tolist())
        assert out.loc[ks, "significant"].tolist() == rej.tolist()
        assert set(out.loc[[k for k in keys if k in P], "family"]) == {fam}
    assert out.loc["a", "m"] == 4 and out.loc["e", "m"] == 1
    assert not out.loc["f", "significant"] and np.isnan(out.loc["f", "p_adj"])


def test_the_same_finding_gets_the_same_verdict_wherever_it_is_asked() -> None:
    whole = verdicts(P, FAMILIES).set_index("key")
    fam = adjust_family(pd.Series({k: P[k] for k in FAMILIES["Mål 1"]}))
    assert fam["significant"].to_dict() == whole.loc[FAMILIES["Mål 1"], "significant"].to_dict()


def test_undeclared_or_doubly_declared_findings_are_errors() -> None:
    with pytest.raises(SurveyDataError, match="without a declared"):
        verdicts({"z": 0.01}, FAMILIES)
    with pytest.raises(ConfigError, match="two families"):
        verdicts({"a": 0.01}, {"x": ["a"], "y": ["a"]})
