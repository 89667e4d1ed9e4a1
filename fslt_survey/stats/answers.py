"""Reading choice answers from the clean data: shared helpers of the analysis modules.

:mod:`fslt_survey.stats`, :mod:`fslt_survey.stats.indices`, :mod:`fslt_survey.stats.inference` and
:mod:`fslt_survey.stats.waves` use these to turn a codebook :class:`~fslt_survey.codebook.Item` (or
a
bare item id) and the clean data into arrays: positions of the substantive answers, indicator
matrices, typed-missing reasons, weights and group masks. Every helper reads the data and never
modifies it; every check raises :class:`~fslt_survey.errors.SurveyDataError` naming the column.

A respondent is *answered* on a choice item when the item column holds a substantive label
(multi-select: when at least one option column is not NA), *typed missing* when not answered and
``<id>__missing`` holds a reason, and *not asked* otherwise (the item was not in that wave or
had no column in that export: ``<id>`` and ``<id>__missing`` are both NA). Not-asked rows are in
no base and in no count of a missing reason. A missing ``<id>__missing`` column means no
typed-missing information (every unanswered row is then not asked).
"""

from __future__ import annotations

import contextlib
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from fslt_survey.codebook import Item
from fslt_survey.config import INVALID_ANSWER, MISSING_REASONS, NOT_ANSWERED
from fslt_survey.errors import SurveyDataError

__all__ = [
    "ItemLike",
    "ItemSpec",
    "answer_codes",
    "as_item_list",
    "group_masks",
    "indicators",
    "label_mask",
    "missing_reasons",
    "option_ticks",
    "resolve_item",
    "weight_array",
]

ItemLike = Item | str
#: The reason cleaning gives an item whose ``relevant`` condition was not met (skip logic).
NOT_RELEVANT = "Ikke relevant"
#: Output columns of tab_single / tab_multi / tab_likert (after the optional group column).
FREQ_COLUMNS = [
    "item",
    "label",
    "category",
    "level",
    "missing",
    "n",
    "base",
    "pct",
    "ci_low",
    "ci_high",
    "base_eff",
]

#: Output column names a group column may not take.
RESERVED = (
    *FREQ_COLUMNS,
    "reason",
    "rank",
    "expected",
    "median",
    "n_missing",
    "top2_n",
    "top2_pct",
    "top2_ci_low",
    "top2_ci_high",
)


@dataclass(frozen=True)
class ItemSpec:
    """What the statistics need to know about one choice item."""

    id: str
    label: str
    type: str  # single | likert | multi
    categories: tuple[str, ...]
    ordered: bool
    columns: tuple[str, ...]
    missing_column: str
    #: The scale's typed-missing labels, in scale order ("Ved ikke", ...).
    missing_labels: tuple[str, ...] = ()
    #: The item has a ``relevant`` condition, so cleaning may set "Ikke relevant" (skipped).
    routed: bool = False


def resolve_item(data: pd.DataFrame, item: ItemLike, types: Sequence[str], func: str) -> ItemSpec:
    """Turn an :class:`Item` (or a bare item id) into a spec and check its columns exist."""
    if not isinstance(data, pd.DataFrame):
        raise SurveyDataError(f"{func} needs a DataFrame", found=type(data).__name__)
    if isinstance(item, Item):
        if item.type not in types:
            raise SurveyDataError(
                f"{func} cannot tabulate item {item.id!r} of type {item.type!r}",
                column=item.id,
                expected=" or ".join(types),
                found=item.type,
            )
        assert item.scale is not None
        scale = item.scale
        if item.type == "multi":
            cols = tuple(item.option_column(lab) for lab in scale.substantive)
        else:
            cols = (item.id,)
        spec = ItemSpec(
            item.id,
            item.label,
            item.type,
            tuple(scale.categories),
            scale.ordered,
            cols,
            item.missing_column,
            tuple(lab.label for lab in scale.missing),
            item.relevant is not None,
        )
    elif isinstance(item, str):
        spec = _spec_from_data(data, item, func)
        if spec.type not in types:
            raise SurveyDataError(
                f"{func} cannot tabulate column {item!r} ({spec.type})",
                column=item,
                expected=" or ".join(types),
                found=spec.type,
            )
    else:
        raise SurveyDataError(f"{func} needs an Item or an item id", found=repr(item))
    for col in spec.columns:
        if col not in data.columns:
            raise SurveyDataError(
                f"item {spec.id!r}: column {col!r} is not in the data",
                column=col,
                expected="the clean columns of the instrument",
            )
    return spec


