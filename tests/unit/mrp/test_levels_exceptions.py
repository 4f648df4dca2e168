"""Planning order over the SKU graph (cycles, SKUs below them), invalid network
data, lot policies missing a parameter, the MPS time fence, and the exceptions
a plan reports, each worked by hand through the whole plan."""

from __future__ import annotations

import polars as pl
import pytest
from mrp_fixtures import AS_OF, bom_line, day, demand, plan, receipt, sku


def exception_rows(result, category: str) -> list[tuple]:
    return (
        result.exceptions.filter(pl.col("category") == category)
        .sort("item_id", "location_id", "date", "ref_id")
        .select("severity", "item_id", "location_id", "ref_id", "date", "qty", "message")
        .rows()
    )


def orders_of(result) -> list[tuple]:
    """(order_id, receipt qty, receipt day) of every planned order, by id."""
    return (
        result.planned_orders.sort("order_id")
        .select("order_id", "receipt_qty", "receipt_day")
        .rows()
    )


def cycle_skus():
    # A and B are made from each other (the marts leave both without a low-level
    # code, on a cycle); B also needs 2 D, which is below the cycle (no code,
    # not on it); C is unrelated (code 0).
    return [
        sku("A", replenishment="make", low_level_code=None, is_on_cycle=True),
        sku("B", replenishment="make", lead_time_days=1, low_level_code=None, is_on_cycle=True),
        sku("C"),
        sku("D", low_level_code=None),
    ]


CYCLE_BOM = [bom_line("A", "B", 1.0), bom_line("B", "A", 1.0), bom_line("B", "D", 2.0)]
CYCLE_DEMAND = [
    demand("A@PL1", 5, 10, "SO1:1"),
    demand("B@PL1", 6, 4, "SO2:1"),
    demand("C@PL1", 2, 5, "SO3:1"),
]


def test_cycle_is_reported_once_and_every_sku_is_still_planned():
    # A: 10 on day 5 -> PWO of 10 due day 5. B: 4 on day 6, lead time 1 -> PWO
    # of 4 started day 5. C: PPR of 5 on day 2. The cycle is one invalid_data
    # row on its first SKU naming both.
    result = plan(cycle_skus(), bom=CYCLE_BOM, demands=CYCLE_DEMAND)
    assert exception_rows(result, "invalid_data") == [
        (
            "medium",
            "A",
            "PL1",
            "A@PL1, B@PL1",
            AS_OF,
            None,
            "SKUs on a cycle of BOM and transfer links: A@PL1, B@PL1;"
            " they are planned, but requirements are not passed around the cycle",
        )
    ]
    orders = orders_of(result)
    assert ("PWO-A-PL1-20261128-1", 10.0, 5) in orders
    assert ("PWO-B-PL1-20261129-1", 4.0, 6) in orders
    assert ("PPR-C-PL1-20261125-1", 5.0, 2) in orders


def test_sku_below_a_cycle_is_planned_after_it():
    # B's work order of 4 starts on day 5 and needs 2 D each: D gets 8 on day 5
    # and buys them (lead time 0). Requirements around the cycle (A's order
    # needing B, B's needing A) are not passed: A and B plan only their own
    # sales orders, and their projected inventory holds nothing else.
    result = plan(cycle_skus(), bom=CYCLE_BOM, demands=CYCLE_DEMAND)
    assert orders_of(result) == [
        ("PPR-C-PL1-20261125-1", 5.0, 2),
        ("PPR-D-PL1-20261128-1", 8.0, 5),
        ("PWO-A-PL1-20261128-1", 10.0, 5),
        ("PWO-B-PL1-20261129-1", 4.0, 6),
    ]
    gross = result.projected_inventory.group_by("item_id").agg(pl.col("gross_requirements").sum())
    assert dict(gross.sort("item_id").rows()) == {"A": 10.0, "B": 4.0, "C": 5.0, "D": 8.0}


