"""The method of each indicator kind: per-association hits and the estimates of both waves.

Kinds and methods (the statistics are those of :mod:`fslt_survey.stats`, reused, not copied)
-----------------------------------------------------------------------------------------
* ``share`` / ``top2``: a per-association yes/no (chose one of ``labels``; multi-select: ticked
  at least ``min_options`` of them; top2: the first two labels of an ordered scale) compared
  with :func:`~fslt_survey.stats.waves.compare_waves`: Wilson intervals per wave, Newcombe's
  interval
  of the change in percentage points, z-test or Fisher; paired: Newcombe's paired interval and
  McNemar. Typed missing ("Ved ikke") is outside the base.
* ``mean_index``: :func:`~fslt_survey.stats.indices.scale_index` (0-100) with
  :func:`~fslt_survey.stats.indices.cronbach_alpha` per wave; t intervals, Welch's t-test of the
  change (paired: the paired t-test).
* ``count``: the sum of a numeric item; associations routed past it by skip logic count as 0.
  A total, not an estimate: no interval; paired: Wilcoxon's signed-rank test of the change per
  association.
* ``network``: rows, distinct values or a sum in a table of the network data, per calendar
  year. Registrations, not a sample: no interval and no test.

:func:`indicator_hits` gives each row's value; ``_share``, ``_mean_index``, ``_count`` and
``_network`` fill one row of :func:`fslt_survey.followup.compute_indicators`. Split from
:mod:`fslt_survey.followup`, which re-exports :func:`indicator_hits`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from fslt_survey.errors import ConfigError, SurveyDataError
from fslt_survey.followup.indicators import PERIOD_COLUMNS, Indicator, IndicatorSet, _num
from fslt_survey.stats.answers import indicators as answer_matrix
from fslt_survey.stats.answers import resolve_item
from fslt_survey.stats.indices import cronbach_alpha, scale_index
from fslt_survey.stats.intervals import wilson_ci
from fslt_survey.stats.waves import compare_waves, pair_rows

__all__ = ["indicator_hits"]


def indicator_hits(
    data: pd.DataFrame, indicator: Indicator, instrument: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Per row of ``data``: (value, answered) of a share/top2/count/mean_index indicator.

    share/top2: value 1.0 (yes) or 0.0; mean_index: the 0-100 index; count: the number (0 when
    routed past). ``answered`` is False where the row is not in the base (value NaN).
    """

    items = [instrument.item(i) for i in indicator.items]
    if indicator.kind == "mean_index":
        idx = scale_index(
            data, items, name="_index", reverse=indicator.reverse, min_share=indicator.min_share
        )["_index"]
        x = idx.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        return x, ~np.isnan(x)
    item = items[0]
    if indicator.kind == "count":
        if item.id not in data.columns:
            raise SurveyDataError(
                f"indicator {indicator.id}: column {item.id!r} is not in the data", column=item.id
            )
        x = pd.to_numeric(data[item.id], errors="coerce").astype(float).to_numpy(na_value=np.nan)
        cond = item.relevant
        if cond is not None and cond.item in data.columns:
            scale = instrument.item(cond.item).scale
            ok = {scale.match(v).label for v in cond.values if scale.match(v) is not None}
            gate = data[cond.item].astype(object)
            routed = (gate.notna() & ~gate.isin(ok)).to_numpy() & np.isnan(x)
            x = np.where(routed, 0.0, x)
        return x, ~np.isnan(x)
    spec = resolve_item(data, item, ("single", "likert", "multi"), "compute_indicators")
    matrix, answered = answer_matrix(data, spec)
    labels = indicator.labels
    if labels is None:
        labels = spec.categories if item.type == "multi" else spec.categories[:2]
    mask = np.array([c in labels for c in spec.categories])
    if item.type == "multi":
        hit = matrix[:, mask].sum(axis=1) >= indicator.min_options
    else:
        hit = matrix[:, mask].any(axis=1)
    return np.where(answered, hit.astype(float), np.nan), answered


def _mean_ci(x: np.ndarray, conf: float) -> tuple[float, float, float]:

    n = len(x)
    if n == 0:
        return math.nan, math.nan, math.nan
    m = float(np.mean(x))
    if n < 2:
        return m, math.nan, math.nan
    half = float(sps.t.ppf(0.5 + conf / 2, n - 1) * np.std(x, ddof=1) / math.sqrt(n))
    return m, m - half, m + half


