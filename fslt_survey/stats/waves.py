"""The change between two waves (2025 -> 2027) of a choice item.

* Shares: ``diff = pct_to - pct_from`` in percentage points with Newcombe's hybrid score
  interval (:func:`~fslt_survey.stats.intervals.newcombe_diff_ci`), tested with the pooled
  two-proportion z-test, or Fisher's exact test when an expected count of the wave x yes/no
  table is below 5. Every substantive category (or multi-select option) gets a row, and ordered
  items with three or more labels a top-2 row.
* Ordered items also get a Mann-Whitney U test of the whole distribution (scale positions).
* ``paired=True`` keeps the associations (``association_id``) that answered substantively in
  both waves, and uses Newcombe's paired interval
  (:func:`~fslt_survey.stats.intervals.newcombe_paired_ci`), McNemar's test (exact binomial with
  fewer than 25 discordant pairs, otherwise chi-square with continuity correction, as R's
  ``mcnemar.test``) and the Wilcoxon signed-rank test of the position differences (zero
  differences dropped, scipy's default).
* Unweighted: tests of change use the respondents as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from fslt_survey.config import CONFIDENCE
from fslt_survey.errors import SurveyDataError
from fslt_survey.stats.answers import ItemLike, answer_codes, indicators, label_mask, resolve_item
from fslt_survey.stats.inference import mcnemar_test
from fslt_survey.stats.intervals import newcombe_diff_ci, newcombe_paired_ci

__all__ = ["COMPARE_COLUMNS", "compare_waves", "pair_rows"]

COMPARE_COLUMNS = [
    "item",
    "label",
    "measure",
    "category",
    "wave_from",
    "wave_to",
    "n_from",
    "base_from",
    "pct_from",
    "n_to",
    "base_to",
    "pct_to",
    "diff",
    "diff_ci_low",
    "diff_ci_high",
    "test",
    "statistic",
    "p",
    "n_pairs",
]


def _two_proportions(
    k1: int, n1: int, k2: int, n2: int, min_expected: float
) -> tuple[str, float, float]:
    """Pooled z-test of p2 - p1 (z > 0: larger in the second), or Fisher when counts are small."""
    if n1 == 0 or n2 == 0:
        return "none", np.nan, np.nan
    tab = np.array([[k1, n1 - k1], [k2, n2 - k2]])
    yes, total = k1 + k2, n1 + n2
    if yes in (0, total):
        return "fisher", np.nan, 1.0
    expected = np.outer(tab.sum(1), tab.sum(0)) / total
    if expected.min() < min_expected:
        return "fisher", np.nan, float(sps.fisher_exact(tab).pvalue)
    pool = yes / total
    z = (k2 / n2 - k1 / n1) / np.sqrt(pool * (1 - pool) * (1 / n1 + 1 / n2))
    return "z", float(z), float(2 * sps.norm.sf(abs(z)))


def _wave_pair(data: pd.DataFrame, waves: Sequence[int] | None) -> tuple[Any, Any]:
    if "wave" not in data.columns:
        raise SurveyDataError("compare_waves needs a 'wave' column", column="wave")
    if waves is None:
        waves = sorted(pd.unique(data["wave"].dropna()))
    waves = list(waves)
    if len(waves) != 2:
        raise SurveyDataError(
            "compare_waves needs exactly two waves (pass waves=(from, to))",
            column="wave",
            found=", ".join(map(str, waves)),
        )
    present = set(pd.unique(data["wave"].dropna()))
    absent = [w for w in waves if w not in present]
    if absent:
        raise SurveyDataError(
            "wave not in the data", column="wave", found=", ".join(map(str, absent))
        )
    return waves[0], waves[1]


def pair_rows(
    data: pd.DataFrame,
    wave: np.ndarray,
    w_from: Any,
    w_to: Any,
    ok: np.ndarray | None = None,
) -> np.ndarray:
    """(n_pairs x 2) row positions of the associations present in both waves.

    Only rows where ``ok`` is true count (default: all rows). An association that answers twice
    in one wave is an error (it would be paired arbitrarily), never silently resolved.
    """
    if "association_id" not in data.columns:
        raise SurveyDataError("paired comparison needs 'association_id'", column="association_id")
    ids = data["association_id"].astype(object).to_numpy()
    keep = np.ones(len(data), dtype=bool) if ok is None else np.asarray(ok, dtype=bool)
    pos = {}
    for w in (w_from, w_to):
        sel = np.flatnonzero((wave == w) & keep & pd.notna(ids))
        s = pd.Series(sel, index=ids[sel])
        if s.index.duplicated().any():
            dup = s.index[s.index.duplicated()][0]
            raise SurveyDataError(
                f"association answers twice in wave {w}", column="association_id", found=str(dup)
            )
        pos[w] = s
    common = [a for a in pos[w_from].index if a in pos[w_to].index]
    return np.array([[pos[w_from][a], pos[w_to][a]] for a in common], dtype=np.int64).reshape(-1, 2)


def compare_waves(
    data: pd.DataFrame,
    item: ItemLike,
    *,
    paired: bool = False,
    waves: Sequence[int] | None = None,
    top: Sequence[str] | None = None,
    conf: float = CONFIDENCE,
    min_expected: float = 5.0,
    exact_below: int = 25,
) -> pd.DataFrame:
    """Change of a choice item between two waves (see the module notes for the methods).

    Parameters
    ----------
    item
        Single, Likert or multi-select item (or its id).
    paired
        Only associations (``association_id``) that answered the item in both waves.
    waves
        ``(from, to)``; default the two waves in the data, in order.
    top
        Labels of the top box (default the first two; only for ordered scales with 3+ labels).
    min_expected
        Below this expected count the unpaired test of a share is Fisher's exact test.
    exact_below
        Fewer discordant pairs than this: exact McNemar.

    Returns
    -------
    DataFrame
        :data:`COMPARE_COLUMNS`: ``item, label, measure`` (``category`` per substantive
        category or option, ``top2`` for the top box, ``distribution`` for the Mann-Whitney /
        Wilcoxon test of an ordered item), ``category`` (label; "A + B" for the top box; NA for
        the distribution row), ``wave_from, wave_to, n_from, base_from, pct_from, n_to,
        base_to, pct_to, diff`` (``pct_to - pct_from`` in percentage points), ``diff_ci_low,
        diff_ci_high, test`` (``z``, ``fisher``, ``mcnemar``, ``mcnemar_exact``,
        ``mann_whitney``, ``wilcoxon`` or ``none``), ``statistic`` (z, McNemar's chi-square or
        min(b, c) when exact, U, W; NA for Fisher), ``p``, ``n_pairs`` (NA unless paired).
    """
    spec = resolve_item(data, item, ("single", "likert", "multi"), "compare_waves")
    w_from, w_to = _wave_pair(data, waves)
    wave = data["wave"].to_numpy()
    ind, answered = indicators(data, spec)
    measures = [("category", cat, ind[:, j]) for j, cat in enumerate(spec.categories)]
    ordinal = spec.type != "multi" and spec.ordered and len(spec.categories) >= 3
    if ordinal:
        tm = label_mask(spec, top)
        labels = " + ".join(c for c, t in zip(spec.categories, tm, strict=True) if t)
        measures.append(("top2", labels, ind[:, tm].any(axis=1)))
    base = {"item": spec.id, "label": spec.label, "wave_from": w_from, "wave_to": w_to}
    codes = answer_codes(data, spec) if ordinal else None
    if paired:
        pp = pair_rows(data, wave, w_from, w_to)
        pp = pp[answered[pp[:, 0]] & answered[pp[:, 1]]]
        rows = _paired_rows(base, measures, pp, conf, exact_below)
        if codes is not None:
            rows.append(_wilcoxon_row(base, codes, pp))
    else:
        m1, m2 = (wave == w_from) & answered, (wave == w_to) & answered
        rows = _unpaired_rows(base, measures, m1, m2, conf, min_expected)
        if codes is not None:
            rows.append(_mann_whitney_row(base, codes, m1, m2))
    return _tidy(rows)


Measure = tuple[str, Any, np.ndarray]


def _paired_rows(
    base: dict[str, Any], measures: list[Measure], pp: np.ndarray, conf: float, exact_below: int
) -> list[dict[str, Any]]:
    """Per measure: Newcombe's paired interval and McNemar's test over the pairs ``pp``."""
    npairs = len(pp)
    rows = []
    for measure, cat, hit in measures:
        x1, x2 = hit[pp[:, 0]], hit[pp[:, 1]]
        # rows = second wave, columns = first wave: p1+ - p+1 = pct_to - pct_from
        tab = [[np.sum(x2 & x1), np.sum(x2 & ~x1)], [np.sum(~x2 & x1), np.sum(~x2 & ~x1)]]
        d, lo, hi = newcombe_paired_ci(tab, conf)
        test, stat, p = (
            mcnemar_test(int(tab[1][0]), int(tab[0][1]), exact_below=exact_below)
            if npairs
            else ("none", np.nan, np.nan)
        )
        rows.append(
            {
                **base,
                "measure": measure,
                "category": cat,
                "n_from": int(x1.sum()),
                "base_from": npairs,
                "n_to": int(x2.sum()),
                "base_to": npairs,
                "diff": d,
                "diff_ci_low": lo,
                "diff_ci_high": hi,
                "test": test,
                "statistic": stat,
                "p": p,
                "n_pairs": npairs,
            }
        )
    return rows


def _wilcoxon_row(base: dict[str, Any], codes: np.ndarray, pp: np.ndarray) -> dict[str, Any]:
    """The paired distribution row: Wilcoxon signed-rank test of the position differences."""
    npairs = len(pp)
    diff = (codes[pp[:, 1]] - codes[pp[:, 0]]).astype(float)
    if npairs and np.any(diff != 0):
        r = sps.wilcoxon(diff)
        stat, p = float(r.statistic), float(r.pvalue)
    else:
        stat, p = np.nan, (1.0 if npairs else np.nan)
    return {
        **base,
        "measure": "distribution",
        "category": None,
        "base_from": npairs,
        "base_to": npairs,
        "test": "wilcoxon",
        "statistic": stat,
        "p": p,
        "n_pairs": npairs,
    }


def _unpaired_rows(
    base: dict[str, Any],
    measures: list[Measure],
    m1: np.ndarray,
    m2: np.ndarray,
    conf: float,
    min_expected: float,
) -> list[dict[str, Any]]:
    """Per measure: Newcombe's interval and the z (or Fisher) test between the waves."""
    n1, n2 = int(m1.sum()), int(m2.sum())
    rows = []
    for measure, cat, hit in measures:
        k1, k2 = int(hit[m1].sum()), int(hit[m2].sum())
        d, lo, hi = newcombe_diff_ci(k2, n2, k1, n1, conf)
        test, stat, p = _two_proportions(k1, n1, k2, n2, min_expected)
        rows.append(
            {
                **base,
                "measure": measure,
                "category": cat,
                "n_from": k1,
                "base_from": n1,
                "n_to": k2,
                "base_to": n2,
                "diff": d,
                "diff_ci_low": lo,
                "diff_ci_high": hi,
                "test": test,
                "statistic": stat,
                "p": p,
            }
        )
    return rows


