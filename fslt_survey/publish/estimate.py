"""The computations behind the findings: design-based levels and changes, with disclosure.

Every published share, index and change is computed here, once, by one method
(:mod:`fslt_survey.publish.findings` keeps the results by id):

* **Level of a share** (a percentage of those who answered the item in a wave): the survey
  design of the wave over the member registry (:func:`fslt_survey.stats.design_from_registry`:
  one stratum, ``N`` = the registry's associations, equal weights ``N / n``, FPC on), so the
  estimate is the plain share ``n / base`` and its interval Wilson's on the design's effective
  n (:meth:`fslt_survey.stats.SurveyDesign.share`). Not answered / "Ved ikke" is outside the
  base (domain estimation).
* **Level of an index** (0-100, :func:`fslt_survey.stats.scale_index`): the design mean with a
  t interval (:meth:`~fslt_survey.stats.SurveyDesign.mean`).
* **Change between two waves**: Derrick et al.'s partially overlapping samples statistic
  (:func:`fslt_survey.stats.overlap_share_test` / :func:`~fslt_survey.stats.overlap_t_test`):
  the associations that answered both waves are paired, the others independent, with each
  wave's FPC; test and interval share one standard error.
* **Disclosure** (k from the project's publication settings): a share is hidden when its base
  is below k, when the count or its rest is 0 < x < k, or when it would reveal a hidden cell of
  the item's published distribution (:func:`fslt_survey.publish.share_publishable`); a change is
  hidden when either level is. The reason recorded is the one that applied.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from fslt_survey import stats
from fslt_survey.codebook import Item
from fslt_survey.publish.measures import Measure, join_answers
from fslt_survey.publish.rules import (
    patterns_publishable,
    share_publishable,
    small_count,
    suppress,
)
from fslt_survey.stats.answers import indicators as answer_matrix
from fslt_survey.stats.answers import resolve_item

__all__ = ["Change", "Level", "change_index", "change_share", "hits", "level_index", "level_share"]

SHOWN, HIDDEN, NOT_ASKED, NO_DATA = "vist", "skjult", "ikke spurgt", "ingen data"


@dataclass(frozen=True)
class Level:
    """One wave's estimate: percent (shares) or index points, with its disclosure status."""

    estimate: float
    ci_low: float
    ci_high: float
    n: int
    base: int
    status: str
    reason: str
    rows: tuple[int, ...] = ()  # positions in the data of the rows in the base (internal)


@dataclass(frozen=True)
class Change:
    """Wave 2 minus wave 1 (percentage points or index points), test and interval."""

    estimate: float
    ci_low: float
    ci_high: float
    p: float
    test: str
    n_pairs: int
    status: str
    reason: str


def hits(data: pd.DataFrame, item: Item, measure: Measure) -> tuple[np.ndarray, np.ndarray]:
    """Per row: 1.0 when the answer counts for ``measure`` (else 0.0) and whether the row is in
    the base (answered the item substantively)."""
    spec = resolve_item(data, item, ("single", "likert", "multi"), "findings")
    matrix, answered = answer_matrix(data, spec)
    mask = np.array([c in measure.labels for c in spec.categories])
    if item.type == "multi":
        hit = matrix[:, mask].sum(axis=1) >= measure.min_options
    else:
        hit = matrix[:, mask].any(axis=1)
    return np.where(answered, hit.astype(float), np.nan), np.asarray(answered, dtype=bool)


def _asked(item: Item, wave: int, d: pd.DataFrame) -> bool:
    if item.waves and wave not in item.waves:
        return False
    cols = [c for c in item.columns if c != item.missing_column and c in d.columns]
    return bool(cols)


