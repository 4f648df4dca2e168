"""Action messages on existing supply: ``expedite`` (pulled in by netting),
``defer`` (arrives well before it is needed: to the last day it can be
received on by then), ``cancel`` (not needed in the horizon) and ``reduce``
(more than is needed), within the site's tolerances."""

from __future__ import annotations

from datetime import date

import polars as pl

from planning.config import PlanningRules
from planning.mrp.buckets import date_of
from planning.mrp.calendars import Calendars
from planning.mrp.inputs import of_sku
from planning.mrp.netting import EPSILON
from planning.mrp.pegging import RECEIPT

# existing receipts as the engine tracks them
RECEIPTS = {
    "sku_idx": pl.Int64,
    "supply_type": pl.String,
    "supply_id": pl.String,
    "due_date": pl.Date,
    "original_day": pl.Int64,
    "day": pl.Int64,  # after rescheduling in
    "qty": pl.Float64,
    "movable": pl.Boolean,  # false for transfers in transit
    "receipt_row": pl.Int64,  # its row among all receipts, in netting order
}
ACTION_MESSAGES = {
    "supply_type": pl.String,
    "supply_id": pl.String,
    "item_id": pl.String,
    "location_id": pl.String,
    "action": pl.String,
    "current_date": pl.Date,
    "suggested_date": pl.Date,
    "qty": pl.Float64,  # the receipt's open quantity
    "suggested_qty": pl.Float64,  # what it should become (0 to cancel)
}


def action_messages(
    receipts: pl.DataFrame,
    pegged_supply: pl.DataFrame,
    skus: pl.DataFrame,
    rules: PlanningRules,
    calendars: Calendars,
    as_of: date,
) -> pl.DataFrame:
    """Messages (``ACTION_MESSAGES``) for the movable existing receipts, from
    their pegged qty and need day (``pegging.Pegging.supply``, where a
    receipt's ``ref`` is its ``receipt_row``). A receipt is deferred to the
    last day on or before its need day that its SKU receives on (``skus``'
    ``receipt_calendar``)."""
    pegged = pegged_supply.filter(pl.col("kind") == RECEIPT).select(
        "pegged_qty", "need_day", receipt_row="ref"
    )
    receipts = (
        receipts.filter(pl.col("movable"))
        .join(pegged, on="receipt_row", how="left")
        .with_columns(*of_sku(skus, "receipt_calendar"), pl.col("pegged_qty").fill_null(0.0))
        .with_columns(
            need_day=calendars.last_on_or_before(pl.col("receipt_calendar"), pl.col("need_day"))
        )
    )
    days = rules.action_tolerance_days
    share = 1 - rules.action_tolerance_pct / 100
    expedite = receipts.filter(pl.col("original_day") - pl.col("day") > days).select(
        "supply_type",
        "supply_id",
        action=pl.lit("expedite"),
        suggested_day="day",
        suggested_qty="qty",
    )
    defer = receipts.filter(
        pl.col("pegged_qty") > EPSILON, pl.col("need_day") - pl.col("day") > days
    ).select(
        "supply_type",
        "supply_id",
        action=pl.lit("defer"),
        suggested_day="need_day",
        suggested_qty="qty",
    )
    cancel = receipts.filter(pl.col("pegged_qty") <= EPSILON).select(
        "supply_type",
        "supply_id",
        action=pl.lit("cancel"),
        suggested_day="day",
        suggested_qty=pl.lit(0.0),
    )
    reduce = receipts.filter(
        pl.col("pegged_qty") > EPSILON, pl.col("pegged_qty") < pl.col("qty") * share - EPSILON
    ).select(
        "supply_type",
        "supply_id",
        action=pl.lit("reduce"),
        suggested_day="day",
        suggested_qty="pegged_qty",
    )
    return (
        pl.concat([expedite, defer, cancel, reduce])
        .join(
            receipts.select("supply_type", "supply_id", "sku_idx", "due_date", "qty"),
            on=["supply_type", "supply_id"],
        )
        .join(skus.select("sku_idx", "item_id", "location_id"), on="sku_idx")
        .with_columns(
            current_date="due_date", suggested_date=date_of(pl.col("suggested_day"), as_of)
        )
        .select(ACTION_MESSAGES.keys())
        .cast(ACTION_MESSAGES)
        .sort("supply_type", "supply_id", "action")
    )