def test_requirements_not_passed_around_a_cycle_are_not_pegged_either():
    # every sales order is covered on time by its SKU's own planned order: no
    # late demand. The requirements netting dropped on the cycle must not
    # appear in the pegging (A's 10 would otherwise go partly to B's order's
    # component demand on the same day 5).
    result = plan(cycle_skus(), bom=CYCLE_BOM, demands=CYCLE_DEMAND)
    assert exception_rows(result, "late_demand") == []
    assert sorted(result.pegging.select("supply_id", "demand_id", "qty").rows()) == [
        ("PPR-C-PL1-20261125-1", "SO3:1", 5.0),
        ("PPR-D-PL1-20261128-1", "PWO-B-PL1-20261129-1:D", 8.0),
        ("PWO-A-PL1-20261128-1", "SO1:1", 10.0),
        ("PWO-B-PL1-20261129-1", "SO2:1", 4.0),
    ]


def test_planning_follows_low_level_codes_across_three_levels():
    # P (code 0) needs 2 S; S (code 1, lead time 2) needs 3 R; R (code 2) is
    # also needed directly by P, 1 each. P: 5 on day 6 -> PWO 5 start day 6.
    # S: 10 on day 6 -> PWO 10, start day 4. R: 5 on day 6 (from P) and
    # 30 on day 4 (from S) -> 30 on day 4, 5 on day 6. R is planned only once
    # both parents' orders are known.
    result = plan(
        [
            sku("P", replenishment="make"),
            sku("S", replenishment="make", lead_time_days=2, low_level_code=1),
            sku("R", low_level_code=2),
        ],
        bom=[bom_line("P", "S", 2.0), bom_line("S", "R", 3.0), bom_line("P", "R", 1.0)],
        demands=[demand("P@PL1", 6, 5, "SO1:1")],
    )
    assert orders_of(result) == [
        ("PPR-R-PL1-20261127-1", 30.0, 4),
        ("PPR-R-PL1-20261129-1", 5.0, 6),
        ("PWO-P-PL1-20261129-1", 5.0, 6),
        ("PWO-S-PL1-20261129-1", 10.0, 6),
    ]
    assert result.exceptions.is_empty()


def test_bom_component_without_a_sku_is_reported():
    # P needs Z, which has no SKU at PL1: P is planned, Z's requirement is not
    result = plan(
        [sku("P", replenishment="make")],
        bom=[bom_line("P", "Z", 1.0, is_component_stocked=False)],
        demands=[demand("P@PL1", 3, 6, "SO1:1")],
    )
    assert orders_of(result) == [("PWO-P-PL1-20261126-1", 6.0, 3)]
    assert exception_rows(result, "invalid_data") == [
        (
            "medium",
            "P",
            "PL1",
            "Z@PL1",
            AS_OF,
            None,
            "component Z of P@PL1 has no SKU at PL1: its requirements are not planned",
        )
    ]
    assert result.exceptions.height == 1


def test_transfer_sku_without_a_source_sku_is_reported():
    # X at DC1 is resupplied from PL9, where X has no SKU: the planned transfer
    # (6 received day 4, shipped day 2) is still made, but nothing plans PL9.
    result = plan(
        [sku("X", "DC1", replenishment="transfer", source_location_id="PL9", lead_time_days=2)],
        demands=[demand("X@DC1", 4, 6, "SO1:1")],
    )
    assert result.transfer_orders.select(
        "order_id", "from_location_id", "qty", "ship_date", "receipt_date"
    ).rows() == [("PTO-X-DC1-20261127-1", "PL9", 6.0, day(2), day(4))]
    assert exception_rows(result, "invalid_data") == [
        (
            "medium",
            "X",
            "DC1",
            "X@PL9",
            AS_OF,
            None,
            "transfer source X@PL9 is not a SKU: planned transfers get no supply there",
        )
    ]
    assert result.exceptions.height == 1


@pytest.mark.parametrize(
    ("policy", "parameters"),
    [
        ("fixed", {}),  # no lot_size
        ("eoq", {"unit_cost": 2.0, "holding_rate": 0.2}),  # no order_cost
        ("wagner_whitin", {"order_cost": 50.0, "unit_cost": 2.0}),  # no holding_rate
        ("period", {}),  # no period_days
    ],
)
def test_policy_lacking_its_parameter_falls_back_to_lot_for_lot(policy, parameters):
    # lot for lot: 7 on day 1 and 5 on day 3 are ordered as they are
    result = plan(
        [sku("F", lot_policy=policy, **parameters)],
        demands=[demand("F@PL1", 1, 7, "SO1:1"), demand("F@PL1", 3, 5, "SO2:1")],
    )
    assert orders_of(result) == [
        ("PPR-F-PL1-20261124-1", 7.0, 1),
        ("PPR-F-PL1-20261126-1", 5.0, 3),
    ]
    assert exception_rows(result, "invalid_data") == [
        (
            "low",
            "F",
            "PL1",
            "F@PL1",
            AS_OF,
            None,
            f"lot policy {policy} lacks lot_size, period_days, or order_cost, unit_cost"
            " and holding_rate; planned lot for lot",
        )
    ]
    assert result.exceptions.height == 1


