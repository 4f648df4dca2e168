"""Capacity requirements planning (``planning.scheduling.capacity``) on hand-made
frames: required hours spread from start to due by operation index, available hours
from units and the work centers' available windows, per Monday-based week clipped to
the horizon. How shifts and downtime become those windows is the
fct_work_center_windows mart's, tested by its dbt unit tests."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from planning.scheduling.capacity import (
    CAPACITY_LOAD,
    capacity_load,
    free_capacity,
    open_work_finish,
)
from planning.scheduling.plant_orders import (
    CALENDAR,
    OPEN_OPERATIONS,
    WINDOWS,
    WORK_ORDERS,
    ShopInputs,
)
from planning.scheduling.routing import ROUTINGS_SCHEMA as ROUTINGS
from planning.scheduling.routing import WORK_CENTERS_SCHEMA as WORK_CENTERS

AS_OF = date(2025, 1, 6)  # a Monday
WEEK_1, WEEK_2 = date(2025, 1, 6), date(2025, 1, 13)
MPS_SKUS = {"item_id": pl.String, "location_id": pl.String}


def _frame(schema: dict, *rows: tuple) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=schema, orient="row")


def _inputs(
    work_centers: pl.DataFrame,
    windows: pl.DataFrame,
    routings: pl.DataFrame | None = None,
    work_orders: pl.DataFrame | None = None,
    open_operations: pl.DataFrame | None = None,
    calendar: pl.DataFrame | None = None,
) -> ShopInputs:
    return ShopInputs(
        routings=_frame(ROUTINGS) if routings is None else routings,
        work_centers=work_centers,
        windows=windows,
        downtime=_frame(WINDOWS),  # cut out of the windows already
        personnel=pl.DataFrame(),  # capacity does not look at people
        work_orders=_frame(WORK_ORDERS) if work_orders is None else work_orders,
        open_operations=_frame(OPEN_OPERATIONS) if open_operations is None else open_operations,
        material_ready=pl.DataFrame(schema={"order_id": pl.String, "ready_date": pl.Date}),
        calendar=_frame(CALENDAR) if calendar is None else calendar,  # no dates: all stay
    )


def _window(center: str, day: date, start_hour: int, end_hour: int) -> tuple:
    midnight = datetime(day.year, day.month, day.day)
    return (center, midnight + timedelta(hours=start_hour), midnight + timedelta(hours=end_hour))


def _load(*rows: tuple) -> pl.DataFrame:
    """Expected rows without the constrained plan's planned_hours (null)."""
    return _frame(CAPACITY_LOAD, *((*row, None) for row in rows))


