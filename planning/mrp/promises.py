"""Delivery promises (``demand_promises``, CONTRACT.md section 2): for every
independent demand line, when its parts can be delivered and, for a late part,
the first constraint that delays it.

A demand is promised along its pegs: each part on the day its supply arrives
in the constrained plan (stock on hand at once), never before the day the
demand is placed. A late part takes the cause of the supply behind it: its
planned order's (capacity, material or lead time, with the work center, the
component SKU or the order); ``material`` and the open order's id for an open
receipt that arrives late, ``lead_time`` for one that cannot arrive sooner
(its remaining operations or its transit time, ``actions.feasible_receipts``);
``frozen`` for supply held back by the MPS time fence; ``lead_time`` for a
line due before as-of, which ships on as-of at the earliest. A part no supply
covers in the horizon has no promised date. Demand at an item and location
without a valid SKU is promised nothing, with cause ``invalid_data``.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from planning.mrp.buckets import date_of
from planning.mrp.constrained import CAPACITY_CODE, CAUSES, LEAD_TIME_CODE, MATERIAL_CODE
from planning.mrp.netting import EPSILON
from planning.mrp.pegging import INDEPENDENT, ON_HAND, PLANNED, RECEIPT, PegNames

# the published table (CONTRACT.md section 2)
DEMAND_PROMISES = {
    "demand_id": pl.String,
    "demand_type": pl.String,
    "item_id": pl.String,
    "location_id": pl.String,
    "qty": pl.Float64,
    "due_date": pl.Date,
    "promised_date": pl.Date,
    "days_late": pl.Int64,
    "cause": pl.String,
    "cause_ref": pl.String,
    "message": pl.String,
    # optional: the supply behind the part (its latest, when several arrive that day)
    "supply_id": pl.String,
}
PROMISED_TYPES = ("sales_order", "forecast")
FROZEN, INVALID_DATA, ON_TIME = "frozen", "invalid_data", "on_time"


def demand_promises(
    pegs: pl.DataFrame,
    short: pl.DataFrame,
    orders: pl.DataFrame,
    due: pl.Series,
    names: PegNames,
    held_receipts: pl.Series,
    skus: pl.DataFrame,
    unplanned: pl.DataFrame,
    as_of: date,
    horizon_days: int,
) -> pl.DataFrame:
    """``DEMAND_PROMISES`` of the independent demand.

    ``pegs`` are the constrained plan's pegs (dates redated), ``short`` the
    uncovered part of independent demand (DEMAND rows with ``short_qty``),
    ``orders`` the planned orders with their constrained dates and causes,
    ``due`` each independent demand's due day by reference, ``held_receipts``
    whether each existing receipt (by row) cannot arrive sooner, ``unplanned``
    the demand rows that name no valid SKU."""
    parts = (
        pegs.filter(pl.col("demand_kind") == INDEPENDENT)
        .with_columns(promised_day=pl.max_horizontal("supply_day", "demand_day"))
        .sort("supply_day", descending=True)
        .group_by("sku_idx", "demand_ref", "promised_day", maintain_order=True)
        .agg(
            pl.col("qty").sum(),
            pl.col("supply_kind", "supply_ref", "demand_day").first(),
        )
        .filter(pl.col("qty") > EPSILON)
    )
    uncovered = short.filter(pl.col("short_qty") > EPSILON).select(
        "sku_idx",
        demand_ref="ref",
        promised_day=pl.lit(None, pl.Int64),
        qty="short_qty",
        supply_kind=pl.lit(None, pl.Int8),
        supply_ref=pl.lit(None, pl.Int64),
        demand_day="day",
    )
    rows = pl.concat([parts, uncovered], how="vertical_relaxed")
    rows = pl.concat(
        [
            rows,
            names.demand_of(
                pl.repeat(INDEPENDENT, rows.height, eager=True), rows["demand_ref"], rows["sku_idx"]
            ),
        ],
        how="horizontal",
    ).filter(pl.col("demand_type").is_in(PROMISED_TYPES))
    planned = orders.select(
        supply_ref="order_row",
        order_id="order_id",
        order_cause="cause",
        order_ref="cause_ref",
        root_cause="root_cause",
        root_ref="root_ref",
        wait_until="wait_until",
        requested_day="requested_day",
    )
    receipts = names.receipts.select(
        supply_kind=pl.lit(RECEIPT, pl.Int8),
        supply_ref=pl.int_range(pl.len(), dtype=pl.Int64),
        receipt_id="supply_id",
        receipt_type="supply_type",
        receipt_held=held_receipts,
    )
    return (
        rows.join(planned, on="supply_ref", how="left")
        .join(receipts, on=["supply_kind", "supply_ref"], how="left")
        .with_columns(
            pl.when(pl.col("supply_kind") == PLANNED).then(pl.col(c)).alias(c)
            for c in planned.columns
            if c != "supply_ref"
        )
        .with_columns(
            due_day=pl.lit(due).gather("demand_ref"),
            promised_day=pl.when(pl.col("promised_day") < horizon_days).then("promised_day"),
        )
        .with_columns(
            of_skus(skus),
            days_late=(pl.col("promised_day") - pl.col("due_day")).clip(lower_bound=0),
        )
        .with_columns(_cause())
        .with_columns(_cause_ref())
        .with_columns(message=_message(as_of), supply_id=pl.coalesce("order_id", "receipt_id"))
        .with_columns(
            due_date=date_of(pl.col("due_day"), as_of),
            promised_date=date_of(pl.col("promised_day"), as_of),
        )
        .select(DEMAND_PROMISES.keys())
        .cast(DEMAND_PROMISES)
        .vstack(invalid_promises(unplanned))
        .sort("demand_type", "demand_id", "promised_date", nulls_last=True)
    )


def of_skus(skus: pl.DataFrame) -> list[pl.Expr]:
    """The SKU's item, location, id, and the first day the MPS time fence lets
    new supply in (0 without a fence)."""
    return [
        pl.lit(skus[c]).gather(pl.col("sku_idx")).alias(c)
        for c in ("item_id", "location_id", "sku_id", "is_mps_item", "earliest_planned_day")
    ]


def _cause() -> pl.Expr:
    late = pl.col("promised_day").is_null() | (pl.col("promised_day") > pl.col("due_day"))
    fenced = pl.col("is_mps_item").fill_null(False) & (pl.col("earliest_planned_day") > 0)
    order_cause = pl.col("order_cause").replace_strict(
        {code: name for code, name in CAUSES.items()}, default=None, return_dtype=pl.String
    )
    return (
        pl.when(~late)
        .then(pl.lit(ON_TIME))
        .when(pl.col("promised_day").is_not_null() & (pl.col("promised_day") == 0))
        .then(pl.lit("lead_time"))  # due before as-of, shipped on as-of
        .when((pl.col("supply_kind") == PLANNED) & (pl.col("order_cause") != 0))
        .then(order_cause)
        .when(pl.col("supply_kind") == RECEIPT)
        .then(pl.when("receipt_held").then(pl.lit("lead_time")).otherwise(pl.lit("material")))
        .when(fenced & (pl.col("demand_day") < pl.col("earliest_planned_day")))
        .then(pl.lit(FROZEN))
        .when(pl.col("supply_kind") == ON_HAND)
        .then(pl.lit("lead_time"))
        .otherwise(pl.lit("material"))
        .alias("cause")
    )


def _cause_ref() -> pl.Expr:
    cause = pl.col("cause")
    return (
        pl.when(cause == ON_TIME)
        .then(pl.lit(None, pl.String))
        .when((pl.col("supply_kind") == PLANNED) & (pl.col("order_cause") != 0))
        .then("order_ref")
        .when(pl.col("supply_kind") == RECEIPT)
        .then("receipt_id")
        .when(cause == "lead_time")
        .then(pl.col("order_id").fill_null(pl.col("sku_id")))
        .otherwise("sku_id")
        .alias("cause_ref")
    )


def _message(as_of: date) -> pl.Expr:
    cause, ref = pl.col("cause"), pl.col("cause_ref").fill_null("")
    start = date_of(pl.col("wait_until"), as_of).cast(pl.String)
    promised = date_of(pl.col("promised_day"), as_of).cast(pl.String)
    root = pl.col("root_cause")
    held_by = (
        pl.when(root == CAPACITY_CODE)
        .then(pl.concat_str(pl.lit(", held by "), pl.col("root_ref"), pl.lit(" being full")))
        .when(root == LEAD_TIME_CODE)
        .then(pl.concat_str(pl.lit(", held by the lead time of "), pl.col("root_ref")))
        .when(root == MATERIAL_CODE)
        .then(pl.concat_str(pl.lit(", held by its own components")))
        .otherwise(pl.lit(""))
    )
    by = (
        pl.when(pl.col("promised_day").is_null())
        .then(pl.lit("not covered within the horizon"))
        .otherwise(pl.concat_str(pl.lit("promised "), promised))
    )
    reason = (
        pl.when(cause == ON_TIME)
        .then(pl.lit("on time"))
        .when((cause == "capacity") & (pl.col("wait_until") >= 0))
        .then(
            pl.concat_str(
                ref, pl.lit(" is full until "), start, pl.lit(" for "), pl.col("order_id")
            )
        )
        .when(cause == "capacity")
        .then(pl.concat_str(ref, pl.lit(" needs its work centers longer than its lead time")))
        .when((cause == "material") & pl.col("receipt_id").is_not_null())
        .then(pl.concat_str(pl.lit("open supply "), ref, pl.lit(" arrives late")))
        .when(pl.col("receipt_held") & (pl.col("receipt_type") == "work_order"))
        .then(
            pl.concat_str(
                pl.lit("open work order "),
                ref,
                pl.lit(" cannot finish its remaining operations sooner"),
            )
        )
        .when(pl.col("receipt_held"))
        .then(
            pl.concat_str(
                pl.lit("open transfer "), ref, pl.lit(" cannot arrive sooner with its transit time")
            )
        )
        .when(cause == "material")
        .then(pl.concat_str(pl.lit("waits for "), ref, held_by.fill_null("")))
        .when(cause == FROZEN)
        .then(pl.lit("inside the MPS time fence: no new supply before it ends"))
        .when(pl.col("due_day") < 0)
        .then(pl.lit("due before as-of"))
        .otherwise(pl.concat_str(ref, pl.lit(" cannot start before as-of with its lead time")))
    )
    return pl.concat_str(by, pl.lit(": "), reason)


def invalid_promises(unplanned: pl.DataFrame) -> pl.DataFrame:
    """Independent demand at an item and location without a valid SKU: no
    promise, cause ``invalid_data``."""
    return (
        unplanned.filter(pl.col("demand_type").is_in(PROMISED_TYPES))
        .select(
            "demand_id",
            "demand_type",
            "item_id",
            "location_id",
            "qty",
            due_date=pl.coalesce("original_date", "demand_date"),
            promised_date=pl.lit(None, pl.Date),
            days_late=pl.lit(None, pl.Int64),
            cause=pl.lit(INVALID_DATA),
            cause_ref=pl.col("sku_id"),
            supply_id=pl.lit(None, pl.String),
            message=pl.concat_str(
                pl.lit("not promised: "),
                pl.col("sku_id"),
                pl.lit(" is not a valid SKU (quarantined or not in the extract)"),
            ),
        )
        .select(DEMAND_PROMISES.keys())
        .cast(DEMAND_PROMISES)
    )
