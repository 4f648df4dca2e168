"""The material plan of the tiny extract (tests/fixtures/tiny_extract) through
the real loader, dbt marts, planner and plan marts, checked against a hand
computation: DRP at the DC with forecast consumption and in-transit stock,
then the plant's MPS with a fixed lot and yield.

Planning date 2026-11-23 (day 0), 28 daily buckets to 2026-12-20.

BIKE@DC1 (transfer from P1, 3 days, safety stock 2, lot for lot), 7 on hand.
Demand after forecast consumption: day 0: SO1 3 (past due) + forecast 4
(10 less SO2's 4 + 2 in the week of 11-23); day 2: 4; day 6: 2; day 9: SO3 15
(consumes all of the 11-30 forecast); day 14: forecast 12 (two-week period).
Receipts: T1 6 in transit on day 1 (cannot move), T2 4 not shipped, day 6.
- day 0: 7 - 7 = 0 < 2: T2 is pulled in from day 6 (expedite), 4 left;
- day 1: + 6 = 10; day 2: 6; day 6: 4;
- day 9: 4 - 15 = -11: transfer 13 received 12-02, shipped 11-29;
- day 14: 2 - 12 = -10: transfer 12 received 12-07, shipped 12-04.

BIKE@P1 (make, 2 days, safety stock 5, fixed lots of 10, yield 0.95, whole
units), 12 on hand (3 more in QA); P1 works Monday to Friday. WO1 8 due day 1.
Demand: T2 4 on its ship date day 3, the planned transfers 13 on day 6 (a
Sunday: P1 ships, it is no holiday) and 12 on day 11, SO5 2 on day 17.
- day 1: 20; day 3: 16; day 6: 3 < 5: lot 10, received on Friday 11-27 (day
  4) when P1 last works before, started 11-25 (10 / 0.95 = 10.53: 11 bikes
  started), 13 from day 4 on; WO1 is first needed on day 6: deferred to 11-27;
- day 11: 1 < 5: lot 10 received 12-04, started 12-02, 11; day 17 (12-10): 9.
"""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from planning.mrp import MaterialPlan


@pytest.fixture(scope="module")
def plan(tiny_plan) -> MaterialPlan:
    return tiny_plan[0]


@pytest.fixture(scope="module")
def marts(tiny_plan) -> duckdb.DuckDBPyConnection:
    return tiny_plan[1]


def test_dc_is_resupplied_by_planned_transfers(plan: MaterialPlan) -> None:
    assert_frame_equal(
        plan.transfer_orders.filter(pl.col("item_id") == "BIKE").select(
            "order_id", "from_location_id", "to_location_id", "qty", "ship_date", "receipt_date"
        ),
        pl.DataFrame(
            {
                "order_id": ["PTO-BIKE-DC1-20261202-1", "PTO-BIKE-DC1-20261207-1"],
                "from_location_id": ["P1", "P1"],
                "to_location_id": ["DC1", "DC1"],
                "qty": [13.0, 12.0],
                "ship_date": [date(2026, 11, 29), date(2026, 12, 4)],
                "receipt_date": [date(2026, 12, 2), date(2026, 12, 7)],
            }
        ),
    )
    dc = plan.projected_inventory.filter(
        pl.col("item_id") == "BIKE", pl.col("location_id") == "DC1"
    )
    assert dc["projected_on_hand"].to_list() == [4.0, 10.0, 6.0, 4.0, 2.0, 2.0]


def test_existing_supply_is_rescheduled(plan: MaterialPlan) -> None:
    # T2 is pulled in to cover the DC on day 0; T1, in transit, cannot move.
    # WO1 (8 due day 1) is not needed before day 6: 12 on hand cover safety
    # stock 5 and T2's 4 on day 3; the transfer of 13 on day 6 needs it, a
    # Sunday: P1 receives it by Friday 11-27.
    bike = plan.action_messages.filter(pl.col("item_id") == "BIKE")
    assert bike.select("supply_id", "action", "current_date", "suggested_date").rows() == [
        ("T2", "expedite", date(2026, 11, 29), date(2026, 11, 23)),
        ("WO1", "defer", date(2026, 11, 24), date(2026, 11, 27)),
    ]


