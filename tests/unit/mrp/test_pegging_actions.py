"""Pegging (first in, first out per SKU; priorities within a day; safety stock
last), demand no supply covers, and the action messages on existing supply,
worked by hand and checked through the whole plan (the pegging functions'
signatures are internal and change with performance work; the published
``pegging`` table and exceptions do not)."""

from __future__ import annotations

import polars as pl
import pytest
from mrp_fixtures import bom_line, day, demand, fenced_end_item_plan, plan, receipt, sku


def pegs_of(result, item: str = "A") -> list[tuple]:
    """(supply_id, demand_id, qty) of one item, in FIFO order: by demand, then supply."""
    return (
        result.pegging.filter(pl.col("item_id") == item)
        .sort("demand_date", "supply_date", "demand_id", "supply_id", nulls_last=True)
        .select("supply_id", "demand_id", "qty")
        .rows()
    )


# --- pegging -----------------------------------------------------------------


def test_pegging_is_first_in_first_out():
    # on hand 10; PO1 of 20 due day 1; demand 15 on day 1, 10 on day 3, 8 on day 6.
    # Netting: day 1: 10 + 20 - 15 = 15; day 3: 5; day 6: 5 - 8 = -3 -> a
    # planned order of 3 on day 6.
    # FIFO: SO1 takes the 10 on hand and 5 of PO1; SO2 10 of PO1; SO3 the last 5
    # of PO1 and the 3 planned.
    result = plan(
        [sku("A", on_hand=10.0)],
        demands=[
            demand("A@PL1", 1, 15, "SO1:1"),
            demand("A@PL1", 3, 10, "SO2:1"),
            demand("A@PL1", 6, 8, "SO3:1"),
        ],
        receipts=[receipt("A@PL1", 1, 20, "PO1:1")],
    )
    assert pegs_of(result) == [
        ("on_hand", "SO1:1", 10.0),
        ("PO1:1", "SO1:1", 5.0),
        ("PO1:1", "SO2:1", 10.0),
        ("PO1:1", "SO3:1", 5.0),
        ("PPR-A-PL1-20261129-1", "SO3:1", 3.0),
    ]
    assert result.action_messages.is_empty()
    assert result.exceptions.is_empty()


def test_pegging_serves_the_most_urgent_priority_first_within_a_day():
    # on hand 12 against four orders on day 2: SO-B 6 (priority 3), SO-A 4
    # (priority 2), SO-C 5 (priority 1), SO-D 2 (no priority: after all
    # prioritised ones). 17 in all: a planned order of 5 on day 2.
    # In rank order SO-C takes 5 and SO-A 4 of the stock, SO-B the last 3 and 3
    # of the planned order, SO-D the other 2.
    result = plan(
        [sku("A", on_hand=12.0)],
        demands=[
            demand("A@PL1", 2, 2, "SO-D:1"),
            demand("A@PL1", 2, 6, "SO-B:1", priority=3),
            demand("A@PL1", 2, 4, "SO-A:1", priority=2),
            demand("A@PL1", 2, 5, "SO-C:1", priority=1),
        ],
    )
    assert sorted(result.pegging.select("supply_id", "demand_id", "qty").rows()) == [
        ("PPR-A-PL1-20261125-1", "SO-B:1", 3.0),
        ("PPR-A-PL1-20261125-1", "SO-D:1", 2.0),
        ("on_hand", "SO-A:1", 4.0),
        ("on_hand", "SO-B:1", 3.0),
        ("on_hand", "SO-C:1", 5.0),
    ]


def test_pegging_of_one_day_takes_on_hand_then_receipts_then_planned_orders():
    # on hand 3, PO1 of 4 due day 0, demand 10 on day 0: a planned order of 3.
    # The demand takes the stock, then the PO, then the planned order.
    result = plan(
        [sku("A", on_hand=3.0)],
        demands=[demand("A@PL1", 0, 10, "SO1:1")],
        receipts=[receipt("A@PL1", 0, 4, "PO1:1")],
    )
    pegs = result.pegging.select("supply_type", "supply_id", "qty").rows()
    assert sorted(pegs) == [
        ("on_hand", "on_hand", 3.0),
        ("planned_order", "PPR-A-PL1-20261123-1", 3.0),
        ("purchase_order", "PO1:1", 4.0),
    ]


