"""One multiplicity policy for the whole publication: declared families, BH within each.

A *family* is a set of findings read together: a page section, or the indicators of one strategy
goal. Within a family p-values are adjusted by Benjamini-Hochberg (false discovery rate); across
families nothing is pooled. Every place that shows a finding (page, follow-up table, PDF) asks
:func:`adjust_family` / :func:`verdicts` with the same family and therefore shows the same verdict.

Families are declared in configuration as a mapping ``family name -> list of finding keys`` (e.g.
in the indicator file: one family per strategy goal). :func:`verdicts` refuses a finding that
is in no family or in two, so a finding can never get two verdicts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from fslt_survey.errors import ConfigError, SurveyDataError
from fslt_survey.stats.inference import adjust_pvalues

__all__ = ["ALPHA", "FAMILY_COLUMNS", "adjust_family", "family_of", "verdicts"]

#: The publication's significance level, after adjustment.
ALPHA = 0.05
FAMILY_COLUMNS = ["key", "family", "p", "p_adj", "significant", "m"]


def adjust_family(p: Any, *, alpha: float = ALPHA, method: str = "fdr_bh") -> pd.DataFrame:
    """Adjusted p-values and verdicts for one family.

    Parameters
    ----------
    p
        A Series of p-values indexed by finding key (NaN: no test, never significant).

    Returns
    -------
    DataFrame
        Indexed like ``p``: ``p``, ``p_adj``, ``significant`` (``p_adj < alpha``), ``m`` (the
        number of tests in the family).
    """
    s = pd.Series(p, dtype=float)
    adj = adjust_pvalues(s, method=method)
    return pd.DataFrame(
        {
            "p": s,
            "p_adj": adj,
            "significant": (adj < alpha).fillna(False).astype(bool),
            "m": int(s.notna().sum()),
        },
        index=s.index,
    )


def family_of(families: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """``finding key -> family`` from a declaration; a key in two families is an error."""
    out: dict[str, str] = {}
    for fam, keys in families.items():
        for key in keys:
            if key in out and out[key] != fam:
                raise ConfigError(
                    f"finding {key!r} is declared in two families",
                    expected="each finding in one family",
                    found=f"{out[key]}, {fam}",
                )
            out[key] = fam
    return out


def verdicts(
    p: Mapping[str, float] | pd.Series,
    families: Mapping[str, Sequence[str]],
    *,
    alpha: float = ALPHA,
    method: str = "fdr_bh",
) -> pd.DataFrame:
    """Adjusted verdicts for findings from all families at once.

    Parameters
    ----------
    p
        ``finding key -> p-value`` (NaN allowed).
    families
        The declaration: ``family -> finding keys``. Keys of ``p`` must all be declared; declared
        keys without a p-value are simply absent.

    Returns
    -------
    DataFrame
        One row per finding of ``p``: the columns of :data:`FAMILY_COLUMNS`.
    """
    s = pd.Series(p, dtype=float)
    fam = family_of(families)
    undeclared = [str(k) for k in s.index if k not in fam]
    if undeclared:
        raise SurveyDataError(
            "findings without a declared multiplicity family",
            expected="a family for each",
            found=", ".join(undeclared),
        )
    frames = []
    for name in dict.fromkeys(fam[k] for k in s.index):
        part = adjust_family(s[[fam[k] == name for k in s.index]], alpha=alpha, method=method)
        frames.append(part.assign(family=name))
    if not frames:
        return pd.DataFrame(columns=FAMILY_COLUMNS)
    out = pd.concat(frames).reindex(s.index)
    out.index.name = "key"
    return out.reset_index()[FAMILY_COLUMNS].assign(
        significant=lambda d: d["significant"].astype(bool), m=lambda d: d["m"].astype(np.int64)
    )