def _disclosure(
    d: pd.DataFrame,
    item: Item,
    measure: Measure,
    n: int,
    base: int,
    k: int,
    unit: str,
    cache: dict[Any, Any] | None = None,
) -> tuple[str, str]:
    """Status and true reason. One answer (one cell of the item's published distribution)
    follows that cell's suppression; a share of several answers must also reveal no hidden
    cell (:func:`~fslt_survey.publish.share_publishable`)."""
    if base < k:
        return HIDDEN, f"færre end {k} {unit} har svaret på spørgsmålet"
    multi = item.type == "multi"
    tab, sup = distribution(d, item, k, cache)
    if len(measure.labels) == 1:
        cell = sup.loc[
            ~sup["missing"].astype(bool) & (sup["category"].astype(str) == measure.labels[0])
        ]
        if len(cell) and bool(cell["suppressed"].iloc[0]):
            if small_count(n, k):
                return HIDDEN, f"færre end {k} {unit} står bag tallet"
            return HIDDEN, "skjult, så et andet skjult tal i svarfordelingen ikke kan regnes ud"
        return SHOWN, ""
    if small_count(n, k) or small_count(base - n, k):
        return HIDDEN, f"færre end {k} {unit} står bag andelen eller bag resten af de {base} svar"
    if multi:
        if not _patterns_ok(d, item, measure, k):
            return HIDDEN, (
                "tallet ville vise, hvor mange der har valgt en bestemt kombination af "
                f"svarmulighederne, og nogle kombinationer har færre end {k} {unit}"
            )
        return SHOWN, ""
    ok = share_publishable(tab, measure.labels, k=k, suppressed=sup, multi_select=multi)
    if not ok:
        return HIDDEN, "tallet ville afsløre et skjult tal i spørgsmålets svarfordeling"
    return SHOWN, ""


def _patterns_ok(d: pd.DataFrame, item: Item, measure: Measure, k: int) -> bool:
    assert item.scale is not None
    cols = [item.option_column(lab) for lab in item.scale.substantive]
    present = [c for c in cols if c in d.columns]
    answered = d[present].notna().any(axis=1)
    wanted = [
        item.option_column(lab) for lab in item.scale.substantive if lab.label in measure.labels
    ]
    ticks = d.loc[answered, [c for c in wanted if c in d.columns]].fillna(False).astype(bool)
    return patterns_publishable(ticks, k=k)


def _design(d: pd.DataFrame, population: int) -> stats.SurveyDesign:
    return stats.svydesign(d, population=float(max(population, len(d))))


def wave_rows(
    data: pd.DataFrame, wave: int, cache: dict[Any, Any]
) -> tuple[np.ndarray, pd.DataFrame]:
    """The positions and rows of ``wave`` in ``data``, selected once per ``cache``."""
    if ("wave", wave) not in cache:
        sel = np.flatnonzero(data["wave"].to_numpy() == wave)
        cache[("wave", wave)] = (sel, data.iloc[sel])
    return cache[("wave", wave)]


