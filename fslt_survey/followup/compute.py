"""Follow-up on the strategy 2025-2027: baseline against follow-up, targets.

The indicators are data (:mod:`fslt_survey.followup.indicators`: ``surveys/indicators.yml``, loaded
and
validated against the instrument). :func:`compute_indicators` and :func:`compute_followup` here
compute them from the clean member survey and the network data (:func:`load_network_data`),
with the method of each kind in :mod:`fslt_survey.followup.methods`;
:mod:`fslt_survey.followup.report` publishes them. :func:`register_cli` adds ``fslt-survey
indicators``. The public names of those three modules are re-exported here, so
``from fslt_survey.followup import ...`` works as before.

Targets: ``increase`` and ``at_least`` are met when the follow-up value reaches ``value``,
``decrease`` when it is at most ``value``. ``increase``/``decrease`` without a value are met when
the change goes the right way and its interval excludes 0 (counts and network: any change the
right way). ``target_met`` is ``"yes"``, ``"no"``, ``"unknown"`` (no follow-up value, or a base
below k) or NA (no target).

Small bases: a base below ``k`` (:data:`~fslt_survey.config.SUPPRESSION_K`) sets ``small_base``
and a Danish note; the values are still computed, :func:`publish_indicators` hides them.

Examples
--------
>>> iset = load_indicators()                                    # doctest: +SKIP
>>> table = compute_followup(load_clean("medlemsundersoegelse"), iset)  # doctest: +SKIP
>>> present_indicators(publish_indicators(table), goal=2)       # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from fslt_survey import config
from fslt_survey.errors import SurveyDataError
from fslt_survey.followup.from_findings import apply_findings
from fslt_survey.followup.indicators import (
    INDICATOR_COLUMNS,
    MET,
    NOT_MET,
    UNKNOWN,
    Indicator,
    IndicatorSet,
    Target,
)
from fslt_survey.followup.methods import _count, _mean_index, _network, _share
from fslt_survey.network.data import load_network_data as network_tables
from fslt_survey.network.data import network_dir
from fslt_survey.publish import Findings

__all__ = [
    "compute_followup",
    "compute_indicators",
    "load_network_data",
    "target_status",
]

# --------------------------------------------------------------------------- network data


def load_network_data() -> dict[str, pd.DataFrame] | None:
    """The network data as tables by name (:func:`fslt_survey.network.load_network_data`), or
    None when the project has no ``surveys/netvaerk/netvaerk.yml`` (the network indicators then
    say "ingen data"); invalid files raise their ConfigError.

    Tables: ``meetings`` (one row per held meeting: ``meeting_id, date, year, forum_id, kind,
    theme``), ``attendance`` (one row per association and meeting) and ``groups`` (one row per
    forum and year with a meeting: ``forum_id, forum, kind, theme, year``).
    """
    if not (network_dir() / "netvaerk.yml").is_file():
        return None  # no network data in this project (yet)
    return network_tables()


# --------------------------------------------------------------------------- computation


def _row(ind: Indicator, iset: IndicatorSet, population: str) -> dict[str, Any]:
    t = ind.target
    return {
        "indicator": ind.id,
        "goal": ind.goal,
        "title": ind.title,
        "kind": ind.kind,
        "unit": ind.unit,
        "population": population,
        "wave_from": iset.baseline,
        "wave_to": iset.followup,
        "test": "none",
        "target_value": t.value if t and t.value is not None else np.nan,
        "target_direction": t.direction if t else None,
        "notes": [],
    }


def target_status(
    ind: Indicator | Target | None,
    value_from: float,
    value_to: float,
    change: float = math.nan,
    change_ci_low: float = math.nan,
    change_ci_high: float = math.nan,
) -> Any:
    """``"yes"``, ``"no"``, ``"unknown"``, or NA without a target (rules: module docstring)."""
    t = ind.target if isinstance(ind, Indicator) else ind
    if t is None:
        return pd.NA
    if pd.isna(value_to):
        return UNKNOWN
    if t.value is not None:
        ok = value_to <= t.value if t.direction == "decrease" else value_to >= t.value
        return MET if ok else NOT_MET
    if pd.isna(value_from) or pd.isna(change):
        return UNKNOWN
    sign = 1 if t.direction == "increase" else -1
    if sign * change <= 0:
        return NOT_MET
    bound = change_ci_low if sign > 0 else change_ci_high
    if pd.isna(change_ci_low) and pd.isna(change_ci_high):
        return MET  # a total or a registration: any change the right way
    return MET if sign * bound > 0 else NOT_MET


def compute_indicators(
    data: pd.DataFrame,
    indicators: IndicatorSet,
    *,
    paired: bool = False,
    network: Mapping[str, pd.DataFrame] | str | None = "auto",
    k: int | None = None,
    conf: float = config.CONFIDENCE,
    levels_only: bool = False,
) -> pd.DataFrame:
    """Baseline, follow-up, change and target status of every indicator.

    Parameters
    ----------
    data
        Clean member-survey data (both waves; see ``clean.py``). Not modified.
    indicators
        From :func:`load_indicators` (``.select(goal=2)`` for a subset).
    paired
        Only associations that answered (the indicator's items) in both waves.
    network
        Tables of the network data by name; ``"auto"`` loads them with
        :func:`load_network_data` when a network indicator needs them; None: no network data.
    k
        Small-base threshold (default :data:`~fslt_survey.config.SUPPRESSION_K`).
    levels_only
        Shares get their levels and bases but no change or test (the findings give those:
        :func:`compute_followup` with ``findings``).

    Returns
    -------
    DataFrame
        :data:`INDICATOR_COLUMNS`, one row per indicator in file order. Values of shares are
        percentages (0-100) and changes percentage points; ``population`` is ``"all"`` or
        ``"paired"``; ``note`` holds Danish notes (small base, not measured, method).
    """
    if not isinstance(data, pd.DataFrame) or "wave" not in data.columns:
        raise SurveyDataError(
            "compute_indicators needs the clean data with a 'wave' column", column="wave"
        )
    k = config.SUPPRESSION_K if k is None else int(k)
    if isinstance(network, str):
        network = load_network_data() if any(i.kind == "network" for i in indicators) else None
    population = "paired" if paired else "all"
    rows = []
    for ind in indicators:
        row = _row(ind, indicators, population)
        if ind.kind in ("share", "top2"):
            _share(data, ind, indicators, row, paired, conf, levels_only and bool(ind.items))
        elif ind.kind == "mean_index":
            _mean_index(data, ind, indicators, row, paired, conf)
        elif ind.kind == "count":
            _count(data, ind, indicators, row, paired)
        else:
            _network(ind, indicators, row, network)
        _finish(row, ind, indicators, k)
        rows.append(row)
    out = pd.DataFrame(rows).reindex(columns=INDICATOR_COLUMNS)
    for col in ("n_from", "base_from", "n_to", "base_to", "n_pairs"):
        out[col] = pd.array(out[col], dtype="Int64")
    floats = [c for c in INDICATOR_COLUMNS if c.startswith(("value", "ci", "change", "alpha"))]
    for col in [*floats, "statistic", "p", "target_value"]:
        out[col] = out[col].astype(float)
    out["small_base"] = out["small_base"].astype(bool)
    out["target_met"] = out["target_met"].astype("string")
    return out


def _finish(row: dict[str, Any], ind: Indicator, iset: IndicatorSet, k: int) -> None:
    notes = row.pop("notes")
    items = [iset.instrument.item(i) for i in ind.items]
    if ind.kind != "network":
        for w in (iset.baseline, iset.followup):
            if items and all(it.waves and w not in it.waves for it in items):
                notes.insert(0, f"Spørgsmålet blev ikke stillet i {w}.")
    small = []
    if ind.kind != "network":
        for sfx, w in (("from", row["wave_from"]), ("to", row["wave_to"])):
            base = row.get(f"base_{sfx}")
            if base is not None and 0 < base < k:
                small.append(str(w))
    row["small_base"] = bool(small)
    if small:
        notes.insert(
            0,
            f"Få svar: under {k} foreninger i {' og '.join(small)}; tallene "
            "offentliggøres ikke og bør ikke tolkes.",
        )
    if row["population"] == "paired" and ind.kind != "network":
        notes.append(
            f"Kun foreninger, der svarede både i {iset.baseline} og {iset.followup} "
            f"({row.get('n_pairs') or 0})."
        )
    status = target_status(
        ind,
        row.get("value_from", math.nan),
        row.get("value_to", math.nan),
        row.get("change", math.nan),
        row.get("change_ci_low", math.nan),
        row.get("change_ci_high", math.nan),
    )
    if row["small_base"] and status is not pd.NA:
        status = UNKNOWN
    row["target_met"] = status
    row["note"] = " ".join(notes)


def compute_followup(
    data: pd.DataFrame,
    indicators: IndicatorSet,
    *,
    findings: Findings | None = None,
    **kwargs: Any,
) -> pd.DataFrame:
    """:func:`compute_indicators` for all respondents and for the paired associations, stacked
    (``population`` "all", then "paired"); the network data are loaded once.

    With ``findings`` (what the published pages use) the survey indicators take their figures
    and verdicts from the findings and targets are judged with their uncertainty
    (:func:`fslt_survey.followup.from_findings.apply_findings`)."""
    network = kwargs.pop("network", "auto")
    if isinstance(network, str):
        network = load_network_data() if any(i.kind == "network" for i in indicators) else None
    parts = [  # with findings, the changes of all respondents' shares are the findings'
        compute_indicators(
            data,
            indicators,
            paired=p,
            network=network,
            levels_only=findings is not None and not p,
            **kwargs,
        )
        for p in (False, True)
    ]
    out = pd.concat(parts, ignore_index=True)
    return out if findings is None else apply_findings(out, indicators, findings)
