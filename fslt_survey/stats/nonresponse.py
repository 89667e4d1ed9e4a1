"""Non-response check: who answered, compared with the member registry.

The finite-population correction and the weights assume that the associations that did not
answer are like those that did, within the weighting cells. This table shows how far the
respondents' make-up differs from the registry's on what the registry knows (type, size band,
locality); the Metode page prints it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from fslt_survey.errors import SurveyDataError

__all__ = ["NONRESPONSE_COLUMNS", "nonresponse_check"]

NONRESPONSE_COLUMNS = [
    "variable",
    "category",
    "members",
    "respondents",
    "nonrespondents",
    "response_rate",
    "registry_pct",
    "respondent_pct",
    "difference_pp",
]


def nonresponse_check(
    respondents: Iterable[object],
    registry: pd.DataFrame,
    by: Sequence[str] = ("assoc_type", "size_band", "locality"),
) -> pd.DataFrame:
    """Respondents against the registry, per category of each column in ``by``.

    Parameters
    ----------
    respondents
        The ``association_id`` of every association that answered (one wave); ids not in the
        registry are ignored, duplicates count once.
    registry
        The member registry (:func:`~fslt_survey.registry.load_registry`).

    Returns
    -------
    DataFrame
        Columns :data:`NONRESPONSE_COLUMNS`: counts, the response rate (%), the category's share
        of the registry and of the respondents (%) and their difference (respondents minus
        registry, percentage points). Categories in registry order.
    """
    for col in ("association_id", *by):
        if col not in registry.columns:
            raise SurveyDataError(f"column {col!r} is not in the registry", column=col)
    answered = registry["association_id"].isin(set(respondents)).to_numpy()
    n_resp = int(answered.sum())
    rows = []
    for col in by:
        s = registry[col]
        cats = (
            [c for c in s.cat.categories if (s == c).any()]
            if isinstance(s.dtype, pd.CategoricalDtype)
            else sorted(pd.unique(s.dropna()), key=str)
        )
        for cat in cats:
            m = (s == cat).to_numpy()
            members, resp = int(m.sum()), int((m & answered).sum())
            reg_pct = 100 * members / len(registry)
            resp_pct = 100 * resp / n_resp if n_resp else np.nan
            rows.append(
                [
                    col,
                    str(cat),
                    members,
                    resp,
                    members - resp,
                    100 * resp / members,
                    reg_pct,
                    resp_pct,
                    resp_pct - reg_pct,
                ]
            )
    return pd.DataFrame(rows, columns=NONRESPONSE_COLUMNS)
