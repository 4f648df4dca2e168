"""Lot sizing: the Wagner-Whitin kernel on its published example, the rounding
rules (policy, then min_qty, then multiple), the economic order quantity, and
a Wagner-Whitin SKU planned end to end, all checked against hand computation."""

from __future__ import annotations

import itertools
import math

import numpy as np
import polars as pl
import pytest
from mrp_fixtures import day, demand, plan, sku
from polars.testing import assert_frame_equal

from planning.mrp.lot_sizing import (
    EOQ,
    FIXED,
    LOT_FOR_LOT,
    PERIOD,
    WAGNER_WHITIN,
    economic_order_qty,
    holding_cost_per_day,
    round_lot,
    wagner_whitin,
)

# Wagner and Whitin (1958), "Dynamic version of the economic lot size model",
# Management Science 5(1), the 12-month example.
WW_DEMAND = [69, 29, 36, 61, 61, 26, 34, 67, 45, 67, 79, 56]
WW_SETUP_COST = [85, 102, 102, 101, 98, 114, 105, 86, 119, 110, 98, 114]


def plan_cost(days, qty, order_cost, holding_cost, orders) -> float:
    """Setup cost of every order plus holding: each requirement is carried
    from the last order on or before it."""
    total = 0.0
    last_order = None
    for i, ordered in enumerate(orders):
        if ordered:
            last_order = i
            total += order_cost[i]
        assert last_order is not None, "a requirement comes before the first order"
        total += holding_cost * qty[i] * (days[i] - days[last_order])
    return total


def test_wagner_whitin_reproduces_the_1958_example():
    # The published optimum orders in months 1, 3, 5, 8, 10 and 11:
    #   month 1 covers 1-2:     85 + 29 * 1            = 114
    #   month 3 covers 3-4:    102 + 61 * 1            = 163
    #   month 5 covers 5-7:     98 + 26 * 1 + 34 * 2   = 192
    #   month 8 covers 8-9:     86 + 45 * 1            = 131
    #   month 10 covers 10:    110                     = 110
    #   month 11 covers 11-12:  98 + 56 * 1            = 154
    #                                           total  = 864
    days = np.arange(12, dtype=np.int64)
    qty = np.array(WW_DEMAND, dtype=np.float64)
    order_cost = np.array(WW_SETUP_COST, dtype=np.float64)

    orders = wagner_whitin(days, qty, order_cost, 1.0)

    assert np.flatnonzero(orders).tolist() == [0, 2, 4, 7, 9, 10]  # months 1, 3, 5, 8, 10, 11
    assert plan_cost(days, qty, order_cost, 1.0, orders) == pytest.approx(864.0)


def test_wagner_whitin_beats_every_other_grouping_of_a_small_case():
    # requirements 5, 10, 8, 7, 6 on days 0, 2, 3, 9, 10; order cost 30,
    # holding 1 a unit-day. Some groupings (the day-0 requirement always orders):
    #   {0, 9}:    30 + 10 * 2 + 8 * 3 + 30 + 6 * 1 = 110
    #   {0, 2, 9}: 30 + 30 + 8 * 1 + 30 + 6 * 1    = 104
    #   {0, 3, 9}: 30 + 10 * 2 + 30 + 30 + 6 * 1   = 116
    #   {0, 2, 3, 9}: 4 * 30 + 6                   = 126
    #   {0, 2}:    30 + 30 + 8 + 7 * 7 + 6 * 8     = 165
    # so the optimum orders on days 0, 2 and 9 (requirements 1, 2 and 4).
    days = np.array([0, 2, 3, 9, 10], dtype=np.int64)
    qty = np.array([5.0, 10.0, 8.0, 7.0, 6.0])
    cost = np.full(5, 30.0)

    orders = wagner_whitin(days, qty, cost, 1.0)

    assert np.flatnonzero(orders).tolist() == [0, 1, 3]
    assert plan_cost(days, qty, cost, 1.0, orders) == pytest.approx(104.0)
    every_grouping = [(True, *rest) for rest in itertools.product([False, True], repeat=4)]
    assert min(plan_cost(days, qty, cost, 1.0, g) for g in every_grouping) == pytest.approx(104.0)


