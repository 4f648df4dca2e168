"""Working calendars and whole units, hand-worked: receipts move to the last
working (or open) day before a closed day, starts to a working day of the
plant, ships to an open day of the source; integer_qty items are planned and
required in whole units, per order.

As-of is Monday 2026-11-23 (day 0); day 3 is Thanksgiving, days 5 and 6 the
first weekend."""

from __future__ import annotations

import numpy as np
import polars as pl
from mrp_fixtures import AS_OF, HORIZON_DAYS, bom_line, calendar, day, demand, plan, receipt, sku
from polars.testing import assert_frame_equal

from planning.mrp.calendars import ALWAYS, location_calendars
from planning.mrp.orders import MAX_PIECES_PER_LOT

WEEKENDS = {n for n in range(HORIZON_DAYS) if n % 7 in (5, 6)}
THANKSGIVING = 3


def test_calendars_give_the_nearest_day_on_either_side():
    # PL1 closed on day 3, idle (open, no shift) on days 5 and 6; 8-day horizon
    calendars = location_calendars(
        pl.DataFrame(calendar("PL1", holidays={3}, idle={5, 6}, days=8)), AS_OF, 8
    )
    assert calendars.locations.to_list() == ["PL1"]
    open_days, working_days = 1, 2
    assert calendars.last_day[ALWAYS].tolist() == list(range(8))
    assert calendars.last_day[open_days].tolist() == [0, 1, 2, 2, 4, 5, 6, 7]
    assert calendars.last_day[working_days].tolist() == [0, 1, 2, 2, 4, 4, 4, 7]
    assert calendars.first_day[working_days].tolist() == [0, 1, 2, 4, 4, 7, 7, 7]
    frame = pl.DataFrame({"location_id": ["PL1", "PL1", "DC9"], "working": [True, False, True]})
    calendar_of = frame.select(calendars.of(pl.col("location_id"), pl.col("working")))
    assert calendar_of.to_series().to_list() == [working_days, open_days, ALWAYS]
    days = pl.DataFrame({"calendar": [working_days] * 4, "day": [-2, 3, 6, 9]})
    moved = days.select(
        last=calendars.last_on_or_before(pl.col("calendar"), pl.col("day")),
        first=calendars.first_on_or_after(pl.col("calendar"), pl.col("day")),
    )
    # before as-of there is no day; after the last day of the horizon, the day itself
    assert moved.rows() == [(-1, 0), (2, 4), (4, 7), (7, 9)]
    assert np.array_equal(
        location_calendars(pl.DataFrame(calendar("PL1", days=8)), AS_OF, 8).last_day,
        np.tile(np.arange(8), (3, 1)),
    )


def test_a_holiday_and_a_weekend_move_work_orders_to_working_days():
    # P is made at PL1 in 2 days. SO1 (10) is due on Thanksgiving (day 3): it
    # is made by Wednesday (day 2), started on Monday (day 0). SO2 (5) is due
    # on Sunday (day 6): made by Friday (day 4), started on Wednesday (day 2).
    # SO3 (8) is due on Tuesday (day 8): received that day, it should start
    # on Sunday (day 6) and starts on the Friday before (day 4).
    result = plan(
        [sku("P", replenishment="make", lead_time_days=2)],
        demands=[
            demand("P@PL1", 3, 10, "SO1:1"),
            demand("P@PL1", 6, 5, "SO2:1"),
            demand("P@PL1", 8, 8, "SO3:1"),
        ],
        calendars=calendar("PL1", holidays={THANKSGIVING}, idle=WEEKENDS),
    )
    assert_frame_equal(
        result.work_orders.select("order_id", "qty", "start_date", "due_date"),
        pl.DataFrame(
            {
                "order_id": [
                    "PWO-P-PL1-20261125-1",
                    "PWO-P-PL1-20261127-1",
                    "PWO-P-PL1-20261201-1",
                ],
                "qty": [10.0, 5.0, 8.0],
                "start_date": [day(0), day(2), day(4)],
                "due_date": [day(2), day(4), day(8)],
            }
        ),
    )
    # the receipts are in stock from the day they arrive, days before the demand
    assert_frame_equal(
        result.projected_inventory.select(
            "date", "gross_requirements", "planned_receipts", "projected_on_hand"
        ),
        pl.DataFrame(
            {
                "date": [day(0), day(2), day(3), day(4), day(6), day(8)],
                "gross_requirements": [0.0, 0.0, 10.0, 0.0, 5.0, 8.0],
                "planned_receipts": [0.0, 10.0, 0.0, 5.0, 0.0, 8.0],
                "projected_on_hand": [0.0, 10.0, 0.0, 5.0, 0.0, 0.0],
            }
        ),
    )
    assert result.pegging.select("supply_id", "demand_id", "supply_date", "demand_date").rows() == [
        ("PWO-P-PL1-20261125-1", "SO1:1", day(2), day(3)),
        ("PWO-P-PL1-20261127-1", "SO2:1", day(4), day(6)),
        ("PWO-P-PL1-20261201-1", "SO3:1", day(8), day(8)),
    ]
    assert result.exceptions.is_empty()


