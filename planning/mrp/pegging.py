"""Pegging: which supply covers which demand, first in first out per SKU.

Supply is taken in date order (stock on hand, then existing receipts, then
planned receipts on the same day); demand in date order, most urgent priority
first. Safety stock is the last demand of every SKU: real demand draws on
stock before the buffer does. A demand pegged to supply that arrives after
its day is late; the part no supply covers is short.

The same pass finds each supply's need day: the day the SKU's projected on
hand would fall below safety stock without it and the supply after it (safety
stock counted first), which ``actions`` compares with its receipt day.

The merge is sequential per SKU, so it runs in a compiled kernel over frames
sorted by SKU.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from numba import njit

from planning.mrp.netting import EPSILON, offsets

SUPPLY = {
    "sku_idx": pl.Int64,
    "supply_type": pl.String,
    "supply_id": pl.String,
    "day": pl.Int64,
    "rank": pl.Int64,  # order among supply of the same day
    "qty": pl.Float64,
}
DEMAND = {
    "sku_idx": pl.Int64,
    "demand_type": pl.String,
    "demand_id": pl.String,
    "day": pl.Int64,
    "rank": pl.Int64,  # order among demand of the same day (priority)
    "qty": pl.Float64,
}
PEGS = {
    "sku_idx": pl.Int64,
    "supply_type": pl.String,
    "supply_id": pl.String,
    "supply_day": pl.Int64,
    "demand_type": pl.String,
    "demand_id": pl.String,
    "demand_day": pl.Int64,
    "qty": pl.Float64,
}
SAFETY_STOCK = "safety_stock"  # demand type and id of the safety stock pegs


@dataclass(frozen=True)
class Pegging:
    pegs: pl.DataFrame  # PEGS, by SKU in FIFO order
    short_demand: pl.DataFrame  # DEMAND rows with short_qty, the part nothing covers
    supply: pl.DataFrame  # SUPPLY rows with pegged_qty and need_day (null: not needed)


def fifo_order(frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Rows in FIFO order within each SKU; zero quantities dropped."""
    return (
        frame.lazy()  # one pass, one copy
        .select(schema.keys())
        .cast(schema)
        .filter(pl.col("qty") > EPSILON)
        .sort("sku_idx", "day", "rank", list(schema)[2])
        .collect()
    )


def peg(supply: pl.DataFrame, demand: pl.DataFrame, skus: pl.DataFrame) -> Pegging:
    """Peg ``demand`` (``DEMAND``, without safety stock) to ``supply`` (``SUPPLY``)."""
    supply = fifo_order(supply, SUPPLY)
    demand = fifo_order(demand, DEMAND)
    skus = skus.sort("sku_idx")
    sku_idx = skus["sku_idx"].to_numpy()
    peg_supply, peg_demand, peg_qty, short_qty, pegged_qty, need_day = _fifo(
        offsets(sku_idx, supply["sku_idx"].to_numpy()),
        supply["qty"].to_numpy(),
        supply["day"].to_numpy(),
        offsets(sku_idx, demand["sku_idx"].to_numpy()),
        demand["qty"].to_numpy(),
        demand["day"].to_numpy(),
        skus["safety_stock"].fill_null(0.0).to_numpy(),
    )
    covering = supply.select("sku_idx", "supply_type", "supply_id", supply_day="day")[peg_supply]
    demand_row = pl.Series(peg_demand).replace(-1, None)  # null: safety stock
    pegs = covering.with_columns(
        demand_type=demand["demand_type"].gather(demand_row).fill_null(SAFETY_STOCK),
        demand_id=demand["demand_id"].gather(demand_row).fill_null(SAFETY_STOCK),
        demand_day=demand["day"].gather(demand_row),
        qty=pl.Series(peg_qty),
    )
    return Pegging(
        pegs=pegs.select(PEGS.keys()).cast(PEGS),
        short_demand=demand.with_columns(short_qty=short_qty).filter(pl.col("short_qty") > EPSILON),
        supply=supply.with_columns(
            pegged_qty=pegged_qty, need_day=pl.Series(need_day).replace(-1, None)
        ),
    )


@njit(cache=True)
def _fifo(supply_offsets, supply_qty, supply_day, demand_offsets, demand_qty, demand_day, safety):
    """Per SKU, lay supply against demand (then safety stock) first in first out.

    Returns the pegs (supply row, demand row or -1 for safety stock, qty), each
    demand row's uncovered qty, each supply row's pegged qty and need day (-1:
    not needed).
    """
    n_skus = len(safety)
    capacity = len(supply_qty) + len(demand_qty) + n_skus
    peg_supply = np.empty(capacity, np.int64)
    peg_demand = np.empty(capacity, np.int64)
    peg_qty = np.empty(capacity, np.float64)
    short_qty = demand_qty.copy()
    pegged_qty = np.zeros(len(supply_qty))
    need_day = np.full(len(supply_qty), -1, np.int64)
    n_pegs = 0
    for k in range(n_skus):
        s1, d1 = supply_offsets[k + 1], demand_offsets[k + 1]
        d = demand_offsets[k]
        safety_left = safety[k]
        for s in range(supply_offsets[k], s1):
            left = supply_qty[s]
            while left > EPSILON:
                while d < d1 and short_qty[d] <= EPSILON:
                    d += 1
                if d < d1:
                    taken = min(left, short_qty[d])
                    short_qty[d] -= taken
                    peg_demand[n_pegs] = d
                elif safety_left > EPSILON:
                    taken = min(left, safety_left)
                    safety_left -= taken
                    peg_demand[n_pegs] = -1
                else:
                    break
                peg_supply[n_pegs] = s
                peg_qty[n_pegs] = taken
                n_pegs += 1
                left -= taken
                pegged_qty[s] += taken
        # need days: safety stock first, then demand in order
        required = safety[k]  # requirement through demand row d - 1
        d = demand_offsets[k]
        start = 0.0  # supply laid before row s
        for s in range(supply_offsets[k], s1):
            if start < safety[k] - EPSILON:
                need_day[s] = supply_day[s]
            else:
                while d < d1 and required <= start + EPSILON:
                    required += demand_qty[d]
                    d += 1
                if required > start + EPSILON:
                    need_day[s] = demand_day[d - 1]
            start += supply_qty[s]
    return (
        peg_supply[:n_pegs],
        peg_demand[:n_pegs],
        peg_qty[:n_pegs],
        short_qty,
        pegged_qty,
        need_day,
    )