def test_wagner_whitin_orders_every_period_when_holding_is_dear():
    days = np.array([0, 1, 2], dtype=np.int64)
    orders = wagner_whitin(days, np.array([10.0, 10.0, 10.0]), np.full(3, 5.0), 1.0)
    # carrying 10 units one day costs 10 > an order at 5
    assert orders.tolist() == [True, True, True]


@pytest.mark.parametrize(
    ("qty", "policy", "lot_size", "eoq_qty", "min_qty", "multiple", "expected"),
    [
        # lot for lot: the requirement itself
        (17.0, LOT_FOR_LOT, 0.0, 0.0, 0.0, 0.0, 17.0),
        # fixed: the smallest multiple of the lot size that covers it
        (120.0, FIXED, 50.0, 0.0, 0.0, 0.0, 150.0),
        (100.0, FIXED, 50.0, 0.0, 0.0, 0.0, 100.0),  # exactly two lots, not three
        (0.5, FIXED, 50.0, 0.0, 0.0, 0.0, 50.0),
        # eoq: at least the economic order quantity
        (30.0, EOQ, 0.0, 200.0, 0.0, 0.0, 200.0),
        (250.0, EOQ, 0.0, 200.0, 0.0, 0.0, 250.0),
        # period and wagner_whitin: the quantity already chosen
        (42.0, PERIOD, 0.0, 0.0, 0.0, 0.0, 42.0),
        (42.0, WAGNER_WHITIN, 0.0, 0.0, 0.0, 0.0, 42.0),
        # min then multiple: 7 -> 25 -> 30; 41 -> 41 -> 50; 60 stays 60
        (7.0, LOT_FOR_LOT, 0.0, 0.0, 25.0, 10.0, 30.0),
        (41.0, LOT_FOR_LOT, 0.0, 0.0, 25.0, 10.0, 50.0),
        (60.0, LOT_FOR_LOT, 0.0, 0.0, 25.0, 10.0, 60.0),
        # fixed 20 -> 30 (one lot), min 45 -> 45, multiple of 20 -> 60
        (20.0, FIXED, 30.0, 0.0, 45.0, 20.0, 60.0),
        # eoq 200 -> multiple of 12 -> 204
        (30.0, EOQ, 0.0, 200.0, 0.0, 12.0, 204.0),
        # period 42 -> min 50 -> multiple 25 -> 50
        (42.0, PERIOD, 0.0, 0.0, 50.0, 25.0, 50.0),
    ],
)
def test_round_lot(qty, policy, lot_size, eoq_qty, min_qty, multiple, expected):
    lot = round_lot(qty, policy, lot_size, eoq_qty, min_qty, multiple, False)
    assert lot == pytest.approx(expected)


@pytest.mark.parametrize(
    ("qty", "policy", "eoq_qty", "min_qty", "multiple", "expected"),
    [
        (11.2, LOT_FOR_LOT, 0.0, 0.0, 0.0, 12.0),
        (12.0000000001, LOT_FOR_LOT, 0.0, 0.0, 0.0, 12.0),  # float noise, not a 13th unit
        (11.9999999999, LOT_FOR_LOT, 0.0, 0.0, 0.0, 12.0),
        (30.0, EOQ, 44.72, 0.0, 0.0, 45.0),  # the EOQ itself rounded up
        (3.0, LOT_FOR_LOT, 0.0, 7.5, 0.0, 8.0),  # after min_qty
        (3.0, LOT_FOR_LOT, 0.0, 0.0, 2.5, 5.0),  # a multiple that is whole stays
        (6.0, LOT_FOR_LOT, 0.0, 0.0, 2.5, 8.0),  # 7.5: whole units win over the multiple
    ],
)
def test_round_lot_in_whole_units(qty, policy, eoq_qty, min_qty, multiple, expected):
    lot = round_lot(qty, policy, 0.0, eoq_qty, min_qty, multiple, True)
    assert lot == expected


def test_economic_order_quantity_textbook_case():
    # annual demand 1000, order cost 10, holding 2.5 * 20 % = 0.5 a unit-year:
    # sqrt(2 * 1000 * 10 / 0.5) = sqrt(40000) = 200
    costs = pl.DataFrame({"order_cost": [10.0], "unit_cost": [2.5], "holding_rate": [0.2]})
    assert costs.select(economic_order_qty(pl.lit(1000.0))).item() == pytest.approx(200.0)
    # a unit held a day: 2.5 * 0.2 / 365
    assert costs.select(holding_cost_per_day()).item() == pytest.approx(0.5 / 365)


