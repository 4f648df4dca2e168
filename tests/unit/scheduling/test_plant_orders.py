"""The plant's side of the plan (``planning.scheduling.plant_orders``) on hand-made frames:
which work orders the finite schedule covers, their operations, when people work,
which operations can be staffed, and one tiny plant scheduled end to end. Which
operations an open order has left is the fct_open_work_order_operations mart's,
tested by its dbt unit tests.

Every example starts on Monday 2025-01-06 (as-of midnight is minute 0), so minute
m of day d is ``d * 1440 + m``: 08:00 on Monday is 480, on Tuesday 1920.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time

import polars as pl
from polars.testing import assert_frame_equal
from scheduling_checks import violations

from planning.config import SolverSettings
from planning.scheduling.plant_orders import (
    AFTER_HORIZON,
    CALENDAR,
    DOWNTIME,
    MATERIAL_READY,
    OPEN_OPERATIONS,
    PERSONNEL,
    UNSTAFFED,
    WINDOWS,
    WORK_ORDERS,
    ShopInputs,
    orders_to_schedule,
    personnel_availability,
    remaining_operations,
    schedule_plant,
    staffable,
)
from planning.scheduling.problem import OPERATIONS_SCHEMA as OPERATIONS
from planning.scheduling.problem import PERSONNEL_AVAILABILITY_SCHEMA, PlantFrames
from planning.scheduling.routing import ROUTINGS_SCHEMA as ROUTINGS
from planning.scheduling.routing import WORK_CENTERS_SCHEMA as WORK_CENTERS

AS_OF = date(2025, 1, 6)  # a Monday


def _frame(schema: dict, *rows: tuple) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=schema, orient="row")


def _inputs(**frames: pl.DataFrame) -> ShopInputs:
    empty = {
        "routings": ROUTINGS,
        "work_centers": WORK_CENTERS,
        "windows": WINDOWS,
        "downtime": DOWNTIME,
        "personnel": PERSONNEL,
        "work_orders": WORK_ORDERS,
        "open_operations": OPEN_OPERATIONS,
        "material_ready": MATERIAL_READY,
        "calendar": CALENDAR,
    }
    return ShopInputs(**{name: frames.get(name, _frame(schema)) for name, schema in empty.items()})


# -- orders_to_schedule ----------------------------------------------------------------


def test_orders_in_progress_or_released_always_planned_ones_only_if_they_start_in_horizon():
    # horizon 7 days: planned and proposed orders must start before 2025-01-13
    work_orders = _frame(
        WORK_ORDERS,
        ("WO-IP", "A", "P1", 2.0, date(2024, 12, 20), date(2025, 1, 7), "in_progress", 1),
        ("WO-REL", "A", "P1", 1.0, date(2025, 2, 1), date(2025, 2, 10), "released", 0),
        ("WO-PLN-IN", "A", "P1", 1.0, date(2025, 1, 12), date(2025, 1, 15), "planned", 0),
        ("WO-PLN-OUT", "A", "P1", 1.0, date(2025, 1, 13), date(2025, 1, 15), "planned", 0),
        ("PWO-IN", "B", "P1", 3.0, date(2025, 1, 8), date(2025, 1, 10), "proposed", 0),
        ("PWO-OUT", "B", "P1", 3.0, date(2025, 3, 1), date(2025, 3, 5), "proposed", 0),
    )
    material_ready = _frame(
        MATERIAL_READY,
        ("WO-REL", date(2025, 1, 8)),
        ("WO-PLN-IN", date(2025, 1, 1)),  # arrived before as-of
        ("PWO-IN", date(2025, 1, 10)),
        ("PWO-OUT", date(2025, 3, 1)),
    )
    inputs = _inputs(work_orders=work_orders, material_ready=material_ready)
    orders = orders_to_schedule(inputs, AS_OF, 7).sort("order_id")
    expected = pl.DataFrame(
        {
            "order_id": ["PWO-IN", "WO-IP", "WO-PLN-IN", "WO-REL"],
            # ready 2025-01-10 = day 4; none known; in the past; day 2
            "release_minute": [4 * 1440, 0, 0, 2 * 1440],
            # the end of the due day: (due - as_of + 1) days
            "due_minute": [5 * 1440, 2 * 1440, 10 * 1440, 36 * 1440],
            "weight": [1.0] * 4,
        }
    )
    assert_frame_equal(orders.select(expected.columns), expected)
    # the work order columns come through unchanged
    assert_frame_equal(
        orders.select(WORK_ORDERS.keys()),
        work_orders.filter(pl.col("order_id").is_in(expected["order_id"].implode())).sort(
            "order_id"
        ),
    )


# -- remaining_operations --------------------------------------------------------------


def test_open_orders_run_what_they_have_left_and_the_plans_orders_their_routing():
    routings = _frame(
        ROUTINGS,
        ("A", "P1", 10, "CUT", 5.0, 10.0, None, None),
        ("A", "P1", 10, "CUT2", 6.0, None, None, None),
        ("A", "P1", 20, "WELD", 10.0, None, "weld", None),
        ("A", "P1", 20, "WELD2", 12.0, None, "weld", None),
        ("A", "P1", 30, "PACK", 1.0, None, None, None),
    )
    work_centers = _frame(
        WORK_CENTERS,
        *[(center, "P1", 1, None) for center in ["CUT", "CUT2", "WELD", "WELD2", "PACK"]],
    )
    # what the mart has left of the open orders: IP is in progress with op 10 done,
    # DONE has done every operation
    open_operations = _frame(
        OPEN_OPERATIONS,
        ("IP", "A", "P1", 20, "WELD2", 12.0, None, "weld", None),
        ("IP", "A", "P1", 20, "WELD", 10.0, None, "weld", None),
        ("IP", "A", "P1", 30, "PACK", 1.0, None, None, None),
    )
    orders = pl.DataFrame(
        {
            "order_id": ["IP", "DONE", "R"],
            "item_id": ["A", "A", "A"],
            "location_id": ["P1", "P1", "P1"],
            "qty": [2.0, 1.0, 1.0],
            "status": ["in_progress", "in_progress", "proposed"],
        }
    )
    operations = remaining_operations(orders, open_operations, routings, work_centers)
    expected = pl.DataFrame(
        {
            "order_id": ["IP"] * 3 + ["R"] * 5,
            "op_seq": [20, 20, 30, 10, 10, 20, 20, 30],
            "work_center_id": ["WELD", "WELD2", "PACK", "CUT", "CUT2", "WELD", "WELD2", "PACK"],
            # setup + qty x run: IP (qty 2) 20, 24, 2; R (qty 1) 10 + 5, 6, 10, 12, 1
            "duration_minutes": [20, 24, 2, 15, 6, 10, 12, 1],
            "skill": ["weld", "weld", None, None, None, "weld", "weld", None],
        }
    )
    assert_frame_equal(operations.select(expected.columns), expected)


# -- personnel_availability ------------------------------------------------------------


def test_each_person_gets_a_window_per_day_and_the_open_window_after_the_horizon():
    people = _frame(
        PERSONNEL,
        ("DAY", "P1", "weld", time(8), time(16)),
        ("DAY", "P1", "paint", time(8), time(16)),  # a second skill: no second calendar
        ("NIGHT", "P1", "weld", time(22), time(6)),
        ("FREE", "P1", "weld", None, None),  # no shift: always there, no rows
    )
    availability = personnel_availability(people, AS_OF, 2).sort("person_id", "start_minute")
    horizon_end = 2 * 1440
    expected = _frame(
        dict(PERSONNEL_AVAILABILITY_SCHEMA),
        ("DAY", 480, 960),  # Monday 08:00-16:00
        ("DAY", 1920, 2400),  # Tuesday
        ("DAY", horizon_end, AFTER_HORIZON),
        ("NIGHT", 0, 360),  # Sunday's shift runs until Monday 06:00
        ("NIGHT", 1320, 1800),  # Monday 22:00 to Tuesday 06:00
        ("NIGHT", 2760, 3240),  # Tuesday 22:00, past the horizon end
        ("NIGHT", horizon_end, AFTER_HORIZON),
    )
    assert_frame_equal(availability, expected)


def test_a_shift_starting_and_ending_at_the_same_time_lasts_the_whole_day():
    people = _frame(PERSONNEL, ("ALWAYS", "P1", "weld", time(6), time(6)))
    availability = personnel_availability(people, AS_OF, 1).sort("start_minute")
    # Sunday 06:00 to Monday 06:00 (clipped at 0), Monday 06:00 to Tuesday 06:00
    assert availability.select("start_minute", "end_minute").rows() == [
        (0, 360),
        (360, 1800),
        (1440, AFTER_HORIZON),
    ]


def test_nobody_works_on_a_holiday_of_the_plant():
    people = _frame(
        PERSONNEL,
        ("DAY", "P1", "weld", time(8), time(16)),
        ("NIGHT", "P1", "weld", time(22), time(6)),
        ("FREE", "P1", "weld", None, None),
    )
    # Tuesday (minutes 1440-2880) is a holiday; so is a day after the horizon
    holidays = [date(2025, 1, 7), date(2025, 1, 20)]
    availability = personnel_availability(people, AS_OF, 3, holidays)
    horizon_end = 3 * 1440
    expected = _frame(
        dict(PERSONNEL_AVAILABILITY_SCHEMA),
        ("DAY", 480, 960),  # Monday 08:00-16:00
        ("DAY", 3360, 3840),  # Wednesday; nothing on Tuesday
        ("DAY", horizon_end, AFTER_HORIZON),
        ("FREE", 0, 1440),  # there all the time but on Tuesday
        ("FREE", 2880, horizon_end),
        ("FREE", horizon_end, AFTER_HORIZON),
        ("NIGHT", 0, 360),
        ("NIGHT", 1320, 1440),  # Monday night ends at the holiday's midnight
        ("NIGHT", 2880, 3240),  # Tuesday night's shift from Wednesday 00:00
        ("NIGHT", 4200, 4680),
        ("NIGHT", horizon_end, AFTER_HORIZON),
    )
    assert_frame_equal(availability.sort("person_id", "start_minute"), expected)


# -- staffable -------------------------------------------------------------------------


def _op(order: str, seq: int, center: str, minutes: int, skill: str | None) -> tuple:
    return (order, seq, center, minutes, None, skill, 0, 10_000, 1.0)


def test_an_operation_longer_than_every_qualified_persons_shift_loses_its_skill():
    people = _frame(
        PERSONNEL,
        ("E1", "P1", "weld", time(8), time(16)),
        ("E3", "P1", "weld", time(0), time(10)),
        ("E2", "P1", "paint", None, None),
    )
    # hand-made windows: E1 works 480 minutes a day, E3 600; E2 has no shift
    availability = _frame(
        dict(PERSONNEL_AVAILABILITY_SCHEMA),
        ("E1", 480, 960),
        ("E1", 1920, 2400),
        ("E3", 0, 600),
    )
    operations = _frame(
        OPERATIONS,
        _op("A", 10, "WELD", 600, "weld"),  # fits E3's shift exactly
        _op("A", 20, "WELD", 601, "weld"),  # longer than any welder's shift
        _op("B", 10, "PAINT", 5000, "paint"),  # E2 has no shift: always fits
        _op("B", 20, "CUT", 30, None),  # needs nobody
        _op("C", 10, "GLUE", 10, "glue"),  # nobody has the skill
        _op("D", 10, "WELD", 700, "weld"),  # both alternatives too long: listed once
        _op("D", 10, "WELD2", 650, "weld"),
    )
    kept, unstaffed = staffable(operations, people, availability)
    expected_kept = operations.with_columns(
        skill=pl.Series(["weld", None, "paint", None, None, None, None])
    )
    assert_frame_equal(kept, expected_kept)
    expected_unstaffed = _frame(
        UNSTAFFED,
        ("A", 20, "weld", 601),
        ("C", 10, "glue", 10),
        ("D", 10, "weld", 700),  # the first alternative's row
    )
    assert_frame_equal(unstaffed.sort("order_id", "op_seq"), expected_unstaffed)


def test_with_the_plants_own_availability_a_too_long_operation_is_still_listed():
    people = _frame(PERSONNEL, ("E1", "P1", "weld", time(8), time(16)))
    availability = personnel_availability(people, AS_OF, 2)  # as schedule_plant does
    operations = _frame(OPERATIONS, _op("A", 10, "WELD", 600, "weld"))  # 10 h > 8 h shift
    kept, unstaffed = staffable(operations, people, availability)
    assert_frame_equal(unstaffed, _frame(UNSTAFFED, ("A", 10, "weld", 600)))
    assert kept["skill"].to_list() == [None]


# -- schedule_plant --------------------------------------------------------------------


def _tiny_plant() -> ShopInputs:
    """Plant P1: CUT and WELD (one unit each), one welder; plus a plant P2 that must
    not leak in."""
    weekdays = range(5)
    return _inputs(
        routings=_frame(
            ROUTINGS,
            ("A", "P1", 10, "CUT", 30.0, None, None, None),
            ("A", "P1", 20, "WELD", 60.0, None, "weld", None),
            ("B", "P1", 10, "CUT", 20.0, 10.0, None, None),
            ("B", "P1", 20, "WELD", 30.0, None, "weld", None),
            ("A", "P2", 10, "OTHER", 1.0, None, None, None),
        ),
        work_centers=_frame(
            WORK_CENTERS,
            ("CUT", "P1", 1, None),
            ("WELD", "P1", 1, 1.0),
            ("OTHER", "P2", 1, None),
        ),
        # fct_work_center_windows over the work week: CUT works 08:00-16:00 and is down
        # Monday 08:00-10:00, WELD works 06:00-14:00
        windows=_frame(
            WINDOWS,
            _window("CUT", 0, 10, 16),
            *[_window("CUT", day, 8, 16) for day in weekdays[1:]],
            *[_window("WELD", day, 6, 14) for day in weekdays],
        ),
        downtime=_frame(DOWNTIME, ("CUT", datetime(2025, 1, 6, 8), datetime(2025, 1, 6, 10))),
        personnel=_frame(
            PERSONNEL,
            ("E1", "P1", "weld", time(8), time(16)),
            ("E2", "P2", "weld", time(8), time(16)),
        ),
        work_orders=_frame(
            WORK_ORDERS,
            ("WO1", "A", "P1", 4.0, date(2025, 1, 6), date(2025, 1, 8), "released", 0),
            ("WO2", "A", "P1", 2.0, date(2025, 1, 2), date(2025, 1, 8), "in_progress", 1),
            ("PWO3", "B", "P1", 3.0, date(2025, 1, 7), date(2025, 1, 8), "proposed", 0),
            ("WO4", "A", "P1", 1.0, date(2025, 1, 20), date(2025, 1, 22), "planned", 0),
            ("WO5", "A", "P2", 1.0, date(2025, 1, 6), date(2025, 1, 8), "released", 0),
        ),
        # what fct_open_work_order_operations has left of the open orders
        open_operations=_frame(
            OPEN_OPERATIONS,
            ("WO1", "A", "P1", 10, "CUT", 30.0, None, None, None),
            ("WO1", "A", "P1", 20, "WELD", 60.0, None, "weld", None),
            ("WO2", "A", "P1", 20, "WELD", 60.0, None, "weld", None),  # op 10 is done
            ("WO4", "A", "P1", 10, "CUT", 30.0, None, None, None),
            ("WO4", "A", "P1", 20, "WELD", 60.0, None, "weld", None),
            ("WO5", "A", "P2", 10, "OTHER", 1.0, None, None, None),
        ),
        material_ready=_frame(MATERIAL_READY, ("PWO3", date(2025, 1, 7))),
    )


def _window(center: str, day: int, start_hour: int, end_hour: int) -> tuple:
    midnight = datetime(2025, 1, 6 + day)
    return (center, midnight.replace(hour=start_hour), midnight.replace(hour=end_hour))


def test_a_tiny_plant_gets_a_schedule_that_keeps_every_rule():
    result = schedule_plant(_tiny_plant(), "P1", AS_OF, 3, SolverSettings(time_limit_seconds=5))
    schedule = result.outcome.schedule
    # Worked by hand, not by the shop module: WO4 starts after the horizon and WO5 is
    # at P2; WO2 has done op 10; PWO3's components arrive on Tuesday (minute 1440).
    operations = _frame(
        OPERATIONS,
        ("PWO3", 10, "CUT", 70, None, None, 1440, None, None),  # 10 + 3 x 20
        ("PWO3", 20, "WELD", 90, None, "weld", 1440, None, None),  # 3 x 30
        ("WO1", 10, "CUT", 120, None, None, 0, None, None),  # 4 x 30
        ("WO1", 20, "WELD", 240, None, "weld", 0, None, None),  # 4 x 60
        ("WO2", 20, "WELD", 120, None, "weld", 0, None, None),  # 2 x 60
    )
    resources = pl.DataFrame({"work_center_id": ["CUT", "WELD"], "capacity_units": [1, 1]})
    # CUT works 08:00-16:00 and is down Monday 08:00-10:00; WELD works 06:00-14:00;
    # both are open after the 3-day horizon (minute 4320)
    unavailability = pl.DataFrame(
        [
            ("CUT", 0, 600),
            ("CUT", 960, 1920),
            ("CUT", 2400, 3360),
            ("CUT", 3840, 4320),
            ("WELD", 0, 360),
            ("WELD", 840, 1800),
            ("WELD", 2280, 3240),
            ("WELD", 3720, 4320),
        ],
        schema=["work_center_id", "start_minute", "end_minute"],
        orient="row",
    )
    personnel = pl.DataFrame({"person_id": ["E1"], "skill": ["weld"]})
    availability = pl.DataFrame(
        [("E1", 480, 960), ("E1", 1920, 2400), ("E1", 3360, 3840), ("E1", 4320, 2**40)],
        schema=["person_id", "start_minute", "end_minute"],
        orient="row",
    )
    problems = violations(
        schedule,
        operations,
        resources,
        PlantFrames(
            unavailability=unavailability,
            personnel=personnel,
            personnel_availability=availability,
        ),
    )
    assert problems == []
    assert result.unstaffed.height == 0
    # Welding needs WELD and E1 together: 08:00-14:00 (360 minutes) a day. WO1's cut
    # ends at 720 at the earliest, too late for its 240 weld on Monday, so it welds
    # from Tuesday 08:00 (1920-2160); PWO3 (released Tuesday) welds after it: 2250.
    assert result.outcome.report.makespan == 2250
    assert not result.outcome.orders["late"].any()


def test_the_operations_cap_keeps_the_most_urgent_orders_and_counts_the_rest():
    # in progress (WO2, 1 operation left) and released (WO1, 2) fill a cap of 3;
    # the plan's PWO3 does not fit
    settings = SolverSettings(time_limit_seconds=5, max_operations=3)
    result = schedule_plant(_tiny_plant(), "P1", AS_OF, 3, settings)
    assert sorted(result.outcome.schedule["order_id"].unique()) == ["WO1", "WO2"]
    assert result.left_out_orders == 1


def test_operations_whose_skill_nobody_at_the_plant_has_run_without_a_person_and_are_listed():
    plant = _tiny_plant()
    # the only welder left works at P2
    inputs = replace(plant, personnel=plant.personnel.filter(pl.col("location_id") == "P2"))
    result = schedule_plant(inputs, "P1", AS_OF, 3, SolverSettings(time_limit_seconds=5))
    expected = _frame(
        UNSTAFFED, ("PWO3", 20, "weld", 90), ("WO1", 20, "weld", 240), ("WO2", 20, "weld", 120)
    )
    assert_frame_equal(result.unstaffed.sort("order_id"), expected)
    assert result.outcome.schedule["person_id"].is_null().all()
    assert result.outcome.schedule.height == 5