def test_what_a_closed_stretch_needs_arrives_in_one_lot_before_it():
    # Demand on Friday (day 4), Saturday and Sunday at a plant idle at the
    # weekend: one work order received on Friday covers all three.
    result = plan(
        [sku("P", replenishment="make", lead_time_days=1)],
        demands=[demand("P@PL1", d, 4, f"SO{d}:1") for d in (4, 5, 6)],
        calendars=calendar("PL1", idle=WEEKENDS),
    )
    assert result.work_orders.select("order_id", "qty", "start_date", "due_date").rows() == [
        ("PWO-P-PL1-20261127-1", 12.0, day(3), day(4))
    ]
    assert result.projected_inventory["projected_on_hand"].to_list() == [0.0, 8.0, 4.0, 0.0]


def test_a_shutdown_week_moves_transfers_work_orders_and_purchases():
    # PL1 shuts down from Saturday day 12 to Sunday day 20 (holidays on days
    # 14-18, idle weekends); DC1 stays open.
    # DC1 sells 20 on day 16; the transfer (2 days) is received that day and
    # ships from PL1 on day 14, a holiday: it ships on the last open day
    # before, Sunday day 13, and PL1 needs 20 on day 13.
    # PL1 makes P in 3 days: received on the last working day, Friday day 11,
    # started on Tuesday day 8. Each P takes one C, bought in 4 days: 20 on
    # day 8, ordered on day 4 (an office date; purchases do not move).
    # C also has its own sales order of 6 on day 15, a holiday: received on
    # day 13 (open, no shifts needed to receive), ordered on day 9.
    plant_closed = set(range(14, 19))
    result = plan(
        [
            sku("P", "DC1", replenishment="transfer", source_location_id="PL1", lead_time_days=2),
            sku("P", replenishment="make", lead_time_days=3, low_level_code=1),
            sku("C", lead_time_days=4, low_level_code=2),
        ],
        bom=[bom_line("P", "C", 1.0)],
        demands=[demand("P@DC1", 16, 20, "SO1:1"), demand("C@PL1", 15, 6, "SO2:1")],
        calendars=calendar("PL1", holidays=plant_closed, idle=WEEKENDS) + calendar("DC1"),
    )
    assert result.transfer_orders.select("order_id", "qty", "ship_date", "receipt_date").rows() == [
        ("PTO-P-DC1-20261209-1", 20.0, day(13), day(16))
    ]
    assert result.work_orders.select("order_id", "qty", "start_date", "due_date").rows() == [
        ("PWO-P-PL1-20261204-1", 20.0, day(8), day(11))
    ]
    assert result.purchase_requests.select(
        "request_id", "qty", "order_date", "need_date"
    ).rows() == [
        ("PPR-C-PL1-20261201-1", 20.0, day(4), day(8)),
        ("PPR-C-PL1-20261206-1", 6.0, day(9), day(13)),
    ]
    plant_stock = result.projected_inventory.filter(
        pl.col("item_id") == "P", pl.col("location_id") == "PL1"
    )
    assert plant_stock.select("date", "projected_on_hand").rows() == [
        (day(0), 0.0),
        (day(11), 20.0),
        (day(13), 0.0),
    ]
    assert result.exceptions.is_empty()


def test_a_work_order_due_before_as_of_allows_starts_on_the_first_working_day():
    # As-of (day 0) is a holiday at PL1. SO1 (10) is due on day 0: nothing can
    # be made that day, so it is made on day 1 and is late. SO2 (5) on day 2
    # needs 5 days of lead time: started on day 1, the first working day,
    # lead-time compressed by 4 days. A purchase at PL1 (office dates) is
    # ordered on as-of all the same.
    result = plan(
        [sku("P", replenishment="make", lead_time_days=5), sku("B", lead_time_days=3)],
        demands=[
            demand("P@PL1", 0, 10, "SO1:1"),
            demand("P@PL1", 2, 5, "SO2:1"),
            demand("B@PL1", 2, 1, "SO3:1"),
        ],
        calendars=calendar("PL1", holidays={0}),
    )
    assert result.work_orders.select(
        "order_id", "start_date", "due_date", "is_lead_time_compressed"
    ).rows() == [
        ("PWO-P-PL1-20261124-1", day(1), day(1), True),
        ("PWO-P-PL1-20261125-1", day(1), day(2), True),
    ]
    assert result.purchase_requests.select("order_date", "need_date").rows() == [(AS_OF, day(2))]
    compressed = result.exceptions.filter(pl.col("category") == "lead_time_compressed")
    assert compressed.select("ref_id", "date", "message").rows() == [
        (
            "PPR-B-PL1-20261125-1",
            AS_OF,
            "PPR-B-PL1-20261125-1 needs 1 more days of lead time than remain before its due date"
            " 2026-11-25",
        ),
        (
            "PWO-P-PL1-20261124-1",
            day(1),
            "PWO-P-PL1-20261124-1 needs 5 more days of lead time than remain before its due date"
            " 2026-11-24",
        ),
        (
            "PWO-P-PL1-20261125-1",
            day(1),
            "PWO-P-PL1-20261125-1 needs 4 more days of lead time than remain before its due date"
            " 2026-11-25",
        ),
    ]
    late = result.exceptions.filter(pl.col("category") == "late_demand")
    assert late["ref_id"].to_list() == ["SO1:1"]


