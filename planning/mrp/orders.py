"""Planned orders: lots split at ``max_qty``, sized for yield, offset by lead
time, given deterministic ids, and shaped into the ERP-facing order files."""

from __future__ import annotations

from datetime import date

import polars as pl

from planning.mrp.buckets import date_of, day_stamp
from planning.mrp.inputs import of_sku

PLANNED_ORDERS = {
    "order_id": pl.String,
    "sku_idx": pl.Int64,
    "replenishment": pl.String,
    "receipt_day": pl.Int64,
    "start_day": pl.Int64,
    "required_start_day": pl.Int64,  # before 0 when the lead time is compressed
    "receipt_qty": pl.Float64,  # good units received
    "order_qty": pl.Float64,  # units started: receipt_qty / yield_rate for make
    "piece": pl.Int64,  # numbers the orders a lot split into, from 1
}

# what a planned order is called in its id, per replenishment
ORDER_ID_PREFIX = {"make": "PWO", "buy": "PPR", "transfer": "PTO"}
# the plan table of the planned orders of each replenishment
ORDER_TABLES = {"work_orders": "make", "purchase_requests": "buy", "transfer_orders": "transfer"}


def split_at_max_qty(lots: pl.DataFrame, skus: pl.DataFrame) -> pl.DataFrame:
    """One row per order: a lot above ``max_qty`` becomes full orders of
    ``max_qty`` and one for the rest; ``piece`` numbers them from 1."""
    return (
        lots.with_columns(of_sku(skus, "max_qty"))
        .with_columns(
            pieces=pl.when(pl.col("max_qty") > 0)
            .then((pl.col("qty") / pl.col("max_qty") - 1e-9).ceil().clip(lower_bound=1))
            .otherwise(1)
            .cast(pl.Int64)
        )
        .with_columns(piece=pl.int_ranges(1, pl.col("pieces") + 1))
        .explode("piece")
        .with_columns(
            qty=pl.when(pl.col("pieces") == 1)
            .then(pl.col("qty"))
            .when(pl.col("piece") < pl.col("pieces"))
            .then(pl.col("max_qty"))
            .otherwise(pl.col("qty") - (pl.col("pieces") - 1) * pl.col("max_qty"))
        )
        .drop("max_qty", "pieces")
    )


def offset_lead_times(orders: pl.DataFrame, skus: pl.DataFrame) -> pl.DataFrame:
    """Start (or order, or ship) day = receipt day - lead time, never before as-of."""
    return (
        orders.with_columns(of_sku(skus, "lead_time_days"))
        .with_columns(required_start_day=pl.col("receipt_day") - pl.col("lead_time_days"))
        .with_columns(start_day=pl.col("required_start_day").clip(lower_bound=0))
        .drop("lead_time_days")
    )


def planned_orders(lots: pl.DataFrame, skus: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """Planned orders (``PLANNED_ORDERS``) from netting's lots (SKU, day, qty).

    Ids are ``<PWO|PPR|PTO>-<item>-<location>-<receipt yyyymmdd>-<piece>``: the
    same extract and as-of date give the same ids, which the ERP can use as
    idempotency keys.
    """
    days = (lots["day"].max() or 0) + 1
    return (
        split_at_max_qty(lots, skus)
        .rename({"day": "receipt_day", "qty": "receipt_qty"})
        .with_columns(of_sku(skus, "item_id", "location_id", "replenishment", "yield_rate"))
        .with_columns(
            order_qty=pl.when(pl.col("replenishment") == "make")
            .then(pl.col("receipt_qty") / pl.col("yield_rate"))
            .otherwise(pl.col("receipt_qty")),
            order_id=pl.concat_str(
                pl.col("replenishment").replace_strict(ORDER_ID_PREFIX),
                pl.col("item_id"),
                pl.col("location_id"),
                day_stamp(pl.col("receipt_day"), as_of, days),
                pl.col("piece").cast(pl.String),
                separator="-",
            ),
        )
        .pipe(offset_lead_times, skus)
        .select(PLANNED_ORDERS.keys())
        .cast(PLANNED_ORDERS)
        .sort("sku_idx", "receipt_day", "piece")  # in the same order on every run
    )


def work_orders(orders: pl.DataFrame, skus: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """``work_orders.csv``: planned production; ``qty`` is what to start,
    ``good_qty`` what it yields."""
    return _with_sku(orders, skus, "make", as_of).select(
        "order_id",
        "item_id",
        "location_id",
        pl.col("order_qty").alias("qty"),
        "start_date",
        "due_date",
        pl.col("receipt_qty").alias("good_qty"),
        "is_lead_time_compressed",
    )


def purchase_requests(orders: pl.DataFrame, skus: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """``purchase_requests.csv``: planned purchases to place with the supplier."""
    return _with_sku(orders, skus, "buy", as_of).select(
        pl.col("order_id").alias("request_id"),
        "item_id",
        "location_id",
        "supplier_id",
        pl.col("order_qty").alias("qty"),
        pl.col("start_date").alias("order_date"),
        pl.col("due_date").alias("need_date"),
        "is_lead_time_compressed",
    )


def transfer_orders(orders: pl.DataFrame, skus: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """``transfer_orders.csv``: planned shipments from the source location."""
    return _with_sku(orders, skus, "transfer", as_of).select(
        "order_id",
        "item_id",
        pl.col("source_location_id").alias("from_location_id"),
        pl.col("location_id").alias("to_location_id"),
        pl.col("order_qty").alias("qty"),
        pl.col("start_date").alias("ship_date"),
        pl.col("due_date").alias("receipt_date"),
        "is_lead_time_compressed",
    )


def _with_sku(orders: pl.DataFrame, skus: pl.DataFrame, replenishment: str, as_of: date):
    return (
        orders.filter(pl.col("replenishment") == replenishment)
        .with_columns(of_sku(skus, "item_id", "location_id", "supplier_id", "source_location_id"))
        .with_columns(
            start_date=date_of(pl.col("start_day"), as_of),
            due_date=date_of(pl.col("receipt_day"), as_of),
            is_lead_time_compressed=pl.col("required_start_day") < 0,
        )
        .sort("order_id")
    )
