"""Existing receipts in the constrained plan: pulled in no earlier than they
can arrive (``planning.mrp.actions.feasible_receipts``), and the promises and
action messages that follow. Day n is as-of + n."""

from __future__ import annotations

import polars as pl
from mrp_fixtures import day, demand, plan, receipt, sku

ALL = "capacity,material,lead_time"
# released WO1 can finish its remaining operations on day 3 at the earliest
OPEN_WORK = pl.DataFrame({"supply_id": ["WO1"], "finish_day": [3]})


def _case(**rules):
    # FG@PL1 is made (lead time 2) and sent to DC1 (transit 3 days). SO1 wants
    # 10 at PL1 on day 1, covered by released WO1 due on day 6; SO2 wants 5 at
    # DC1 on day 1, covered by TR1 (not shipped yet, due on day 8). SO4 wants 4
    # of the bought C@PL1 on day 1: PO1, due on day 7.
    skus = [
        sku("FG", replenishment="make", lead_time_days=2),
        sku("FG", "DC1", replenishment="transfer", source_location_id="PL1", lead_time_days=3),
        sku("C", lead_time_days=5),
    ]
    demands = [
        demand("FG@PL1", 1, 10, "SO1:1"),
        demand("FG@DC1", 1, 5, "SO2:1"),
        demand("C@PL1", 1, 4, "SO4:1"),
    ]
    receipts = [
        receipt("FG@PL1", 6, 10, "WO1", kind="work_order", status="released"),
        receipt("FG@DC1", 8, 5, "TR1", kind="transfer"),
        receipt("C@PL1", 7, 4, "PO1"),
    ]
    return plan(skus, (), demands, receipts, open_work=OPEN_WORK, **rules)


def _expedites(material_plan) -> list[tuple]:
    messages = material_plan.action_messages.filter(pl.col("action") == "expedite")
    return messages.sort("supply_id").select("supply_id", "suggested_date").rows()


def _promises(material_plan) -> list[tuple]:
    rows = material_plan.table("demand_promises").sort("demand_id")
    return rows.select("demand_id", "promised_date", "days_late", "cause", "cause_ref").rows()


def test_unconstrained_every_movable_receipt_is_pulled_in_to_its_need():
    material_plan = _case(plan_constraints="none")
    assert _expedites(material_plan) == [("PO1", day(1)), ("TR1", day(1)), ("WO1", day(1))]


def test_constrained_an_open_order_is_pulled_in_only_as_far_as_it_can_arrive():
    # WO1 finishes on day 3, received on day 4; TR1 ships today at the earliest
    # and takes 3 days; PO1 is the supplier's to expedite
    material_plan = _case(plan_constraints=ALL)
    assert _expedites(material_plan) == [("PO1", day(1)), ("TR1", day(3)), ("WO1", day(4))]
    assert _promises(material_plan) == [
        ("SO1:1", day(4), 3, "lead_time", "WO1"),
        ("SO2:1", day(3), 2, "lead_time", "TR1"),
        ("SO4:1", day(1), 0, "on_time", None),
    ]
    messages = material_plan.table("demand_promises").sort("demand_id")["message"].to_list()
    assert messages[:2] == [
        "promised 2026-11-27: open work order WO1 cannot finish its remaining operations sooner",
        "promised 2026-11-26: open transfer TR1 cannot arrive sooner with its transit time",
    ]


def test_an_order_whose_routing_cannot_make_its_due_date_arrives_later():
    # due on day 2, but its remaining operations end on day 3: received on day
    # 4, and no message asks to expedite it
    skus = [sku("FG", replenishment="make", lead_time_days=2)]
    material_plan = plan(
        skus,
        demands=[demand("FG@PL1", 2, 10, "SO1:1")],
        receipts=[receipt("FG@PL1", 2, 10, "WO1", kind="work_order", status="released")],
        open_work=OPEN_WORK,
        plan_constraints=ALL,
    )
    assert _expedites(material_plan) == []
    assert _promises(material_plan) == [("SO1:1", day(4), 2, "lead_time", "WO1")]