def test_plant_makes_fixed_lots_sized_for_yield(plan: MaterialPlan) -> None:
    assert_frame_equal(
        plan.work_orders.filter(pl.col("item_id") == "BIKE").select(
            "order_id", "qty", "good_qty", "start_date", "due_date"
        ),
        pl.DataFrame(
            {
                "order_id": ["PWO-BIKE-P1-20261127-1", "PWO-BIKE-P1-20261204-1"],
                "qty": [11.0, 11.0],
                "good_qty": [10.0, 10.0],
                "start_date": [date(2026, 11, 25), date(2026, 12, 2)],
                "due_date": [date(2026, 11, 27), date(2026, 12, 4)],
            }
        ),
    )
    # the plant's requirements include the DC's planned transfers on their ship dates
    planned_transfers = plan.pegging.filter(
        pl.col("item_id") == "BIKE",
        pl.col("location_id") == "P1",
        pl.col("demand_type") == "planned_transfer",
    )
    assert planned_transfers.group_by("demand_id", "demand_date").agg(pl.col("qty").sum()).sort(
        "demand_date"
    ).rows() == [
        ("PTO-BIKE-DC1-20261202-1", date(2026, 11, 29), 13.0),
        ("PTO-BIKE-DC1-20261207-1", date(2026, 12, 4), 12.0),
    ]
    # QA-held bikes sit there while new supply is planned
    assert plan.exceptions.filter(
        pl.col("category") == "qa_hold_blocking", pl.col("item_id") == "BIKE"
    ).select("location_id", "qty").rows() == [("DC1", 1.0), ("P1", 3.0)]


def test_plan_tables_carry_the_run_id(marts: duckdb.DuckDBPyConnection, plan: MaterialPlan) -> None:
    for name, frame in plan.tables().items():
        rows = marts.sql(f"select run_id, count(*) from plan.{name} group by run_id").fetchall()
        assert rows == ([("tiny-plan", frame.height)] if frame.height else []), name


def test_master_production_schedule(marts: duckdb.DuckDBPyConnection) -> None:
    mps = marts.sql(
        """select sku_id, week_start, planned_production, planned_work_orders,
                  projected_on_hand_end
           from marts.fct_master_production_schedule order by sku_id, week_start"""
    ).pl()
    # BIKE is the only end item made at a plant; weeks of 11-23 .. 12-14
    assert mps["sku_id"].unique().to_list() == ["BIKE@P1"]
    assert mps.select("week_start", "planned_production", "projected_on_hand_end").rows() == [
        (date(2026, 11, 23), 10.0, 13.0),
        (date(2026, 11, 30), 10.0, 11.0),
        (date(2026, 12, 7), 0.0, 9.0),
        (date(2026, 12, 14), 0.0, 9.0),
    ]


def test_order_release_calendar_holds_every_planned_order(
    marts: duckdb.DuckDBPyConnection, plan: MaterialPlan
) -> None:
    releases = marts.sql(
        "select order_type, count(*) from marts.fct_order_releases group by 1 order by 1"
    ).fetchall()
    assert releases == [
        ("purchase_request", plan.purchase_requests.height),
        ("transfer_order", plan.transfer_orders.height),
        ("work_order", plan.work_orders.height),
    ]


def test_weekly_projection_ends_each_week_on_the_last_balance(
    marts: duckdb.DuckDBPyConnection,
) -> None:
    dc = marts.sql(
        """select week_start, gross_requirements, projected_on_hand_end
           from marts.fct_projected_inventory_weekly where sku_id = 'BIKE@DC1'
           order by week_start"""
    ).fetchall()
    assert dc == [
        (date(2026, 11, 23), 13.0, 4.0),
        (date(2026, 11, 30), 15.0, 2.0),
        (date(2026, 12, 7), 12.0, 2.0),
        (date(2026, 12, 14), 0.0, 2.0),
    ]


def test_days_of_supply_count_dependent_demand(
    plan: MaterialPlan, marts: duckdb.DuckDBPyConnection
) -> None:
    # WHEEL@P1 has no demand of its own (none in fct_demand), only that of
    # BIKE@P1's planned work orders, 2 wheels a bike started: its 4 available
    # last 4 x 28 days over what they need
    needed = plan.projected_inventory.filter(pl.col("item_id") == "WHEEL", location_id="P1")
    requirements = needed["gross_requirements"].sum()
    assert requirements == pytest.approx(2 * plan.work_orders.filter(item_id="BIKE")["qty"].sum())
    known, available, days = marts.execute(
        """select positions.horizon_demand, supply.available, supply.days_of_supply
           from marts.fct_days_of_supply as supply
           inner join marts.fct_inventory_position as positions using (sku_id)
           where sku_id = 'WHEEL@P1'"""
    ).fetchone()
    assert (known, available) == (0.0, 4.0)
    assert days == round(4 * 28 / requirements, 1)
    # each week's closing balance by the same measure
    weeks = marts.execute(
        """select weekly.projected_on_hand_end, supply.horizon_requirements,
                  weekly.days_of_supply
           from marts.fct_projected_inventory_weekly as weekly
           inner join marts.fct_days_of_supply as supply using (sku_id)
           where sku_id = 'BIKE@DC1'"""
    ).fetchall()
    assert [days for *_, days in weeks] == [
        round(balance * 28 / requirements, 1) for balance, requirements, _ in weeks
    ]