def test_required_and_available_hours_per_work_center_and_week():
    # Horizon: 10 days from Monday 2025-01-06, so week 2 holds Mon-Wed only (days 7-9).
    # The windows of fct_work_center_windows: M1 (2 units) works Mon-Fri 08:00-16:00,
    # and is down Tuesday 10:00-14:00 (inside its shift). M2 has no shifts, so one window
    # spans the horizon. M3 works only on Sundays.
    work_centers = _frame(
        WORK_CENTERS, ("M1", "P1", 2, None), ("M2", "P1", 1, None), ("M3", "P1", 1, None)
    )
    weekdays = [WEEK_1 + timedelta(days=day) for day in (0, 2, 3, 4, 7, 8, 9)]
    windows = _frame(
        WINDOWS,
        *[_window("M1", day, 8, 16) for day in weekdays],
        _window("M1", date(2025, 1, 7), 8, 10),
        _window("M1", date(2025, 1, 7), 14, 16),
        ("M2", datetime(2025, 1, 6), datetime(2025, 1, 16)),
        _window("M3", date(2025, 1, 12), 8, 16),
    )
    routings = _frame(
        ROUTINGS,
        ("FG", "P1", 10, "M1", 6.0, 30.0, None, None),
        ("FG", "P1", 20, "M1", 12.0, None, None, None),
        ("FG", "P1", 30, "M3", 3.0, None, None, None),
        ("SUB", "P1", 10, "M1", 4.0, None, None, None),
        ("SUB", "P1", 20, "M1", 6.0, None, None, None),
        ("SUB", "P1", 20, "M2", 1.0, None, None, None),  # an alternative: not loaded
        ("SUB", "P1", 30, "M2", 3.0, None, None, None),
        ("SUB", "P1", 40, "M1", 3.0, None, None, None),
    )
    # the open orders' operations, as fct_open_work_order_operations holds them
    open_operations = _frame(
        OPEN_OPERATIONS,
        ("WO1", "FG", "P1", 10, "M1", 6.0, 30.0, None, None),
        ("WO1", "FG", "P1", 20, "M1", 12.0, None, None, None),
        ("WO1", "FG", "P1", 30, "M3", 3.0, None, None, None),
        ("WO2", "SUB", "P1", 20, "M1", 6.0, None, None, None),  # op 10 is done
        ("WO2", "SUB", "P1", 20, "M2", 1.0, None, None, None),
        ("WO2", "SUB", "P1", 30, "M2", 3.0, None, None, None),
        ("WO2", "SUB", "P1", 40, "M1", 3.0, None, None, None),
    )
    work_orders = _frame(
        WORK_ORDERS,
        # FG is the MPS item. Span 14 days, 3 operations: loaded on start + floor(14 * i
        # / 3) = Jan 6, Jan 10 (week 1), Jan 15 (week 2).
        # op 10: 30 + 10 x 6 = 90 min, op 20: 10 x 12 = 120 min (M1, week 1);
        # op 30: 10 x 3 = 30 min (M3, week 2).
        ("WO1", "FG", "P1", 10.0, date(2025, 1, 6), date(2025, 1, 20), "released", 0),
        # In progress with op 10 done; its start (Jan 2) counts from as-of. Ops 20, 30,
        # 40 spread over the 14 days: Jan 6 (M1 20 x 6 = 120 min), Jan 10 (M2 20 x 3 =
        # 60 min), Jan 15 (M1 20 x 3 = 60 min, week 2).
        ("WO2", "SUB", "P1", 20.0, date(2025, 1, 2), date(2025, 1, 20), "in_progress", 1),
        # starts after the horizon: its load falls in weeks not reported
        ("PWO3", "FG", "P1", 5.0, date(2025, 1, 20), date(2025, 1, 27), "proposed", 0),
    )
    inputs = _inputs(work_centers, windows, routings, work_orders, open_operations)
    mps = _frame(MPS_SKUS, ("FG", "P1"))
    load = capacity_load(inputs, mps, AS_OF, 10)
    # available = units x minutes of the windows in the week and the horizon / 60
    # M1 week 1: 2 x (5 x 480 - 240) / 60 = 2 x 36 = 72 h
    # M1 week 2: 2 x 3 x 480 / 60 = 2 x 24 = 48 h
    # M2: 10080 / 60 = 168 h, then 4320 / 60 = 72 h. M3: Sunday's 8 h, then nothing.
    expected = _load(
        ("M1", "P1", WEEK_1, 5.5, 72.0, 100 * 5.5 / 72, 3.5),  # 90 + 120 + 120 min; 210 MPS
        ("M1", "P1", WEEK_2, 1.0, 48.0, 100 * 1.0 / 48, 0.0),
        ("M2", "P1", WEEK_1, 1.0, 168.0, 100 * 1.0 / 168, 0.0),
        ("M2", "P1", WEEK_2, 0.0, 72.0, 0.0, 0.0),
        ("M3", "P1", WEEK_1, 0.0, 8.0, 0.0, 0.0),
        ("M3", "P1", WEEK_2, 0.5, 0.0, None, 0.5),  # load but no capacity: no percentage
    )
    assert_frame_equal(load, expected)


def test_a_week_starting_before_as_of_is_clipped_to_it_and_no_orders_load_nothing():
    # as-of Wednesday 2025-01-08, 10 days: Wed-Sun of week 1 (5 days) and Mon-Fri of
    # week 2 (Jan 13-17); a work center without shifts is open 24 h x 3 units
    work_centers = _frame(WORK_CENTERS, ("OPEN", "P1", 3, None))
    windows = _frame(WINDOWS, ("OPEN", datetime(2025, 1, 8), datetime(2025, 1, 18)))
    inputs = _inputs(work_centers, windows)
    load = capacity_load(inputs, _frame(MPS_SKUS), date(2025, 1, 8), 10)
    expected = _load(
        ("OPEN", "P1", WEEK_1, 0.0, 3 * 5 * 24.0, 0.0, 0.0),
        ("OPEN", "P1", WEEK_2, 0.0, 3 * 5 * 24.0, 0.0, 0.0),
    )
    assert_frame_equal(load, expected)


def test_a_work_center_without_windows_has_no_hours_and_no_load_percentage():
    # closed all week (its shifts fall in its downtime): the mart has no window of it
    work_centers = _frame(WORK_CENTERS, ("DOWN", "P1", 2, None))
    load = capacity_load(_inputs(work_centers, _frame(WINDOWS)), _frame(MPS_SKUS), AS_OF, 7)
    assert_frame_equal(load, _load(("DOWN", "P1", WEEK_1, 0.0, 0.0, None, 0.0)))