def test_eoq_sku_orders_at_least_the_economic_quantity():
    # 28-day horizon, demand 10 on day 1 and 18 on day 20: 28 units, scaled to
    # a year 28 * 365 / 28 = 365. EOQ = sqrt(2 * 365 * 20 / (73 * 0.2))
    # = sqrt(14600 / 14.6) = sqrt(1000) = 31.62...: day 1 orders 31.62, which
    # leaves 21.62 and covers day 20 (21.62 - 18 = 3.62).
    result = plan(
        [sku("E", lot_policy="eoq", order_cost=20.0, unit_cost=73.0, holding_rate=0.2)],
        demands=[demand("E@PL1", 1, 10, "SO1:1"), demand("E@PL1", 20, 18, "SO2:1")],
    )
    assert result.purchase_requests.select("need_date", "qty").rows() == [
        (day(1), pytest.approx(math.sqrt(1000.0)))
    ]


def test_wagner_whitin_sku_planned_end_to_end():
    # W: on hand 5, lead time 1, order cost 50; unit cost 365 and holding rate
    # 1.0 make holding 365 * 1.0 / 365 = 1 per unit per day.
    # Demand: 10 on day 1, 10 on day 2, 40 on day 5, 5 on day 6, 30 on day 20.
    # Net requirements (lot for lot): day 1: 10 - 5 = 5, day 2: 10, day 5: 40,
    # day 6: 5, day 20: 30.
    # Carrying day 2's 10 to day 1 costs 10 < 50: group. Day 6's 5 onto day 5
    # costs 5 < 50: group. Day 5's 40 onto day 1 costs 160, day 20's 30 onto
    # day 5 costs 450: separate. Optimum {1, 2}, {5, 6}, {20}:
    # 3 * 50 + 10 + 5 = 165 (vs. 205 lot for lot, 195 for {1, 2, 5, 6}, {20}).
    # Orders: day 1 covers 5 + 10 = 15, day 5 covers 40 + 5 = 45, day 20: 30;
    # ordered one day earlier.
    result = plan(
        [
            sku(
                "W",
                on_hand=5.0,
                lead_time_days=1,
                lot_policy="wagner_whitin",
                order_cost=50.0,
                unit_cost=365.0,
                holding_rate=1.0,
            )
        ],
        demands=[
            demand("W@PL1", 1, 10, "SO1:1"),
            demand("W@PL1", 2, 10, "SO2:1"),
            demand("W@PL1", 5, 40, "SO3:1"),
            demand("W@PL1", 6, 5, "SO4:1"),
            demand("W@PL1", 20, 30, "SO5:1"),
        ],
    )
    assert_frame_equal(
        result.purchase_requests.sort("request_id").select(
            "request_id", "qty", "order_date", "need_date"
        ),
        pl.DataFrame(
            {
                "request_id": [
                    "PPR-W-PL1-20261124-1",
                    "PPR-W-PL1-20261128-1",
                    "PPR-W-PL1-20261213-1",
                ],
                "qty": [15.0, 45.0, 30.0],
                "order_date": [day(0), day(4), day(19)],
                "need_date": [day(1), day(5), day(20)],
            }
        ),
    )
    # on hand: 5, then 5 + 15 - 10 = 10, 0, 45 - 40 = 5, 0, 30 - 30 = 0
    assert result.projected_inventory.sort("date")["projected_on_hand"].to_list() == [
        5.0,
        10.0,
        0.0,
        5.0,
        0.0,
        0.0,
    ]
    assert result.exceptions.is_empty()


def test_wagner_whitin_with_cheap_holding_orders_once():
    # holding 1 / 365 * 36.5 * 0.1 = 0.01 a unit-day; order cost 50: carrying all
    # of day 20's 30 units from day 1 costs 30 * 19 * 0.01 = 5.7 < 50, so one
    # order of 40 on day 1 covers the horizon.
    result = plan(
        [
            sku(
                "W",
                lot_policy="wagner_whitin",
                order_cost=50.0,
                unit_cost=36.5,
                holding_rate=0.1,
            )
        ],
        demands=[demand("W@PL1", 1, 10, "SO1:1"), demand("W@PL1", 20, 30, "SO2:1")],
    )
    assert result.purchase_requests.select("need_date", "qty").rows() == [(day(1), 40.0)]