def test_safety_stock_is_pegged_last():
    # on hand 10, safety stock 4; demand 6 on day 2 and 4 on day 10.
    # Netting: day 2: 4 (= safety stock); day 10: 0 -> a planned order of 4.
    # The buffer exists from day 0, but real demand draws on the stock first:
    # both sales orders are pegged to the stock, the buffer to the planned order.
    result = plan(
        [sku("A", on_hand=10.0, safety_stock=4.0)],
        demands=[demand("A@PL1", 2, 6, "SO1:1"), demand("A@PL1", 10, 4, "SO2:1")],
    )
    assert pegs_of(result) == [
        ("on_hand", "SO1:1", 6.0),
        ("on_hand", "SO2:1", 4.0),
        ("PPR-A-PL1-20261203-1", "safety_stock", 4.0),
    ]


def test_safety_stock_shares_the_stock_left_after_demand():
    # on hand 10, safety stock 5, demand 8 on day 3: 2 of the stock is left for
    # the buffer; day 3: 10 - 8 = 2 < 5, so a planned order of 3 fills it.
    result = plan(
        [sku("A", on_hand=10.0, safety_stock=5.0)],
        demands=[demand("A@PL1", 3, 8, "SO1:1")],
    )
    assert sorted(result.pegging.select("supply_id", "demand_id", "qty").rows()) == [
        ("PPR-A-PL1-20261126-1", "safety_stock", 3.0),
        ("on_hand", "SO1:1", 8.0),
        ("on_hand", "safety_stock", 2.0),
    ]


def test_pegging_keeps_each_sku_to_itself():
    # A has 5 on hand and B 20; each gets its own planned order for the rest
    result = plan(
        [sku("A", on_hand=5.0), sku("B", on_hand=20.0)],
        demands=[demand("A@PL1", 1, 6, "SO1:1"), demand("B@PL1", 1, 6, "SO2:1")],
    )
    assert result.pegging.sort("item_id", "supply_id").select(
        "item_id", "supply_id", "demand_id", "qty"
    ).rows() == [
        ("A", "PPR-A-PL1-20261124-1", "SO1:1", 1.0),
        ("A", "on_hand", "SO1:1", 5.0),
        ("B", "on_hand", "SO2:1", 6.0),
    ]


def test_a_component_needed_twice_by_one_order_is_pegged_the_same_whatever_the_bom_order():
    # P's BOM lists C twice (1 and 2 per P): one planned work order of P makes
    # two demand rows at C on the same day, with the same reference and id.
    # They are taken smaller first, whichever order the BOM lines came in:
    # the 1 on hand covers the first, a planned purchase the other.
    lines = [bom_line("P", "C", 1.0), bom_line("P", "C", 2.0)]
    skus = [
        sku("P", replenishment="make", low_level_code=0),
        sku("C", low_level_code=1, on_hand=1.0),
    ]
    demands = [demand("P@PL1", 2, 1, "SO1:1")]
    pegs = [pegs_of(plan(skus, bom, demands), "C") for bom in (lines, lines[::-1])]
    needed_by = "PWO-P-PL1-20261125-1:C"
    assert (
        pegs[0]
        == pegs[1]
        == [
            ("on_hand", needed_by, 1.0),
            ("PPR-C-PL1-20261125-1", needed_by, 2.0),
        ]
    )


# --- demand no supply covers ---------------------------------------------------


def late_demand(result) -> list[tuple]:
    return (
        result.exceptions.filter(pl.col("category") == "late_demand")
        .sort("date", "ref_id")
        .select("severity", "ref_id", "date", "qty", "message")
        .rows()
    )


