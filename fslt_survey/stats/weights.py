"""Post-stratification weights and Kish's effective sample size.

:func:`poststratify` adds a ``weight`` column so that the weighted shares of association types
(or any registry cells) equal the member registry's; every ``tab_*`` function in
:mod:`fslt_survey.stats` honours it through ``weights="weight"``: counts and bases stay
unweighted, shares are weighted and intervals use :func:`effective_n`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from fslt_survey.errors import SurveyDataError

__all__ = ["effective_n", "poststratify"]


def effective_n(weights: Any) -> float:
    """Kish's effective sample size ``(sum w)^2 / sum w^2`` (0 for no weights)."""
    w = np.asarray(weights, dtype=float)
    s2 = float(np.sum(w**2))
    return float(np.sum(w)) ** 2 / s2 if s2 > 0 else 0.0


def poststratify(
    data: pd.DataFrame,
    registry: pd.DataFrame,
    by: str | Sequence[str] = "assoc_type",
    *,
    within: str | None = "wave",
    name: str = "weight",
) -> pd.DataFrame:
    """Post-stratification weights so weighted group shares match the member registry.

    ``w = (registry share of the respondent's group) / (sample share of that group)``, computed
    separately within each level of ``within`` (each wave by default) and therefore with mean 1
    there (and overall).

    Parameters
    ----------
    data
        Clean survey data.
    registry
        Member registry, one row per association (see :mod:`fslt_survey.registry`).
    by
        Column(s) present in both frames defining the cells (values compared as text).
    within
        Column to weight separately within (``None``: all rows together).
    name
        Name of the weight column to add (replaced if present).

    Returns
    -------
    DataFrame
        A copy of ``data`` with the float column ``name``.

    Raises
    ------
    SurveyDataError
        When a respondent's group is NA or not in the registry, or a registry group has no
        respondents (collapse sparse groups first).
    """
    keys = [by] if isinstance(by, str) else list(by)
    for frame, what in ((data, "data"), (registry, "registry")):
        for col in keys:
            if col not in frame.columns:
                raise SurveyDataError(f"column {col!r} is not in the {what}", column=col)
    if within is not None and within not in data.columns:
        raise SurveyDataError(f"column {within!r} is not in the data", column=within)

    def key_of(frame: pd.DataFrame) -> list[tuple[str | None, ...]]:
        cols = [[None if pd.isna(v) else str(v) for v in frame[c].astype(object)] for c in keys]
        return list(zip(*cols, strict=True))

    def show(t: tuple[str | None, ...]) -> str:
        return " / ".join("NA" if v is None else v for v in t)

    reg_keys = key_of(registry)
    if any(None in t for t in reg_keys):
        raise SurveyDataError(
            f"registry has associations without {', '.join(keys)}", column=keys[0]
        )
    target = {t: c / len(reg_keys) for t, c in Counter(reg_keys).items()}
    data_keys = key_of(data)
    unknown = sorted({show(t) for t in data_keys if t not in target})
    if unknown:
        raise SurveyDataError(
            "respondents whose group is missing or not in the registry",
            column=keys[0],
            expected=", ".join(sorted(map(show, target))),
            found=", ".join(unknown),
        )
    weight = np.full(len(data), np.nan)
    if within is None:
        strata = [np.arange(len(data))]
    else:
        strata = list(data.groupby(within, observed=True, dropna=False).indices.values())
    for pos in strata:
        ks = [data_keys[i] for i in pos]
        counts = Counter(ks)
        empty = sorted(show(t) for t in target if t not in counts)
        if empty:
            raise SurveyDataError(
                "registry group(s) without respondents; collapse groups before weighting",
                column=keys[0],
                found=", ".join(empty),
            )
        weight[pos] = [target[t] * len(ks) / counts[t] for t in ks]
    out = data.copy()
    out[name] = weight
    return out
