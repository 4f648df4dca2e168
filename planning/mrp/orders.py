"""Planned orders: lots split at ``max_qty``, sized for yield, offset by lead
time onto working days, given deterministic ids, and shaped into the
ERP-facing order files."""

from __future__ import annotations

from datetime import date

import polars as pl

from planning.mrp.buckets import date_of, day_stamp
from planning.mrp.calendars import Calendars
from planning.mrp.inputs import of_sku
from planning.mrp.lot_sizing import WHOLE_UNIT_TOLERANCE, whole_units

PLANNED_ORDERS = {
    "order_id": pl.String,
    "sku_idx": pl.Int64,
    "replenishment": pl.String,
    "receipt_day": pl.Int64,
    "start_day": pl.Int64,
    # the receipt day the plan would want without constraints (the order's own
    # dates are the feasible ones)
    "requested_day": pl.Int64,
    # receipt day - lead time, may be before 0: the lead time is compressed
    # when the order starts after it
    "required_start_day": pl.Int64,
    "receipt_qty": pl.Float64,  # good units received
    "order_qty": pl.Float64,  # units started: receipt_qty / yield_rate for make, whole if need be
    "piece": pl.Int64,  # numbers the orders a lot split into, from 1
}

# a lot splits into at most this many orders, the last one holding the rest: a
# quantity absurd for its max_qty (1e15 units) must not ask for 1e13 orders;
# no plausible lot comes near it, so every other order stays within max_qty
MAX_PIECES_PER_LOT = 100_000

# what a planned order is called in its id, per replenishment
ORDER_ID_PREFIX = {"make": "PWO", "buy": "PPR", "transfer": "PTO"}
# the plan table of the planned orders of each replenishment
ORDER_TABLES = {"work_orders": "make", "purchase_requests": "buy", "transfer_orders": "transfer"}


def split_at_max_qty(lots: pl.DataFrame, skus: pl.DataFrame) -> pl.DataFrame:
    """One row per order: a lot above ``max_qty`` becomes full orders of
    ``max_qty`` and one for the rest (at most MAX_PIECES_PER_LOT, the last one
    then above ``max_qty``); ``piece`` numbers them from 1. For an
    ``integer_qty`` item the full orders hold the whole units ``max_qty`` has
    room for (at least one), so that every piece of a whole lot is whole."""
    whole_max_qty = (pl.col("max_qty") + WHOLE_UNIT_TOLERANCE).floor().clip(lower_bound=1.0)
    return (
        lots.with_columns(of_sku(skus, "max_qty", "integer_qty"))
        .with_columns(
            max_qty=pl.when(pl.col("integer_qty")).then(whole_max_qty).otherwise(pl.col("max_qty"))
        )
        .with_columns(
            pieces=pl.when(pl.col("max_qty") > 0)
            .then(
                (pl.col("qty") / pl.col("max_qty") - 1e-9)
                .ceil()
                .clip(lower_bound=1, upper_bound=MAX_PIECES_PER_LOT)
            )
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
        .drop("max_qty", "integer_qty", "pieces")
    )


def offset_lead_times(
    orders: pl.DataFrame, skus: pl.DataFrame, calendars: Calendars
) -> pl.DataFrame:
    """Start (or order, or ship) day = receipt day - lead time in calendar days,
    then moved back to the last day of the SKU's ``start_calendar`` on or
    before it: a work order starts on a working day of its plant, a transfer
    ships on an open day of its source, a purchase is ordered on any day.

    Never before as-of: an order that cannot start on a calendar day by then
    starts on the calendar's first day from as-of (as-of itself if that is
    after its receipt), later than its lead time asks: it is lead-time
    compressed (``start_day > required_start_day``)."""
    latest = calendars.last_on_or_before(pl.col("start_calendar"), pl.col("required_start_day"))
    first = calendars.first_on_or_after(pl.col("start_calendar"), pl.lit(0))
    return (
        orders.with_columns(of_sku(skus, "lead_time_days", "start_calendar"))
        .with_columns(required_start_day=pl.col("receipt_day") - pl.col("lead_time_days"))
        .with_columns(
            start_day=pl.when(latest >= 0)
            .then(latest)
            .when(first <= pl.col("receipt_day"))
            .then(first)
            .otherwise(0)
        )
        .drop("lead_time_days", "start_calendar")
    )


def planned_orders(
    lots: pl.DataFrame, skus: pl.DataFrame, calendars: Calendars, as_of: date
) -> pl.DataFrame:
    """Planned orders (``PLANNED_ORDERS``) from netting's lots (SKU, day, qty).

    Ids are ``<PWO|PPR|PTO>-<item>-<location>-<receipt yyyymmdd>-<piece>``: the
    same extract and as-of date give the same ids, which the ERP can use as
    idempotency keys.
    """
    days = (lots["day"].max() or 0) + 1
    return (
        split_at_max_qty(lots, skus)
        .rename({"day": "receipt_day", "qty": "receipt_qty"})
        .with_columns(
            of_sku(skus, "item_id", "location_id", "replenishment", "yield_rate", "integer_qty")
        )
        .with_columns(
            order_qty=pl.when(pl.col("replenishment") == "make")
            .then(whole_units(pl.col("receipt_qty") / pl.col("yield_rate"), pl.col("integer_qty")))
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
        .pipe(offset_lead_times, skus, calendars)
        .with_columns(requested_day="receipt_day")
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
        "requested_date",
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
        "requested_date",
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
        "requested_date",
        "is_lead_time_compressed",
    )


def _with_sku(orders: pl.DataFrame, skus: pl.DataFrame, replenishment: str, as_of: date):
    return (
        orders.filter(pl.col("replenishment") == replenishment)
        .with_columns(of_sku(skus, "item_id", "location_id", "supplier_id", "source_location_id"))
        .with_columns(
            start_date=date_of(pl.col("start_day"), as_of),
            due_date=date_of(pl.col("receipt_day"), as_of),
            requested_date=date_of(pl.col("requested_day"), as_of),
            is_lead_time_compressed=pl.col("start_day") > pl.col("required_start_day"),
        )
        .sort("order_id")
    )
