"""Published groups: the breakdown every output shows, decided once (issue 18).

A breakdown by a registry variable (the needs by association type) publishes the broader groups
the project declares (:mod:`fslt_survey.project` ``groups:``), each other category on its own,
and merges every group with fewer respondents than the minimum group size into :data:`OTHERS`,
rather than publishing rows of hidden cells. :func:`needs_by_group` is the needs battery by
those groups, suppressed as cross-tabs; the site's heat map and download and the feedback
sheets all take it from here, so a sheet never shows a group figure the site does not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from fslt_survey import stats
from fslt_survey.errors import ConfigError
from fslt_survey.publish.rules import suppress_ranking

__all__ = ["OTHERS", "group_column", "needs_by_group", "published_groups"]

#: Where groups smaller than the minimum published size are merged.
OTHERS = "Øvrige"


def published_groups(
    registry: pd.Series,
    answered: pd.Series,
    declared: Mapping[str, Sequence[str]],
    min_group: int,
    *,
    file: str | Path | None = None,
) -> dict[str, list[str]]:
    """Group -> the categories it merges, for a registry variable (``registry``: its value
    per member) given the respondents' values (``answered``). A declared category the
    registry does not have is an error naming the declaration's ``file``."""
    if isinstance(registry.dtype, pd.CategoricalDtype):
        cats = [str(c) for c in registry.cat.categories]
    else:
        cats = [str(c) for c in pd.unique(registry.dropna().astype(str))]
    unknown = sorted({m for ms in declared.values() for m in ms} - set(cats))
    if unknown:
        raise ConfigError(
            f"fslt-survey: surveys: groups: {registry.name}: categories the registry does not have",
            file=file,
            expected="one of " + ", ".join(cats),
            found=", ".join(unknown),
        )
    member_of = {m: g for g, ms in declared.items() for m in ms}
    groups: dict[str, list[str]] = {}
    for c in cats:
        groups.setdefault(member_of.get(c, c), []).append(c)
    counts = answered.astype(str).value_counts()
    small = [g for g, ms in groups.items() if sum(counts.get(m, 0) for m in ms) < min_group]
    if len(small) > 1 or (small and OTHERS in groups):
        merged = [m for g in small for m in groups.pop(g)]
        groups[OTHERS] = groups.get(OTHERS, []) + merged
    return groups


def group_column(values: pd.Series, members: Mapping[str, Sequence[str]]) -> pd.Categorical:
    """Each value's published group, ordered as ``members``."""
    lookup = {m: g for g, ms in members.items() for m in ms}
    return pd.Categorical(values.astype(str).map(lookup), categories=list(members))


def needs_by_group(
    latest: pd.DataFrame,
    items: Sequence,
    by: str,
    members: Mapping[str, Sequence[str]],
    *,
    k: int,
) -> tuple[pd.DataFrame, str, tuple[str, ...]]:
    """The needs battery by published group, suppressed as cross-tabs (the overall row as
    known totals; sensitive items protected against all-or-none groups): ``(table, group
    column, answers counted)``. A group's cell is the share answering one of the scale's two
    largest answers: a group holds few associations, and the top answer alone would leave
    most cells below k."""
    cats = items[0].scale.categories if items and items[0].scale else ["I høj grad"]
    large = tuple(cats[:2]) if len(cats) > 2 else tuple(cats[:1])
    col = f"{by}_gruppe"
    data = latest.assign(**{col: group_column(latest[by], members)})
    heat = stats.rank_needs(data, items, by=col, large=large)
    sup = suppress_ranking(
        heat,
        k=k,
        by=col,
        distributions=stats.tab_likert(latest, items),
        large=large,
        sensitive=[it.id for it in items if getattr(it, "sensitive", False)],
    )
    return sup, col, large