# --- the MPS time fence ------------------------------------------------------


def test_mps_time_fence_holds_new_supply_until_the_fence():
    # M is an end item (MPS), N is not; a 5-day fence. Both need 10 (sales
    # order) on day 2; M also 3 (forecast) on day 3 and 4 on day 8.
    # N: a planned order of 10 on day 2.
    # M: day 2: -10, day 3: -13, no new supply inside the fence; on day 5 a
    # planned order of 13 brings it to 0; day 8: 4 more, ordered on day 8.
    result = plan(
        [
            sku("M", replenishment="make", lead_time_days=1, is_mps_item=True),
            sku("N", replenishment="make", lead_time_days=1),
        ],
        demands=[
            demand("M@PL1", 2, 10, "SO1:1"),
            demand("M@PL1", 3, 3, "M@PL1:2026-11-23", kind="forecast"),
            demand("M@PL1", 8, 4, "SO2:1"),
            demand("N@PL1", 2, 10, "SO3:1"),
        ],
        mps_time_fence_days=5,
    )
    work_orders = result.work_orders.sort("order_id")
    assert work_orders.select("order_id", "qty", "start_date", "due_date").rows() == [
        ("PWO-M-PL1-20261128-1", 13.0, day(4), day(5)),
        ("PWO-M-PL1-20261201-1", 4.0, day(7), day(8)),
        ("PWO-N-PL1-20261125-1", 10.0, day(1), day(2)),
    ]
    m_projection = (
        result.projected_inventory.filter(pl.col("item_id") == "M")
        .sort("date")
        .filter(
            (pl.col("gross_requirements") > 0)
            | (pl.col("planned_receipts") > 0)
            | (pl.col("date") == AS_OF)
        )
        .select("date", "projected_on_hand")
        .rows()
    )
    assert m_projection == [
        (day(0), 0.0),
        (day(2), -10.0),
        (day(3), -13.0),
        (day(5), 0.0),
        (day(8), 0.0),
    ]
    # the deepest gap, from the first day short
    assert exception_rows(result, "shortage") == [
        (
            "high",
            "M",
            "PL1",
            None,
            day(2),
            13.0,
            "projected on hand goes negative from 2026-11-25, down to -13.0",
        )
    ]
    # late (by date): the sales order is high severity, the forecast medium
    assert exception_rows(result, "late_demand") == [
        (
            "high",
            "M",
            "PL1",
            "SO1:1",
            day(2),
            10.0,
            "sales order SO1:1 due 2026-11-25: 10.0 covered late, by 2026-11-28 (3 days late)",
        ),
        (
            "medium",
            "M",
            "PL1",
            "M@PL1:2026-11-23",
            day(3),
            3.0,
            "forecast M@PL1:2026-11-23 due 2026-11-26: 3.0 covered late, by 2026-11-28"
            " (2 days late)",
        ),
    ]
    # the fence is not lead time: N's and M's orders start after as-of
    assert exception_rows(result, "lead_time_compressed") == []
    assert set(result.exceptions["category"]) == {"shortage", "late_demand"}


def test_mps_time_fence_of_zero_plans_end_items_like_any_sku():
    result = plan(
        [sku("M", is_mps_item=True)],
        demands=[demand("M@PL1", 2, 10, "SO1:1")],
    )
    assert orders_of(result) == [("PPR-M-PL1-20261125-1", 10.0, 2)]
    assert result.exceptions.is_empty()