def test_demand_beyond_all_supply_is_short():
    # An end item inside a time fence longer than the horizon gets no planned
    # orders: 12 of supply (5 on hand, PO1 7 on day 1) against SO1 8 (day 3)
    # and SO2 10 (day 6), then the forecast 4 (day 9).
    # FIFO: SO1 [0, 8) covered; SO2 [8, 18) covered to 12, short 6; FC1 short 4.
    result = fenced_end_item_plan()
    assert pegs_of(result, "E") == [
        ("on_hand", "SO1:1", 5.0),
        ("PO1:1", "SO1:1", 3.0),
        ("PO1:1", "SO2:1", 4.0),
    ]
    assert result.planned_orders.is_empty()
    assert late_demand(result) == [
        (
            "high",
            "SO2:1",
            day(6),
            6.0,
            "sales order SO2:1 due 2026-11-29: 6.0 not covered in the horizon",
        ),
        (
            "medium",
            "E@PL1:2026-12-02",
            day(9),
            4.0,
            "forecast E@PL1:2026-12-02 due 2026-12-02: 4.0 not covered in the horizon",
        ),
    ]


def test_demand_covered_partly_late_and_partly_not_at_all():
    # fence beyond the horizon again, nothing on hand, SO1 10 on day 2; the
    # only supply is PO1 of 6 due day 12, 10 days after the shortfall, beyond
    # the 5-day reschedule window: 6 covered late (by day 12), 4 not at all.
    result = plan(
        [sku("E", is_mps_item=True)],
        demands=[demand("E@PL1", 2, 10, "SO1:1")],
        receipts=[receipt("E@PL1", 12, 6, "PO1:1")],
        mps_time_fence_days=30,
        reschedule_in_days=5,
    )
    assert late_demand(result) == [
        (
            "high",
            "SO1:1",
            day(2),
            10.0,
            "sales order SO1:1 due 2026-11-25: 6.0 covered late, by 2026-12-05 (10 days late);"
            " 4.0 not covered in the horizon",
        )
    ]


# --- action messages through the plan -----------------------------------------


def messages(result) -> list[tuple]:
    return (
        result.action_messages.sort("supply_id", "action")
        .select("supply_id", "action", "current_date", "suggested_date", "qty", "suggested_qty")
        .rows()
    )


def test_receipt_due_within_the_reschedule_window_is_expedited():
    # no stock; 10 needed on day 3; PO1 of 10 due day 8. 8 - 3 = 5 days <= 14:
    # pulled in to day 3 instead of a new order; 5 days > 1 day tolerance.
    result = plan(
        [sku("A")],
        demands=[demand("A@PL1", 3, 10, "SO1:1")],
        receipts=[receipt("A@PL1", 8, 10, "PO1:1")],
    )
    assert messages(result) == [("PO1:1", "expedite", day(8), day(3), 10.0, 10.0)]
    assert result.planned_orders.is_empty()
    assert result.projected_inventory.sort("date").select(
        "date", "scheduled_receipts", "projected_on_hand"
    ).rows() == [(day(0), 0.0, 0.0), (day(3), 10.0, 0.0)]
    assert result.pegging.select("supply_id", "demand_id", "qty").rows() == [
        ("PO1:1", "SO1:1", 10.0)
    ]
    assert result.exceptions.is_empty()


def test_receipt_due_beyond_the_reschedule_window_stays_and_a_planned_order_covers():
    # window 3 days: PO1 due day 8 is 5 days after the shortfall on day 3, so
    # it is not moved; a planned order of 10 arrives on day 3. PO1 then covers
    # the second order of 10 on its own due day 8: no message at all.
    result = plan(
        [sku("A")],
        demands=[demand("A@PL1", 3, 10, "SO1:1"), demand("A@PL1", 8, 10, "SO2:1")],
        receipts=[receipt("A@PL1", 8, 10, "PO1:1")],
        reschedule_in_days=3,
    )
    assert result.purchase_requests.select("request_id", "qty", "need_date").rows() == [
        ("PPR-A-PL1-20261126-1", 10.0, day(3))
    ]
    assert result.action_messages.is_empty()
    assert pegs_of(result) == [
        ("PPR-A-PL1-20261126-1", "SO1:1", 10.0),
        ("PO1:1", "SO2:1", 10.0),
    ]


