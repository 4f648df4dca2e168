"""Action messages on existing supply: ``expedite`` (pulled in by netting),
``defer`` (arrives well before it is needed: to the last day it can be
received on by then), ``cancel`` (not needed in the horizon) and ``reduce``
(more than is needed), within the site's tolerances.

Where lead time constrains the plan, an existing receipt is not pulled in
earlier than it can arrive (``feasible_receipts``): an open work order no
earlier than its remaining operations can finish, a transfer not yet shipped
no earlier than its transit time from as-of. Purchase orders are the
supplier's to expedite and keep the day netting asks for."""

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
# an open work order's earliest finish (planning.scheduling.capacity.open_work_finish)
OPEN_WORK_FINISH = {"supply_id": pl.String, "finish_day": pl.Int64}
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


def feasible_receipts(
    receipts: pl.DataFrame,
    skus: pl.DataFrame,
    calendars: Calendars,
    open_work: pl.DataFrame | None,
) -> pl.DataFrame:
    """``receipts`` (RECEIPTS, after netting) each on a day it can arrive by:
    no earlier than the first receiving day after its work order's remaining
    operations can finish (``open_work``, OPEN_WORK_FINISH; none known
    without it), or than its transfer's transit time from as-of, which may be
    later than the day it is due. ``held`` marks the receipts moved."""
    work = (pl.DataFrame(schema=OPEN_WORK_FINISH) if open_work is None else open_work).with_columns(
        supply_type=pl.lit("work_order")
    )
    earliest = (
        pl.when(pl.col("supply_type") == "work_order")
        .then(pl.col("finish_day") + 1)
        .when(pl.col("supply_type") == "transfer")
        .then(pl.col("lead_time_days"))
    )
    feasible = (
        receipts.join(work, on=["supply_type", "supply_id"], how="left", maintain_order="left")
        .with_columns(*of_sku(skus, "receipt_calendar", "lead_time_days"))
        .with_columns(
            earliest=pl.when(pl.col("movable")).then(
                calendars.first_on_or_after(pl.col("receipt_calendar"), earliest)
            )
        )
        .with_columns(held=(pl.col("earliest") > pl.col("day")).fill_null(False))
    )
    return feasible.with_columns(
        day=pl.when("held").then("earliest").otherwise("day").cast(pl.Int64)
    ).select(*RECEIPTS, "held")


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
