"""Timestamps as the tools write them, read as Danish wall-clock time: known answers.

Each expected time was worked out by hand: a written zone or offset is subtracted to get UTC,
then Danish time is UTC+1 in winter and UTC+2 in summer (from the last Sunday of March, 30 March
in 2025, to the last Sunday of October, 26 October in 2025).
"""

from __future__ import annotations

import pandas as pd
import pytest

from fslt_survey.clean.times import _parse_time, _parse_times


@pytest.mark.parametrize(("written", "danish_time"), [
    # offsets with minutes: 12:05 PM at UTC+05:30 is 06:35 UTC = 08:35 in Danish summer time
    ("2025/07/01 12:05:00 PM GMT+0530", "2025-07-01 08:35:00"),
    ("2025/07/01 12:05:00 PM GMT+05:30", "2025-07-01 08:35:00"),
    # 10:00 at UTC+01:30 is 08:30 UTC = 09:30 in Danish winter time
    ("2025-03-14 10:00:00+01:30", "2025-03-14 09:30:00"),
    ("2025-03-14 10:00:00-01:30", "2025-03-14 12:30:00"),
    # two digits are hours: +02 is two hours, not 2 minutes
    ("2025-03-14 10:00:00+02", "2025-03-14 09:00:00"),
    # an offset without a zone name: +01:00 is Danish winter time itself
    ("2025-03-14 10:00:00+01:00", "2025-03-14 10:00:00"),
    ("2025-03-14T10:00:00Z", "2025-03-14 11:00:00"),
    # AM/PM in lower case; 12 AM is midnight, 12 PM noon
    ("2025/03/14 1:22:31 pm", "2025-03-14 13:22:31"),
    ("2025/03/14 12:00:00 am", "2025-03-14 00:00:00"),
    ("2025/03/14 12:00:00 p.m.", "2025-03-14 12:00:00"),
    # ISO forms only pandas reads (an hour without minutes), with and without an offset
    ("2025-03-14T10", "2025-03-14 10:00:00"),
    ("2025-07-14T10+00:00", "2025-07-14 12:00:00"),
    # the years the surveys can meet, both ends included
    ("01-01-1900 00:00:00", "1900-01-01 00:00:00"),
    ("31-12-2200 23:59:59", "2200-12-31 23:59:59"),
    ("2200-12-31T23", "2200-12-31 23:00:00"),
])
def test_written_times_in_danish_time(written, danish_time):
    assert _parse_time(written) == pd.Timestamp(danish_time)


@pytest.mark.parametrize("written", [
    "31-12-1899 23:59:59", "01-01-2201 00:00:00", "1899-12-31T23", "2201-01-01T00",
    "2025/03/14 13:00:00 PM", "2025/03/14 0:30:00 AM", "2025/03/14 10:00:00 XYZ",
    "2025-W11", "",
])
def test_times_outside_the_readable_are_missing(written):
    assert _parse_time(written) is pd.NaT


def test_a_column_of_times_keeps_each_in_its_row():
    """Column-wise reading (several layouts in one column, repeated values) gives each row its
    own time; the unreadable stay missing."""
    column = pd.Series(["14-03-2025 10:00:00", "2025-03-14T10:00:00", "2025/03/14 1:22:31 PM CET",
                        None, "i går", "14-03-2025 10:00:00", "31-02-2025 10:00:00"],
                       dtype="string[pyarrow]")
    got = _parse_times(column)
    assert [None if pd.isna(t) else str(t) for t in got] == [
        "2025-03-14 10:00:00", "2025-03-14 10:00:00", "2025-03-14 13:22:31", None, None,
        "2025-03-14 10:00:00", None]