def test_reschedule_in_pulls_only_what_the_shortfall_needs():
    # shortfall of 10 on day 3; PO1 (10, day 5) and PO2 (10, day 6) both in the
    # window. PO1 alone covers it, PO2 stays on day 6 and covers day 6's 10.
    result = plan(
        [sku("A")],
        demands=[demand("A@PL1", 3, 10, "SO1:1"), demand("A@PL1", 6, 10, "SO2:1")],
        receipts=[receipt("A@PL1", 5, 10, "PO1:1"), receipt("A@PL1", 6, 10, "PO2:1")],
    )
    assert messages(result) == [("PO1:1", "expedite", day(5), day(3), 10.0, 10.0)]
    assert result.planned_orders.is_empty()


def test_receipt_well_before_its_need_is_deferred():
    # PO1 of 20 arrives day 2; the only demand, 20, is on day 10: 8 days early.
    result = plan(
        [sku("A")],
        demands=[demand("A@PL1", 10, 20, "SO1:1")],
        receipts=[receipt("A@PL1", 2, 20, "PO1:1")],
    )
    assert messages(result) == [("PO1:1", "defer", day(2), day(10), 20.0, 20.0)]
    assert result.planned_orders.is_empty()


def test_receipt_needed_for_safety_stock_is_needed_on_its_own_day():
    # safety stock 5, no stock: day 0 needs 5 at once; PO1 of 5 due day 6 is
    # pulled in to day 0 (expedite), it is not deferred to any later demand.
    result = plan(
        [sku("A", safety_stock=5.0)],
        demands=[demand("A@PL1", 20, 3, "SO1:1")],
        receipts=[receipt("A@PL1", 6, 5, "PO1:1")],
    )
    # day 0: PO1 pulled in (6 <= 14), 5 = safety stock; day 20: 5 - 3 = 2 -> order 3
    assert messages(result) == [("PO1:1", "expedite", day(6), day(0), 5.0, 5.0)]
    assert result.purchase_requests.select("qty", "need_date").rows() == [(3.0, day(20))]


def test_receipt_nothing_needs_is_cancelled():
    result = plan([sku("A")], receipts=[receipt("A@PL1", 4, 15, "PO1:1")])
    assert messages(result) == [("PO1:1", "cancel", day(4), day(4), 15.0, 0.0)]


def test_receipt_larger_than_needed_is_reduced_to_what_is_pegged():
    # PO1 of 100 on day 2 against 60 on day 2: 60 < 95 % of 100 -> reduce to 60
    result = plan(
        [sku("A")],
        demands=[demand("A@PL1", 2, 60, "SO1:1")],
        receipts=[receipt("A@PL1", 2, 100, "PO1:1")],
    )
    assert messages(result) == [("PO1:1", "reduce", day(2), day(2), 100.0, 60.0)]


def test_one_receipt_can_get_expedite_and_reduce():
    # PO1 of 100 due day 9 pulled in to day 3 for a demand of 30: expedite, and
    # reduce to the 30 it covers.
    result = plan(
        [sku("A")],
        demands=[demand("A@PL1", 3, 30, "SO1:1")],
        receipts=[receipt("A@PL1", 9, 100, "PO1:1")],
    )
    assert messages(result) == [
        ("PO1:1", "expedite", day(9), day(3), 100.0, 100.0),
        ("PO1:1", "reduce", day(9), day(3), 100.0, 30.0),
    ]


