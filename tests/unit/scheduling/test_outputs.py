"""What the finite schedule publishes (``planning.scheduling.outputs``) on hand-made
frames: work order dates, move orders, fill dates, shipping requests, milestone
status and the schedule's exceptions.

As-of is Monday 2025-01-06; minute m of the schedule is as-of midnight + m minutes.
"""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
from polars.testing import assert_frame_equal

from planning.mrp.exceptions import EXCEPTIONS
from planning.mrp.pegging import PEGGING
from planning.scheduling.capacity import CAPACITY_LOAD
from planning.scheduling.outputs import (
    WORK_ORDER_SCHEDULE,
    fill_dates,
    milestone_status,
    move_orders,
    schedule_exceptions,
    scheduled_promises,
    shipping_requests,
    work_order_schedule,
)
from planning.scheduling.result_frames import SCHEDULE_SCHEMA

AS_OF = date(2025, 1, 6)
ORDERS = {  # the columns of orders_to_schedule that the outputs read
    "order_id": pl.String,
    "item_id": pl.String,
    "location_id": pl.String,
    "qty": pl.Float64,
    "status": pl.String,
    "due_date": pl.Date,
}
SALES = {  # marts.fct_demand's sales order rows, as shop_tables reads them
    "demand_type": pl.String,
    "demand_id": pl.String,
    "so_id": pl.String,
    "so_line": pl.String,
    "item_id": pl.String,
    "location_id": pl.String,
    "qty": pl.Float64,
    "demand_date": pl.Date,
    "original_date": pl.Date,
    "project_id": pl.String,
}
FILLED = {
    "so_id": pl.String,
    "so_line": pl.String,
    "item_id": pl.String,
    "location_id": pl.String,
    "qty": pl.Float64,
    "original_date": pl.Date,
    "project_id": pl.String,
    "fill_date": pl.Date,
}
FILLED_FOR_MILESTONES = {  # the columns of fill_dates that milestone_status reads
    "so_id": pl.String,
    "project_id": pl.String,
    "completion_date": pl.Date,
}
MILESTONES = {
    "project_id": pl.String,
    "milestone_id": pl.String,
    "due_date": pl.Date,
    "so_id": pl.String,
}
MILESTONE_STATUS = {
    "project_id": pl.String,
    "milestone_id": pl.String,
    "due_date": pl.Date,
    "projected_date": pl.Date,
    "status": pl.String,
    "so_id": pl.String,
}


def _frame(schema: dict, *rows: tuple) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=schema, orient="row")


def _operation(order: str, seq: int, center: str, start: int, end: int) -> tuple:
    return (order, seq, center, 1, None, start, end, 0)


# -- work_order_schedule ---------------------------------------------------------------


def test_scheduled_start_and_end_per_order_late_when_its_end_date_is_after_the_due_date():
    schedule = _frame(
        SCHEDULE_SCHEMA,
        _operation("WO1", 20, "WELD", 1920, 2160),
        _operation("WO1", 10, "CUT", 480, 600),
        _operation("WO2", 10, "CUT", 2880, 2940),
        _operation("WO3", 10, "CUT", 2000, 2879),
    )
    orders = _frame(
        ORDERS,
        ("WO1", "A", "P1", 4.0, "released", date(2025, 1, 7)),
        ("WO2", "A", "P1", 2.0, "in_progress", date(2025, 1, 7)),
        ("WO3", "B", "P1", 1.0, "proposed", date(2025, 1, 7)),
        ("WO4", "B", "P1", 1.0, "planned", date(2025, 1, 7)),  # not scheduled: no row
    )
    expected = _frame(
        WORK_ORDER_SCHEDULE,
        # Monday 08:00 to Tuesday 12:00, due Tuesday
        ("WO1", "A", "P1", 4.0, "released", datetime(2025, 1, 6, 8), datetime(2025, 1, 7, 12),
         date(2025, 1, 7), False),
        # ends Wednesday 01:00: late
        ("WO2", "A", "P1", 2.0, "in_progress", datetime(2025, 1, 8, 0), datetime(2025, 1, 8, 1),
         date(2025, 1, 7), True),
        # ends Tuesday 23:59: just in time
        ("WO3", "B", "P1", 1.0, "proposed", datetime(2025, 1, 7, 9, 20),
         datetime(2025, 1, 7, 23, 59), date(2025, 1, 7), False),
    )  # fmt: skip
    assert_frame_equal(work_order_schedule(schedule, orders, AS_OF), expected)