def test_whole_units_through_a_bom_with_scrap_per_order():
    # P (whole units) is made from C, 1.5 a unit with 10 % scrap: 1.5 / 0.9 =
    # 1.666.. C a unit started. The order of 7 P needs 11.666.. -> 12 C, the
    # order of 2 P needs 3.333.. -> 4 C: 16, where pooled it would be 15.
    # F (fractional) is made from the same C: 3 F need 5 C exactly, 1.5 F
    # need 2.5 C, rounded up to 3: C is counted in whole units whoever needs it.
    result = plan(
        [
            sku("P", replenishment="make", integer_qty=True),
            sku("F", replenishment="make"),
            sku("C", integer_qty=True, low_level_code=1),
        ],
        bom=[bom_line("P", "C", 1.5 / 0.9), bom_line("F", "C", 1.5 / 0.9)],
        demands=[
            demand("P@PL1", 2, 7, "SO1:1"),
            demand("P@PL1", 5, 2, "SO2:1"),
            demand("F@PL1", 9, 3, "SO3:1"),
            demand("F@PL1", 12, 1.5, "SO4:1"),
        ],
    )
    component_demand = result.pegging.filter(pl.col("item_id") == "C")
    assert component_demand.select("demand_id", "qty").rows() == [
        ("PWO-P-PL1-20261125-1:C", 12.0),
        ("PWO-P-PL1-20261128-1:C", 4.0),
        ("PWO-F-PL1-20261202-1:C", 5.0),
        ("PWO-F-PL1-20261205-1:C", 3.0),
    ]
    assert result.purchase_requests["qty"].to_list() == [12.0, 4.0, 5.0, 3.0]
    assert result.work_orders.filter(pl.col("item_id") == "F")["qty"].to_list() == [3.0, 1.5]


def test_whole_units_after_lot_sizing_yield_and_the_split_at_max_qty():
    # W (whole units): 10.25 needed -> min 4 -> multiple 0.5: 10.5 -> 11;
    # split at max_qty 4.5, which holds 4 whole units: 4 + 4 + 3. Made at a
    # yield of 0.9: 4 / 0.9 = 4.44 -> 5 started, 3 / 0.9 = 3.33 -> 4.
    # 12.0000000001 of float noise is ordered as 12, not 13.
    result = plan(
        [
            sku(
                "W",
                replenishment="make",
                integer_qty=True,
                min_qty=4.0,
                multiple=0.5,
                max_qty=4.5,
                yield_rate=0.9,
            ),
            sku("N", integer_qty=True),
        ],
        demands=[demand("W@PL1", 1, 10.25, "SO1:1"), demand("N@PL1", 1, 12.0000000001, "SO2:1")],
    )
    assert result.work_orders.select("order_id", "qty", "good_qty").rows() == [
        ("PWO-W-PL1-20261124-1", 5.0, 4.0),
        ("PWO-W-PL1-20261124-2", 5.0, 4.0),
        ("PWO-W-PL1-20261124-3", 4.0, 3.0),
    ]
    assert result.purchase_requests["qty"].to_list() == [12.0]


def test_a_lot_absurd_for_its_max_qty_splits_into_a_bounded_number_of_orders():
    # 1e15 units at max_qty 100 would be 1e13 orders: 999 of 100, the last
    # one the rest, so the plan still holds every unit
    result = plan(
        [sku("H", replenishment="make", max_qty=100.0)],
        demands=[demand("H@PL1", 1, 1e15, "SO1:1")],
    )
    orders = result.work_orders
    assert orders.height == MAX_PIECES_PER_LOT
    assert orders["qty"].sum() == 1e15
    assert sorted(orders["qty"].value_counts().rows()) == [
        (100.0, MAX_PIECES_PER_LOT - 1),
        (1e15 - (MAX_PIECES_PER_LOT - 1) * 100, 1),
    ]


def test_a_receipt_needed_on_a_weekend_is_deferred_to_the_friday_before():
    # WO1 (10 P) is due on as-of but first needed on Sunday (day 6), when
    # the plant does not work: deferred to Friday (day 4).
    result = plan(
        [sku("P", replenishment="make")],
        demands=[demand("P@PL1", 6, 10, "SO1:1")],
        receipts=[receipt("P@PL1", 0, 10, "WO1", kind="work_order", status="released")],
        calendars=calendar("PL1", idle=WEEKENDS),
    )
    assert result.action_messages.select("supply_id", "action", "suggested_date").rows() == [
        ("WO1", "defer", day(4))
    ]
