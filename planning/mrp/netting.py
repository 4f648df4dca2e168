"""Netting: day by day, per SKU, projected on hand against gross requirements,
existing receipts and safety stock, and the planned receipts that cover the gaps.

Events, not grids: a SKU is visited only on the days something happens to it
(as-of, demand, receipts, the end of its time fence). The loop over days is
sequential per SKU, so it runs in a compiled kernel over flat arrays that
``net_requirements`` builds from frames sorted by SKU and day.

Existing receipts that arrive after the day they are first needed are pulled in
(rescheduled in) when they are due within ``reschedule_in_days`` of that day;
only the gap left after that gets a planned order. In-transit transfers cannot
move.

Nothing is received on a day the SKU's receipt calendar does not have (a
holiday; for a make SKU also a day without shifts): what is needed on such a
day is received on the calendar's last day before it, so it is there in time,
and the projected inventory of the days between holds it. Before the
calendar's first day nothing new can be received: ``earliest_planned_day`` is
a day of the calendar.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from numba import njit

from planning.mrp.lot_sizing import PERIOD, WAGNER_WHITIN, round_lot, wagner_whitin

EPSILON = 1e-6  # quantities closer than this are equal

# SKU parameters the kernel needs, one row per SKU of a level, in this order.
SKU_PARAMETERS = {
    "sku_idx": pl.Int64,
    "on_hand": pl.Float64,
    "safety_stock": pl.Float64,
    "policy": pl.Int8,
    "lot_size": pl.Float64,
    "eoq_qty": pl.Float64,
    "min_qty": pl.Float64,
    "multiple": pl.Float64,
    "period_days": pl.Int64,
    "order_cost": pl.Float64,
    "holding_cost": pl.Float64,
    "earliest_planned_day": pl.Int64,  # a day of the receipt calendar, or the horizon's end
    "integer_qty": pl.Boolean,  # lots in whole units
    "receipt_calendar": pl.Int64,  # the row of ``receiving_days`` the SKU receives by
}
GROSS_REQUIREMENTS = {"sku_idx": pl.Int64, "day": pl.Int64, "qty": pl.Float64}
RECEIPTS = {"sku_idx": pl.Int64, "day": pl.Int64, "qty": pl.Float64, "movable": pl.Boolean}
PLANNED_LOTS = {"sku_idx": pl.Int64, "day": pl.Int64, "qty": pl.Float64}
# one row per SKU and day netting visits: as-of, and every day something happens
PROJECTED_INVENTORY = {
    "sku_idx": pl.Int64,
    "day": pl.Int64,
    "gross_requirements": pl.Float64,
    "scheduled_receipts": pl.Float64,  # on the day they now arrive
    "planned_receipts": pl.Float64,
    "projected_on_hand": pl.Float64,  # at the end of the day
}


@dataclass(frozen=True)
class NettingResult:
    """Planned lots (SKU, receipt day, qty), the projected inventory, and the
    day each receipt now arrives."""

    planned_lots: pl.DataFrame
    projected_inventory: pl.DataFrame
    receipt_days: pl.Series


def net_requirements(
    skus: pl.DataFrame,
    gross_requirements: pl.DataFrame,
    receipts: pl.DataFrame,
    *,
    receiving_days: np.ndarray,
    reschedule_in_days: int,
) -> NettingResult:
    """Net and lot-size every SKU in ``skus`` (columns ``SKU_PARAMETERS``).

    ``receiving_days[calendar, day]`` is the last day <= ``day`` a SKU on that
    receipt calendar can receive on (``Calendars.last_day``; its width is the
    horizon). ``gross_requirements`` (one row per SKU and day) and ``receipts`` (one row
    per existing receipt) must be sorted by ``sku_idx`` then ``day``, and hold
    only SKUs of ``skus``. Days count from as-of (day 0). The receipt days come
    back in the order of ``receipts``.
    """
    skus = skus.sort("sku_idx")
    sku_idx = skus["sku_idx"].to_numpy()
    demand_offsets = offsets(sku_idx, gross_requirements["sku_idx"].to_numpy())
    receipt_offsets = offsets(sku_idx, receipts["sku_idx"].to_numpy())
    column = {name: skus[name].to_numpy() for name in SKU_PARAMETERS}
    lots, inventory, receipt_days = _net_skus(
        column["on_hand"],
        column["safety_stock"],
        column["policy"],
        column["lot_size"],
        column["eoq_qty"],
        column["min_qty"],
        column["multiple"],
        column["period_days"],
        column["order_cost"],
        column["holding_cost"],
        column["earliest_planned_day"],
        column["integer_qty"],
        column["receipt_calendar"],
        receiving_days,
        demand_offsets,
        gross_requirements["day"].to_numpy(),
        gross_requirements["qty"].to_numpy(),
        receipt_offsets,
        receipts["day"].to_numpy().copy(),
        receipts["qty"].to_numpy(),
        receipts["movable"].to_numpy(),
        reschedule_in_days,
    )
    lot_sku, lot_day, lot_qty = lots
    planned_lots = pl.DataFrame(
        {"sku_idx": sku_idx[lot_sku], "day": lot_day, "qty": lot_qty}, schema=PLANNED_LOTS
    )
    inventory_sku, *inventory_columns = inventory
    projected = pl.DataFrame(
        [sku_idx[inventory_sku], *inventory_columns], schema=PROJECTED_INVENTORY, orient="col"
    )
    return NettingResult(planned_lots, projected, pl.Series("day", receipt_days, dtype=pl.Int64))


def gross_requirements(demand: pl.DataFrame) -> pl.DataFrame:
    """One row per SKU and day (``GROSS_REQUIREMENTS``): the demand of that day,
    summed from ``demand`` sorted by SKU then day (as pegging sorts it), in its
    order."""
    sku_idx, day, qty = _sum_days(
        demand["sku_idx"].to_numpy(), demand["day"].to_numpy(), demand["qty"].to_numpy()
    )
    return pl.DataFrame({"sku_idx": sku_idx, "day": day, "qty": qty}, schema=GROSS_REQUIREMENTS)


@njit(cache=True, nogil=True)
def _sum_days(sku_idx, day, qty):
    """Sums of ``qty`` over each run of rows with the same SKU and day."""
    run_sku = np.empty(len(qty), np.int64)
    run_day = np.empty(len(qty), np.int64)
    run_qty = np.zeros(len(qty), np.float64)
    runs = 0
    for row in range(len(qty)):
        if runs == 0 or sku_idx[row] != run_sku[runs - 1] or day[row] != run_day[runs - 1]:
            run_sku[runs] = sku_idx[row]
            run_day[runs] = day[row]
            runs += 1
        run_qty[runs - 1] += qty[row]
    return run_sku[:runs].copy(), run_day[:runs].copy(), run_qty[:runs].copy()


def offsets(sku_idx: np.ndarray, rows_sku_idx: np.ndarray) -> np.ndarray:
    """Where each SKU's rows start in rows sorted by SKU, plus the end."""
    starts = np.searchsorted(rows_sku_idx, sku_idx, side="left")
    return np.append(starts, len(rows_sku_idx)).astype(np.int64)


