"""Design-based tests: Rao-Scott corrected chi-square for cross-tabs, design-based t for means.

Both take a :class:`~fslt_survey.stats.design.SurveyDesign`, so weights, strata and the
finite-population correction enter the test exactly as they enter the estimates next to it.

* :func:`rao_scott` follows R's ``survey::svychisq``: the Pearson X² of the weighted table
  (scaled to the sample size n), the generalised design effects Δ from the design covariance of
  the cell shares projected on the interaction contrasts, and

  - first order: ``X²_RS = X² / mean(eigenvalues of Δ)`` on ``(r - 1)(c - 1)`` df
    (``statistic = "Chisq"``);
  - second order (the default, R's ``statistic = "F"``): ``F = X² / tr(Δ)`` on ``d0`` and
    ``d0 · df_design`` df, ``d0 = tr(Δ)² / tr(Δ²)`` (Satterthwaite).

  Rows or columns nobody is in are dropped first (as in :func:`~fslt_survey.stats.crosstab`).
* :func:`svyttest` compares a mean between two groups (domains) of a design:
  ``t = (ŷ_2 - ŷ_1) / SE`` with the linearised variance of the difference (the two domain means'
  joint covariance), on ``df_design - 1`` df, as R's ``svyttest``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats as sps

from fslt_survey.errors import SurveyDataError
from fslt_survey.stats.design import SurveyDesign

__all__ = ["RaoScott", "TTest", "rao_scott", "svyttest"]


@dataclass(frozen=True)
class RaoScott:
    """Pearson's X² and its Rao-Scott corrections."""

    pearson: float
    chisq: float
    df: int
    p_chisq: float
    f: float
    ndf: float
    ddf: float
    p: float
    mean_deff: float


@dataclass(frozen=True)
class TTest:
    """Design-based difference of two domain means (group 2 minus group 1)."""

    diff: float
    se: float
    t: float
    df: int
    p: float
    ci_low: float
    ci_high: float


def _codes(values: Any, n: int, what: str) -> np.ndarray:
    v = np.asarray(values, dtype=object)
    if v.shape != (n,):
        raise SurveyDataError(f"{what} does not match the design", expected=f"{n} values")
    return v


def _cell_shares(design: SurveyDesign, rows: np.ndarray, cols: np.ndarray) -> tuple[Any, ...]:
    r_lv = list(dict.fromkeys(rows))
    c_lv = list(dict.fromkeys(cols))
    nr, nc = len(r_lv), len(c_lv)
    ri = np.array([r_lv.index(x) for x in rows])
    ci = np.array([c_lv.index(x) for x in cols])
    cells = np.zeros((design.n, nr * nc))
    cells[np.arange(design.n), ri + nr * ci] = 1.0  # rows vary fastest, as R's expand.grid
    w = design.weights
    theta = w @ cells / w.sum()
    z = w[:, None] * (cells - theta) / w.sum()
    return theta, design.total_variance(z), nr, nc


def _contrasts(nr: int, nc: int) -> np.ndarray:
    rows = np.tile(np.arange(nr), nc)
    cols = np.repeat(np.arange(nc), nr)
    main = np.column_stack(
        [np.ones(nr * nc)]
        + [(rows == i).astype(float) for i in range(1, nr)]
        + [(cols == j).astype(float) for j in range(1, nc)]
    )
    inter = np.column_stack(
        [((rows == i) & (cols == j)).astype(float) for j in range(1, nc) for i in range(1, nr)]
    )
    coef, *_ = np.linalg.lstsq(main, inter, rcond=None)
    return inter - main @ coef


def rao_scott(design: SurveyDesign, rows: Any, cols: Any) -> RaoScott:
    """Rao-Scott test of independence of ``rows`` and ``cols`` (values per design row; None/NaN
    = not answered, left out)."""
    r = _codes(rows, design.n, "rows")
    c = _codes(cols, design.n, "cols")
    ok = ~(np.array([x is None or x != x for x in r]) | np.array([x is None or x != x for x in c]))
    d = design.subset(ok)
    r, c = r[ok], c[ok]
    keep = d.weights > 0
    d, r, c = d.subset(keep), r[keep], c[keep]
    if len(set(r)) < 2 or len(set(c)) < 2:
        raise SurveyDataError("a cross-tab needs two rows and two columns with answers")
    theta, v, nr, nc = _cell_shares(d, r, c)
    n = d.n
    tab = theta.reshape(nc, nr).T  # [row, col]
    expected = np.outer(tab.sum(1), tab.sum(0))
    pearson = float(n * np.sum((tab - expected) ** 2 / expected))
    cmat = _contrasts(nr, nc)
    inv = np.where(theta > 0, 1 / np.where(theta > 0, theta, 1), 0.0)
    denom = cmat.T @ (np.diag(inv) / n) @ cmat
    numr = cmat.T @ np.diag(inv) @ v @ np.diag(inv) @ cmat
    delta = np.linalg.solve(denom, numr)
    tr, tr2 = float(np.trace(delta)), float(np.trace(delta @ delta))
    df = (nr - 1) * (nc - 1)
    chisq = pearson * df / tr
    d0 = tr**2 / tr2
    f = pearson / tr
    ddf = d0 * d.df
    return RaoScott(
        pearson,
        chisq,
        df,
        float(sps.chi2.sf(chisq, df)),
        f,
        d0,
        ddf,
        float(sps.f.sf(f, d0, ddf)),
        tr / df,
    )


def svyttest(design: SurveyDesign, y: Any, group: Any, conf: float = 0.95) -> TTest:
    """Design-based t-test of a mean between the two levels of ``group`` (in order of
    appearance; the difference is second minus first). NaN in ``y`` = not answered."""
    yy = np.asarray(y, dtype=float)
    g = _codes(group, design.n, "group")
    levels = [x for x in dict.fromkeys(g) if not (x is None or x != x)]
    if len(levels) != 2:
        raise SurveyDataError("svyttest needs exactly two groups", found=str(levels))
    ok = ~np.isnan(yy)
    w = design.weights
    zs, means = [], []
    for lv in levels:
        dom = ok & (g == lv)
        wd = np.where(dom, w, 0.0)
        if wd.sum() <= 0:
            raise SurveyDataError(f"group {lv!r} has no answers")
        m = float(np.sum(wd * np.where(dom, yy, 0.0)) / wd.sum())
        zs.append(wd * (np.where(dom, yy, 0.0) - m) / wd.sum())
        means.append(m)
    v = design.total_variance(np.column_stack(zs))
    var = v[0, 0] + v[1, 1] - 2 * v[0, 1]
    diff = means[1] - means[0]
    se = math.sqrt(var)
    df = max(design.df - 1, 1)
    t = diff / se if se > 0 else math.nan
    p = float(2 * sps.t.sf(abs(t), df)) if se > 0 else math.nan
    q = sps.t.ppf(0.5 + conf / 2, df)
    return TTest(diff, se, t, df, p, diff - q * se, diff + q * se)
