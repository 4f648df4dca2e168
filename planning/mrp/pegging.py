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
sorted by SKU. Supply and demand rows carry integer references (``kind`` and
``ref``), not ids: a 1M-SKU plan lays tens of millions of pegs, and ``PegNames``
spells out the ids of a batch of them only when it is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl
from numba import njit

from planning.mrp.buckets import date_of
from planning.mrp.netting import EPSILON, offsets

# kinds of supply, in the order pegging takes the supply of one day
ON_HAND, RECEIPT, PLANNED = 0, 1, 2
SUPPLY = {
    "sku_idx": pl.Int64,
    "day": pl.Int64,
    "kind": pl.Int8,
    "ref": pl.Int64,  # the SKU (on hand), the existing receipt's or the planned order's row
    "qty": pl.Float64,
}
# kinds of demand; safety stock is pegged last, after every other kind
INDEPENDENT, COMPONENT, TRANSFER, SAFETY_STOCK = 0, 1, 2, 3
DEMAND = {
    "sku_idx": pl.Int64,
    "day": pl.Int64,
    "rank": pl.Int64,  # order among demand of the same day (priority)
    "kind": pl.Int8,
    "ref": pl.Int64,  # the independent demand's row, or the planned order that needs it
    "qty": pl.Float64,
}
PEGS = {
    "sku_idx": pl.Int64,
    "supply_kind": pl.Int8,
    "supply_ref": pl.Int64,
    "supply_day": pl.Int64,
    "demand_kind": pl.Int8,
    "demand_ref": pl.Int64,  # null for safety stock
    "demand_day": pl.Int64,  # null for safety stock
    "qty": pl.Float64,
}
# the published pegging table (CONTRACT.md section 2, with types and dates)
PEGGING = {
    "supply_id": pl.String,
    "demand_id": pl.String,
    "item_id": pl.String,
    "location_id": pl.String,
    "qty": pl.Float64,
    "supply_type": pl.String,
    "demand_type": pl.String,
    "supply_date": pl.Date,
    "demand_date": pl.Date,
}
SAFETY_STOCK_ID = "safety_stock"  # demand type and id of the safety stock pegs


@dataclass(frozen=True)
class Pegging:
    pegs: pl.DataFrame  # PEGS, by SKU in FIFO order
    short_demand: pl.DataFrame  # DEMAND rows with short_qty, the part nothing covers
    supply: pl.DataFrame  # SUPPLY rows with pegged_qty and need_day (null: not needed)


@dataclass(frozen=True)
class PegNames:
    """What the references of supply and demand rows stand for."""

    skus: pl.DataFrame  # item_id, location_id; row i is sku_idx i
    receipts: pl.DataFrame  # supply_type, supply_id; row i is existing receipt i
    order_ids: pl.Series  # row i is planned order i
    demand: pl.DataFrame  # demand_type, demand_id; row i is independent demand i

    def supply(self, kind: pl.Series, ref: pl.Series) -> pl.DataFrame:
        """``supply_type`` and ``supply_id`` of supply rows."""
        return _by_kind(
            pl.DataFrame({"kind": kind, "ref": ref}),
            {
                ON_HAND: lambda rows: _names("on_hand", "on_hand", rows.height),
                RECEIPT: lambda rows: self.receipts[rows["ref"]],
                PLANNED: lambda rows: _names(
                    "planned_order", self.order_ids.gather(rows["ref"]), rows.height
                ),
            },
        ).rename({"type": "supply_type", "id": "supply_id"})

    def demand_of(self, kind: pl.Series, ref: pl.Series, sku_idx: pl.Series) -> pl.DataFrame:
        """``demand_type`` and ``demand_id`` of demand rows: a planned work
        order's component demand is ``<order_id>:<component item>``, a planned
        transfer's demand at its source the transfer's id."""
        items = self.skus["item_id"]
        return _by_kind(
            pl.DataFrame({"kind": kind, "ref": ref, "sku_idx": sku_idx}),
            {
                INDEPENDENT: lambda rows: self.demand[rows["ref"]],
                COMPONENT: lambda rows: _names(
                    "planned_work_order_component",
                    self.order_ids.gather(rows["ref"]) + ":" + items.gather(rows["sku_idx"]),
                    rows.height,
                ),
                TRANSFER: lambda rows: _names(
                    "planned_transfer", self.order_ids.gather(rows["ref"]), rows.height
                ),
                SAFETY_STOCK: lambda rows: _names(SAFETY_STOCK_ID, SAFETY_STOCK_ID, rows.height),
            },
        ).rename({"type": "demand_type", "id": "demand_id"})

    def pegging(self, pegs: pl.DataFrame, as_of: date) -> pl.DataFrame:
        """``PEGS`` rows as the published pegging table (``PEGGING``)."""
        return (
            pl.concat(
                [
                    pegs,
                    self.supply(pegs["supply_kind"], pegs["supply_ref"]),
                    self.demand_of(pegs["demand_kind"], pegs["demand_ref"], pegs["sku_idx"]),
                    self.skus[pegs["sku_idx"]],
                ],
                how="horizontal",
            )
            .with_columns(
                supply_date=date_of(pl.col("supply_day"), as_of),
                demand_date=date_of(pl.col("demand_day"), as_of),
            )
            .select(PEGGING.keys())
            .cast(PEGGING)
        )


