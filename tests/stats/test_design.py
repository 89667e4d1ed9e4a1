"""The survey design: FPC, linearisation, deff, shares, Rao-Scott, design-based t.

References, independent of this package:

* samplics 0.6 (``TaylorEstimator``, Taylor linearisation with strata, weights and ``fpc`` given
  as the factor ``1 - n_h / N_h``): a separate implementation of R's ``svymean``.
* Textbook formulas derived by hand and written out in the tests: the SRS variance with FPC
  ``(1 - n/N) s² / n`` (Cochran 1977, eq. 2.11) and the stratified mean
  ``Σ W_h² (1 - f_h) s_h² / n_h`` (Cochran eq. 5.6).
* R's ``survey::svychisq``: for an unweighted simple random sample every generalised design
  effect equals ``n / (n - 1) · (1 - f)`` (the linearised covariance of the cell shares is
  ``(1 - f)(D - θθ') / (n - 1)`` and the contrasts are orthogonal to the intercept), so the
  first-order Rao-Scott statistic is ``X² (n - 1) / (n (1 - f))`` and the second-order F is
  ``X² / tr Δ`` on ``df`` and ``df (n - 1)`` degrees of freedom.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from fslt_survey.errors import SurveyDataError
from fslt_survey.stats.design import design_from_registry, svydesign
from fslt_survey.stats.design_tests import rao_scott, svyttest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from samplics.estimation import TaylorEstimator
    from samplics.utils.types import PopParam


def _samplics_mean(y, w, h, fpc):
    est = TaylorEstimator(PopParam.mean)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.estimate(y=y, samp_weight=w, stratum=h, fpc=fpc)
    return float(est.point_est), float(est.stderror)


def test_srs_mean_with_and_without_fpc_matches_cochran() -> None:
    y = np.array([3.0, 5, 2, 8, 6, 4, 7, 1, 5, 9])
    n, big_n = len(y), 14
    frame = pd.DataFrame({"y": y})
    on = svydesign(frame, population=big_n).mean(y)
    off = svydesign(frame, population=big_n, fpc=False).mean(y)
    s2 = y.var(ddof=1)
    assert on.estimate == pytest.approx(y.mean())
    assert on.se == pytest.approx(math.sqrt((1 - n / big_n) * s2 / n))  # Cochran 2.11
    assert off.se == pytest.approx(math.sqrt(s2 / n))
    assert on.deff == pytest.approx(1.0) and off.deff == pytest.approx(1.0)
    half = sps.t.ppf(0.975, n - 1) * on.se
    assert (on.ci_low, on.ci_high) == pytest.approx((y.mean() - half, y.mean() + half))
    # a census: no sampling variance at all
    assert svydesign(frame, population=n).mean(y).se == pytest.approx(0.0)


def test_stratified_mean_matches_cochran_and_samplics() -> None:
    rng = np.random.default_rng(7)
    h = np.repeat(["A", "B", "C"], [12, 20, 8]).astype(object)
    y = rng.normal(50, 10, size=len(h)) + np.where(h == "B", 15, 0)
    pop = {"A": 18, "B": 31, "C": 40}
    frame = pd.DataFrame({"h": h, "y": y})
    est = svydesign(frame, strata="h", population=pop).mean(y)
    big_n = sum(pop.values())
    ref_mean = sum(pop[k] / big_n * y[h == k].mean() for k in pop)
    ref_var = sum(
        (pop[k] / big_n) ** 2
        * (1 - (h == k).sum() / pop[k])
        * y[h == k].var(ddof=1)
        / (h == k).sum()
        for k in pop
    )
    assert est.estimate == pytest.approx(ref_mean)
    assert est.se == pytest.approx(math.sqrt(ref_var))  # Cochran 5.6
    w = np.array([pop[k] / (h == k).sum() for k in h])
    fpc = {k: 1 - (h == k).sum() / pop[k] for k in pop}
    assert (est.estimate, est.se) == pytest.approx(_samplics_mean(y, w, h, fpc))
    assert est.df == len(h) - 3


def test_weighted_share_and_domain_match_samplics() -> None:
    rng = np.random.default_rng(11)
    h = rng.choice(np.array(["x", "y"], dtype=object), size=60)
    w = rng.uniform(0.5, 2.5, size=60)
    hit = (rng.uniform(size=60) < 0.4).astype(float)
    pop = {"x": 50, "y": 45}
    frame = pd.DataFrame({"h": h, "w": w})
    design = svydesign(frame, strata="h", weights="w", population=pop)
    est = design.share(hit)
    fpc = {k: 1 - (h == k).sum() / pop[k] for k in pop}
    assert (est.estimate, est.se) == pytest.approx(_samplics_mean(hit, w, h, fpc))
    # Wilson on the effective n p(1 - p) / V
    n_eff = est.estimate * (1 - est.estimate) / est.se**2
    z = sps.norm.ppf(0.975)
    p = est.estimate
    centre = (p + z**2 / (2 * n_eff)) / (1 + z**2 / n_eff)
    half = z / (1 + z**2 / n_eff) * math.sqrt(p * (1 - p) / n_eff + z**2 / (4 * n_eff**2))
    assert (est.ci_low, est.ci_high) == pytest.approx((centre - half, centre + half))
    assert est.n_eff == pytest.approx(n_eff)
    # a domain (NaN outside it) against samplics' domain estimation
    dom = rng.uniform(size=60) < 0.6
    y = np.where(dom, hit, np.nan)
    ref = TaylorEstimator(PopParam.mean)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref.estimate(y=hit, samp_weight=w, stratum=h, fpc=fpc, domain=dom.astype(int))
    got = design.share(y)
    assert got.estimate == pytest.approx(float(ref.point_est[1]))
    assert got.se == pytest.approx(float(ref.stderror[1]))


def test_registry_design_counts_population_and_fpc_is_switchable() -> None:
    registry = pd.DataFrame(
        {"association_id": [f"F{i:03d}" for i in range(10)], "assoc_type": list("AAAAAABBBB")}
    )
    data = pd.DataFrame({"assoc_type": list("AAABB"), "y": [1.0, 0, 1, 1, 0]})
    d = design_from_registry(data, registry, strata="assoc_type")
    assert d.population == {"A": 6.0, "B": 4.0}
    assert d.weights.tolist() == [2.0, 2.0, 2.0, 2.0, 2.0]
    on, off = (
        d.share(data["y"]),
        design_from_registry(data, registry, strata="assoc_type", fpc=False).share(data["y"]),
    )
    assert on.se == pytest.approx(off.se * math.sqrt(0.5))  # f_h = 1/2 in both strata
    assert on.ci_high - on.ci_low < off.ci_high - off.ci_low
    with pytest.raises(SurveyDataError, match="more respondents than members"):
        svydesign(data, strata="assoc_type", population={"A": 2, "B": 4})
    with pytest.raises(SurveyDataError, match="without a population size"):
        svydesign(data, strata="assoc_type", population={"A": 6})


def _table_rows(table, rows, cols):
    r, c = [], []
    for i, rl in enumerate(rows):
        for j, cl in enumerate(cols):
            r += [rl] * table[i][j]
            c += [cl] * table[i][j]
    return np.array(r, dtype=object), np.array(c, dtype=object)


@pytest.mark.parametrize("big_n", [None, 150])
def test_rao_scott_reduces_to_pearson_for_simple_random_samples(big_n) -> None:
    table = [[12, 5, 7], [4, 10, 9]]
    r, c = _table_rows(table, ["a", "b"], ["x", "y", "z"])
    n = len(r)
    design = svydesign(pd.DataFrame({"r": r}), population=big_n)
    res = rao_scott(design, r, c)
    x2 = sps.chi2_contingency(np.array(table), correction=False)[0]
    f = 0 if big_n is None else n / big_n
    assert res.pearson == pytest.approx(x2)
    assert res.chisq == pytest.approx(x2 * (n - 1) / (n * (1 - f)))
    assert res.p_chisq == pytest.approx(sps.chi2.sf(res.chisq, 2))
    tr = 2 * n / (n - 1) * (1 - f)
    assert (res.f, res.ndf, res.ddf) == pytest.approx((x2 / tr, 2, 2 * (n - 1)))
    assert res.p == pytest.approx(sps.f.sf(x2 / tr, 2, 2 * (n - 1)))


def test_rao_scott_weights_move_the_statistic_and_deff() -> None:
    r, c = _table_rows([[10, 6], [5, 11]], ["a", "b"], ["x", "y"])
    w = np.where(np.arange(len(r)) % 3 == 0, 3.0, 1.0)
    frame = pd.DataFrame({"w": w})
    res = rao_scott(svydesign(frame, weights="w"), r, c)
    # the weighted table's Pearson X², scaled to n (R: svytable(Ntotal = n))
    tab = np.zeros((2, 2))
    for ri, ci, wi in zip(r, c, w, strict=True):
        tab[["a", "b"].index(ri), ["x", "y"].index(ci)] += wi
    tab *= len(r) / tab.sum()
    assert res.pearson == pytest.approx(sps.chi2_contingency(tab, correction=False)[0])
    assert res.mean_deff > 1  # unequal weights cost precision
    assert res.chisq == pytest.approx(res.pearson / res.mean_deff)


def test_svyttest_matches_the_linearised_domain_variance() -> None:
    rng = np.random.default_rng(3)
    y = rng.normal(size=40)
    g = np.array(["a"] * 15 + ["b"] * 25, dtype=object)
    res = svyttest(svydesign(pd.DataFrame({"g": g})), y, g)
    n = len(y)
    y1, y2 = y[g == "a"], y[g == "b"]
    # z_i = (y_i - ȳ_d) / n_d in domain d; V = n/(n-1) Σ z² (domains disjoint, z̄ = 0)
    var = n / (n - 1) * sum((len(v) - 1) * v.var(ddof=1) / len(v) ** 2 for v in (y1, y2))
    assert res.diff == pytest.approx(y2.mean() - y1.mean())
    assert res.se == pytest.approx(math.sqrt(var))
    assert res.df == n - 2
    assert res.p == pytest.approx(2 * sps.t.sf(abs(res.t), n - 2))
    assert (res.ci_low < 0 < res.ci_high) == (res.p >= 0.05)


def test_design_does_not_mutate_input() -> None:
    frame = pd.DataFrame({"h": list("aab"), "w": [1.0, 2.0, 3.0]})
    before = frame.copy(deep=True)
    d = svydesign(frame, strata="h", weights="w", population={"a": 5, "b": 2})
    d.mean(np.array([1.0, 2.0, 3.0]))
    pd.testing.assert_frame_equal(frame, before)