# nogil: a plan writer thread stores the last level meanwhile
@njit(cache=True, nogil=True)
def _net_skus(
    on_hand, safety_stock, policy, lot_size, eoq_qty, min_qty, multiple, period_days,
    order_cost, holding_cost, earliest_planned_day, integer_qty, receipt_calendar,
    receiving_days, demand_offsets, demand_day, demand_qty,
    receipt_offsets, receipt_day, receipt_qty, receipt_movable, reschedule_in_days,
):  # fmt: skip
    n_skus = len(on_hand)
    # a SKU has a row per day it visits, and at most as many again for the
    # earlier days its receipts move to
    capacity = 2 * (len(demand_day) + len(receipt_day) + 2 * n_skus)
    lot_sku = np.empty(capacity, np.int64)
    lot_day = np.empty(capacity, np.int64)
    lot_qty = np.empty(capacity, np.float64)
    # projected inventory rows: sku, day, gross, scheduled, planned, on hand
    inventory_sku = np.empty(capacity, np.int64)
    inventory_day = np.empty(capacity, np.int64)
    inventory = np.empty((4, capacity), np.float64)
    n_rows = 0
    received = np.zeros(len(receipt_day), np.bool_)
    no_order_days = np.empty(0, np.int64)
    n_lots = 0
    for s in range(n_skus):
        d0, d1 = demand_offsets[s], demand_offsets[s + 1]
        r0, r1 = receipt_offsets[s], receipt_offsets[s + 1]
        receiving = receiving_days[receipt_calendar[s]]
        order_days = no_order_days
        if policy[s] == WAGNER_WHITIN:
            # first pass lot for lot on copies: the net requirements to group
            trial_size = 2 * (d1 - d0 + r1 - r0 + 2)
            trial_days = np.empty(trial_size, np.int64)
            trial_qty = np.empty(trial_size, np.float64)
            trial_inventory_day = np.empty(trial_size, np.int64)
            trial_inventory = np.empty((4, trial_size), np.float64)
            n_trial = _net_sku(
                on_hand[s], safety_stock[s], 0, 0.0, 0.0, 0.0, 0.0, 1,
                earliest_planned_day[s], False, receiving, no_order_days, reschedule_in_days,
                demand_day[d0:d1], demand_qty[d0:d1],
                receipt_day[r0:r1].copy(), receipt_qty[r0:r1], receipt_movable[r0:r1],
                received[r0:r1].copy(), trial_days, trial_qty,
                trial_inventory_day, trial_inventory,
            )[0]  # fmt: skip
            costs = np.full(n_trial, order_cost[s])
            chosen = wagner_whitin(
                trial_days[:n_trial], trial_qty[:n_trial], costs, holding_cost[s]
            )
            order_days = trial_days[:n_trial][chosen]
        first, first_row = n_lots, n_rows
        new_lots, new_rows = _net_sku(
            on_hand[s], safety_stock[s], policy[s], lot_size[s], eoq_qty[s], min_qty[s],
            multiple[s], period_days[s], earliest_planned_day[s], integer_qty[s], receiving,
            order_days, reschedule_in_days,
            demand_day[d0:d1], demand_qty[d0:d1],
            receipt_day[r0:r1], receipt_qty[r0:r1], receipt_movable[r0:r1], received[r0:r1],
            lot_day[n_lots:], lot_qty[n_lots:], inventory_day[n_rows:], inventory[:, n_rows:],
        )  # fmt: skip
        n_lots += new_lots
        n_rows += new_rows
        lot_sku[first:n_lots] = s
        inventory_sku[first_row:n_rows] = s
    # copies, not views: a frame made from a view keeps the whole buffer alive
    lots = (lot_sku[:n_lots].copy(), lot_day[:n_lots].copy(), lot_qty[:n_lots].copy())
    rows = inventory[:, :n_rows].copy()
    projected = (
        inventory_sku[:n_rows].copy(),
        inventory_day[:n_rows].copy(),
        rows[0],
        rows[1],
        rows[2],
        rows[3],
    )
    return lots, projected, receipt_day