def test_below_safety_stock_inside_the_fence():
    # MPS item, safety stock 10, on hand 12, 5 needed on day 1, fence 5 days:
    # day 1: 7 < 10 but no new supply inside the fence; day 5: 3 more brings it
    # back to 10. Below safety stock from day 1 by 3; never negative.
    result = plan(
        [sku("B", on_hand=12.0, safety_stock=10.0, is_mps_item=True)],
        demands=[demand("B@PL1", 1, 5, "SO1:1")],
        mps_time_fence_days=5,
    )
    assert orders_of(result) == [("PPR-B-PL1-20261128-1", 3.0, 5)]
    assert result.exceptions.select(
        "category", "severity", "item_id", "ref_id", "date", "qty", "message"
    ).rows() == [
        (
            "below_safety_stock",
            "low",
            "B",
            None,
            day(1),
            3.0,
            "projected on hand falls to 7.0, below safety stock 10.0, from 2026-11-24",
        )
    ]


def test_negative_stock_is_a_shortage_not_below_safety_stock():
    # same, with 3 on hand: day 0 is already below safety stock (3 < 10) and
    # day 1 goes to -2. One shortage row; no below_safety_stock row.
    result = plan(
        [sku("B", on_hand=3.0, safety_stock=10.0, is_mps_item=True)],
        demands=[demand("B@PL1", 1, 5, "SO1:1")],
        mps_time_fence_days=5,
    )
    assert orders_of(result) == [("PPR-B-PL1-20261128-1", 12.0, 5)]
    assert exception_rows(result, "below_safety_stock") == []
    assert [row[4:6] for row in exception_rows(result, "shortage")] == [(day(1), 2.0)]


# --- stock that is not available ---------------------------------------------


def test_qa_hold_reported_while_new_supply_is_needed():
    # on hand 2 available, 5 in QA hold, 3 blocked; 10 needed on day 4: only
    # the 2 available net, so 8 is planned on day 4, while 8 sit in QA / blocked.
    result = plan(
        [sku("Q", on_hand=2.0, qa_hold=5.0, blocked=3.0)],
        demands=[demand("Q@PL1", 4, 10, "SO1:1")],
    )
    assert orders_of(result) == [("PPR-Q-PL1-20261127-1", 8.0, 4)]
    assert exception_rows(result, "qa_hold_blocking") == [
        (
            "medium",
            "Q",
            "PL1",
            None,
            day(4),
            8.0,
            "5.0 in QA hold and 3.0 blocked while new supply is needed from 2026-11-27;"
            " releasing them would cover part of it",
        )
    ]
    assert result.exceptions.height == 1


def test_qa_hold_not_reported_when_available_stock_suffices():
    result = plan(
        [sku("Q", on_hand=10.0, qa_hold=5.0)],
        demands=[demand("Q@PL1", 4, 10, "SO1:1")],
    )
    assert result.planned_orders.is_empty()
    assert result.exceptions.is_empty()


def test_excess_inventory_is_stock_no_demand_draws_on():
    # Excess: on hand beyond safety stock and every requirement of the horizon.
    # G: on hand 100, safety stock 10, 30 needed on day 3: 100 - 10 - 30 = 60,
    # worth 60 * 2.0 = 120.
    # H: 40 on hand and no demand: all 40; its PO of 5 (day 6) is not stock on
    # hand, it gets a cancel message instead.
    # K: what a fixed lot leaves over (50 bought for 30) is not excess.
    result = plan(
        [
            sku("G", on_hand=100.0, safety_stock=10.0, unit_cost=2.0),
            sku("H", on_hand=40.0),
            sku("K", lot_policy="fixed", lot_size=50.0),
        ],
        demands=[demand("G@PL1", 3, 30, "SO1:1"), demand("K@PL1", 2, 30, "SO2:1")],
        receipts=[receipt("H@PL1", 6, 5, "PO1:1")],
    )
    excess = exception_rows(result, "excess_inventory")
    assert [row[:6] for row in excess] == [
        ("low", "G", "PL1", None, AS_OF, 60.0),
        ("low", "H", "PL1", None, AS_OF, 40.0),
    ]
    # the message states the quantity, and the value where the unit cost is known
    g_message, h_message = (row[6] for row in excess)
    assert g_message.startswith("60.0 units ")
    assert g_message.endswith(" (value 120.0)")
    assert h_message.startswith("40.0 units ")
    assert "value" not in h_message
    assert result.action_messages.select("supply_id", "action").rows() == [("PO1:1", "cancel")]