def test_an_operation_with_alternatives_loads_one_of_them_with_its_efficiency():
    # op 10 may run on A or B. Rows come from SQL in no set order, so the alternative
    # loaded is the first by work_center_id, A: (10 + 4 x 5) / 0.75 = 40 min; for an
    # open order (WO) as for one of the plan's (PWO, from the routing)
    work_centers = _frame(WORK_CENTERS, ("A", "P1", 1, 0.75), ("B", "P1", 1, None))
    routings = _frame(
        ROUTINGS,
        ("X", "P1", 10, "B", 1.0, None, None, None),
        ("X", "P1", 10, "A", 5.0, 10.0, None, None),
    )
    open_operations = _frame(
        OPEN_OPERATIONS,
        ("WO", "X", "P1", 10, "B", 1.0, None, None, None),
        ("WO", "X", "P1", 10, "A", 5.0, 10.0, None, None),
    )
    work_orders = _frame(
        WORK_ORDERS,
        ("WO", "X", "P1", 4.0, date(2025, 1, 7), date(2025, 1, 9), "planned", 0),
        ("PWO", "X", "P1", 4.0, date(2025, 1, 8), date(2025, 1, 9), "proposed", 0),
    )
    inputs = _inputs(work_centers, _frame(WINDOWS), routings, work_orders, open_operations)
    load = capacity_load(inputs, _frame(MPS_SKUS, ("X", "P1")), AS_OF, 7)
    assert load.select("work_center_id", "required_hours", "mps_required_hours").rows() == [
        ("A", 80 / 60, 80 / 60),
        ("B", 0.0, 0.0),
    ]


def test_load_falls_on_working_days_and_a_shutdown_week_has_neither_hours_nor_load():
    # 21 days from Monday 2025-01-06. P1 works Monday to Friday; Wednesday 01-08 is
    # a holiday and week 2 (01-13 to 01-17) a shutdown. M1's windows, as the mart
    # gives them: 08:00-16:00 on the working days. FG has three 60-minute operations.
    days = [AS_OF + timedelta(days=day) for day in range(21)]
    holidays = {date(2025, 1, 8), *days[7:12]}
    calendar = _frame(
        CALENDAR,
        *[("P1", day, day in holidays, day.weekday() < 5 and day not in holidays) for day in days],
    )
    work_days = calendar.filter("is_working_day")["calendar_date"]
    windows = _frame(WINDOWS, *[_window("M1", day, 8, 16) for day in work_days])
    routings = _frame(
        ROUTINGS, *[("FG", "P1", seq, "M1", 60.0, None, None, None) for seq in (10, 20, 30)]
    )
    work_orders = _frame(
        WORK_ORDERS,
        # spread on 01-06, 01-07 and 01-08, the holiday: back to Tuesday 01-07
        ("PWO1", "FG", "P1", 1.0, date(2025, 1, 6), date(2025, 1, 9), "proposed", 0),
        # 01-09, Saturday 01-11 and Monday 01-13 (shutdown): both back to Friday 01-10
        ("PWO2", "FG", "P1", 1.0, date(2025, 1, 9), date(2025, 1, 16), "proposed", 0),
        # starts in the shutdown: 01-14, 01-16, 01-18, each to the first working day
        # after its start, Monday 01-20, as the day before is before the start
        ("WO3", "FG", "P1", 1.0, date(2025, 1, 14), date(2025, 1, 20), "planned", 0),
    )
    open_operations = routings.select(pl.lit("WO3").alias("order_id"), pl.all())
    inputs = _inputs(
        _frame(WORK_CENTERS, ("M1", "P1", 1, None)),
        windows,
        routings,
        work_orders,
        open_operations,
        calendar,
    )
    load = capacity_load(inputs, _frame(MPS_SKUS), AS_OF, 21)
    # available: 4 days x 8 h, none in the shutdown week, then 5 x 8 h
    assert load.select("week_start", "required_hours", "available_hours").rows() == [
        (WEEK_1, 6.0, 32.0),
        (WEEK_2, 0.0, 0.0),
        (date(2025, 1, 20), 3.0, 40.0),
    ]


