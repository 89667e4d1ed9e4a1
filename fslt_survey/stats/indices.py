"""Scale indices and their reliability: item scores on 0-100, additive indices, Cronbach's alpha.

Scoring rule (one for the whole toolkit): an item with k substantive labels at positions 1..k
scores ``100 * (k - position) / (k - 1)``. The Danish scales are written positive end first
("I høj grad", "Helt enig"), so 100 means the highest degree or strongest agreement and 0 the
lowest; items worded the other way are listed in ``reverse``. Typed missing answers ("Ved
ikke", ...) are never scored: they are NA, not a midpoint.

Examples
--------
>>> import pandas as pd
>>> grad = ["I høj grad", "I nogen grad", "I mindre grad", "Slet ikke"]
>>> df = pd.DataFrame({"a": pd.Categorical(["I høj grad", "Slet ikke"], grad, ordered=True)})
>>> item_scores(df, ["a"])["a"].round(1).tolist()
[100.0, 0.0]
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from fslt_survey.errors import SurveyDataError
from fslt_survey.stats.answers import ItemLike, answer_codes, as_item_list, resolve_item

__all__ = ["cronbach_alpha", "item_scores", "scale_index"]


def item_scores(
    data: pd.DataFrame, items: Sequence[ItemLike], *, reverse: Sequence[str] = ()
) -> pd.DataFrame:
    """Item scores on 0-100: the first substantive label of the scale scores 100, the last 0.

    With k labels at positions 1..k the score is ``100 * (k - position) / (k - 1)``, so on the
    Danish scales (written positive end first) a high score means a high degree / agreement.
    Items listed in ``reverse`` (ids) are flipped. Typed missing and unanswered are NA.

    Returns
    -------
    DataFrame
        One Float64 column per item id, same index as ``data``.
    """
    specs = [
        resolve_item(data, it, ("likert", "single"), "item_scores")
        for it in as_item_list(items, "item_scores")
    ]
    ids = [s.id for s in specs]
    unknown = [r for r in reverse if r not in ids]
    if unknown:
        raise SurveyDataError(
            "reverse names items that are not in the index",
            expected=", ".join(ids),
            found=", ".join(unknown),
        )
    out = {}
    for spec in specs:
        k = len(spec.categories)
        if not spec.ordered or k < 2:
            raise SurveyDataError(
                f"item {spec.id!r} needs an ordered scale with 2+ labels", column=spec.id
            )
        codes = answer_codes(data, spec).astype(float)
        score = 100 * (k - 1 - codes) / (k - 1)
        if spec.id in reverse:
            score = 100 - score
        out[spec.id] = pd.array(np.where(codes < 0, np.nan, score), dtype="Float64")
    return pd.DataFrame(out, index=data.index)


def scale_index(
    data: pd.DataFrame,
    items: Sequence[ItemLike],
    *,
    name: str,
    reverse: Sequence[str] = (),
    min_share: float = 0.5,
) -> pd.DataFrame:
    """Additive index: mean of the 0-100 item scores (see :func:`item_scores`) per respondent.

    Parameters
    ----------
    name
        Name of the index column.
    reverse
        Ids of items scored in the opposite direction.
    min_share
        Minimum share of the items a respondent must have answered substantively (default
        0.5: at least half); otherwise the index is NA.

    Returns
    -------
    DataFrame
        Same index as ``data``: the identifier columns present (``response_id``,
        ``association_id``, ``wave``), ``name`` (Float64, 0-100) and ``<name>__n_items`` (number
        of items answered).
    """
    if not 0 < min_share <= 1:
        raise SurveyDataError("min_share must be in (0, 1]", found=str(min_share))
    scores = item_scores(data, items, reverse=reverse)
    answered = scores.notna().sum(axis=1)
    need = math.ceil(min_share * scores.shape[1] - 1e-9)
    mean = scores.mean(axis=1, skipna=True).astype("Float64")
    out = data.loc[:, [c for c in ("response_id", "association_id", "wave") if c in data]].copy()
    out[name] = mean.where(answered >= need, pd.NA)
    out[f"{name}__n_items"] = answered.astype("int64")
    return out


def cronbach_alpha(
    data: pd.DataFrame, items: Sequence[ItemLike], *, reverse: Sequence[str] = ()
) -> pd.DataFrame:
    """Cronbach's alpha of the 0-100 item scores, listwise (respondents with every item).

    ``alpha = k / (k - 1) * (1 - sum(var_i) / var(total))`` with sample variances (ddof 1).
    Scores are those of :func:`item_scores`; when all items share one scale this equals alpha
    of the raw codes.

    Returns
    -------
    DataFrame
        One row: ``items`` (ids joined by ", "), ``n_items``, ``n`` (complete respondents),
        ``n_excluded`` (respondents with at least one item unanswered), ``alpha`` (NA with fewer
        than 2 items or 2 respondents, or no total variance).
    """
    scores = item_scores(data, items, reverse=reverse)
    complete = scores.dropna().to_numpy(dtype=float)
    k, n = scores.shape[1], complete.shape[0]
    alpha = np.nan
    if k >= 2 and n >= 2:
        total_var = complete.sum(axis=1).var(ddof=1)
        if total_var > 0:
            alpha = k / (k - 1) * (1 - complete.var(axis=0, ddof=1).sum() / total_var)
    return pd.DataFrame(
        {
            "items": [", ".join(scores.columns)],
            "n_items": [k],
            "n": [n],
            "n_excluded": [len(scores) - n],
            "alpha": [alpha],
        }
    )
