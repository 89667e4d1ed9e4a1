"""What every feedback sheet draws on, prepared once: the data, the distributions, the names.

See :mod:`fslt_survey.followup.feedback` for what a sheet shows and how sheets are rendered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from fslt_survey import config
from fslt_survey.followup import (
    compute_indicators,
    indicator_hits,
    publish_indicators,
)
from fslt_survey.followup.from_findings import apply_findings, declarations
from fslt_survey.publish import Findings, needs_by_group, published_groups, suppress
from fslt_survey.publish.measures import HIDDEN as MEASURE_HIDDEN
from fslt_survey.stats import tab_multi, tab_single
from fslt_survey.tables import format_number

if TYPE_CHECKING:  # pragma: no cover

    from fslt_survey.codebook import Instrument, Item
    from fslt_survey.followup import IndicatorSet

__all__ = [
    "ALL",
    "FEEDBACK_DOC",
    "HIDDEN",
    "PREP_ENV",
    "FeedbackContext",
    "answered_associations",
    "feedback_dir",
    "prepare_feedback",
]

FEEDBACK_DOC = "reports/feedback/feedback.qmd"
#: Environment variable naming the folder of prepared sheets (``<association_id>.md``).
PREP_ENV = "FSLT_FEEDBACK_PREP"
SURVEY = config.MEMBER_SURVEY
ALL = "Alle foreninger"
HIDDEN = MEASURE_HIDDEN
#: In the profile section only the numbers (members, volunteers) are compared.
PROFILE_SECTION = "profil"
#: The battery compared by the association's published group (the site's heat map).
NEEDS = "behov"
NBSP = "\u00a0"


def _fmt(x: Any, decimals: int = 0) -> str:
    return str(format_number(x, decimals))


def _summarise(dist: pd.DataFrame) -> dict[str, tuple[int, dict[str, str]]]:
    """group -> (base, {category: formatted share or "–"}) of a suppressed distribution."""
    import pandas as pd

    out: dict[str, tuple[int, dict[str, str]]] = {}
    for group, rows in dist.groupby("group", sort=False):
        base = rows["base"].dropna()
        cells = {
            str(r.category): HIDDEN if r.suppressed or pd.isna(r.pct) else f"{_fmt(r.pct)}{NBSP}%"
            for r in rows.itertuples(index=False)
        }
        out[str(group)] = (int(base.iloc[0]) if len(base) else 0, cells)
    return out


def feedback_dir() -> Path:
    """Default output folder: ``build/feedback`` (never the site)."""
    return config.PROJECT_ROOT / "build" / "feedback"


@dataclass
class FeedbackContext:
    """Everything a sheet needs, computed once for all associations."""

    data: pd.DataFrame
    instrument: Instrument
    registry: pd.DataFrame
    indicators: IndicatorSet | None = None
    k: int = config.SUPPRESSION_K
    #: (item, wave) -> group -> (base, {category: "41 %" or "–"}), suppressed
    dists: dict[tuple[str, int], dict[str, tuple[int, dict[str, str]]]] = field(
        default_factory=dict
    )
    medians: dict[tuple[str, int], dict[str, tuple[float, int]]] = field(default_factory=dict)
    #: the latest wave: the one the site publishes and every sheet compares with
    wave: int = 0
    #: published group -> its association types (the site's groups)
    members: dict[str, list[str]] = field(default_factory=dict)
    #: needs item -> published group -> (share or "..", base): the site's heat map
    needs: dict[str, dict[str, tuple[str, int]]] = field(default_factory=dict)
    needs_answers: tuple[str, ...] = ()
    indicator_values: dict[str, Any] = field(default_factory=dict)
    indicator_table: pd.DataFrame | None = None


def answered_associations(data: pd.DataFrame) -> list[str]:
    """Ids of the associations with at least one kept response, sorted."""
    return sorted(str(a) for a in data["association_id"].dropna().unique())


def banded_median(values: pd.Series, k: int) -> tuple[float, int]:
    """``(median, n)`` of a group's numeric answers as a feedback sheet may print it (issue 18):
    the median of an odd number of units *is* one unit's value, so it is banded - rounded to
    two significant digits, at least to a multiple of 5 (286 -> 290, 37 -> 35) - and no peer's
    exact value is printed. A group of fewer than ``k`` gives ``(nan, n)``, shown as hidden."""
    import math

    n = int(values.notna().sum())
    if n < k:
        return float("nan"), n
    m = float(values.median())
    if m == 0:
        return 0.0, n
    step = max(5.0, 10.0 ** (math.floor(math.log10(abs(m))) - 1))
    return float(round(m / step) * step), n


def _choice_items(instrument: Instrument) -> list[Item]:
    return [it for it in instrument.items if it.type in ("single", "likert", "multi")]


def prepare_feedback(
    data: pd.DataFrame,
    instrument: Instrument,
    registry: pd.DataFrame,
    *,
    indicators: IndicatorSet | None = None,
    k: int | None = None,
    groups: dict[str, tuple[str, ...]] | None = None,
    min_group: int = 5,
) -> FeedbackContext:
    """The figures every sheet compares with, computed once: the site's own (issue 18).

    Only the latest wave is compared (the site publishes no other wave's distributions), each
    distribution suppressed by the same function on the same table as the site's
    (:func:`fslt_survey.publish.suppress`), and the needs by the association's published group
    (``groups``: the declared broader groups, ``min_group``) are the site's heat map
    (:func:`fslt_survey.publish.needs_by_group`). ``data`` is the clean member survey (with
    ``assoc_type`` from the registry); not modified.
    """
    import numpy as np

    k = config.SUPPRESSION_K if k is None else int(k)
    ctx = FeedbackContext(data, instrument, registry, indicators, k)
    if data.empty:
        return ctx
    ctx.wave = int(data["wave"].max())
    sub = data[data["wave"] == ctx.wave]
    for item in _choice_items(instrument):
        if item.waves and ctx.wave not in item.waves:
            continue
        multi = item.type == "multi"
        tab = (tab_multi if multi else tab_single)(sub, item)
        shown = suppress(tab, k=k, multi_select=multi)
        shown = shown[~shown["missing"].astype(bool)].assign(group=ALL)
        ctx.dists[(item.id, ctx.wave)] = _summarise(shown)
    for item in (it for it in instrument.items if it.type == "numeric"):
        if item.id in sub.columns:
            values = pd.to_numeric(sub[item.id], errors="coerce").astype(float)
            ctx.medians[(item.id, ctx.wave)] = {ALL: banded_median(values, k)}
    _needs_by_group(ctx, sub, groups or {}, min_group)
    if indicators is not None:
        survey = indicators.select(source="survey")
        for ind in survey:
            ctx.indicator_values[ind.id] = indicator_hits(data, ind, instrument)[0]
        store = Findings(  # the site's figures: the same findings as the pages
            data,
            instrument,
            population=len(registry),
            k=k,
            indicators=declarations(survey, instrument),
        )
        table = apply_findings(compute_indicators(data, survey, network=None, k=k), survey, store)
        ctx.indicator_table = publish_indicators(table, k=k)
        ctx.indicator_values = {key: np.asarray(v) for key, v in ctx.indicator_values.items()}
    return ctx


def _needs_by_group(
    ctx: FeedbackContext, latest: pd.DataFrame, groups: dict, min_group: int
) -> None:
    """The site's needs by published group: item -> group -> ("71 %" or "..", base)."""
    if "assoc_type" not in latest.columns or not any(
        it.battery == NEEDS for it in ctx.instrument
    ):
        return
    items = ctx.instrument.battery(NEEDS)
    ctx.members = published_groups(ctx.registry["assoc_type"], latest["assoc_type"], groups,
                                   min_group)
    table, col, large = needs_by_group(latest, items, "assoc_type", ctx.members, k=ctx.k)
    ctx.needs_answers = large
    for r in table.itertuples(index=False):
        group = str(getattr(r, col))
        hidden = bool(r.suppressed) or pd.isna(r.pct)
        text = HIDDEN if hidden else f"{_fmt(r.pct)}{NBSP}%"
        base = 0 if pd.isna(r.base) else int(r.base)
        ctx.needs.setdefault(str(r.item), {})[group] = (text, base)