def _spec_from_data(data: pd.DataFrame, item_id: str, func: str) -> ItemSpec:
    """A spec from the clean columns alone (when no codebook Item is at hand)."""
    miss = f"{item_id}__missing"
    if item_id in data.columns:
        s = data[item_id]
        if not isinstance(s.dtype, pd.CategoricalDtype):
            raise SurveyDataError(
                f"{func}: column {item_id!r} is not categorical; pass the codebook Item",
                column=item_id,
                expected="a categorical choice column",
                found=str(s.dtype),
            )
        ordered = bool(s.cat.ordered)
        return ItemSpec(
            item_id,
            item_id,
            "likert" if ordered else "single",
            tuple(str(c) for c in s.cat.categories),
            ordered,
            (item_id,),
            miss,
        )
    prefix = f"{item_id}__"
    options = [c for c in data.columns if isinstance(c, str) and c.startswith(prefix) and c != miss]
    if not options:
        raise SurveyDataError(
            f"{func}: unknown item {item_id!r}",
            column=item_id,
            expected="an item column or multi-select option columns",
        )
    return ItemSpec(
        item_id,
        item_id,
        "multi",
        tuple(c[len(prefix) :] for c in options),
        False,
        tuple(options),
        miss,
    )


def answer_codes(data: pd.DataFrame, spec: ItemSpec) -> np.ndarray:
    """Positions (0-based) of each row's substantive answer; -1 where not answered."""
    s = data[spec.id]
    if isinstance(s.dtype, pd.CategoricalDtype) and tuple(s.cat.categories) == spec.categories:
        return s.cat.codes.to_numpy(dtype=np.int64)
    values = s.astype(object)
    known = values.isin(spec.categories).to_numpy()
    unknown = s.notna().to_numpy() & ~known
    if unknown.any():
        found = sorted({str(v) for v in values[unknown]})
        raise SurveyDataError(
            f"item {spec.id!r} holds values that are not substantive labels of its scale",
            column=spec.id,
            expected=", ".join(spec.categories),
            found=", ".join(found),
        )
    lookup = {c: i for i, c in enumerate(spec.categories)}
    return np.array(
        [lookup[v] if k else -1 for v, k in zip(values, known, strict=True)], dtype=np.int64
    )


def option_ticks(data: pd.DataFrame, spec: ItemSpec) -> tuple[np.ndarray, np.ndarray]:
    """Multi-select: (ticked matrix rows x options, answered mask)."""
    ticked, seen = [], []
    for col in spec.columns:
        s = data[col]
        try:
            b = s if s.dtype == "boolean" else s.astype("boolean")
        except (TypeError, ValueError):
            raise SurveyDataError(
                f"multi-select column {col!r} is not boolean",
                column=col,
                expected="True/False/NA",
                found=str(s.dtype),
            ) from None
        ticked.append(b.to_numpy(dtype=bool, na_value=False))
        seen.append(b.notna().to_numpy())
    tick = np.column_stack(ticked) if ticked else np.zeros((len(data), 0), bool)
    answered = np.column_stack(seen).any(axis=1) if seen else np.zeros(len(data), bool)
    return tick & answered[:, None], answered


def indicators(data: pd.DataFrame, spec: ItemSpec) -> tuple[np.ndarray, np.ndarray]:
    """(rows x categories indicator matrix, answered mask) for any choice item."""
    if spec.type == "multi":
        return option_ticks(data, spec)
    codes = answer_codes(data, spec)
    ind = codes[:, None] == np.arange(len(spec.categories))[None, :]
    return ind, codes >= 0


