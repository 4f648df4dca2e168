"""The shop-floor marts of `dbt build` on the tiny extract (tests/fixtures/tiny_extract),
checked against values worked out by hand, and read as the scheduler reads them.

As of Monday 2026-11-23 with a 28-day horizon (to 2026-12-21 00:00). ASSY (P1) works
Monday to Friday 06:00-14:00 and is down Wednesday 11-25 06:00-10:00; WELD (P1) works
Mondays 06:00-14:00 and 14:00-22:00; LACE (P2) works 22:00-06:00 from Monday to
Thursday and 08:00-12:00 on Saturdays.
"""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import polars as pl
from polars.testing import assert_frame_equal

from planning.scheduling.calendar import in_minutes, unavailability
from planning.scheduling.plan_tables import MILESTONES_QUERY
from planning.scheduling.plant_orders import QUERIES

AS_OF = datetime(2026, 11, 23)


def test_windows_of_the_first_week(tiny_marts: duckdb.DuckDBPyConnection) -> None:
    windows = tiny_marts.sql(
        """select work_center_id, start_at, end_at from marts.fct_work_center_windows
           where start_at < '2026-11-30' order by work_center_id, start_at"""
    ).pl()
    day = [datetime(2026, 11, 23 + offset) for offset in range(7)]
    rows = [
        *[("ASSY", day[d].replace(hour=6), day[d].replace(hour=14)) for d in (0, 1)],
        ("ASSY", day[2].replace(hour=10), day[2].replace(hour=14)),  # down until 10:00
        *[("ASSY", day[d].replace(hour=6), day[d].replace(hour=14)) for d in (3, 4)],
        # no Sunday night shift before as_of; each night runs into the next day
        *[("LACE", day[d].replace(hour=22), day[d + 1].replace(hour=6)) for d in range(4)],
        ("LACE", day[5].replace(hour=8), day[5].replace(hour=12)),
        ("WELD", day[0].replace(hour=6), day[0].replace(hour=22)),  # two touching shifts
    ]
    expected = pl.DataFrame(
        rows,
        schema={
            "work_center_id": pl.String,
            "start_at": pl.Datetime("us"),
            "end_at": pl.Datetime("us"),
        },
        orient="row",
    )
    assert_frame_equal(windows, expected)


def test_hours_over_the_horizon(tiny_marts: duckdb.DuckDBPyConnection) -> None:
    hours = tiny_marts.sql(
        """select work_center_id, sum(window_minutes) / 60 as hours
           from marts.fct_work_center_windows group by 1 order by 1"""
    ).fetchall()
    # ASSY 4 x 5 x 8 h less 4 h down; LACE 4 x (4 x 8 h + 4 h); WELD 4 x 16 h
    assert hours == [("ASSY", 156.0), ("LACE", 144.0), ("WELD", 64.0)]


def test_open_work_orders_and_what_they_have_left(
    tiny_marts: duckdb.DuckDBPyConnection,
) -> None:
    orders = tiny_marts.sql(
        """select wo_id, ops_completed, routing_operations, remaining_operations
           from marts.fct_open_work_orders order by wo_id"""
    ).fetchall()
    # WO1 (in progress) has done its one operation; WO2's empty ops_completed is 0
    assert orders == [("WO1", 1, 1, 0), ("WO2", 0, 1, 1), ("WO3", 0, 1, 1)]
    operations = tiny_marts.sql(
        """select wo_id, op_seq, work_center_id, setup_minutes, skill
           from marts.fct_open_work_order_operations order by wo_id"""
    ).fetchall()
    # FRAME's empty setup_minutes is the contract's default 0
    assert operations == [("WO2", 10, "LACE", 15.0, "lacing"), ("WO3", 10, "WELD", 0.0, "welding")]


def test_the_scheduler_reads_every_shop_input_from_the_marts(
    tiny_marts: duckdb.DuckDBPyConnection,
) -> None:
    frames = {name: tiny_marts.sql(query).pl() for name, query in QUERIES.items()}
    assert {name: frame.height for name, frame in frames.items()} == {
        "routings": 3,
        "work_centers": 3,
        "windows": 44,
        "downtime": 1,
        "personnel": 3,
        "calendar": 3 * 28,
        "open_work_orders": 3,
        "open_operations": 2,
    }
    assert tiny_marts.sql(MILESTONES_QUERY).pl().sort("milestone_id").rows() == [
        ("PRJ1", "M1", date(2026, 11, 27), None),
        ("PRJ1", "M2", date(2026, 12, 2), "SO3"),
    ]
    # a week's schedule of WELD: closed but on Monday 06:00-22:00, open after it
    closed = unavailability(
        ["WELD"],
        in_minutes(frames["windows"], AS_OF),
        in_minutes(frames["downtime"], AS_OF),
        7 * 1440,
    )
    assert closed.rows() == [("WELD", 0, 360), ("WELD", 1320, 7 * 1440)]


def test_location_calendar_of_the_first_week(tiny_marts: duckdb.DuckDBPyConnection) -> None:
    working = tiny_marts.sql(
        """select location_id, list(isodow(calendar_date) order by calendar_date)
           from marts.fct_location_calendar
           where is_working_day and calendar_date < '2026-11-30'
           group by 1 order by 1"""
    ).fetchall()
    # no holidays: P1 works on the weekdays ASSY or WELD starts a shift, P2 on
    # LACE's (Monday to Thursday nights, Saturday), the DC every day
    assert working == [
        ("DC1", [1, 2, 3, 4, 5, 6, 7]),
        ("P1", [1, 2, 3, 4, 5]),
        ("P2", [1, 2, 3, 4, 6]),
    ]
    assert tiny_marts.sql(
        "select count(*), bool_or(is_holiday), min(calendar_date), max(calendar_date)"
        " from marts.fct_location_calendar"
    ).fetchall() == [(3 * 28, False, date(2026, 11, 23), date(2026, 12, 20))]


def test_whole_units_default_from_the_unit_of_measure(
    tiny_marts: duckdb.DuckDBPyConnection,
) -> None:
    items = tiny_marts.sql(
        "select item_id, integer_qty from marts.dim_items where item_id in ('BIKE', 'TUBE')"
        " order by 1"
    ).fetchall()
    assert items == [("BIKE", True), ("TUBE", False)]  # uom ea and m
    assert tiny_marts.sql(
        "select count(*) from marts.dim_skus join marts.dim_items using (item_id)"
        " where dim_skus.integer_qty <> dim_items.integer_qty"
    ).fetchall() == [(0,)]
