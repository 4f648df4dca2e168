"""The material plan on working calendars, through the warehouse: the tiny
extract (tests/fixtures/tiny_extract) with a holidays.csv, validated, loaded,
its marts built by `dbt build`, then planned from `fct_location_calendar`.

As of Monday 2026-11-23 with a 28-day horizon. P1 works Monday to Friday; it
is closed on as-of and shut down the whole second week (Monday 11-30 to
Friday 12-04); P2 is closed on Wednesday 11-25, DC1 on Thursday 11-26.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from planning.config import PlanningRules
from planning.mrp import MaterialPlan, PlanningInputs, plan_materials, read_planning_inputs

AS_OF = date(2026, 11, 23)
HORIZON_DAYS = 28

# a dbt build of the marts: a minute or more on the shared 2-core machine
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def inputs(tiny_holiday_warehouse: Path) -> PlanningInputs:
    """The planning inputs of the tiny extract with holidays."""
    with duckdb.connect(str(tiny_holiday_warehouse), read_only=True) as con:
        return read_planning_inputs(con)


# The hand-worked numbers below are the unconstrained MRP's; the constrained
# plan (the default) must keep to the same calendars.
@pytest.fixture(scope="module", params=["none", PlanningRules().plan_constraints])
def planned(request, inputs: PlanningInputs) -> tuple[MaterialPlan, pl.DataFrame]:
    """The plan of the tiny extract with holidays, and its location calendar."""
    rules = PlanningRules(plan_constraints=request.param)
    return plan_materials(inputs, AS_OF, HORIZON_DAYS, rules), inputs.calendar


@pytest.fixture(scope="module")
def unconstrained(inputs: PlanningInputs) -> MaterialPlan:
    """The unconstrained MRP of the tiny extract with holidays."""
    return plan_materials(inputs, AS_OF, HORIZON_DAYS, PlanningRules(plan_constraints="none"))


def _on(orders: pl.DataFrame, location: str, day: str, calendar: pl.DataFrame) -> pl.DataFrame:
    """Each order's ``day`` with the calendar row of ``location`` that day."""
    return orders.join(
        calendar, left_on=[location, day], right_on=["location_id", "calendar_date"], how="left"
    )


def test_no_order_is_made_received_or_shipped_on_a_closed_day(planned) -> None:
    plan, calendar = planned
    assert not plan.work_orders.is_empty()
    for day in ("start_date", "due_date"):
        on = _on(plan.work_orders, "location_id", day, calendar)
        assert on["is_working_day"].all(), on.filter(~pl.col("is_working_day"))
    needed = _on(plan.purchase_requests, "location_id", "need_date", calendar)
    assert needed["is_open_day"].all(), needed.filter(~pl.col("is_open_day"))
    received = _on(plan.transfer_orders, "to_location_id", "receipt_date", calendar)
    assert received["is_open_day"].all(), received.filter(~pl.col("is_open_day"))
    shipped = _on(plan.transfer_orders, "from_location_id", "ship_date", calendar)
    assert shipped["is_open_day"].all(), shipped.filter(~pl.col("is_open_day"))


def test_the_shutdown_moves_what_it_needs_to_the_last_working_day_before(unconstrained) -> None:
    # The DC's transfer received 12-07 ships 12-04, in P1's shutdown: it ships
    # on Sunday 11-29, P1's last open day before, with the other one.
    plan = unconstrained
    bikes = plan.transfer_orders.filter(pl.col("item_id") == "BIKE")
    assert bikes.select("order_id", "qty", "ship_date", "receipt_date").rows() == [
        ("PTO-BIKE-DC1-20261202-1", 13.0, date(2026, 11, 29), date(2026, 12, 2)),
        ("PTO-BIKE-DC1-20261207-1", 12.0, date(2026, 11, 29), date(2026, 12, 7)),
    ]
    # BIKE@P1: 12 on hand + WO1 8 - T2 4 = 16, then 25 on Sunday 11-29: 14
    # short of safety stock 5, two fixed lots of 10, made by Friday 11-27,
    # P1's last working day before; 20 / 0.95 = 21.05 bikes, 22 started on
    # Wednesday 11-25 (2 days)
    made = plan.work_orders.filter(pl.col("item_id") == "BIKE")
    assert made.select("order_id", "qty", "good_qty", "start_date", "due_date").rows() == [
        ("PWO-BIKE-P1-20261127-1", 22.0, 20.0, date(2026, 11, 25), date(2026, 11, 27))
    ]
    # TUBE's PO100:1 (due 12-01, in the shutdown) is needed at once: pulled in
    # to 11-24, the first day P1 receives on (as-of is a holiday there)
    tube = plan.action_messages.filter(pl.col("supply_id") == "PO100:1", action="expedite")
    assert tube["suggested_date"].to_list() == [date(2026, 11, 24)]