def test_the_constrained_plan_gets_what_open_orders_leave_and_they_load_where_they_are():
    # M1 (1 unit) works 08:00-16:00 on Mon 6 and Tue 7 January. Released WO1 runs
    # 10 x 6 = 60 min (op 10) and 10 x 60 = 600 min (op 20); its 14-day span puts
    # op 10 on Jan 6 and op 20 on Jan 13, where M1 has no window. Jan 6 keeps
    # 480 - 60 minutes free, Jan 7 all 480; Jan 13 is 600 minutes over. The
    # planned orders' 100 minutes on Jan 7 come on top of the open order in
    # planned_hours, and the open order alone overloads week 2.
    work_centers = _frame(WORK_CENTERS, ("M1", "P1", 1, None))
    windows = _frame(
        WINDOWS, _window("M1", date(2025, 1, 6), 8, 16), _window("M1", date(2025, 1, 7), 8, 16)
    )
    open_operations = _frame(
        OPEN_OPERATIONS,
        ("WO1", "FG", "P1", 10, "M1", 6.0, None, None, None),
        ("WO1", "FG", "P1", 20, "M1", 60.0, None, None, None),
    )
    work_orders = _frame(
        WORK_ORDERS, ("WO1", "FG", "P1", 10.0, date(2025, 1, 6), date(2025, 1, 20), "released", 0)
    )
    routings = _frame(
        ROUTINGS,
        ("FG", "P1", 10, "M1", 2.0, 15.0, None, None),
        ("FG", "P1", 10, "M0", 1.0, 0.0, None, None),  # no such work center: not loadable
    )
    inputs = _inputs(work_centers, windows, routings, work_orders, open_operations)
    free = free_capacity(inputs, AS_OF, 14)
    assert free.work_centers.to_list() == ["M1"]
    assert free.free_minutes[0, :3].tolist() == [420.0, 480.0, 0.0]
    assert free.free_minutes[0, 7] == -600.0  # Jan 13: the open op with no window
    assert free.routings.select("work_center_id", "setup_minutes").rows() == [("M1", 15.0)]

    planned = pl.DataFrame(
        {"work_center_id": ["M1"], "load_date": [date(2025, 1, 7)], "minutes": [100.0]}
    )
    load = capacity_load(inputs, _frame(MPS_SKUS), AS_OF, 14, planned)
    assert load.select(
        "week_start", "required_hours", "planned_hours", "available_hours"
    ).rows() == [
        (WEEK_1, 1.0, pytest.approx(1.0 + 100 / 60), 16.0),
        (WEEK_2, 10.0, 10.0, 0.0),
    ]


def test_an_open_order_finishes_no_sooner_than_its_remaining_operations_can_run():
    # M1 (2 units, but an operation runs on one) works 08:00-16:00, 480 minutes,
    # on days 0, 1 and 3 of the horizon, M2 on every day. Released WO1 has three
    # operations left on M1: 300 + 400 minutes end on day 1 (700 of 960), then
    # 300 more need day 3 (day 2 is closed). WO2's 600 minutes on M2 end on day
    # 1, its 10 minutes on M1 start that day and end there. WO3 needs 2,000
    # minutes of M1 in a 5-day horizon that has 1,440: past it. The plan's own
    # (proposed) order is not an open one.
    work_centers = _frame(WORK_CENTERS, ("M1", "P1", 2, None), ("M2", "P1", 1, None))
    days = [AS_OF + timedelta(days=n) for n in range(5)]
    windows = _frame(
        WINDOWS,
        *(_window("M1", days[n], 8, 16) for n in (0, 1, 3)),
        *(_window("M2", day, 8, 16) for day in days),
    )
    open_operations = _frame(
        OPEN_OPERATIONS,
        ("WO1", "FG", "P1", 10, "M1", 30.0, None, None, None),
        ("WO1", "FG", "P1", 20, "M1", 40.0, None, None, None),
        ("WO1", "FG", "P1", 30, "M1", 30.0, None, None, None),
        ("WO2", "FG", "P1", 10, "M2", 60.0, None, None, None),
        ("WO2", "FG", "P1", 20, "M1", 1.0, None, None, None),
        ("WO3", "FG", "P1", 10, "M1", 200.0, None, None, None),
    )
    work_orders = _frame(
        WORK_ORDERS,
        *(
            (order, "FG", "P1", 10.0, AS_OF, days[4], "released", 0)
            for order in ("WO1", "WO2", "WO3")
        ),
        ("PWO1", "FG", "P1", 10.0, AS_OF, days[4], "proposed", 0),
    )
    routings = _frame(ROUTINGS, ("FG", "P1", 10, "M1", 1.0, None, None, None))
    inputs = _inputs(work_centers, windows, routings, work_orders, open_operations)
    finish = open_work_finish(inputs, AS_OF, 5)
    assert finish.sort("supply_id").rows() == [("WO1", 3), ("WO2", 1), ("WO3", 5)]


def test_without_open_work_orders_no_finish_is_known():
    inputs = _inputs(_frame(WORK_CENTERS), _frame(WINDOWS))
    assert open_work_finish(inputs, AS_OF, 5).is_empty()