# the kernels' ``inventory`` has a column per projected inventory row and these rows
GROSS, SCHEDULED, PLANNED, ON_HAND = range(4)


@njit(cache=True)
def _net_sku(
    on_hand, safety_stock, policy, lot_size, eoq_qty, min_qty, multiple, period_days,
    earliest_planned_day, integer_qty, receiving, order_days, reschedule_in_days,
    demand_day, demand_qty, receipt_day, receipt_qty, receipt_movable, received,
    out_day, out_qty, inventory_day, inventory,
):  # fmt: skip
    """One SKU's netting. Writes its planned lots to ``out_day``/``out_qty`` and
    its projected inventory rows to ``inventory_day``/``inventory`` (gross,
    scheduled, planned, on hand), and returns how many of each. Pulled-in
    receipts get their new day in ``receipt_day``. What day ``d`` needs is
    received on ``receiving[d]`` (the last receiving day <= d)."""
    horizon_days = len(receiving)
    n_demand = len(demand_day)
    n_receipts = len(receipt_day)
    projected = on_hand
    n_out = 0
    n_rows = 0
    next_demand = 0
    next_receipt = 0  # receipts are sorted by their original day
    day = 0
    while True:
        scheduled = 0.0
        gross = 0.0
        planned = 0.0
        while next_receipt < n_receipts and (
            received[next_receipt] or receipt_day[next_receipt] <= day
        ):
            if not received[next_receipt]:
                scheduled += receipt_qty[next_receipt]
                received[next_receipt] = True
            next_receipt += 1
        while next_demand < n_demand and demand_day[next_demand] == day:
            gross += demand_qty[next_demand]
            next_demand += 1
        projected += scheduled - gross
        if day >= earliest_planned_day and projected < safety_stock - EPSILON:
            receive_on = receiving[day]
            # reschedule in existing receipts due soon before planning new ones
            r = next_receipt
            while (
                projected < safety_stock - EPSILON
                and r < n_receipts
                and receipt_day[r] - day <= reschedule_in_days
            ):
                if not received[r] and receipt_movable[r]:
                    projected += receipt_qty[r]
                    received[r] = True
                    receipt_day[r] = receive_on
                    if receive_on == day:
                        scheduled += receipt_qty[r]
                    else:
                        n_rows = _receive_earlier(
                            receive_on, SCHEDULED, receipt_qty[r], inventory_day, inventory, n_rows
                        )
                r += 1
            if projected < safety_stock - EPSILON:
                if policy == PERIOD:
                    cover_until = day + period_days
                elif policy == WAGNER_WHITIN:
                    cover_until = horizon_days
                    for order_day in order_days:
                        if order_day > day:
                            cover_until = order_day
                            break
                else:
                    cover_until = day + 1
                lowest = _lowest_projection(
                    projected, cover_until, demand_day, demand_qty, next_demand,
                    receipt_day, receipt_qty, received, next_receipt,
                )  # fmt: skip
                lot = round_lot(
                    safety_stock - lowest, policy, lot_size, eoq_qty, min_qty, multiple,
                    integer_qty,
                )  # fmt: skip
                projected += lot
                if receive_on == day:
                    planned = lot
                else:
                    n_rows = _receive_earlier(
                        receive_on, PLANNED, lot, inventory_day, inventory, n_rows
                    )
                # one lot a receipt day: what later closed days need joins it
                if n_out > 0 and out_day[n_out - 1] == receive_on:
                    out_qty[n_out - 1] += lot
                else:
                    out_day[n_out] = receive_on
                    out_qty[n_out] = lot
                    n_out += 1
        inventory_day[n_rows] = day
        inventory[GROSS, n_rows] = gross
        inventory[SCHEDULED, n_rows] = scheduled
        inventory[PLANNED, n_rows] = planned
        inventory[ON_HAND, n_rows] = projected
        n_rows += 1
        # the next day with an event
        following = horizon_days
        if next_demand < n_demand:
            following = demand_day[next_demand]
        r = next_receipt
        while r < n_receipts and received[r]:
            r += 1
        if r < n_receipts and receipt_day[r] < following:
            following = receipt_day[r]
        if day < earliest_planned_day < following:
            following = earliest_planned_day
        if following >= horizon_days:
            return n_out, n_rows
        day = following


