"""Hand-worked examples in the style of the standard MRP textbooks, planned by
the whole engine and compared exactly with the hand computation."""

from __future__ import annotations

import polars as pl
from mrp_fixtures import AS_OF, bom_line, day, demand, plan, receipt, sku
from polars.testing import assert_frame_equal

from planning.mrp.buckets import date_of


def orders(plan_frame: pl.DataFrame) -> list[tuple]:
    """(order id, qty) rows, for exact comparison."""
    return plan_frame.select(plan_frame.columns[0], "qty").rows()


def test_lot_for_lot_with_safety_stock_and_scheduled_receipt():
    # on hand 20, safety stock 5, lead time 2; a PO of 10 due on day 3.
    # day 1: 20 - 10 = 10; day 3: 10 + 10 - 15 = 5 (= safety stock);
    # day 5: 5 - 20 = -15, net requirement 20, ordered on day 3.
    result = plan(
        [sku("A", on_hand=20.0, safety_stock=5.0, lead_time_days=2)],
        demands=[
            demand("A@PL1", 1, 10, "SO1:1"),
            demand("A@PL1", 3, 15, "SO2:1"),
            demand("A@PL1", 5, 20, "SO3:1"),
        ],
        receipts=[receipt("A@PL1", 3, 10, "PO1:1")],
    )
    assert_frame_equal(
        result.purchase_requests.select("request_id", "qty", "order_date", "need_date"),
        pl.DataFrame(
            {
                "request_id": ["PPR-A-PL1-20261128-1"],
                "qty": [20.0],
                "order_date": [day(3)],
                "need_date": [day(5)],
            }
        ),
    )
    assert_frame_equal(
        result.projected_inventory.select(
            "date",
            "gross_requirements",
            "scheduled_receipts",
            "planned_receipts",
            "projected_on_hand",
        ),
        pl.DataFrame(
            {
                "date": [day(0), day(1), day(3), day(5)],
                "gross_requirements": [0.0, 10.0, 15.0, 20.0],
                "scheduled_receipts": [0.0, 0.0, 10.0, 0.0],
                "planned_receipts": [0.0, 0.0, 0.0, 20.0],
                "projected_on_hand": [20.0, 10.0, 5.0, 5.0],
            }
        ),
    )
    assert result.action_messages.is_empty()
    assert result.exceptions.is_empty()


def test_multi_level_with_scrap_yield_and_safety_stock():
    # P (make, lead time 1, yield 0.8) needs 2 C per unit with 20 % scrap:
    # 2 / (1 - 0.2) = 2.5 C per unit started.
    # P: 10 good on day 4 -> start 12.5 on day 3; 8 good on day 6 -> 10 on day 5.
    # C (buy, lead time 2, on hand 50, safety stock 10): 12.5 * 2.5 = 31.25 on
    # day 3 leaves 18.75; 10 * 2.5 = 25 on day 5 leaves -6.25, so 16.25 is
    # needed on day 5, ordered on day 3.
    result = plan(
        [
            sku("P", replenishment="make", lead_time_days=1, yield_rate=0.8, is_mps_item=True),
            sku("C", lead_time_days=2, on_hand=50.0, safety_stock=10.0, low_level_code=1),
        ],
        bom=[bom_line("P", "C", 2.5)],
        demands=[demand("P@PL1", 4, 10, "SO1:1"), demand("P@PL1", 6, 8, "SO2:1")],
    )
    assert_frame_equal(
        result.work_orders.select("order_id", "qty", "good_qty", "start_date", "due_date"),
        pl.DataFrame(
            {
                "order_id": ["PWO-P-PL1-20261127-1", "PWO-P-PL1-20261129-1"],
                "qty": [12.5, 10.0],
                "good_qty": [10.0, 8.0],
                "start_date": [day(3), day(5)],
                "due_date": [day(4), day(6)],
            }
        ),
    )
    assert_frame_equal(
        result.purchase_requests.select("request_id", "qty", "order_date", "need_date"),
        pl.DataFrame(
            {
                "request_id": ["PPR-C-PL1-20261128-1"],
                "qty": [16.25],
                "order_date": [day(3)],
                "need_date": [day(5)],
            }
        ),
    )
    # each planned work order's components are pegged to it, first in first out
    component_pegs = result.pegging.filter(pl.col("item_id") == "C")
    assert component_pegs.select("supply_id", "demand_id", "qty").rows() == [
        ("on_hand", "PWO-P-PL1-20261127-1:C", 31.25),
        ("on_hand", "PWO-P-PL1-20261129-1:C", 18.75),
        ("PPR-C-PL1-20261128-1", "PWO-P-PL1-20261129-1:C", 6.25),
        ("PPR-C-PL1-20261128-1", "safety_stock", 10.0),
    ]


