"""Building the clean table's columns: item columns in order, correctly typed empty columns for
items an export does not hold, response ids."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from fslt_survey.clean.decode import Reasons
from fslt_survey.codebook import Instrument, Item, Label
from fslt_survey.ingest.fastcsv import memory_pool


def item_columns(instrument: Instrument) -> list[tuple[str, Item, Label | None]]:
    """The item columns of the clean table in order: ``(name, item, option)``; ``option`` is
    the multi-select label of an option column, and the name ending ``__missing`` the reason."""
    out: list[tuple[str, Item, Label | None]] = []
    for item in instrument.items:
        if item.type == "association":
            continue
        if item.type == "multi":
            assert item.scale is not None
            out += [(item.option_column(lab), item, lab) for lab in item.scale.substantive]
        else:
            out.append((item.id, item, None))
        out.append((item.missing_column, item, None))
    return out


def unanswered_column(item: Item, option: Label | None, n: int) -> Any:
    """The value column of an item no raw column holds: all missing, correctly typed."""
    if item.type in ("single", "likert"):
        assert item.scale is not None
        dtype = pd.CategoricalDtype(item.scale.categories, ordered=item.scale.ordered)
        return pd.Categorical.from_codes(np.full(n, -1, dtype=np.int8), dtype=dtype)
    if item.type == "multi":
        return pd.arrays.BooleanArray(np.zeros(n, dtype=bool), np.ones(n, dtype=bool))
    if item.type == "numeric":
        return pd.arrays.FloatingArray(np.zeros(n, dtype=float), np.ones(n, dtype=bool))
    return na_strings(n)


def na_strings(n: int) -> Any:

    return pd.arrays.ArrowStringArray(pa.chunked_array([pa.nulls(n, pa.large_string())]))


def item_frame_columns(instrument: Instrument, n: int) -> dict[str, Any]:
    """Empty, correctly typed columns for ``n`` rows (used for items without a raw column)."""
    # not asked (item absent from this export or not in this wave): value and reason both NA,
    # so the response is outside every base of the item
    reasons = Reasons(instrument)
    not_asked = np.full(n, -1, dtype=reasons.codes)
    return {
        name: reasons.categorical(not_asked)
        if name == item.missing_column
        else unanswered_column(item, option, n)
        for name, item, option in item_columns(instrument)
    }


def empty_frame(instrument: Instrument) -> pd.DataFrame:
    base = {
        "response_id": pd.array([], dtype="string"),
        "wave": pd.array([], dtype="int64"),
        "association_id": pd.array([], dtype="string"),
        "submitted": pd.Series([], dtype="datetime64[ns]"),
        "source": pd.array([], dtype="string"),
        "source_key": pd.array([], dtype="int64"),
        "row": pd.array([], dtype="int64"),
        "n_answered": pd.array([], dtype="int64"),
    }
    return pd.DataFrame({**base, **item_frame_columns(instrument, 0)})


def take(values: Any, sel: np.ndarray | None) -> Any:
    """The rows ``sel`` (all rows for ``None``) of an array."""
    if sel is None:
        return values
    if isinstance(values, np.ndarray):
        return values[sel]
    return values.take(sel)


def response_ids(wave: int, source_name: str, rows: np.ndarray) -> Any:
    """``<wave>/<file>#<row>`` for every row, built column-wise."""

    pool = memory_pool()
    numbers = pc.cast(pa.array(rows, type=pa.int64()), pa.large_string(), memory_pool=pool)
    ids = pc.binary_join_element_wise(
        pa.scalar(f"{wave}/{source_name}#", pa.large_string()),
        numbers,
        pa.scalar("", pa.large_string()),
        memory_pool=pool,
    )
    return pd.arrays.ArrowStringArray(pa.chunked_array([ids]))