def test_an_order_ending_at_the_end_of_its_due_day_is_not_late():
    # due Tuesday: due_minute = (1 + 1) x 1440 = 2880 = Wednesday 00:00, the end it has
    schedule = _frame(SCHEDULE_SCHEMA, _operation("WO1", 10, "CUT", 2400, 2880))
    orders = _frame(ORDERS, ("WO1", "A", "P1", 1.0, "released", date(2025, 1, 7)))
    scheduled = work_order_schedule(schedule, orders, AS_OF)
    assert scheduled["is_late"].to_list() == [False]


# -- move_orders -----------------------------------------------------------------------


def test_components_are_staged_at_the_first_remaining_operation_before_it_starts():
    schedule = _frame(
        SCHEDULE_SCHEMA,
        _operation("WO1", 20, "WELD", 1920, 2160),
        _operation("WO1", 10, "CUT", 600, 720),
        _operation("WO2", 20, "WELD", 480, 600),  # in progress: op 10 is done
        _operation("PWO3", 20, "WELD", 2160, 2250),
        _operation("PWO3", 10, "CUT", 1920, 1990),
    )
    orders = _frame(
        ORDERS,
        ("WO1", "A", "P1", 4.0, "released", date(2025, 1, 8)),
        ("WO2", "A", "P1", 2.0, "in_progress", date(2025, 1, 8)),
        ("PWO3", "B", "P1", 3.0, "proposed", date(2025, 1, 8)),
        ("WO9", "A", "P1", 1.0, "planned", date(2025, 2, 8)),  # not scheduled
    )
    components = pl.DataFrame(
        {
            "order_id": ["WO1", "WO1", "WO2", "PWO3", "WO9"],
            "item_id": ["C1", "C2", "C1", "C3", "C1"],
            "qty": [8.0, 4.0, 2.0, 6.0, 2.0],
        }
    )
    expected = pl.DataFrame(
        {
            "move_id": ["MV-PWO3-C3", "MV-WO1-C1", "MV-WO1-C2"],
            "work_order_id": ["PWO3", "WO1", "WO1"],
            "item_id": ["C3", "C1", "C2"],
            "location_id": ["P1"] * 3,
            "work_center_id": ["CUT"] * 3,
            "qty": [6.0, 8.0, 4.0],
            # PWO3's cut starts Tuesday 08:00 (1920), WO1's Monday 10:00 (600)
            "needed_by": [
                datetime(2025, 1, 7, 8),
                datetime(2025, 1, 6, 10),
                datetime(2025, 1, 6, 10),
            ],
        },
        schema_overrides={"needed_by": pl.Datetime("us")},
    )
    assert_frame_equal(move_orders(schedule, components, orders, AS_OF), expected)


# -- fill_dates ------------------------------------------------------------------------


