"""Problems the material plan finds, for planners to act on (CONTRACT.md section 2).

Each function returns rows of ``EXCEPTIONS``; ``severity`` is ``high`` (a
customer or the plan is hurt now), ``medium`` (act this week) or ``low`` (review).
"""

from __future__ import annotations

from datetime import date

import polars as pl

from planning.mrp.buckets import date_of
from planning.mrp.inputs import of_sku
from planning.mrp.pegging import EPSILON, INDEPENDENT, PegNames
from planning.precision import MONEY_DECIMALS, as_text

EXCEPTIONS = {
    "category": pl.String,
    "severity": pl.String,
    "item_id": pl.String,
    "location_id": pl.String,
    "ref_id": pl.String,
    "date": pl.Date,
    "qty": pl.Float64,
    "message": pl.String,
}
# the order exception rows are published in: rows equal on every other key
# differ in their message
EXCEPTION_ORDER = ["category", "item_id", "location_id", "date", "ref_id", "message"]


def _qty(column: str) -> pl.Expr:
    return as_text(pl.col(column))


def days_late(days: pl.Expr) -> pl.Expr:
    """``N days late`` (``1 day late``) in a message."""
    unit = pl.when(days == 1).then(pl.lit(" day late")).otherwise(pl.lit(" days late"))
    return pl.concat_str(days.cast(pl.String), unit)


def _rows(frame: pl.DataFrame, skus: pl.DataFrame, as_of: date, **columns: pl.Expr):
    """Shape ``frame`` (with sku_idx and a ``day`` column) into exception rows."""
    return (
        frame.join(skus.select("sku_idx", "item_id", "location_id"), on="sku_idx")
        .with_columns(date=date_of(pl.col("day"), as_of))
        .with_columns(**columns)
        .select(EXCEPTIONS.keys())
        .cast(EXCEPTIONS)
    )