def test_fixed_lot_carries_the_remainder_forward():
    # lots of 50 against 30 a day: day 1 orders 50 (20 left), day 2 orders 50
    # (40 left), day 3 uses 30 of it and needs nothing.
    result = plan(
        [sku("F", lot_policy="fixed", lot_size=50.0)],
        demands=[demand("F@PL1", d, 30, f"SO{d}:1") for d in (1, 2, 3)],
    )
    assert orders(result.purchase_requests) == [
        ("PPR-F-PL1-20261124-1", 50.0),
        ("PPR-F-PL1-20261125-1", 50.0),
    ]
    assert result.projected_inventory["projected_on_hand"].to_list() == [0.0, 20.0, 40.0, 10.0]


def test_period_lot_covers_the_next_period_days():
    # 10 a day on days 0..5 and three-day periods: 30 on day 0, 30 on day 3
    result = plan(
        [sku("Q", lot_policy="period", period_days=3)],
        demands=[demand("Q@PL1", d, 10, f"SO{d}:1") for d in range(6)],
    )
    assert orders(result.purchase_requests) == [
        ("PPR-Q-PL1-20261123-1", 30.0),
        ("PPR-Q-PL1-20261126-1", 30.0),
    ]


def test_minimum_then_multiple_then_split_at_maximum():
    # day 0: 7 -> min 25 -> multiple of 10: 30, 23 left.
    # day 2: 100 -> net 77 -> 80 -> split at 40: 40 + 40, 3 left.
    result = plan(
        [sku("M", min_qty=25.0, multiple=10.0, max_qty=40.0)],
        demands=[demand("M@PL1", 0, 7, "SO1:1"), demand("M@PL1", 2, 100, "SO2:1")],
    )
    assert orders(result.purchase_requests) == [
        ("PPR-M-PL1-20261123-1", 30.0),
        ("PPR-M-PL1-20261125-1", 40.0),
        ("PPR-M-PL1-20261125-2", 40.0),
    ]
    assert result.projected_inventory["projected_on_hand"].to_list() == [23.0, 3.0]


def test_lead_time_compression_starts_on_as_of_and_is_reported():
    result = plan(
        [sku("L", lead_time_days=5)],
        demands=[demand("L@PL1", 2, 10, "SO1:1")],
    )
    assert_frame_equal(
        result.purchase_requests.select(
            "request_id", "order_date", "need_date", "is_lead_time_compressed"
        ),
        pl.DataFrame(
            {
                "request_id": ["PPR-L-PL1-20261125-1"],
                "order_date": [AS_OF],
                "need_date": [day(2)],
                "is_lead_time_compressed": [True],
            }
        ),
    )
    assert result.exceptions.select("category", "ref_id", "date", "qty").rows() == [
        ("lead_time_compressed", "PPR-L-PL1-20261125-1", AS_OF, 10.0)
    ]


def test_drp_transfers_become_demand_at_the_source_on_the_ship_date():
    # DC (transfer from PL1, 3 days in transit) has 5 on hand and 20 in transit
    # arriving on day 2. Forecast left after consumption: 30 on day 7;
    # a sales order of 10 on day 1.
    # day 1: 5 - 10 = -5 -> planned transfer of 5 received day 1, shipped day 0
    # (compressed). day 2: 0 + 20 = 20. day 7: 20 - 30 = -10 -> 10 received
    # day 7, shipped day 4. The plant SKU (on hand 8) gets 5 on day 0 and 10
    # on day 4: 8 - 5 = 3, then 3 - 10 = -7 -> a work order of 7 due day 4.
    result = plan(
        [
            sku(
                "X",
                "DC1",
                replenishment="transfer",
                source_location_id="PL1",
                lead_time_days=3,
                on_hand=5.0,
            ),
            sku("X", "PL1", replenishment="make", on_hand=8.0, low_level_code=1),
        ],
        demands=[
            demand("X@DC1", 1, 10, "SO1:1"),
            demand("X@DC1", 7, 30, "X@DC1:2026-11-30", kind="forecast"),
        ],
        receipts=[receipt("X@DC1", 2, 20, "T1", kind="transfer", status="in_transit")],
    )
    assert_frame_equal(
        result.transfer_orders.select(
            "order_id", "from_location_id", "to_location_id", "qty", "ship_date", "receipt_date"
        ),
        pl.DataFrame(
            {
                "order_id": ["PTO-X-DC1-20261124-1", "PTO-X-DC1-20261130-1"],
                "from_location_id": ["PL1", "PL1"],
                "to_location_id": ["DC1", "DC1"],
                "qty": [5.0, 10.0],
                "ship_date": [AS_OF, day(4)],
                "receipt_date": [day(1), day(7)],
            }
        ),
    )
    assert orders(result.work_orders) == [("PWO-X-PL1-20261127-1", 7.0)]
    # the in-transit transfer cannot be expedited, deferred or cancelled
    assert result.action_messages.is_empty()


def test_date_helpers_round_trip():
    assert pl.select(date_of(pl.lit(3), AS_OF)).item() == day(3)