def test_a_fully_pegged_line_fills_on_its_latest_supply_a_partly_pegged_one_not_at_all():
    def line(so: str, so_line: str, qty: float, demand: date, original: date) -> tuple:
        return ("sales_order", f"{so}:{so_line}", so, so_line, "FG", "P1", qty, demand, original,
                None)  # fmt: skip

    sales = _frame(
        SALES,
        line("SO1", "1", 10.0, date(2025, 1, 20), date(2025, 1, 20)),
        line("SO1", "2", 5.0, date(2025, 1, 8), date(2025, 1, 8)),
        line("SO2", "1", 10.0, date(2025, 1, 7), date(2025, 1, 7)),
        line("SO3", "1", 3.0, date(2025, 1, 6), date(2025, 1, 5)),  # past due: on as-of
        line("SO4", "1", 2.0, date(2025, 1, 9), date(2025, 1, 9)),
        line("SO5", "1", 1.0, date(2025, 1, 9), date(2025, 1, 9)),
    )

    def peg(supply: str, kind: str, demand: str, qty: float, supply_date: date) -> tuple:
        demand_type = "sales_order" if demand.startswith("SO") else "work_order_component"
        return (supply, demand, "FG", "P1", qty, kind, demand_type, supply_date, AS_OF)

    pegging = _frame(
        PEGGING,
        peg("PO1", "purchase_order", "SO1:1", 6.0, date(2025, 1, 10)),
        peg("WO1", "work_order", "SO1:1", 4.0, date(2025, 1, 12)),
        peg("PWO2", "planned_work_order", "SO1:2", 5.0, date(2025, 1, 8)),
        peg("PO2", "purchase_order", "SO2:1", 4.0, date(2025, 1, 7)),
        peg("WO4", "work_order", "SO3:1", 3.0, date(2025, 1, 12)),
        peg("on_hand", "on_hand", "SO5:1", 1.0 - 1e-7, AS_OF),  # rounding: all of it
        peg("PO9", "purchase_order", "WO1:C1", 50.0, date(2025, 1, 30)),  # not a sales order
    )
    scheduled = _frame(
        WORK_ORDER_SCHEDULE,
        ("WO1", "FG", "P1", 4.0, "released", datetime(2025, 1, 13, 8), datetime(2025, 1, 14, 10),
         date(2025, 1, 12), True),
        ("PWO2", "FG", "P1", 5.0, "proposed", datetime(2025, 1, 9, 8), datetime(2025, 1, 9, 15),
         date(2025, 1, 8), True),
        ("WO4", "FG", "P1", 3.0, "released", datetime(2025, 1, 9, 8), datetime(2025, 1, 10, 9),
         date(2025, 1, 12), False),
    )  # fmt: skip
    filled = fill_dates(pegging, sales, scheduled)
    expected = pl.DataFrame(
        {
            "demand_id": ["SO1:1", "SO1:2", "SO2:1", "SO3:1", "SO4:1", "SO5:1"],
            "completion_date": [
                date(2025, 1, 14),  # WO1 is scheduled to end Jan 14, after PO1's Jan 10
                date(2025, 1, 9),  # PWO2's scheduled end
                None,
                date(2025, 1, 10),  # WO4 ends Jan 10, earlier than the plan has it
                None,
                AS_OF,  # on hand
            ],
            "fill_date": [
                date(2025, 1, 20),  # PO1 Jan 10, WO1 ends Jan 14: its demand date is later
                date(2025, 1, 9),  # PWO2 is scheduled to end a day after its plan date
                None,  # 4 of 10 pegged
                date(2025, 1, 12),  # WO4 ends Jan 10, but the plan has it Jan 12
                None,  # nothing pegged
                date(2025, 1, 9),  # on hand now, shipped on its demand date
            ],
        }
    )
    assert_frame_equal(
        filled.select("demand_id", "completion_date", "fill_date").sort("demand_id"), expected
    )
    # the sales order columns come through for shipping_requests and milestone_status
    assert_frame_equal(filled.select(SALES.keys()), sales)


# -- shipping_requests -----------------------------------------------------------------


def test_only_lines_filled_inside_the_scheduling_horizon_are_shipped():
    # horizon 14 days: fill dates up to 2025-01-19
    filled = _frame(
        FILLED,
        ("SO1", "1", "FG", "P1", 10.0, date(2025, 1, 20), None, date(2025, 1, 19)),
        ("SO1", "2", "FG", "P1", 5.0, date(2025, 1, 20), None, date(2025, 1, 20)),  # outside
        ("SO2", "1", "FG", "P1", 10.0, date(2025, 1, 7), None, None),  # not filled
        ("SO3", "1", "FG", "P1", 3.0, date(2025, 1, 5), None, date(2025, 1, 12)),
        ("SO4", "1", "XX", "P2", 2.0, date(2025, 1, 12), None, date(2025, 1, 12)),
    )
    expected = pl.DataFrame(
        {
            "so_id": ["SO3", "SO4", "SO1"],
            "so_line": ["1", "1", "1"],
            "item_id": ["FG", "XX", "FG"],
            "location_id": ["P1", "P2", "P1"],
            "qty": [3.0, 2.0, 10.0],
            "ship_date": [date(2025, 1, 12), date(2025, 1, 12), date(2025, 1, 19)],
            "due_date": [date(2025, 1, 5), date(2025, 1, 12), date(2025, 1, 20)],
            "is_late": [True, False, False],
        }
    )
    assert_frame_equal(shipping_requests(filled, AS_OF, 14), expected)