def _pairs(
    data: pd.DataFrame, ok: np.ndarray, w_from: int, w_to: int
) -> tuple[np.ndarray, np.ndarray]:
    """Row positions (from, to) of associations with ``ok`` rows in both waves.

    An association answering twice in a wave raises (as :func:`~fslt_survey.stats.waves.pair_rows`).
    """
    pp = pair_rows(data, data["wave"].to_numpy(), w_from, w_to, ok)
    return pp[:, 0], pp[:, 1]


def _share(
    data: pd.DataFrame,
    ind: Indicator,
    iset: IndicatorSet,
    row: dict[str, Any],
    paired: bool,
    conf: float,
    levels_only: bool = False,
) -> None:
    """The levels (and, unless ``levels_only``, the change and its test) of a share."""
    hit, answered = indicator_hits(data, ind, iset.instrument)
    present = set(pd.unique(data["wave"]))
    waves = (iset.baseline, iset.followup)
    if all(w in present for w in waves) and not levels_only:
        frame = pd.DataFrame(
            {
                "wave": data["wave"].to_numpy(),
                "_hit": pd.Categorical(
                    np.where(answered, np.where(hit == 1, "Ja", "Nej"), None),
                    categories=["Ja", "Nej"],
                ),
            }
        )
        if "association_id" in data.columns:
            frame["association_id"] = data["association_id"].to_numpy()
        cmp = compare_waves(frame, "_hit", paired=paired, waves=waves, conf=conf)
        r = cmp[(cmp["measure"] == "category") & (cmp["category"] == "Ja")].iloc[0]
        counts = [(int(r["n_from"]), int(r["base_from"])), (int(r["n_to"]), int(r["base_to"]))]
        row.update(
            change=r["diff"],
            change_ci_low=r["diff_ci_low"],
            change_ci_high=r["diff_ci_high"],
            test=r["test"],
            statistic=r["statistic"],
            p=r["p"],
            n_pairs=r["n_pairs"],
        )
    else:  # one wave not in the data (yet): levels only
        wave = data["wave"].to_numpy()
        counts = [
            (int(np.nansum(hit[(wave == w) & answered])), int((answered & (wave == w)).sum()))
            if not paired
            else (0, 0)
            for w in waves
        ]
    for sfx, (n, base) in zip(("from", "to"), counts, strict=True):
        low, high = wilson_ci(n, base, conf) if base else (math.nan, math.nan)
        row.update(
            {
                f"n_{sfx}": n,
                f"base_{sfx}": base,
                f"value_{sfx}": 100 * n / base if base else math.nan,
                f"ci_low_{sfx}": 100 * low,
                f"ci_high_{sfx}": 100 * high,
            }
        )


def _mean_change(v1: np.ndarray, v2: np.ndarray, paired: bool, conf: float) -> dict[str, Any]:
    """The change of a mean index between the waves: the paired t test on the same
    associations, else Welch's; with fewer than two values in a wave, the change alone."""
    if len(v1) >= 2 and len(v2) >= 2:
        if paired:
            res, test = sps.ttest_rel(v2, v1), "paired_t"
        else:
            res, test = sps.ttest_ind(v2, v1, equal_var=False), "welch_t"
        ci = res.confidence_interval(conf)
        return {
            "change": float(np.mean(v2) - np.mean(v1)),
            "change_ci_low": float(ci.low), "change_ci_high": float(ci.high),
            "test": test, "statistic": float(res.statistic), "p": float(res.pvalue),
        }
    if len(v1) and len(v2):
        return {"change": float(np.mean(v2) - np.mean(v1))}
    return {}


def _mean_index(
    data: pd.DataFrame,
    ind: Indicator,
    iset: IndicatorSet,
    row: dict[str, Any],
    paired: bool,
    conf: float,
) -> None:

    x, ok = indicator_hits(data, ind, iset.instrument)
    wave = data["wave"].to_numpy()
    items = [iset.instrument.item(i) for i in ind.items]
    if paired:
        a, b = _pairs(data, ok, iset.baseline, iset.followup)
        sel = {iset.baseline: a, iset.followup: b}
        row["n_pairs"] = len(a)
    else:
        sel = {w: np.flatnonzero((wave == w) & ok) for w in (iset.baseline, iset.followup)}
    vals = {}
    for sfx, w in (("from", iset.baseline), ("to", iset.followup)):
        v = x[sel[w]]
        vals[sfx] = v
        m, lo, hi = _mean_ci(v, conf)
        rows = data.iloc[sel[w]] if paired else data[wave == w]
        alpha = (
            cronbach_alpha(rows, items, reverse=ind.reverse)["alpha"].iloc[0]
            if len(rows)
            else math.nan
        )
        row.update(
            {
                f"value_{sfx}": m,
                f"n_{sfx}": len(v),
                f"base_{sfx}": len(v),
                f"ci_low_{sfx}": lo,
                f"ci_high_{sfx}": hi,
                f"alpha_{sfx}": alpha,
            }
        )
    row.update(_mean_change(vals["from"], vals["to"], paired, conf))
    a_from, a_to = (_num(row.get(f"alpha_{s}"), 2) for s in ("from", "to"))
    row["notes"].append(
        f"Indeks 0–100 af {len(items)} udsagn; Cronbachs alfa {a_from} "
        f"({iset.baseline}) og {a_to} ({iset.followup})."
    )