def _mann_whitney_row(
    base: dict[str, Any], codes: np.ndarray, m1: np.ndarray, m2: np.ndarray
) -> dict[str, Any]:
    """The unpaired distribution row: Mann-Whitney U of the scale positions."""
    n1, n2 = int(m1.sum()), int(m2.sum())
    if n1 and n2:
        r = sps.mannwhitneyu(codes[m1] + 1, codes[m2] + 1, alternative="two-sided")
        test, stat, p = "mann_whitney", float(r.statistic), float(r.pvalue)
    else:
        test, stat, p = "none", np.nan, np.nan
    return {
        **base,
        "measure": "distribution",
        "category": None,
        "base_from": n1,
        "base_to": n2,
        "test": test,
        "statistic": stat,
        "p": p,
    }


def _tidy(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The rows as :data:`COMPARE_COLUMNS` with percentages and percentage points."""
    out = pd.DataFrame(rows, columns=COMPARE_COLUMNS)
    for col in ("n_from", "n_to", "n_pairs"):
        out[col] = out[col].astype("Int64")
    for col in ("base_from", "base_to"):
        out[col] = out[col].astype("int64")
    with np.errstate(invalid="ignore", divide="ignore"):
        out["pct_from"] = 100 * out["n_from"].astype(float) / out["base_from"]
        out["pct_to"] = 100 * out["n_to"].astype(float) / out["base_to"]
    for col in ("diff", "diff_ci_low", "diff_ci_high"):
        out[col] = 100 * out[col].astype(float)
    return out