# -- milestone_status ------------------------------------------------------------------


def test_milestones_follow_their_sales_order_or_else_their_project():
    filled = _frame(
        FILLED_FOR_MILESTONES,
        ("SO1", "PRJ1", date(2025, 1, 10)),
        ("SO1", "PRJ1", date(2025, 1, 12)),
        ("SO2", "PRJ1", date(2025, 1, 19)),
        ("SO3", "PRJ1", date(2025, 1, 10)),
        ("SO3", "PRJ1", None),
        ("SO4", "PRJ1", date(2025, 1, 22)),
        ("SO5", "PRJ2", date(2025, 1, 15)),
        ("SO6", "PRJ2", date(2025, 1, 16)),
        ("SO7", "PRJ4", None),
        ("SO8", None, date(2025, 1, 30)),  # in no project
    )
    milestones = _frame(
        MILESTONES,
        ("PRJ1", "M1", date(2025, 1, 20), "SO1"),
        ("PRJ1", "M2", date(2025, 1, 20), "SO2"),
        ("PRJ1", "M3", date(2025, 1, 20), "SO3"),
        ("PRJ1", "M4", date(2025, 1, 20), "SO4"),
        ("PRJ1", "M7", date(2025, 1, 20), "SO9"),
        ("PRJ2", "M5", date(2025, 1, 18), None),
        ("PRJ2", "M9", date(2025, 1, 15), "SO5"),
        ("PRJ3", "M6", date(2025, 1, 20), None),
        ("PRJ4", "M8", date(2025, 1, 20), None),
    )
    expected = _frame(
        MILESTONE_STATUS,
        # SO1's last line is complete Jan 12, 8 days ahead
        ("PRJ1", "M1", date(2025, 1, 20), date(2025, 1, 12), "on_track", "SO1"),
        # Jan 19: within 2 days of its due date
        ("PRJ1", "M2", date(2025, 1, 20), date(2025, 1, 19), "at_risk", "SO2"),
        # a line of SO3 is not filled in the horizon: no projected date
        ("PRJ1", "M3", date(2025, 1, 20), None, "late", "SO3"),
        ("PRJ1", "M4", date(2025, 1, 20), date(2025, 1, 22), "late", "SO4"),
        # SO9 has no open demand: nothing in its way
        ("PRJ1", "M7", date(2025, 1, 20), None, "on_track", "SO9"),
        # the project's last line (SO6) is complete Jan 16, exactly 2 days ahead: on track
        ("PRJ2", "M5", date(2025, 1, 18), date(2025, 1, 16), "on_track", None),
        # projected on its due date
        ("PRJ2", "M9", date(2025, 1, 15), date(2025, 1, 15), "at_risk", "SO5"),
        # no demand in the project
        ("PRJ3", "M6", date(2025, 1, 20), None, "on_track", None),
        ("PRJ4", "M8", date(2025, 1, 20), None, "late", None),
    )
    assert_frame_equal(milestone_status(milestones, filled, slack_days=2), expected)


