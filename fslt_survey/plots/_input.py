"""Checks of the tables the ``plot_*`` functions take, and small column readers.

Every chart starts with :func:`_check` (a private copy, required columns, suppressed numbers
blanked), then reads columns through :func:`_num`, :func:`_labels` and :func:`_missing_flags`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from fslt_survey.config import INVALID_ANSWER, MISSING_REASONS, NOT_ANSWERED
from fslt_survey.errors import SurveyDataError
from fslt_survey.stats.answers import RESERVED

_MISSING_NAMES = {*MISSING_REASONS, NOT_ANSWERED, INVALID_ANSWER}
#: Output columns of the stats tables (anything else is taken for a group column).
_KNOWN = {
    *RESERVED,
    "suppressed",
    "suppression",
}


def _check(table: Any, func: str, required: Sequence[str]) -> pd.DataFrame:
    """A private copy of a non-empty table with the required columns (input never touched)."""
    if not isinstance(table, pd.DataFrame):
        raise SurveyDataError(f"{func} needs a DataFrame", found=type(table).__name__)
    if table.empty:
        raise SurveyDataError(
            f"{func}: the table is empty, so there is nothing to plot",
            expected="a table from fslt_survey.stats with at least one row",
        )
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise SurveyDataError(
            f"{func}: the table lacks the column(s) {', '.join(missing)}",
            column=missing[0],
            expected=", ".join(required),
            found=", ".join(map(str, table.columns)),
        )
    df = table.copy()
    if "suppressed" in df.columns:  # privacy step marks rows; never draw their numbers
        hide = df["suppressed"].astype("boolean").fillna(False).to_numpy(dtype=bool)
        for col in ("pct", "ci_low", "ci_high", "n"):
            if col in df.columns:
                df[col] = df[col].astype(object).where(~hide, np.nan)
    return df.reset_index(drop=True)


def _num(s: pd.Series) -> np.ndarray:
    return pd.to_numeric(s.astype(object), errors="coerce").to_numpy(dtype=float)


def _labels(df: pd.DataFrame) -> pd.Series:
    item = df["item"].astype(str) if "item" in df.columns else df["label"].astype(str)
    if "label" not in df.columns:
        return item
    lab = df["label"].astype(object)
    return lab.where(lab.notna(), item).astype(str)


def _missing_flags(df: pd.DataFrame) -> np.ndarray:
    if "missing" in df.columns:
        return df["missing"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    return df["category"].astype(str).isin(_MISSING_NAMES).to_numpy()


def _group_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if c not in _KNOWN]


def _one_group(df: pd.DataFrame, func: str, group: Any = None) -> pd.DataFrame:
    """Keep one group of a ``by=`` table (``group`` or the only one); refuse several."""
    for col in _group_columns(df):
        values = list(pd.unique(df[col].dropna()))
        if group is not None and group in values:
            df = df[df[col] == group]
        elif len(values) > 1:
            raise SurveyDataError(
                f"{func}: the table has several groups in column {col!r}; pass group= or "
                "filter one group first (plot_needs_heatmap shows groups side by side)",
                column=str(col),
                found=", ".join(map(str, values[:6])),
            )
    if df.empty:
        raise SurveyDataError(f"{func}: no rows for group {group!r}")
    return df.reset_index(drop=True)
