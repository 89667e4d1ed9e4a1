"""The cleaner decodes column-wise (per distinct value, Arrow kernels); these pin the few places
where a column-wise shortcut stands in for a per-value rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fslt_survey.clean.times import _parse_time, _parse_times

TIMES = [
    "21-03-2025 18:42:36",
    "01-02-2025 00:00:00",
    "31-02-2025 10:00:00",  # no such day: strptime alone would say 03-03
    "29-02-2024 10:00:00",
    "29-02-2025 10:00:00",
    "21/03/2025 18:42:36",
    "2025-03-21T18:42:36",
    "2025-03-21 18:42:36",
    "2025-03-21",
    "2025-02-30",
    " 21-03-2025 18:42:36 ",
    "2025-03-21T18:42:36+02:00",
    "2025-03-21T18:42:36Z",
    "2025-03-21T18:42:36.250",
    "3/21/2025 6:42 PM",
    "21-03-2025 24:00:00",
    "1899-12-31",
    "Ved ikke",
    "",
    "   ",
    None,
]


def _reference(values: list[object]) -> list[object]:
    return [_parse_time(v) for v in values]


@pytest.mark.parametrize("dtype", ["string", "object"])
def test_parse_times_equals_the_per_value_rule(dtype):
    s = pd.Series(TIMES * 3, dtype=dtype)
    got = _parse_times(s)
    assert str(got.dtype) == "datetime64[ns]"
    want = pd.Series(_reference(list(s)), dtype="datetime64[ns]")
    pd.testing.assert_series_equal(got.reset_index(drop=True), want, check_names=False)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(1, 31), st.integers(1, 12), st.integers(1990, 2030),
            st.integers(0, 23), st.integers(0, 59), st.integers(0, 59),
            st.sampled_from(["%d-%m-%Y %H:%M:%S", "%d/%m/%Y %H:%M:%S", "%Y-%m-%dT%H:%M:%S",
                             "%Y-%m-%d"]),
        ),
        min_size=1,
        max_size=30,
    )
)  # fmt: skip
def test_parse_times_property(parts):
    values = []
    for d, m, y, hh, mm, ss, fmt in parts:
        text = (
            fmt.replace("%d", f"{d:02d}")
            .replace("%m", f"{m:02d}")
            .replace("%Y", str(y))
            .replace("%H", f"{hh:02d}")
            .replace("%M", f"{mm:02d}")
            .replace("%S", f"{ss:02d}")
        )
        values.append(text)  # (impossible dates such as 31-04 included)
    got = _parse_times(pd.Series(values, dtype="string")).to_numpy()
    want = pd.Series(_reference(values), dtype="datetime64[ns]").to_numpy()
    assert np.array_equal(got, want, equal_nan=True)
