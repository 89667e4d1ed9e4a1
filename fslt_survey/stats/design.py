"""A survey design for a small, known population: strata, weights and the finite-population
correction, with design-based (Taylor linearisation) variances.

The member survey is not a sample from a large population: about 90 associations are members
(the registry) and 65-70 answer. :class:`SurveyDesign` is this package's counterpart of R's
``survey::svydesign(ids = ~1, strata = ~h, weights = ~w, fpc = ~N)``:

* **Population sizes** ``N_h`` per stratum come from the registry (:func:`design_from_registry`).
* **FPC on by default** when the population is known: each stratum's variance is multiplied by
  ``1 - n_h / N_h``. With 65 of 90 answering this roughly halves the standard errors. The FPC
  assumes the associations that did not answer are like those that did (within strata); the
  Metode page says so. ``fpc=False`` gives the with-replacement variance (the old behaviour).
* **Weights**: a weight column when given (e.g. from :func:`~fslt_survey.stats.calibration.rake`),
  otherwise ``N_h / n_h`` when the population is known, otherwise 1.
* **Variance** of a weighted mean/share ``ŷ = Σ w y / Σ w`` by linearisation: with
  ``z_i = w_i (y_i - ŷ) / Σ w``, ``V = Σ_h (1 - f_h) n_h / (n_h - 1) Σ_{i in h} (z_i - z̄_h)²``
  (R's ``svymean``). ``deff`` is V over the variance of a simple random sample of the same size
  from the same population (``(1 - n/N) s² / n``, or without ``(1 - n/N)`` when fpc is off).
* **Intervals for shares**: Wilson on the effective n ``p(1 - p) / V`` (Korn-Graubard's idea of
  putting an exact-style interval on the effective sample size; Wilson rather than
  Clopper-Pearson, as everywhere else in the publication). Means get ``ŷ ± t_df · SE`` with
  ``df = n - H`` (R's ``degf``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from fslt_survey.errors import SurveyDataError
from fslt_survey.stats.intervals import wilson_ci

__all__ = ["Estimate", "SurveyDesign", "design_from_registry", "svydesign"]

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Estimate:
    """One design-based estimate (a mean or a share as a fraction)."""

    estimate: float
    se: float
    deff: float
    n: int
    n_eff: float
    df: int
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class SurveyDesign:
    """Respondents with their stratum, weight and stratum population size.

    Build it with :func:`svydesign` or :func:`design_from_registry`; every estimate goes through
    :meth:`mean`, :meth:`share` or :meth:`total_variance` (and the tests in
    :mod:`fslt_survey.stats.rao_scott` and :mod:`fslt_survey.stats.overlap`).
    """

    data: pd.DataFrame
    weights: np.ndarray
    strata: np.ndarray
    population: Mapping[Any, float] | None
    fpc: bool = True

    @property
    def n(self) -> int:
        return len(self.weights)

    @property
    def df(self) -> int:
        """Degrees of freedom ``n - H`` (R's ``degf`` for a stratified design)."""
        return max(self.n - len(np.unique(self.strata)), 1)

    def subset(self, mask: Any) -> SurveyDesign:
        """The design restricted to rows in ``mask`` (strata keep their population size).

        Use it for a wave or for the rows that answered an item; for domain estimates within a
        wave use ``y`` with NaN outside the domain instead (the design stays whole).
        """
        m = np.asarray(mask, dtype=bool)
        return SurveyDesign(
            self.data.loc[m].reset_index(drop=True),
            self.weights[m],
            self.strata[m],
            self.population,
            self.fpc,
        )

    def _fraction(self, h: Any, n_h: int) -> float:
        if not self.fpc or self.population is None:
            return 0.0
        big_n = float(self.population[h])
        return min(n_h / big_n, 1.0)

    def total_variance(self, z: np.ndarray) -> np.ndarray:
        """Design covariance of the totals of the columns of ``z`` (n x k), stratum by stratum."""
        z = np.asarray(z, dtype=float).reshape(self.n, -1)
        k = z.shape[1]
        v = np.zeros((k, k))
        for h in np.unique(self.strata):
            zh = z[self.strata == h]
            n_h = len(zh)
            if n_h < 2:
                continue  # a stratum of one contributes no variance (R: survey.lonely.psu)
            d = zh - zh.mean(axis=0)
            v += (1 - self._fraction(h, n_h)) * n_h / (n_h - 1) * d.T @ d
        return v

    def _srs_variance(self, y: np.ndarray, w: np.ndarray, est: float) -> float:
        n = len(y)
        if n < 2:
            return math.nan
        s2 = float(np.sum(w * (y - est) ** 2) / np.sum(w)) * n / (n - 1)
        f = 0.0
        if self.fpc and self.population is not None:
            f = min(n / float(sum(self.population.values())), 1.0)
        return (1 - f) * s2 / n

    def _linearise(self, y: Any) -> tuple[float, float, float, np.ndarray]:
        y = np.asarray(y, dtype=float)
        if y.shape != (self.n,):
            raise SurveyDataError(
                "values do not match the design", expected=f"{self.n} values", found=str(y.shape)
            )
        ok = ~np.isnan(y)
        w = np.where(ok, self.weights, 0.0)
        if w.sum() <= 0:
            return math.nan, math.nan, math.nan, ok
        yy = np.where(ok, y, 0.0)
        est = float(np.sum(w * yy) / w.sum())
        z = w * (yy - est) / w.sum()  # zero outside the domain: domain estimation
        var = float(self.total_variance(z)[0, 0])
        srs = self._srs_variance(yy[ok], w[ok], est)
        deff = var / srs if srs and srs > 0 else math.nan
        return est, var, deff, ok

    def mean(self, y: Any, conf: float = CONFIDENCE) -> Estimate:
        """Weighted mean of ``y`` (NaN = not answered, a domain) with a t interval."""
        est, var, deff, ok = self._linearise(y)
        n = int(ok.sum())
        se = math.sqrt(var) if var == var else math.nan
        df = max(n - len(np.unique(self.strata[ok])), 1) if n else 1
        half = sps.t.ppf(0.5 + conf / 2, df) * se if n > 1 else math.nan
        n_eff = n / deff if deff and deff == deff else math.nan
        return Estimate(est, se, deff, n, n_eff, df, est - half, est + half)

    def share(self, hit: Any, conf: float = CONFIDENCE) -> Estimate:
        """Weighted share (fraction) of 0/1 ``hit`` with a Wilson interval on the effective n.

        The effective n is ``p (1 - p) / V``; when p is 0 or 1 (no variance) it is the
        unweighted n divided by 1 - f, the same FPC inflation a share with variance gets.
        """
        est, var, deff, ok = self._linearise(hit)
        n = int(ok.sum())
        if not n or est != est:
            return Estimate(math.nan, math.nan, math.nan, n, 0.0, 1, math.nan, math.nan)
        if var > 0:
            n_eff = est * (1 - est) / var
        else:
            f = self._overall_fraction(n)
            n_eff = n / (1 - f) if f < 1 else math.inf
        low, high = _wilson_eff(est, n_eff, conf)
        return Estimate(est, math.sqrt(var), deff, n, n_eff, self.df, low, high)

    def _overall_fraction(self, n: int) -> float:
        if not self.fpc or self.population is None:
            return 0.0
        return min(n / float(sum(self.population.values())), 1.0)


def _wilson_eff(p: float, n_eff: float, conf: float) -> tuple[float, float]:
    """Wilson's interval for a share ``p`` observed on ``n_eff`` (possibly fractional) units."""
    if math.isinf(n_eff):
        return p, p
    if n_eff <= 0:
        return math.nan, math.nan
    return wilson_ci(min(p * n_eff, n_eff), n_eff, conf)  # continuous in (k, n): no rounding


def svydesign(
    data: pd.DataFrame,
    *,
    strata: str | None = None,
    weights: str | None = None,
    population: Mapping[Any, float] | float | None = None,
    fpc: bool = True,
) -> SurveyDesign:
    """A design over ``data`` (a new object; ``data`` is not changed).

    Parameters
    ----------
    strata
        Column of the stratum of each row (``None``: one stratum).
    weights
        Column of weights (``None``: ``N_h / n_h`` when ``population`` is known, else 1).
    population
        ``N_h`` per stratum (a mapping), or ``N`` for an unstratified design.
    fpc
        Apply the finite-population correction when ``population`` is known (default on).
    """
    if strata is not None and strata not in data.columns:
        raise SurveyDataError(f"stratum column {strata!r} is not in the data", column=strata)
    h = np.zeros(len(data), dtype=object) if strata is None else data[strata].astype(object)
    h = np.asarray(h, dtype=object)
    if pd.isna(h).any():
        raise SurveyDataError("rows without a stratum", column=strata, expected="a value")
    pop: dict[Any, float] | None = None
    if population is not None:
        pop = dict(population) if isinstance(population, Mapping) else {0: float(population)}
        missing = sorted({str(x) for x in h if x not in pop})
        if missing:
            raise SurveyDataError(
                "strata without a population size", column=strata, found=", ".join(missing)
            )
        for key in pop:
            n_h = int((h == key).sum())
            if n_h > pop[key]:
                raise SurveyDataError(
                    f"more respondents than members in stratum {key!r}",
                    column=strata,
                    expected=f"at most {pop[key]:g}",
                    found=str(n_h),
                )
    if weights is not None:
        if weights not in data.columns:
            raise SurveyDataError(f"weight column {weights!r} is not in the data", column=weights)
        w = data[weights].to_numpy(dtype=float)
        if np.isnan(w).any() or (w < 0).any():
            raise SurveyDataError("weights must be non-negative numbers", column=weights)
    elif pop is not None:
        counts = pd.Series(h).value_counts()
        w = np.array([pop[x] / counts[x] for x in h], dtype=float)
    else:
        w = np.ones(len(data))
    return SurveyDesign(data.reset_index(drop=True), w, h, pop, fpc)


def design_from_registry(
    data: pd.DataFrame,
    registry: pd.DataFrame,
    *,
    strata: str | None = None,
    weights: str | None = None,
    fpc: bool = True,
) -> SurveyDesign:
    """A design whose population sizes are the registry's counts (per ``strata`` column).

    ``data`` should hold one wave (one response per association); the population is the
    member registry, so the FPC is ``1 - n_h / N_h`` with ``N_h`` counted there.
    """
    if strata is None:
        return svydesign(data, weights=weights, population=float(len(registry)), fpc=fpc)
    if strata not in registry.columns:
        raise SurveyDataError(f"column {strata!r} is not in the registry", column=strata)
    counts = registry[strata].astype(object).value_counts()
    return svydesign(
        data, strata=strata, weights=weights, population=counts.astype(float).to_dict(), fpc=fpc
    )