def shortages(inventory: pl.DataFrame, skus: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """SKUs whose projected on hand goes negative: the first day and the deepest gap."""
    short = (
        inventory.filter(pl.col("projected_on_hand") < -EPSILON)
        .group_by("sku_idx")
        .agg(day=pl.col("day").min(), qty=-pl.col("projected_on_hand").min())
    )
    return _rows(
        short,
        skus,
        as_of,
        category=pl.lit("shortage"),
        severity=pl.lit("high"),
        ref_id=pl.lit(None),
        message=pl.concat_str(
            pl.lit("projected on hand goes negative from "),
            pl.col("date").cast(pl.String),
            pl.lit(", down to -"),
            _qty("qty"),
        ),
    )


def below_safety_stock(inventory: pl.DataFrame, skus: pl.DataFrame, as_of: date):
    """SKUs that dip below safety stock without going negative."""
    low = (
        inventory.with_columns(of_sku(skus, "safety_stock"))
        .group_by("sku_idx")
        .agg(
            lowest=pl.col("projected_on_hand").min(),
            safety_stock=pl.col("safety_stock").first(),
            day=pl.col("day")
            .filter(pl.col("projected_on_hand") < pl.col("safety_stock") - EPSILON)
            .min(),
        )
        .filter(pl.col("day").is_not_null(), pl.col("lowest") >= -EPSILON)
        .with_columns(qty=pl.col("safety_stock") - pl.col("lowest"))
    )
    return _rows(
        low,
        skus,
        as_of,
        category=pl.lit("below_safety_stock"),
        severity=pl.lit("low"),
        ref_id=pl.lit(None),
        message=pl.concat_str(
            pl.lit("projected on hand falls to "),
            _qty("lowest"),
            pl.lit(", below safety stock "),
            _qty("safety_stock"),
            pl.lit(", from "),
            pl.col("date").cast(pl.String),
        ),
    )


def excess_inventory(inventory: pl.DataFrame, skus: pl.DataFrame, as_of: date):
    """Available stock beyond safety stock and every requirement of the horizon:
    what sits unused until the horizon ends, whatever arrives meanwhile. (What
    lot sizing leaves over is not counted; unneeded receipts get ``cancel`` or
    ``reduce`` messages instead.)"""
    excess = (
        inventory.group_by("sku_idx")
        .agg(requirements=pl.col("gross_requirements").sum())
        .join(skus.select("sku_idx", "on_hand", "safety_stock", "unit_cost"), on="sku_idx")
        .with_columns(
            qty=pl.col("on_hand") - pl.col("safety_stock") - pl.col("requirements"),
            day=pl.lit(0, pl.Int64),
        )
        .filter(pl.col("qty") > EPSILON)
    )
    value = as_text(pl.col("qty") * pl.col("unit_cost"), MONEY_DECIMALS)
    return _rows(
        excess,
        skus,
        as_of,
        category=pl.lit("excess_inventory"),
        severity=pl.lit("low"),
        ref_id=pl.lit(None),
        message=pl.concat_str(
            _qty("qty"),
            pl.lit(" units on hand beyond safety stock and all requirements of the horizon"),
            pl.when(pl.col("unit_cost").is_not_null())
            .then(pl.concat_str(pl.lit(" (value "), value, pl.lit(")")))
            .otherwise(pl.lit("")),
        ),
    )


def due_days(demand: pl.DataFrame, rows: pl.Series, as_of: date) -> pl.Series:
    """The day each independent demand is due, in days from ``as_of``: rows
    ``rows`` of ``demand`` (the marts' rows, in the order of their references).
    A sales order line is due on its original date, before as-of (a negative
    day) when it is past due; other demand on its day (a forecast's period may
    have begun, an open order's own lateness is the ERP's)."""
    due = (
        pl.when(pl.col("demand_type") == "sales_order")
        .then(pl.col("original_date"))
        .otherwise(pl.col("demand_date"))
    )
    days = (due - pl.lit(as_of)).dt.total_days().cast(pl.Int64)
    return demand[rows].select(days.alias("due_day")).to_series()


def late_demand(
    pegs: pl.DataFrame,
    short: pl.DataFrame,
    names: PegNames,
    due: pl.Series,
    skus: pl.DataFrame,
    as_of: date,
):
    """Demand covered by supply that arrives after it is due, or not covered at
    all in the horizon. Independent demand is due on ``due`` (``due_days``, by
    reference), so a past-due sales order line is late however soon it is
    covered; other demand on its day. The row's date is the due date. Sales
    orders are high severity, other demand medium."""
    key = ["sku_idx", "demand_kind", "demand_ref", "demand_day"]
    independent = pl.when(pl.col("demand_kind") == INDEPENDENT).then(pl.col("demand_ref"))
    due_day = pl.lit(due).gather(independent).fill_null(pl.col("demand_day"))
    late = (
        pegs.filter(pl.col("supply_day") > due_day)
        .group_by(key)
        .agg(late_qty=pl.col("qty").sum(), covered_day=pl.col("supply_day").max())
    )
    short = short.select(
        "sku_idx", demand_kind="kind", demand_ref="ref", demand_day="day", short_qty="short_qty"
    )
    both = (
        late.join(short, on=key, how="full", coalesce=True)
        .with_columns(pl.col("late_qty", "short_qty").fill_null(0.0))
        .with_columns(
            day=due_day,
            qty=pl.col("late_qty") + pl.col("short_qty"),
        )
        .with_columns(days_late=pl.col("covered_day") - pl.col("day"))
    )
    both = pl.concat(
        [both, names.demand_of(both["demand_kind"], both["demand_ref"], both["sku_idx"])],
        how="horizontal",
    )
    covered_date = date_of(pl.col("covered_day"), as_of).cast(pl.String)
    return _rows(
        both,
        skus,
        as_of,
        category=pl.lit("late_demand"),
        severity=pl.when(pl.col("demand_type") == "sales_order")
        .then(pl.lit("high"))
        .otherwise(pl.lit("medium")),
        ref_id="demand_id",
        message=pl.concat_str(
            pl.col("demand_type").str.replace_all("_", " "),
            pl.lit(" "),
            pl.col("demand_id"),
            pl.lit(" due "),
            pl.col("date").cast(pl.String),
            pl.lit(": "),
            pl.when(pl.col("late_qty") > EPSILON)
            .then(
                pl.concat_str(
                    _qty("late_qty"),
                    pl.lit(" covered late, by "),
                    covered_date,
                    pl.lit(" ("),
                    days_late(pl.col("days_late")),
                    pl.lit(")"),
                )
            )
            .otherwise(pl.lit("")),
            pl.when((pl.col("late_qty") > EPSILON) & (pl.col("short_qty") > EPSILON))
            .then(pl.lit("; "))
            .otherwise(pl.lit("")),
            pl.when(pl.col("short_qty") > EPSILON)
            .then(pl.concat_str(_qty("short_qty"), pl.lit(" not covered in the horizon")))
            .otherwise(pl.lit("")),
        ),
    )


def lead_time_compressed(orders: pl.DataFrame, skus: pl.DataFrame, as_of: date):
    """Planned orders that start later than their lead time asks: they should
    have started before as-of, or before the first working day from it."""
    compressed = orders.filter(pl.col("start_day") > pl.col("required_start_day")).with_columns(
        day=pl.col("start_day"),
        qty=pl.col("order_qty"),
        days_short=pl.col("start_day") - pl.col("required_start_day"),
    )
    return _rows(
        compressed,
        skus,
        as_of,
        category=pl.lit("lead_time_compressed"),
        severity=pl.lit("medium"),
        ref_id="order_id",
        message=pl.concat_str(
            pl.col("order_id"),
            pl.lit(" needs "),
            pl.col("days_short").cast(pl.String),
            pl.lit(" more days of lead time than remain before its due date "),
            date_of(pl.col("receipt_day"), as_of).cast(pl.String),
        ),
    )


def qa_hold_blocking(skus: pl.DataFrame, inventory: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """Stock held in QA or blocked while the SKU needs new supply or runs short:
    releasing it would cover part of that."""
    needed = (
        inventory.filter(
            (pl.col("planned_receipts") > EPSILON) | (pl.col("projected_on_hand") < -EPSILON)
        )
        .group_by("sku_idx")
        .agg(day=pl.col("day").min())
        .join(skus.select("sku_idx", "qa_hold", "blocked"), on="sku_idx")
        .with_columns(held=pl.col("qa_hold") + pl.col("blocked"))
        .filter(pl.col("held") > EPSILON)
        .with_columns(qty=pl.col("held"))
    )
    return _rows(
        needed,
        skus,
        as_of,
        category=pl.lit("qa_hold_blocking"),
        severity=pl.lit("medium"),
        ref_id=pl.lit(None),
        message=pl.concat_str(
            _qty("qa_hold"),
            pl.lit(" in QA hold and "),
            _qty("blocked"),
            pl.lit(" blocked while new supply is needed from "),
            pl.col("date").cast(pl.String),
            pl.lit("; releasing them would cover part of it"),
        ),
    )


def invalid_data(
    category_rows: pl.DataFrame, skus: pl.DataFrame, as_of: date, severity: str = "medium"
) -> pl.DataFrame:
    """``invalid_data`` rows from (sku_idx, ref_id, message) found while planning."""
    return _rows(
        category_rows.with_columns(day=pl.lit(0, pl.Int64), qty=pl.lit(None, pl.Float64)),
        skus,
        as_of,
        category=pl.lit("invalid_data"),
        severity=pl.lit(severity),
    )


def without_sku(demand: pl.DataFrame, supply: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """Demand and open supply at an item and location that has no valid SKU (its
    row was quarantined or never sent): nothing plans them, so they are reported,
    one row per SKU and kind; unplanned sales orders are high severity."""
    rows = pl.concat(
        [
            demand.filter(pl.col("sku_idx").is_null()).select(
                "sku_id",
                "item_id",
                "location_id",
                kind="demand_type",
                day_date="demand_date",
                qty="qty",
                what=pl.lit("demand"),
            ),
            supply.filter(pl.col("sku_idx").is_null()).select(
                "sku_id",
                "item_id",
                "location_id",
                kind="supply_type",
                day_date="due_date",
                qty="qty",
                what=pl.lit("supply"),
            ),
        ]
    )
    summary = rows.group_by("sku_id", "item_id", "location_id", "kind", "what").agg(
        date=pl.col("day_date").min().clip(lower_bound=as_of),
        qty=pl.col("qty").sum(),
        lines=pl.len(),
    )
    return summary.select(
        category=pl.lit("invalid_data"),
        severity=pl.when(pl.col("kind") == "sales_order")
        .then(pl.lit("high"))
        .otherwise(pl.lit("medium")),
        item_id="item_id",
        location_id="location_id",
        ref_id="sku_id",
        date="date",
        qty="qty",
        message=pl.concat_str(
            pl.col("lines").cast(pl.String),
            pl.lit(" "),
            pl.col("kind").str.replace_all("_", " "),
            pl.lit(" "),
            pl.col("what"),
            pl.lit(" line(s), "),
            _qty("qty"),
            pl.lit(" units, name SKU "),
            pl.col("sku_id"),
            pl.lit(", which has no valid row in skus.csv (quarantined or missing): not planned"),
        ),
    ).cast(EXCEPTIONS)
