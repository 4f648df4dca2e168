"""The constrained supply plan and its promises on hand-worked networks
(CONTRACT.md section 3, "Constrained supply plan"; ``planning.mrp.constrained``).

Day n is as-of + n. Work center WC1 works 480 minutes a day unless a case
says otherwise."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from mrp_fixtures import HORIZON_DAYS, bom_line, day, demand, plan, receipt, sku

from planning.mrp.constrained import LATEST_DAY, Capacity

ALL = "capacity,material,lead_time"


def capacity(minutes_per_day=480.0, closed=(), run_minutes=60.0, items=("P",)) -> Capacity:
    """WC1 with ``minutes_per_day`` (0 on the ``closed`` days); each of
    ``items`` at PL1 runs one operation of ``run_minutes`` a unit on it."""
    free = np.full((1, HORIZON_DAYS), minutes_per_day)
    free[0, list(closed)] = 0.0
    routings = pl.DataFrame(
        {
            "item_id": list(items),
            "location_id": "PL1",
            "op_seq": 10,
            "work_center_id": "WC1",
            "setup_minutes": 0.0,
            "run_minutes_per_unit": run_minutes,
            "efficiency": 1.0,
        }
    )
    return Capacity(pl.Series("work_center_id", ["WC1"]), free, routings)


def promises(material_plan) -> list[tuple]:
    rows = material_plan.table("demand_promises").sort("demand_id", "promised_date")
    return rows.select(
        "demand_id", "qty", "promised_date", "days_late", "cause", "cause_ref"
    ).rows()


def test_a_purchase_is_never_faster_than_its_lead_time_and_stock_ships_at_once():
    # 4 on hand; SO1 wants 10 on day 5; bought with a 10-day lead time. The
    # unconstrained MRP asks for 6 on day 5, ordered today (lead time compressed);
    # constrained, it arrives on day 10 and the line is promised in two parts.
    skus = [sku("B", lead_time_days=10, on_hand=4.0)]
    demands = [demand("B@PL1", 5, 10, "SO1:1")]
    unconstrained = plan(skus, demands=demands)
    constrained = plan(skus, demands=demands, plan_constraints=ALL)

    (before,) = unconstrained.purchase_requests.rows(named=True)
    assert (before["need_date"], before["is_lead_time_compressed"]) == (day(5), True)
    (after,) = constrained.purchase_requests.rows(named=True)
    assert (after["order_date"], after["need_date"], after["requested_date"]) == (
        day(0),
        day(10),
        day(5),
    )
    assert not after["is_lead_time_compressed"]
    order = after["request_id"]
    assert promises(constrained) == [
        ("SO1:1", 4.0, day(5), 0, "on_time", None),
        ("SO1:1", 6.0, day(10), 5, "lead_time", order),
    ]
    # one row per promised date: stock and the compressed purchase both by day 5
    assert promises(unconstrained) == [("SO1:1", 10.0, day(5), 0, "on_time", None)]
    assert not constrained.exceptions.filter(pl.col("category") == "lead_time_compressed").height


def test_an_oversold_work_center_serves_the_higher_priority_first():
    # WC1 is closed on days 0 and 1 and does 8 units (480 min) a day after.
    # SO-LOW (priority 2) wants 8 P on day 2, SO-HIGH (priority 1) 8 P on day 3;
    # lead time 1. SO-HIGH's order takes day 2 and is on time; SO-LOW's order
    # cannot be made earlier, is released on as-of, waits for day 3 and arrives
    # on day 4.
    skus = [sku("P", replenishment="make", lead_time_days=1)]
    demands = [
        demand("P@PL1", 2, 8, "SO-LOW:1", priority=2),
        demand("P@PL1", 3, 8, "SO-HIGH:1", priority=1),
    ]
    constrained = plan(
        skus, demands=demands, capacity=capacity(closed=[0, 1]), plan_constraints=ALL
    )
    orders = constrained.work_orders.sort("requested_date")
    assert orders.select("start_date", "due_date", "requested_date").rows() == [
        (day(0), day(4), day(2)),
        (day(2), day(3), day(3)),
    ]
    low = orders["order_id"][0]
    assert promises(constrained) == [
        ("SO-HIGH:1", 8.0, day(3), 0, "on_time", None),
        ("SO-LOW:1", 8.0, day(4), 2, "capacity", "WC1"),
    ]
    message = constrained.table("demand_promises").filter(pl.col("cause") == "capacity")["message"]
    assert message.to_list() == [f"promised {day(4)}: WC1 is full until {day(3)} for {low}"]
    # every minute within the work center's day
    assert constrained.loaded_minutes[0].tolist()[:5] == [0.0, 0.0, 480.0, 480.0, 0.0]


def test_a_late_bought_component_delays_its_parent_and_names_the_component():
    # P (made, lead time 1, ample capacity) needs 1 C, bought with a 10-day lead
    # time; SO1 wants 1 P on day 5. C arrives on day 10, P starts then and is
    # received on day 11.
    skus = [
        sku("P", replenishment="make", lead_time_days=1),
        sku("C", lead_time_days=10, low_level_code=1),
    ]
    constrained = plan(
        skus,
        bom=[bom_line("P", "C", 1.0)],
        demands=[demand("P@PL1", 5, 1, "SO1:1")],
        capacity=capacity(),
        plan_constraints=ALL,
    )
    (component,) = constrained.purchase_requests.rows(named=True)
    assert (component["need_date"], component["requested_date"]) == (day(10), day(4))
    (parent,) = constrained.work_orders.rows(named=True)
    assert (parent["start_date"], parent["due_date"]) == (day(10), day(11))
    assert promises(constrained) == [("SO1:1", 1.0, day(11), 6, "material", "C@PL1")]
    (message,) = constrained.table("demand_promises")["message"].to_list()
    assert message == (
        f"promised {day(11)}: waits for C@PL1, held by the lead time of {component['request_id']}"
    )
    # the pegging follows: C's supply on day 10, needed by P's start on day 10
    pegs = constrained.pegging.filter(pl.col("item_id") == "C")
    assert pegs.select("supply_date", "demand_date").rows() == [(day(10), day(10))]


def test_an_open_receipt_arriving_late_is_the_cause_of_the_late_part():
    # an end item inside a 10-day MPS time fence gets no new order before day 10:
    # SO1 (day 3) waits for PO1 (day 6), and SO2 (day 8) for the first order after
    # the fence
    skus = [sku("B", lead_time_days=2, is_mps_item=True)]
    constrained = plan(
        skus,
        demands=[demand("B@PL1", 3, 5, "SO1:1"), demand("B@PL1", 8, 2, "SO2:1")],
        receipts=[receipt("B@PL1", 6, 5.0, "PO1")],
        plan_constraints=ALL,
        reschedule_in_days=0,
        mps_time_fence_days=10,
    )
    assert promises(constrained) == [
        ("SO1:1", 5.0, day(6), 3, "material", "PO1"),
        ("SO2:1", 2.0, day(10), 2, "frozen", "B@PL1"),
    ]


def test_a_past_due_line_is_late_from_its_due_date_even_from_stock():
    skus = [sku("B", on_hand=10.0)]
    constrained = plan(skus, demands=[demand("B@PL1", 0, 3, "SO1:1", due=-4)], plan_constraints=ALL)
    assert promises(constrained) == [("SO1:1", 3.0, day(0), 4, "lead_time", "B@PL1")]
    assert constrained.table("demand_promises")["due_date"].to_list() == [day(-4)]


def test_demand_without_a_valid_sku_is_promised_nothing():
    constrained = plan(
        [sku("B")],
        demands=[demand("B@PL1", 2, 1, "SO1:1"), demand("X@PL1", 2, 1, "SO2:1")],
        plan_constraints=ALL,
    )
    rows = constrained.table("demand_promises").filter(pl.col("demand_id") == "SO2:1")
    assert rows.select("promised_date", "days_late", "cause", "cause_ref").rows() == [
        (None, None, "invalid_data", "X@PL1")
    ]


@pytest.mark.parametrize("switched_off", ["none", "material", "capacity"])
def test_constraints_that_bind_nothing_give_the_unconstrained_dates(switched_off: str):
    # lead times fit, capacity is ample: every constraint set plans the same orders
    skus = [
        sku("P", replenishment="make", lead_time_days=1),
        sku("C", lead_time_days=2, low_level_code=1),
    ]
    network = dict(
        bom=[bom_line("P", "C", 2.0)],
        demands=[demand("P@PL1", 6, 3, "SO1:1"), demand("P@PL1", 9, 2, "SO2:1")],
        capacity=capacity(),
    )
    unconstrained = plan(skus, **network)
    constrained = plan(skus, plan_constraints=ALL, **network)
    partly = plan(skus, plan_constraints=switched_off, **network)
    for table in ("work_orders", "purchase_requests", "pegging", "demand_promises"):
        assert constrained.table(table).equals(unconstrained.table(table)), table
        assert partly.table(table).equals(unconstrained.table(table)), table


@pytest.mark.parametrize("constraints", ["capacity", "material", "capacity,material"])
def test_lead_time_switched_off_keeps_the_compressed_lead_times(constraints: str):
    # B is bought with a 10-day lead time and wanted on day 5; P is made in a
    # day but has a 3-day lead time and is wanted on day 1. Without the lead
    # time constraint both keep the unconstrained plan's compressed dates and
    # nothing is late; with it both are.
    skus = [
        sku("B", lead_time_days=10),
        sku("P", replenishment="make", lead_time_days=3),
    ]
    network = dict(
        demands=[demand("B@PL1", 5, 10, "SO1:1"), demand("P@PL1", 1, 4, "SO2:1")],
        capacity=capacity(),
    )
    unconstrained = plan(skus, **network)
    without = plan(skus, plan_constraints=constraints, **network)
    for table in ("work_orders", "purchase_requests", "demand_promises"):
        assert without.table(table).equals(unconstrained.table(table)), table
    assert set(without.table("demand_promises")["cause"]) == {"on_time"}
    with_lead_time = plan(skus, plan_constraints=f"{constraints},lead_time", **network)
    assert with_lead_time.table("demand_promises").select("demand_id", "days_late").rows() == [
        ("SO1:1", 5),
        ("SO2:1", 2),
    ]


def test_switching_capacity_off_lets_the_oversold_week_through():
    skus = [sku("P", replenishment="make", lead_time_days=1)]
    demands = [demand("P@PL1", 2, 8, "SO1:1"), demand("P@PL1", 3, 8, "SO2:1")]
    without = plan(
        skus,
        demands=demands,
        capacity=capacity(closed=[1, 2]),
        plan_constraints="material,lead_time",
    )
    assert without.work_orders["due_date"].to_list() == [day(2), day(3)]
    assert without.loaded_minutes is None or not without.loaded_minutes.any()
    with_capacity = plan(
        skus, demands=demands, capacity=capacity(closed=[1, 2]), plan_constraints=ALL
    )
    # SO1's order is made early, on as-of (the backward pass); SO2's has no day
    # left before it and waits for day 3
    assert with_capacity.work_orders.select("start_date", "due_date").rows() == [
        (day(0), day(2)),
        (day(0), day(4)),
    ]


def test_work_a_full_week_cannot_hold_is_made_earlier_with_its_components_earlier():
    # P needs 1 C a unit; both made on WC1 (8 units a day), lead time 1. SO1
    # wants 16 P on day 4: one day's work is pulled to day 2, and C, needed by
    # then, is made before it; nothing is late.
    skus = [
        sku("P", replenishment="make", lead_time_days=1, max_qty=8.0),
        sku("C", replenishment="make", lead_time_days=1, low_level_code=1, max_qty=8.0),
    ]
    constrained = plan(
        skus,
        bom=[bom_line("P", "C", 1.0)],
        demands=[demand("P@PL1", 4, 16, "SO1:1")],
        capacity=capacity(items=("P", "C")),
        plan_constraints=ALL,
    )
    assert promises(constrained) == [("SO1:1", 16.0, day(4), 0, "on_time", None)]
    loaded = constrained.loaded_minutes[0].tolist()[:4]
    assert loaded == [480.0, 480.0, 480.0, 480.0]  # C, C, P, P: every minute used once


def test_an_absurd_lead_time_leaves_the_line_unpromised_and_the_order_on_a_date():
    constrained = plan(
        [sku("B", lead_time_days=10**9)],
        demands=[demand("B@PL1", 5, 10, "SO1:1")],
        plan_constraints=ALL,
    )
    (order,) = constrained.purchase_requests.rows(named=True)
    assert order["need_date"] == day(LATEST_DAY)
    assert promises(constrained) == [("SO1:1", 10.0, None, None, "lead_time", order["request_id"])]


def test_a_parent_whose_component_cannot_be_made_in_time_frees_its_days_for_it():
    # SO1 wants 16 P on day 2; P needs 1 C a unit, both 60 min a unit on WC1
    # (480 min a day), lead time 1. Backwards, P takes days 0 and 1 and leaves C
    # no day before it: C cannot be made in time, so P gives its days back and
    # C is made on days 0-1 (received day 2), P on days 2-3 (received day 4),
    # 2 days late, not 4 (P holding days 0-1 would push C to days 2-3, P to 4-5).
    skus = [
        sku("P", replenishment="make", lead_time_days=1),
        sku("C", replenishment="make", lead_time_days=1, low_level_code=1),
    ]
    constrained = plan(
        skus,
        bom=[bom_line("P", "C", 1.0)],
        demands=[demand("P@PL1", 2, 16, "SO1:1")],
        capacity=capacity(items=("P", "C")),
        plan_constraints=ALL,
    )
    assert promises(constrained)[0][:4] == ("SO1:1", 16.0, day(4), 2)
    assert constrained.loaded_minutes[0].tolist()[:5] == [480.0, 480.0, 480.0, 480.0, 0.0]