def test_a_milestone_is_judged_by_its_scheduled_completion_with_slack():
    # Each order's line is covered lot for lot by a receipt on its due date,
    # Jan 20. SO1's work order is scheduled to end Jan 15: on track. SO2's
    # purchase is not scheduled: complete on its due date, at risk inside the
    # 2 days of slack. SO3's work order is scheduled to end Jan 22: late by 2.
    due = date(2025, 1, 20)
    sales = _frame(
        SALES,
        *[
            ("sales_order", f"{so}:1", so, "1", "FG", "P1", 5.0, due, due, "PRJ1")
            for so in ("SO1", "SO2", "SO3")
        ],
    )
    pegging = _frame(
        PEGGING,
        *[
            (supply, f"{so}:1", "FG", "P1", 5.0, kind, "sales_order", due, due)
            for supply, kind, so in (
                ("PWO1", "planned_order", "SO1"),
                ("PPR2", "planned_order", "SO2"),
                ("PWO3", "planned_order", "SO3"),
            )
        ],
    )
    scheduled = _frame(
        WORK_ORDER_SCHEDULE,
        ("PWO1", "FG", "P1", 5.0, "proposed", datetime(2025, 1, 14, 8), datetime(2025, 1, 15, 12),
         due, False),
        ("PWO3", "FG", "P1", 5.0, "proposed", datetime(2025, 1, 21, 8), datetime(2025, 1, 22, 12),
         due, True),
    )  # fmt: skip
    milestones = _frame(MILESTONES, *[("PRJ1", f"M{n}", due, f"SO{n}") for n in (1, 2, 3)])
    filled = fill_dates(pegging, sales, scheduled)
    status = milestone_status(milestones, filled, slack_days=2)
    assert status.select("milestone_id", "projected_date", "status").rows() == [
        ("M1", date(2025, 1, 15), "on_track"),
        ("M2", due, "at_risk"),
        ("M3", date(2025, 1, 22), "late"),
    ]
    # without slack, completing on the due date is on track
    assert milestone_status(milestones, filled, slack_days=0)["status"].to_list() == [
        "on_track",
        "on_track",
        "late",
    ]
    unstaffed = pl.DataFrame(
        schema={"order_id": pl.String, "op_seq": pl.Int64, "skill": pl.String,
                "duration_minutes": pl.Int64}
    )  # fmt: skip
    exceptions = schedule_exceptions(
        _frame(WORK_ORDER_SCHEDULE), _frame(CAPACITY_LOAD), status, unstaffed, _frame(ORDERS)
    )
    assert exceptions["message"].to_list() == [
        "milestone M3 of PRJ1 due 2025-01-20: projected 2025-01-22 (2 days late)"
    ]


# -- schedule_exceptions ---------------------------------------------------------------


def test_late_orders_overloads_missed_milestones_and_unstaffed_operations_are_reported():
    scheduled = _frame(
        WORK_ORDER_SCHEDULE,
        ("WO1", "A", "P1", 4.0, "released", datetime(2025, 1, 6, 8), datetime(2025, 1, 8, 1),
         date(2025, 1, 7), True),
        ("WO2", "A", "P1", 2.0, "released", datetime(2025, 1, 6, 8), datetime(2025, 1, 6, 9),
         date(2025, 1, 7), False),
    )  # fmt: skip
    week_1, week_2 = date(2025, 1, 6), date(2025, 1, 13)
    load = _frame(
        CAPACITY_LOAD,
        ("M1", "P1", week_1, 12.0, 10.0, 120.0, 0.0, None),  # over: medium
        ("M1", "P1", week_2, 20.0, 10.0, 200.0, 0.0, None),  # over 150 %: high
        ("M2", "P1", week_1, 10.0, 10.0, 100.0, 0.0, None),  # full, not over
        ("M3", "P1", week_1, 5.0, 0.0, None, 0.0, None),  # no capacity: no percentage
        ("M4", "P1", week_1, 15.0, 10.0, 150.0, 0.0, None),  # exactly 150 %: medium
    )
    milestones = _frame(
        MILESTONE_STATUS,
        ("PRJ1", "MS1", date(2025, 1, 20), None, "late", "SO3"),
        ("PRJ1", "MS2", date(2025, 1, 20), date(2025, 1, 19), "at_risk", "SO2"),
        ("PRJ1", "MS4", date(2025, 1, 20), date(2025, 1, 22), "late", "SO4"),
        ("PRJ2", "MS5", date(2025, 1, 18), date(2025, 1, 10), "on_track", None),
    )
    unstaffed = pl.DataFrame(
        {"order_id": ["PWO3"], "op_seq": [20], "skill": ["weld"], "duration_minutes": [600]}
    )
    orders = _frame(
        ORDERS,
        ("WO1", "A", "P1", 4.0, "released", date(2025, 1, 7)),
        ("PWO3", "B", "P1", 3.0, "proposed", date(2025, 1, 8)),
    )
    exceptions = schedule_exceptions(scheduled, load, milestones, unstaffed, orders)
    late_message = "work order WO1 is scheduled to finish 2025-01-08 01:00, due 2025-01-07"
    expected = _frame(
        EXCEPTIONS,
        ("late_demand", "medium", "A", "P1", "WO1", date(2025, 1, 7), 4.0, late_message),
        ("capacity_overload", "medium", None, "P1", "M1", week_1, 2.0,
         "M1 needs 12.0 h in the week of 2025-01-06 and has 10.0 h (120 %)"),
        ("capacity_overload", "high", None, "P1", "M1", week_2, 10.0,
         "M1 needs 20.0 h in the week of 2025-01-13 and has 10.0 h (200 %)"),
        ("capacity_overload", "medium", None, "P1", "M4", week_1, 5.0,
         "M4 needs 15.0 h in the week of 2025-01-06 and has 10.0 h (150 %)"),
        ("missed_milestone", "high", None, None, "PRJ1:MS1", date(2025, 1, 20), None,
         "milestone MS1 of PRJ1 due 2025-01-20: its demand is not completed in the horizon"),
        ("missed_milestone", "high", None, None, "PRJ1:MS4", date(2025, 1, 20), None,
         "milestone MS4 of PRJ1 due 2025-01-20: projected 2025-01-22 (2 days late)"),
        ("unstaffed_operation", "medium", "B", "P1", "PWO3/20", None, None,
         "operation needs skill weld for 600 min, longer than any shift of a person with it; "
         "scheduled without a person"),
    )  # fmt: skip
    assert_frame_equal(exceptions, expected)