def _count(
    data: pd.DataFrame, ind: Indicator, iset: IndicatorSet, row: dict[str, Any], paired: bool
) -> None:

    x, ok = indicator_hits(data, ind, iset.instrument)
    wave = data["wave"].to_numpy()
    if paired:
        a, b = _pairs(data, ok, iset.baseline, iset.followup)
        sel = {iset.baseline: a, iset.followup: b}
        row["n_pairs"] = len(a)
        d = x[b] - x[a]
        if len(d) and np.any(d != 0):
            res = sps.wilcoxon(d)
            row.update(test="wilcoxon", statistic=float(res.statistic), p=float(res.pvalue))
    else:
        sel = {w: np.flatnonzero((wave == w) & ok) for w in (iset.baseline, iset.followup)}
    for sfx, w in (("from", iset.baseline), ("to", iset.followup)):
        v = x[sel[w]]
        row.update(
            {
                f"value_{sfx}": float(v.sum()) if len(v) else math.nan,
                f"base_{sfx}": len(v),
                f"n_{sfx}": int((v > 0).sum()),
            }
        )
    row["change"] = row["value_to"] - row["value_from"]
    row["notes"].append(
        "Et antal i alt blandt de svarende foreninger (ikke et stikprøveskøn), "
        "derfor intet konfidensinterval."
    )


def _network(
    ind: Indicator,
    iset: IndicatorSet,
    row: dict[str, Any],
    tables: Mapping[str, pd.DataFrame] | None,
) -> None:
    years = ind.periods or (iset.baseline, iset.followup)
    row.update(wave_from=years[0], wave_to=years[1])
    if tables is None:
        row["notes"].append(
            "Ingen data: netværksdata (fslt_survey.network) er ikke tilgængelige endnu."
        )
        return
    t = tables.get(ind.table or "")
    if t is None:
        row["notes"].append(f"Ingen data: netværksdata har ingen tabel {ind.table!r}.")
        return
    col = ind.period or next((c for c in PERIOD_COLUMNS if c in t.columns), None)
    needed = [c for c in (col, ind.column, *ind.where) if c is not None]
    missing = [c for c in needed if c not in t.columns] + ([] if col else ["<year or date>"])
    if missing:
        raise ConfigError(
            f"indicator {ind.id}: network table {ind.table!r} lacks column(s) {', '.join(missing)}",
            expected=", ".join(map(str, t.columns)),
        )
    s = t[col]
    if pd.api.types.is_datetime64_any_dtype(s) or (
        s.dtype == object and not s.map(lambda v: isinstance(v, int | np.integer)).all()
    ):
        year = pd.to_datetime(s, errors="coerce", dayfirst=True).dt.year
    else:
        year = pd.to_numeric(s, errors="coerce")
    keep = pd.Series(True, index=t.index)
    for c, values in ind.where.items():
        keep &= t[c].isin(values)
    last = year.max()
    for sfx, y in (("from", years[0]), ("to", years[1])):
        rows = t[keep & (year == y)]
        if rows.empty and (pd.isna(last) or y > last):
            row["notes"].append(f"Ingen netværksdata for {y} endnu.")
            continue
        if ind.measure == "count":
            v = float(len(rows))
        elif ind.measure == "distinct":
            v = float(rows[ind.column].nunique(dropna=True))
        else:
            v = float(pd.to_numeric(rows[ind.column], errors="coerce").sum())
        row.update({f"value_{sfx}": v, f"n_{sfx}": int(v), f"base_{sfx}": len(rows)})
    if pd.notna(row.get("value_from")) and pd.notna(row.get("value_to")):
        row["change"] = row["value_to"] - row["value_from"]
    row["notes"].append(
        "Fra centrets registreringer (ikke en stikprøve): intet konfidensinterval og ingen test."
    )
