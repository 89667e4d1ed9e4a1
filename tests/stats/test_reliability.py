"""Alpha's interval, alpha if dropped, omega (stats.reliability).

References: Feldt's interval written out by hand (Feldt, Woodruff and Salih 1987, eq. 5; the
interval pingouin's ``cronbach_alpha`` documents); the package's own listwise
``cronbach_alpha`` (checked against pingouin/R before) for alpha and alpha-if-dropped; omega on
data whose sample covariance is *exactly* a one-factor matrix ``λλ' + Ψ``, so the fit must return
``(Σλ)² / ((Σλ)² + Σψ)`` (McDonald 1999, eq. 6.20b), and on tau-equivalent data, where omega
equals alpha (Lord and Novick; McDonald 1999 ch. 6).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from fslt_survey.stats.reliability import (
    alpha_ci,
    alpha_if_dropped,
    cronbach,
    omega,
    reliability,
)


def _exact_cov(cov: np.ndarray, n: int, seed: int = 1) -> np.ndarray:
    """n rows whose sample covariance (ddof 1) is exactly ``cov``."""
    z = np.random.default_rng(seed).normal(size=(n, len(cov)))
    z -= z.mean(axis=0)
    z = z @ np.linalg.inv(np.linalg.cholesky(np.cov(z, rowvar=False)).T)
    return z @ np.linalg.cholesky(cov).T + 50


def test_feldt_interval_by_hand() -> None:
    rng = np.random.default_rng(4)
    x = rng.normal(size=(40, 1)) + rng.normal(scale=0.8, size=(40, 5))
    a = cronbach(x)
    k, n = 5, 40
    low = 1 - (1 - a) * sps.f.ppf(0.975, n - 1, (n - 1) * (k - 1))
    high = 1 - (1 - a) * sps.f.ppf(0.025, n - 1, (n - 1) * (k - 1))
    assert alpha_ci(x) == pytest.approx((low, high))
    assert low < a < high


def test_alpha_if_dropped_is_alpha_of_the_rest() -> None:
    rng = np.random.default_rng(9)
    df = pd.DataFrame(rng.normal(size=(30, 4)) + rng.normal(size=(30, 1)), columns=list("abcd"))
    df.iloc[3, 1] = np.nan  # listwise: row 3 out everywhere
    out = alpha_if_dropped(df)
    full = df.dropna()
    for c in df.columns:
        rest = full.drop(columns=c).to_numpy()
        k = rest.shape[1]
        ref = k / (k - 1) * (1 - rest.var(axis=0, ddof=1).sum() / rest.sum(1).var(ddof=1))
        assert out[c] == pytest.approx(ref)


def test_omega_recovers_a_one_factor_structure() -> None:
    lam = np.array([9.0, 7.0, 5.0, 8.0, 3.0])
    psi = np.array([20.0, 30.0, 25.0, 15.0, 40.0])
    x = _exact_cov(np.outer(lam, lam) + np.diag(psi), 60)
    assert omega(x) == pytest.approx(lam.sum() ** 2 / (lam.sum() ** 2 + psi.sum()), rel=1e-6)
    assert omega(x) > cronbach(x)  # congeneric items: alpha underestimates
    tau = _exact_cov(np.full((4, 4), 36.0) + np.diag([20.0, 30.0, 25.0, 15.0]), 50)
    assert omega(tau) == pytest.approx(cronbach(tau), rel=1e-6)
    row = reliability(pd.DataFrame(x)).iloc[0]
    assert row["n"] == 60 and row["n_items"] == 5
    assert row["alpha_ci_low"] < row["alpha"] < row["alpha_ci_high"]