@pytest.mark.parametrize(
    ("due", "demand_day", "tolerance_days", "expected"),
    [
        # one day late: pulled in, but a 1-day move is within the default tolerance
        (4, 3, 1, []),
        (4, 3, 0, [("PO1:1", "expedite", day(4), day(3), 10.0, 10.0)]),
        # one day early: within tolerance; with none, a defer
        (2, 3, 1, []),
        (2, 3, 0, [("PO1:1", "defer", day(2), day(3), 10.0, 10.0)]),
        # two days early: beyond the default tolerance
        (2, 4, 1, [("PO1:1", "defer", day(2), day(4), 10.0, 10.0)]),
        (2, 4, 2, []),
    ],
)
def test_date_tolerance_suppresses_small_moves(due, demand_day, tolerance_days, expected):
    result = plan(
        [sku("A")],
        demands=[demand("A@PL1", demand_day, 10, "SO1:1")],
        receipts=[receipt("A@PL1", due, 10, "PO1:1")],
        action_tolerance_days=tolerance_days,
    )
    assert messages(result) == expected
    assert result.planned_orders.is_empty()


@pytest.mark.parametrize(
    ("needed", "tolerance_pct", "expected"),
    [
        (96.0, 5.0, []),  # 4 % excess: within 5 %
        (95.0, 5.0, []),  # exactly 5 %: still within
        (94.0, 5.0, [("PO1:1", "reduce", day(2), day(2), 100.0, 94.0)]),
        (96.0, 0.0, [("PO1:1", "reduce", day(2), day(2), 100.0, 96.0)]),
        (50.0, 60.0, []),  # 50 % excess within a 60 % tolerance
    ],
)
def test_quantity_tolerance_suppresses_small_reductions(needed, tolerance_pct, expected):
    result = plan(
        [sku("A")],
        demands=[demand("A@PL1", 2, needed, "SO1:1")],
        receipts=[receipt("A@PL1", 2, 100, "PO1:1")],
        action_tolerance_pct=tolerance_pct,
    )
    assert messages(result) == expected


def dc_and_plant():
    return [
        sku("X", "DC1", replenishment="transfer", source_location_id="PL1"),
        sku("X", "PL1", on_hand=100.0, low_level_code=1),
    ]


def test_in_transit_transfers_never_get_messages():
    # T1 (10, in transit) arrives day 5 at DC1 but 10 are needed on day 1: it
    # cannot be pulled in, so a planned transfer of 10 arrives day 1. T1 then
    # covers nothing (a cancel if it could move). T2 (10, in transit) arrives
    # day 2 for a need on day 12 (a defer if it could move).
    result = plan(
        dc_and_plant(),
        demands=[demand("X@DC1", 1, 10, "SO1:1"), demand("X@DC1", 12, 10, "SO2:1")],
        receipts=[
            receipt("X@DC1", 5, 10, "T1", kind="transfer", status="in_transit"),
            receipt("X@DC1", 2, 10, "T2", kind="transfer", status="in_transit"),
        ],
    )
    assert result.action_messages.is_empty()
    assert result.transfer_orders.select("order_id", "qty", "ship_date").rows() == [
        ("PTO-X-DC1-20261124-1", 10.0, day(1))
    ]
    # the receipts stay on their days
    assert result.projected_inventory.filter(pl.col("location_id") == "DC1").sort("date").select(
        "date", "scheduled_receipts"
    ).rows() == [(day(0), 0.0), (day(1), 0.0), (day(2), 10.0), (day(5), 10.0), (day(12), 0.0)]


def test_transfer_not_yet_shipped_is_moved_like_any_receipt():
    # the same transfer T1, not shipped: it is pulled in from day 5 to day 1
    result = plan(
        dc_and_plant(),
        demands=[demand("X@DC1", 1, 10, "SO1:1")],
        receipts=[receipt("X@DC1", 5, 10, "T1", kind="transfer", status="not_shipped")],
    )
    assert messages(result) == [("T1", "expedite", day(5), day(1), 10.0, 10.0)]
    assert result.transfer_orders.is_empty()


def test_safety_stock_without_any_demand_is_pegged():
    # no demand anywhere; safety stock 3 and nothing on hand: a planned order
    # of 3 on day 0, pegged to the buffer.
    result = plan([sku("A", safety_stock=3.0)])
    assert result.pegging.select("supply_id", "demand_id", "qty").rows() == [
        ("PPR-A-PL1-20261123-1", "safety_stock", 3.0)
    ]
