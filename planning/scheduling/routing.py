"""From work orders and the contract's routings to the scheduler's input frames."""

from __future__ import annotations

import polars as pl

from planning.scheduling.problem import OPERATIONS_SCHEMA, RESOURCES_SCHEMA, conform

WORK_ORDERS_SCHEMA = pl.Schema(
    {
        "order_id": pl.String,
        "item_id": pl.String,
        "location_id": pl.String,
        "qty": pl.Float64,
        "release_minute": pl.Int64,
        "due_minute": pl.Int64,
        "weight": pl.Float64,
    }
)
"""Work orders to schedule: quantity in the item's unit; ``release_minute`` (material
available) and ``due_minute`` in minutes from the schedule start; ``weight`` of lateness."""

ROUTINGS_SCHEMA = pl.Schema(
    {
        "item_id": pl.String,
        "location_id": pl.String,
        "op_seq": pl.Int64,
        "work_center_id": pl.String,
        "run_minutes_per_unit": pl.Float64,
        "setup_minutes": pl.Float64,
        "skill": pl.String,
        "setup_family": pl.String,
    }
)
"""The contract's ``routings.csv``: rows of one (item, location, op_seq) naming different
work centers are alternatives."""

WORK_CENTERS_SCHEMA = pl.Schema(
    {
        "work_center_id": pl.String,
        "location_id": pl.String,
        "capacity_units": pl.Int64,
        "efficiency": pl.Float64,
    }
)


def run_minutes() -> pl.Expr:
    """Minutes an operation occupies a unit: fixed setup plus quantity x run time,
    divided by the work center's efficiency (default 1), rounded up, at least 1."""
    minutes = pl.col("setup_minutes").fill_null(0.0) + pl.col("qty") * pl.col(
        "run_minutes_per_unit"
    )
    return (
        (minutes / pl.col("efficiency").fill_null(1.0))
        .ceil()
        .cast(pl.Int64)
        .clip(lower_bound=1)
        .alias("duration_minutes")
    )


def operations_from_work_orders(
    work_orders: pl.DataFrame, routings: pl.DataFrame, work_centers: pl.DataFrame
) -> pl.DataFrame:
    """The ``operations`` frame (OPERATIONS_SCHEMA) of the work orders: one row per
    work order and routing row of its item at its location. Work orders whose item has
    no routing there get no rows (anti-join to report them)."""
    work_orders = conform(
        work_orders,
        WORK_ORDERS_SCHEMA,
        ("order_id", "item_id", "location_id", "qty"),
        "work_orders",
    )
    routings = conform(
        routings,
        ROUTINGS_SCHEMA,
        ("item_id", "location_id", "op_seq", "work_center_id", "run_minutes_per_unit"),
        "routings",
    )
    work_centers = conform(
        work_centers, WORK_CENTERS_SCHEMA, ("work_center_id", "capacity_units"), "work_centers"
    )
    return (
        work_orders.join(routings, on=["item_id", "location_id"], how="inner")
        .join(work_centers.select("work_center_id", "efficiency"), on="work_center_id", how="left")
        .with_columns(run_minutes())
        .select(list(OPERATIONS_SCHEMA))
        .cast(dict(OPERATIONS_SCHEMA))
        .sort("order_id", "op_seq", "work_center_id")
    )


def resources_from_work_centers(work_centers: pl.DataFrame) -> pl.DataFrame:
    """The ``resources`` frame (RESOURCES_SCHEMA) from the contract's work centers."""
    return conform(
        work_centers, WORK_CENTERS_SCHEMA, ("work_center_id", "capacity_units"), "work_centers"
    ).select(list(RESOURCES_SCHEMA))