def missing_reasons(
    data: pd.DataFrame, spec: ItemSpec, answered: np.ndarray
) -> tuple[np.ndarray, list[str]]:
    """(typed missing reason per row or None, the reasons the item can have in report order).

    The reasons listed are those the item can have: its scale's missing labels, "Ikke relevant"
    when it has a ``relevant`` condition, "Ikke besvaret", and any other reason actually
    observed in an unanswered row (e.g. "Ugyldigt svar"). The categories of the
    ``<id>__missing`` column are not used: cleaning gives every item the same global list.
    Without a codebook :class:`Item` (a bare item id) only "Ikke besvaret" and the observed
    reasons are known.

    Order (fixed, whatever the counts): the scale's missing labels in scale order, "Ikke
    relevant" (skip logic), other observed reasons, "Ikke besvaret", "Ugyldigt svar".

    Rows that are answered or not asked (``<id>`` and ``<id>__missing`` both NA) get None.
    """
    col = spec.missing_column
    if col not in data.columns:
        return np.full(len(data), None, dtype=object), []
    s = data[col]
    values = np.array([None if pd.isna(v) else str(v) for v in s.astype(object)], dtype=object)
    values[answered] = None
    observed = [v for v in dict.fromkeys(values.tolist()) if v is not None]
    cats = [str(c) for c in s.cat.categories] if isinstance(s.dtype, pd.CategoricalDtype) else []
    known = [*spec.missing_labels, *([NOT_RELEVANT] if spec.routed else [])]
    tail = (NOT_ANSWERED, INVALID_ANSWER)
    fixed = (*MISSING_REASONS, *cats)
    extra = sorted(
        (r for r in observed if r not in known and r not in tail),
        key=lambda r: fixed.index(r) if r in fixed else len(fixed),
    )
    invalid = [INVALID_ANSWER] if INVALID_ANSWER in observed else []
    order = list(dict.fromkeys([*known, *extra, NOT_ANSWERED, *invalid]))
    return values, order


def weight_array(data: pd.DataFrame, weights: str | None) -> np.ndarray | None:
    """The weight column as floats (None without weights); refuses NA, negative, non-numeric."""
    if weights is None:
        return None
    if weights not in data.columns:
        raise SurveyDataError(
            f"weight column {weights!r} is not in the data",
            column=weights,
            expected="a column made by poststratify()",
        )
    s = data[weights]
    if not pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
        raise SurveyDataError("weights must be numeric", column=weights, found=str(s.dtype))
    w = s.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise SurveyDataError("weights must be finite and non-negative (no NA)", column=weights)
    return w


def group_masks(
    data: pd.DataFrame, by: str | None
) -> tuple[list[tuple[Hashable, np.ndarray]], Any]:
    """[(level, mask), ...] and the dtype to give the group column (None without ``by``)."""
    if by is None:
        return [(None, np.ones(len(data), dtype=bool))], None
    if not isinstance(by, str) or by not in data.columns:
        raise SurveyDataError(f"group column {by!r} is not in the data", column=str(by))
    if by in RESERVED:
        raise SurveyDataError(
            f"cannot group by {by!r}: it clashes with an output column", column=by
        )
    s = data[by]
    if isinstance(s.dtype, pd.CategoricalDtype):
        levels = list(s.cat.categories)
        dtype: Any = s.dtype
    else:
        levels = list(pd.unique(s.dropna()))
        with contextlib.suppress(TypeError):  # mixed types: keep order of appearance
            levels = sorted(levels)
        dtype = s.dtype
    return [(lvl, s.eq(lvl).fillna(False).to_numpy(dtype=bool)) for lvl in levels], dtype


def as_item_list(items: ItemLike | Sequence[ItemLike], func: str) -> list[ItemLike]:
    """One item or a non-empty sequence of items, as a list."""
    if isinstance(items, Item | str):
        return [items]
    items = list(items)
    if not items:
        raise SurveyDataError(f"{func} needs at least one item")
    return items


def top_box(categories: Sequence[str]) -> tuple[str, ...]:
    """The positive end of an ordered scale: the first two labels, or the first of a 2-point scale.

    One rule for every page: a 3-point scale such as Ja / Måske / Nej counts "Ja + Måske", a
    4- or 5-point scale its two most positive labels.

    >>> top_box(["Ja", "Måske", "Nej"])
    ('Ja', 'Måske')
    >>> top_box(["Ja", "Nej"])
    ('Ja',)
    """
    cats = tuple(categories)
    return cats[:2] if len(cats) >= 3 else cats[:1]


def label_mask(spec: ItemSpec, top: str | Sequence[str] | None) -> np.ndarray:
    """Boolean mask over the categories for the labels in ``top`` (default: :func:`top_box`)."""
    if top is None:
        labels = list(top_box(spec.categories))
    else:
        labels = [top] if isinstance(top, str) else list(top)
    unknown = [t for t in labels if t not in spec.categories]
    if unknown or not labels:
        raise SurveyDataError(
            f"item {spec.id!r}: labels are not categories of its scale",
            column=spec.id,
            expected=", ".join(spec.categories),
            found=", ".join(unknown),
        )
    return np.array([c in labels for c in spec.categories])