def _names(kind: str, ids: str | pl.Series, height: int) -> pl.DataFrame:
    """A (type, id) frame of ``height`` rows: one kind, one id or a column of them."""
    if isinstance(ids, str):
        ids = pl.repeat(ids, height, eager=True)
    return pl.DataFrame({"type": pl.repeat(kind, height, eager=True), "id": ids})


def _by_kind(
    rows: pl.DataFrame, namers: dict[int, Callable[[pl.DataFrame], pl.DataFrame]]
) -> pl.DataFrame:
    """(type, id) of each of ``rows``, in their order; each ``kind`` is named by its namer."""
    parts = []
    indexed = rows.with_row_index("row")
    for (kind,), part in indexed.partition_by("kind", as_dict=True).items():
        names = namers[kind](part)
        names.columns = ["type", "id"]
        parts.append(names.with_columns(part["row"]))
    schema = {"type": pl.String, "id": pl.String, "row": pl.UInt32}
    named = pl.concat([pl.DataFrame(schema=schema), *parts], how="vertical_relaxed")
    return named.sort("row").drop("row")


# the order pegging takes supply and demand in, within each SKU; rows equal on
# every key are alike. A supply row's reference is its own; one planned order
# may need a component twice (two BOM lines), and those demand rows are told
# apart by quantity.
SUPPLY_ORDER = ["sku_idx", "day", "kind", "ref"]
DEMAND_ORDER = ["sku_idx", "day", "rank", "kind", "ref", "qty"]


def fifo_order(frame: pl.DataFrame, schema: dict[str, pl.DataType], by: list[str]) -> pl.DataFrame:
    """Rows in FIFO order within each SKU (sorted ``by``, ``SUPPLY_ORDER`` or
    ``DEMAND_ORDER``)."""
    return (
        frame.lazy()  # one pass, one copy
        .select(schema.keys())
        .cast(schema)
        .sort(by)  # not stable: about twice as fast, and ``by`` leaves no ties to keep
        .collect()
    )


def peg(supply: pl.DataFrame, demand: pl.DataFrame, skus: pl.DataFrame) -> Pegging:
    """Peg ``demand`` (``DEMAND`` in ``fifo_order``, without safety stock) to
    ``supply`` (``SUPPLY``); zero quantities are left out.

    Ties within a day are broken by the rows' references, which the engine
    hands out in a deterministic order: the same inputs give the same pegs."""
    supply = fifo_order(supply.filter(pl.col("qty") > EPSILON), SUPPLY, SUPPLY_ORDER)
    demand = demand.filter(pl.col("qty") > EPSILON)
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
    supply_row = pl.Series(peg_supply)
    demand_row = pl.Series(peg_demand).replace(-1, None)  # null: safety stock
    pegs = pl.concat(
        [
            supply.select(
                pl.col("sku_idx", "kind", "ref", "day").gather(supply_row).name.prefix("supply_")
            ),
            demand.select(pl.col("kind", "ref", "day").gather(demand_row).name.prefix("demand_")),
        ],
        how="horizontal",
    ).with_columns(pl.col("demand_kind").fill_null(SAFETY_STOCK), qty=pl.Series(peg_qty))
    return Pegging(
        pegs=pegs.rename({"supply_sku_idx": "sku_idx"}).select(PEGS.keys()).cast(PEGS),
        short_demand=demand.with_columns(short_qty=short_qty).filter(pl.col("short_qty") > EPSILON),
        supply=supply.with_columns(
            pegged_qty=pegged_qty, need_day=pl.Series(need_day).replace(-1, None)
        ),
    )


@njit(cache=True, nogil=True)  # a plan writer thread may run meanwhile
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
    return (  # copies, not views: a frame made from a view keeps the whole buffer alive
        peg_supply[:n_pegs].copy(),
        peg_demand[:n_pegs].copy(),
        peg_qty[:n_pegs].copy(),
        short_qty,
        pegged_qty,
        need_day,
    )