def test_nothing_to_report_gives_an_empty_frame_of_the_exception_columns():
    exceptions = schedule_exceptions(
        _frame(WORK_ORDER_SCHEDULE),
        _frame(CAPACITY_LOAD),
        _frame(MILESTONE_STATUS),
        pl.DataFrame(
            schema={
                "order_id": pl.String,
                "op_seq": pl.Int64,
                "skill": pl.String,
                "duration_minutes": pl.Int64,
            }
        ),
        _frame(ORDERS),
    )
    assert_frame_equal(exceptions, _frame(EXCEPTIONS))


# -- scheduled_promises ----------------------------------------------------------------


def test_a_work_order_the_schedule_finishes_late_makes_its_promise_late_for_capacity():
    promises = pl.DataFrame(
        {
            "demand_id": ["SO1:1", "SO1:1", "SO2:1", "SO3:1"],
            "demand_type": "sales_order",
            "item_id": "FG",
            "location_id": "P1",
            "qty": [4.0, 6.0, 5.0, 2.0],
            "due_date": [date(2025, 1, 8), date(2025, 1, 8), date(2025, 1, 12), date(2025, 1, 9)],
            "promised_date": [date(2025, 1, 8), date(2025, 1, 8), date(2025, 1, 8), None],
            "days_late": [0, 0, 0, None],
            "cause": ["on_time", "on_time", "on_time", "material"],
            "cause_ref": [None, None, None, "C@P1"],
            "message": ["on time", "on time", "on time", "not covered"],
            "supply_id": ["on_hand", "PWO1", "PWO2", None],
        }
    )
    scheduled = _frame(
        WORK_ORDER_SCHEDULE,
        # PWO1 ends Jan 10: its 6 of SO1:1 are 2 days late; PWO2 ends Jan 9, later
        # than its promise but before SO2's due date: promised later, on time
        ("PWO1", "FG", "P1", 6.0, "proposed", datetime(2025, 1, 9, 8), datetime(2025, 1, 10, 11),
         date(2025, 1, 8), True),
        ("PWO2", "FG", "P1", 5.0, "proposed", datetime(2025, 1, 8, 8), datetime(2025, 1, 9, 9),
         date(2025, 1, 8), True),
    )  # fmt: skip
    schedule = pl.DataFrame(
        {"order_id": ["PWO1", "PWO1", "PWO2"], "op_seq": [20, 10, 10],
         "work_center_id": ["M2", "M1", "M1"]}
    )  # fmt: skip
    after = scheduled_promises(promises, scheduled, schedule)
    assert after.columns == promises.columns
    assert after.select("qty", "promised_date", "days_late", "cause", "cause_ref").rows() == [
        (4.0, date(2025, 1, 8), 0, "on_time", None),
        (6.0, date(2025, 1, 10), 2, "capacity", "M2"),
        (5.0, date(2025, 1, 9), 0, "on_time", None),
        (2.0, None, None, "material", "C@P1"),
    ]
    assert (
        after["message"][1] == "promised 2025-01-10: the finite schedule finishes PWO1 then, on M2"
    )
