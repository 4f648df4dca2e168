"""Lot sizing: how much to order once a net requirement appears.

The policies of the contract, then ``min_qty``, rounding up to ``multiple``,
rounding up to whole units for ``integer_qty`` items, and (later, in
``orders.split_at_max_qty``) splitting at ``max_qty``:

- ``lot_for_lot``: exactly the net requirement;
- ``fixed``: the smallest multiple of ``lot_size`` that covers it;
- ``eoq``: at least the economic order quantity (``economic_order_qty``);
- ``period``: the net requirements of the next ``period_days`` days;
- ``wagner_whitin``: the optimal grouping of the horizon's net requirements for
  the SKU's order cost and holding cost (Wagner and Whitin, 1958).

The per-SKU steps are sequential, so they are compiled with numba and called
from ``netting`` on flat arrays.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from numba import njit

from planning.contract import LOT_POLICIES

# Policy codes the compiled kernels use, in the contract's order.
LOT_FOR_LOT, FIXED, EOQ, PERIOD, WAGNER_WHITIN = (
    LOT_POLICIES.index(name) for name in ("lot_for_lot", "fixed", "eoq", "period", "wagner_whitin")
)
DAYS_PER_YEAR = 365.0
# a quantity within this of a whole number is that number: 12.0000000001 units
# of float noise is 12, not 13
WHOLE_UNIT_TOLERANCE = 1e-6


def policy_code() -> pl.Expr:
    """The kernel's code for the SKU's ``lot_policy`` column."""
    return pl.col("lot_policy").replace_strict(
        list(LOT_POLICIES), list(range(len(LOT_POLICIES))), return_dtype=pl.Int8
    )


def holding_cost_per_day() -> pl.Expr:
    """Cost of keeping one unit one day: ``unit_cost * holding_rate / 365``."""
    return pl.col("unit_cost") * pl.col("holding_rate") / DAYS_PER_YEAR


def economic_order_qty(annual_demand: pl.Expr) -> pl.Expr:
    """sqrt(2 * annual demand * order cost / (unit cost * holding rate)), in units."""
    holding_per_year = pl.col("unit_cost") * pl.col("holding_rate")
    return (2.0 * annual_demand * pl.col("order_cost") / holding_per_year).sqrt()


def whole_units(qty: pl.Expr, integer_qty: pl.Expr) -> pl.Expr:
    """``qty`` rounded up to whole units where ``integer_qty``."""
    whole = (qty - WHOLE_UNIT_TOLERANCE).ceil()
    return pl.when(integer_qty).then(whole).otherwise(qty)


@njit(cache=True)
def round_lot(qty, policy, lot_size, eoq_qty, min_qty, multiple, integer_qty):
    """The order quantity for a requirement of ``qty`` units under the SKU's rules.

    ``period`` and ``wagner_whitin`` have already chosen how much to cover;
    every policy then gets ``min_qty``, the rounding up to ``multiple`` and, for
    an ``integer_qty`` item, to whole units (``whole_units``; they win over a
    fractional ``multiple``).
    """
    lot = qty
    if policy == FIXED and lot_size > 0:
        lot = np.ceil(qty / lot_size - 1e-9) * lot_size
    elif policy == EOQ and eoq_qty > lot:
        lot = eoq_qty
    if lot < min_qty:
        lot = min_qty
    if multiple > 0:
        lot = np.ceil(lot / multiple - 1e-9) * multiple
    if integer_qty:
        lot = np.ceil(lot - WHOLE_UNIT_TOLERANCE)
    return lot


@njit(cache=True)
def wagner_whitin(days, qty, order_cost, holding_cost):
    """The optimal order days for net requirements ``qty`` on ``days``.

    ``order_cost[i]`` is the cost of an order placed on ``days[i]`` and
    ``holding_cost`` the cost of one unit held one day. Returns a boolean array:
    True where an order is placed, covering every requirement up to the next
    order. Forward dynamic programming, O(n^2) in the number of requirement days.
    """
    n = len(days)
    best = np.full(n + 1, np.inf)
    best[0] = 0.0
    first_of_last_order = np.zeros(n + 1, np.int64)
    # prefix sums of qty and qty * day, so the holding cost of covering
    # requirements i..j from day i is a difference of two prefix sums
    cum_qty = np.zeros(n + 1)
    cum_qty_day = np.zeros(n + 1)
    for k in range(n):
        cum_qty[k + 1] = cum_qty[k] + qty[k]
        cum_qty_day[k + 1] = cum_qty_day[k] + qty[k] * days[k]
    for j in range(1, n + 1):
        for i in range(1, j + 1):
            carried = (cum_qty_day[j] - cum_qty_day[i - 1]) - days[i - 1] * (
                cum_qty[j] - cum_qty[i - 1]
            )
            cost = best[i - 1] + order_cost[i - 1] + holding_cost * carried
            if cost < best[j]:
                best[j] = cost
                first_of_last_order[j] = i
    orders = np.zeros(n, np.bool_)
    j = n
    while j > 0:
        i = first_of_last_order[j]
        orders[i - 1] = True
        j = i - 1
    return orders
