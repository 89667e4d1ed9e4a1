"""The published downloads: already suppressed tables as CSV (Danish Excel) and XLSX, and the
public shape of the frequency, ranking and trend tables (hidden cells blank, a ``skjult``
column saying which). Re-exported by :mod:`fslt_survey.publish.outputs`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from fslt_survey.privacy import write_csv_safe, write_xlsx_safe
from fslt_survey.publish.rules import suppress

__all__ = ["downloads", "public_frequencies", "public_ranking", "public_trend"]


def downloads(tables: Mapping[str, pd.DataFrame], folder: str | Path) -> list[Path]:
    """Write already suppressed tables as CSV (Danish Excel: ``;`` and decimal comma) and XLSX.

    Names are file stems; cells are neutralised against formula injection.
    """
    folder = Path(folder)
    written: list[Path] = []
    for stem, df in tables.items():
        if not re.fullmatch(r"[a-z0-9_-]+", stem):
            raise ValueError(f"download name {stem!r} must be lower-case a-z, 0-9, _ or -")
        written.append(write_csv_safe(df, folder / f"{stem}.csv"))
        written.append(write_xlsx_safe(df, folder / f"{stem}.xlsx", sheet_name=stem[:31]))
    return written


def _yes(flag: pd.Series) -> pd.Series:
    return pd.Series(np.where(flag.astype(bool).to_numpy(), "ja", "nej"), index=flag.index)


def _blank(values: pd.Series, where: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``values`` (a nullable column) with NA where ``where`` is true."""
    out = values.array.copy()
    out[where] = pd.NA
    return out


def public_frequencies(
    tab: pd.DataFrame,
    *,
    k: int | None = None,
    by: str | None = None,
    multi_select: bool = False,
    suppressed: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """A suppressed frequency table with Danish column names, ready for download.

    Only one base is published: ``basis`` is the number of associations that gave a substantive
    answer, on the substantive rows; the typed-missing rows ("uden for basen") have no base,
    share or interval, only their count. Their base would be the number asked, and asked minus
    answered is the typed-missing total, which is hidden when it is below k (13 - 11 = 2).
    """
    s = (
        suppressed
        if suppressed is not None
        else suppress(tab, k=k, by=by, multi_select=multi_select)
    )
    missing = (
        s["missing"].astype(bool).to_numpy()
        if "missing" in s.columns
        else np.zeros(len(s), dtype=bool)
    )
    # a typed-missing reason's share is of everyone asked, not of the base shown; and its base
    # (the number asked) is left out: minus the base of those who answered it would give the
    # typed-missing total, hidden when it is below k
    out = pd.DataFrame(
        {
            "spoergsmaal": s["item"].astype(str),
            "tekst": s["label"].astype(str),
            **({"gruppe": s[by].astype(str)} if by else {}),
            "svar": s["category"].astype(str),
            "uden_for_basen": _yes(pd.Series(missing, index=s.index)),
            "antal": s["n"].astype("Int64"),
            "basis": _blank(s["base"].astype("Int64"), missing),
            "andel_pct": _blank(s["pct"].astype("Float64").round(1), missing),
            "ki_nedre_pct": _blank(s["ci_low"].astype("Float64").round(1), missing),
            "ki_oevre_pct": _blank(s["ci_high"].astype("Float64").round(1), missing),
            "skjult": _yes(s["suppressed"]),
        },
        index=s.index,
    )
    return out.reset_index(drop=True)


def public_ranking(
    suppressed: pd.DataFrame, *, by: str | None = None, measure: str | None = None
) -> pd.DataFrame:
    """A suppressed ranking (:func:`suppress_ranking`) with Danish column names; ``measure``
    names what ``antal`` counts (e.g. "andel i høj eller nogen grad", as in the findings)."""
    s = suppressed
    return pd.DataFrame(
        {
            **({"gruppe": s[by].astype(str)} if by else {}),
            "nr": s["rank"].astype("Int64"),
            "spoergsmaal": s["item"].astype(str),
            "behov": s["label"].astype(str),
            **({"maaling": measure} if measure else {}),
            "antal": s["n"].astype("Int64"),
            "basis": s["base"].astype("Int64"),
            "andel_pct": s["pct"].astype("Float64").round(1),
            "ki_nedre_pct": s["ci_low"].astype("Float64").round(1),
            "ki_oevre_pct": s["ci_high"].astype("Float64").round(1),
            "skjult": _yes(s["suppressed"]),
        }
    ).reset_index(drop=True)


def public_trend(suppressed: pd.DataFrame) -> pd.DataFrame:
    """A suppressed wave comparison (:func:`suppress_trend`) with Danish column names.

    Counts are left out (shares and bases are enough, and fewer numbers mean fewer equations).
    """
    s = suppressed
    pcol = "p_adj" if "p_adj" in s.columns else "p"
    return pd.DataFrame(
        {
            "spoergsmaal": s["item"].astype(str),
            "tekst": s["label"].astype(str),
            "svar": s["category"].astype(str),
            "fra_aar": s["wave_from"],
            "til_aar": s["wave_to"],
            "basis_fra": s["base_from"].astype("Int64"),
            "andel_fra_pct": s["pct_from"].astype("Float64").round(1),
            "basis_til": s["base_to"].astype("Int64"),
            "andel_til_pct": s["pct_to"].astype("Float64").round(1),
            "aendring_point": s["diff"].astype("Float64").round(1),
            "ki_nedre_point": s["diff_ci_low"].astype("Float64").round(1),
            "ki_oevre_point": s["diff_ci_high"].astype("Float64").round(1),
            "p_justeret": s[pcol].astype("Float64").round(4),
            "skjult": _yes(s["suppressed"]),
        }
    ).reset_index(drop=True)
