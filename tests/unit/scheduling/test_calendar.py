"""A work center's unavailable windows for the scheduler (``calendar.unavailability``)
from the marts' available windows and downtime, on hand-made frames.

As-of midnight is Monday 2026-11-23 (minute 0), so minute m of day d is
``d * 1440 + m``. How shifts and downtime become the windows is the
fct_work_center_windows mart's, tested by its dbt unit tests.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl
from polars.testing import assert_frame_equal

from planning.scheduling.calendar import (
    UNAVAILABILITY_SCHEMA,
    in_minutes,
    unavailability,
    without,
)

ORIGIN = datetime(2026, 11, 23)
PERIODS = {"work_center_id": pl.String, "start_at": pl.Datetime("us"), "end_at": pl.Datetime("us")}


def _periods(*rows: tuple) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=PERIODS, orient="row")


def _at(day: int, hour: int) -> datetime:
    return ORIGIN + timedelta(days=day, hours=hour)


def test_removed_windows_cut_what_they_cover_out_of_windows_kept_in_their_order():
    windows = [(0, 360), (1320, 1800), (2760, 3240), (100, 200)]
    # a holiday covers the second day, a short cut falls inside the first window
    removed = [(1440, 2880), (60, 120)]
    assert without(windows, removed) == (
        (0, 60),
        (120, 360),
        (1320, 1440),
        (2880, 3240),
        (120, 200),
    )
    assert without(windows, []) == tuple(windows)


def test_timestamps_become_minutes_from_the_origin():
    minutes = in_minutes(_periods(("W1", _at(0, 6), _at(1, 2))), ORIGIN)
    assert minutes.rows() == [("W1", 360, 1560)]


def test_closed_outside_the_windows_until_the_horizon_then_only_while_down():
    # fct_work_center_windows over 2 days of W1 working Mondays 06:00-14:00 and
    # 22:00-06:00, down Monday 07:00-08:00 (its test_windows_of_shifts_across_midnight_
    # around_downtime); OPEN has no shifts, so one window spans the horizon; SHUT's
    # shifts all fall in its downtime: no window.
    windows = _periods(
        ("W1", _at(0, 6), _at(0, 7)),
        ("W1", _at(0, 8), _at(0, 14)),
        ("W1", _at(0, 22), _at(1, 6)),
        ("OPEN", _at(0, 0), _at(2, 0)),
    )
    # fct_work_center_downtime: also after the horizon, where it still closes W1
    downtime = _periods(
        ("W1", _at(0, 7), _at(0, 8)),
        ("W1", _at(1, 23), _at(2, 2)),  # runs past the horizon's end
        ("W1", _at(3, 10), _at(3, 12)),
        ("OPEN", _at(4, 0), _at(4, 1)),
        ("ELSEWHERE", _at(0, 0), _at(5, 0)),  # not one of the work centers asked for
    )
    closed = unavailability(
        ["W1", "OPEN", "SHUT"], in_minutes(windows, ORIGIN), in_minutes(downtime, ORIGIN), 2880
    )
    expected = pl.DataFrame(
        [
            ("OPEN", 4 * 1440, 4 * 1440 + 60),  # open in the horizon, then down on Friday
            ("SHUT", 0, 2880),  # closed until the horizon's end, then open
            ("W1", 0, 360),
            ("W1", 420, 480),
            ("W1", 840, 1320),
            ("W1", 1800, 3000),  # Tuesday from 06:00, then down until Wednesday 02:00
            ("W1", 3 * 1440 + 600, 3 * 1440 + 720),  # Thursday's downtime
        ],
        schema=UNAVAILABILITY_SCHEMA,
        orient="row",
    )
    assert_frame_equal(closed, expected)


def test_a_shorter_schedule_horizon_ignores_the_windows_after_it():
    # windows over two days, scheduled over one: closed on Monday outside 06:00-14:00,
    # open from Tuesday on whatever the windows say
    windows = _periods(("W1", _at(0, 6), _at(0, 14)), ("W1", _at(1, 6), _at(1, 14)))
    none = _periods()
    closed = unavailability(["W1"], in_minutes(windows, ORIGIN), in_minutes(none, ORIGIN), 1440)
    assert closed.rows() == [("W1", 0, 360), ("W1", 840, 1440)]