@njit(cache=True)
def _receive_earlier(day, column, qty, inventory_day, inventory, n_rows):
    """Receive ``qty`` on ``day``, before the day being netted: into the
    ``column`` (scheduled or planned receipts) of that day's row, made if the
    day had none, and onto the projected on hand of it and every row after.
    Returns the number of rows."""
    row = n_rows
    while inventory_day[row - 1] > day:  # the row of day 0 always comes first
        row -= 1
    if inventory_day[row - 1] == day:
        row -= 1
    else:
        for later in range(n_rows, row, -1):
            inventory_day[later] = inventory_day[later - 1]
            inventory[:, later] = inventory[:, later - 1]
        inventory_day[row] = day
        inventory[:, row] = 0.0
        inventory[ON_HAND, row] = inventory[ON_HAND, row - 1]
        n_rows += 1
    inventory[column, row] += qty
    inventory[ON_HAND, row:n_rows] += qty
    return n_rows


@njit(cache=True)
def _lowest_projection(
    projected, cover_until, demand_day, demand_qty, next_demand,
    receipt_day, receipt_qty, received, next_receipt,
):  # fmt: skip
    """The lowest projected on hand from now until before day ``cover_until``,
    counting demand and the receipts not yet received, but no new planned lots."""
    lowest = projected
    r = next_receipt
    for d in range(next_demand, len(demand_day)):
        if demand_day[d] >= cover_until:
            break
        while r < len(receipt_day) and receipt_day[r] <= demand_day[d]:
            if not received[r]:
                projected += receipt_qty[r]
            r += 1
        projected -= demand_qty[d]
        lowest = min(lowest, projected)
    return lowest
