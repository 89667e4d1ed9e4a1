"""``fslt-survey explain <finding-id>``: how one published figure was computed, down to its rows.

Internal only (it prints response ids and raw file names; never publish its output): the
finding's measure and the answers it counts, the filters (wave, answered the item), the method
of the estimate, interval and test, the family and adjusted verdict, the disclosure decision
with its reason, and every clean row in the base with the raw export file and row it came
from and whether it counts.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from fslt_survey.errors import SurveyDataError
from fslt_survey.publish.estimate import hits
from fslt_survey.publish.finding import Finding
from fslt_survey.publish.findings import Findings

__all__ = ["explain", "explain_finding"]

_METHODS = {
    "share": (
        "design share over the member registry (one stratum, equal weights N/n, finite-"
        "population correction 1 - n/N); Wilson interval on the design's effective n"
    ),
    "index": "design mean of the 0-100 index (FPC); t interval on n - 1 degrees of freedom",
    "change": (
        "partially overlapping samples (Derrick et al. 2015): pairs = associations answering "
        "both waves, the rest independent, each wave's FPC; z test and interval share one SE"
    ),
    "index_change": "partially overlapping samples t test (Derrick et al. 2017) with FPC",
}


def _find(store: Findings, fid: str) -> Finding:
    try:
        return store.get(fid)
    except KeyError:
        pass
    head, _, waves = fid.rpartition(".")
    item, _, key = head.partition(".")
    try:
        w = tuple(int(x) for x in waves.split("-"))
        it = store.instrument.item(item)
    except (ValueError, KeyError, SurveyDataError):
        raise SurveyDataError(
            f"no finding {fid!r}", expected="an id from the findings table (fund.csv)", found=fid
        ) from None
    assert it.scale is not None
    for lab in it.scale.substantive:  # a single answer's share, not in the declared set
        if store.measure(it, [lab.label]).key == key and len(w) == 1:
            return store.share(it, [lab.label], w[0])
    raise SurveyDataError(
        f"no finding {fid!r}", expected="an id from the findings table (fund.csv)", found=fid
    )


def explain(store: Findings, fid: str) -> str:
    """The explanation of finding ``fid`` as plain text (see the module docstring)."""
    f = _find(store, fid)
    lines = [
        f"finding   {f.id}",
        f"kind      {f.kind}; item {f.item}; waves {', '.join(map(str, f.waves))}",
        f"measure   {f.measure.name} (key {f.measure.key}; counts: "
        f"{', '.join(f.measure.labels) or 'the 0-100 index'})",
        "filters   wave in " + ", ".join(map(str, f.waves)) + "; answered the item "
        "substantively (typed missing such as 'Ved ikke' and 'Ikke besvaret' are outside the "
        "base)",
        f"method    {_METHODS[f.kind]}; confidence {store.conf:g}; population N = "
        f"{store.population}",
        f"estimate  {f.estimate:.4f} [{f.ci_low:.4f}, {f.ci_high:.4f}]; n {f.n}; base {f.base}",
    ]
    if f.is_change:
        lines.append(
            f"test      {f.test}; p {f.p:.4g}; family {f.family!r}; BH-adjusted p "
            f"{f.p_adj:.4g}; verdict {f.verdict or 'none'}; pairs {f.n_pairs}"
        )
    lines.append(f"published {f.status}" + (f" ({f.reason})" if f.reason else ""))
    lines.append("")
    lines.append(_rows(store, f).to_string(index=False))
    return "\n".join(lines) + "\n"


def _rows(store: Findings, f: Finding) -> pd.DataFrame:
    d = store.data.iloc[list(f.rows)]
    cols = [c for c in ("response_id", "association_id", "wave", "source", "row") if c in d]
    out = d[cols].copy()
    if f.kind in ("share", "change"):
        y, _ = hits(store.data, store.instrument.item(f.item), f.measure)
        out["counts"] = np.asarray(y)[list(f.rows)].astype(int)
    return out.reset_index(drop=True)


def explain_finding(fid: str, clean_dir: str | Path | None = None) -> str:
    """:func:`explain` on the project's clean data (``fslt-survey explain``)."""
    return explain(Findings.load(clean_dir), fid)