def distribution(
    d: pd.DataFrame, item: Item, k: int, cache: dict[Any, Any] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The frequency table of ``item`` in the wave rows ``d`` and its suppression
    (:func:`~fslt_survey.publish.suppress`), computed once per item, wave and k in ``cache``:
    the one distribution every figure of the item is published from."""
    multi = item.type == "multi"
    key = (item.id, int(d["wave"].iloc[0]), k)
    cache = {} if cache is None else cache
    if key not in cache:
        tab = (stats.tab_multi if multi else stats.tab_single)(d, item)
        cache[key] = (tab, suppress(tab, k=k, multi_select=multi))
    return cache[key]


def level_share(
    data: pd.DataFrame,
    item: Item,
    measure: Measure,
    wave: int,
    *,
    population: int,
    conf: float,
    k: int,
    unit: str,
    cache: dict[Any, Any] | None = None,
) -> Level:
    """The share of ``measure`` in ``wave`` (percent) with its design interval and status
    (``cache``: the wave's rows, its survey design and the item's suppressed distribution,
    shared between calls)."""
    cache = {} if cache is None else cache
    sel, d = wave_rows(data, wave, cache)
    if not len(d):
        return Level(math.nan, math.nan, math.nan, 0, 0, NO_DATA, f"ingen data fra {wave}")
    if not _asked(item, wave, d):
        return Level(math.nan, math.nan, math.nan, 0, 0, NOT_ASKED, f"ikke spurgt i {wave}")
    y, ok = hits(d, item, measure)
    base, n = int(ok.sum()), int(np.nansum(y))
    if base == 0:
        return Level(math.nan, math.nan, math.nan, 0, 0, NOT_ASKED, f"ingen svar i {wave}")
    if ("design", wave, population) not in cache:  # one design per wave, for every item
        cache[("design", wave, population)] = _design(d, population)
    est = cache[("design", wave, population)].share(y, conf)
    status, reason = _disclosure(d, item, measure, n, base, k, unit, cache)
    rows = tuple(int(i) for i in sel[ok])
    # equal weights N/n: the estimate is n/base exactly (not the weighted sum's float noise,
    # which would round 37.5 % down on one page and up in a download)
    return Level(
        100 * n / base, _r(100 * est.ci_low), _r(100 * est.ci_high), n, base, status, reason, rows
    )


def _r(x: float) -> float:
    """Floating-point noise removed (9 decimals), so every output rounds the same number."""
    return round(float(x), 9) if x == x else x


def level_index(
    data: pd.DataFrame,
    items: list[Item],
    wave: int,
    *,
    population: int,
    conf: float,
    k: int,
    unit: str,
) -> Level:
    """The mean 0-100 index of ``items`` in ``wave`` with its design t interval."""
    sel = np.flatnonzero(data["wave"].to_numpy() == wave)
    d = data.iloc[sel]
    if not len(d):
        return Level(math.nan, math.nan, math.nan, 0, 0, NO_DATA, f"ingen data fra {wave}")
    x = _index_values(d, items)
    ok = ~np.isnan(x)
    base = int(ok.sum())
    if base == 0:
        return Level(math.nan, math.nan, math.nan, 0, 0, NOT_ASKED, f"ingen svar i {wave}")
    est = _design(d, population).mean(x, conf)
    status, reason = SHOWN, ""
    if base < max(k, 2):
        status, reason = HIDDEN, f"færre end {max(k, 2)} {unit} har svaret på udsagnene"
    rows = tuple(int(i) for i in sel[ok])
    return Level(
        _r(est.estimate), _r(est.ci_low), _r(est.ci_high), base, base, status, reason, rows
    )


def _index_values(d: pd.DataFrame, items: list[Item]) -> np.ndarray:
    idx = stats.scale_index(d, items, name="_indeks")["_indeks"]
    return idx.astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def _change(
    data: pd.DataFrame,
    values: Any,
    waves: tuple[int, int],
    levels: tuple[Level, Level],
    *,
    population: int,
    conf: float,
    share: bool,
) -> Change:
    a, b = levels
    for lev in (a, b):
        if lev.status != SHOWN:
            return Change(
                math.nan,
                math.nan,
                math.nan,
                math.nan,
                "none",
                0,
                lev.status,
                lev.reason or "et af årenes tal er skjult",
            )
    x = np.asarray(values, dtype=float)
    wave = data["wave"].to_numpy()
    ok = ~np.isnan(x)
    pos1 = np.flatnonzero((wave == waves[0]) & ok)
    pos2 = np.flatnonzero((wave == waves[1]) & ok)
    pairs = stats.pair_rows(data, wave, waves[0], waves[1], ok)
    index1 = {p: i for i, p in enumerate(pos1)}
    index2 = {p: i for i, p in enumerate(pos2)}
    pp = np.array([(index1[i], index2[j]) for i, j in pairs], dtype=np.int64).reshape(-1, 2)
    frac = tuple(min(int((wave == w).sum()) / max(population, 1), 1.0) for w in waves)
    test = stats.overlap_share_test if share else stats.overlap_t_test
    res = test(x[pos1], x[pos2], pp, conf, fraction=frac)  # type: ignore[arg-type]
    scale = 100.0 if share else 1.0
    return Change(
        _r(scale * res.diff),
        _r(scale * res.ci_low),
        _r(scale * res.ci_high),
        float(res.p),
        "overlap_z" if share else "overlap_t",
        len(pp),
        SHOWN,
        "",
    )


def change_share(
    data: pd.DataFrame,
    item: Item,
    measure: Measure,
    waves: tuple[int, int],
    levels: tuple[Level, Level],
    *,
    population: int,
    conf: float,
) -> Change:
    """Change in percentage points of a share, from its two (already computed) levels."""
    if any(lev.status != SHOWN for lev in levels):
        return _change(data, [], waves, levels, population=population, conf=conf, share=True)
    y, _ = hits(data, item, measure)
    return _change(data, y, waves, levels, population=population, conf=conf, share=True)


def change_index(
    data: pd.DataFrame,
    items: list[Item],
    waves: tuple[int, int],
    levels: tuple[Level, Level],
    *,
    population: int,
    conf: float,
) -> Change:
    """Change in index points between two waves (partially overlapping t)."""
    if any(lev.status != SHOWN for lev in levels):
        return _change(data, [], waves, levels, population=population, conf=conf, share=False)
    x = _index_values(data, items)
    return _change(data, x, waves, levels, population=population, conf=conf, share=False)


def answers_text(measure: Measure) -> str:
    """The answers a measure counts, in running text (for explanations)."""
    return join_answers(measure.labels)
