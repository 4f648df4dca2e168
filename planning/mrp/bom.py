"""Dependent demand: planned orders of make SKUs need their components on the
order's start day (a working day of the plant), planned transfers need stock
at the source on the ship day (an open day of the source)."""

from __future__ import annotations

from datetime import date

import polars as pl

from planning.mrp.lot_sizing import whole_units
from planning.mrp.pegging import COMPONENT, DEMAND, TRANSFER

LAST_RANK = 1_000_000  # demand without a priority comes after every prioritised one

BOM_LINKS = {
    "parent_idx": pl.Int64,
    "component_idx": pl.Int64,
    "component_item_id": pl.String,
    "qty_per_parent": pl.Float64,  # qty_per / (1 - scrap_rate)
    "component_integer_qty": pl.Boolean,  # the component is counted in whole units
    "valid_from_day": pl.Int64,  # days from as-of, may be negative; null = always
    "valid_to_day": pl.Int64,
}


def bom_links(skus: pl.DataFrame, bom: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """BOM lines between planned SKUs, by sku_idx, with effectivity in days.
    Lines whose component has no SKU at the location are left out (reported
    as invalid data by ``exceptions``)."""

    def days_from_as_of(column: str) -> pl.Expr:
        return (pl.col(column) - pl.lit(as_of)).dt.total_days().alias(f"{column}_day")

    return (
        bom.join(skus.select(parent_sku_id="sku_id", parent_idx="sku_idx"), on="parent_sku_id")
        .join(
            skus.select(
                component_sku_id="sku_id",
                component_idx="sku_idx",
                component_integer_qty="integer_qty",
            ),
            on="component_sku_id",
        )
        .select(
            "parent_idx",
            "component_idx",
            "component_item_id",
            pl.col("component_qty_per_parent").alias("qty_per_parent"),
            "component_integer_qty",
            days_from_as_of("valid_from"),
            days_from_as_of("valid_to"),
        )
        .cast(BOM_LINKS)
    )


def explode_bom(orders: pl.DataFrame, links: pl.DataFrame, skus: pl.DataFrame) -> pl.DataFrame:
    """Component demand of planned work orders and source demand of planned
    transfers (``DEMAND``), referring to the order by its ``order_row``. An
    order's requirement of an ``integer_qty`` component is rounded up to whole
    units for that order, scrap included."""
    components = (
        orders.filter(pl.col("replenishment") == "make")
        .join(links, left_on="sku_idx", right_on="parent_idx", maintain_order="left")
        .filter(
            pl.col("valid_from_day").is_null() | (pl.col("valid_from_day") <= pl.col("start_day")),
            pl.col("valid_to_day").is_null() | (pl.col("valid_to_day") >= pl.col("start_day")),
        )
        .select(
            sku_idx="component_idx",
            day="start_day",
            kind=pl.lit(COMPONENT),
            ref="order_row",
            qty=whole_units(
                pl.col("order_qty") * pl.col("qty_per_parent"), pl.col("component_integer_qty")
            ),
        )
    )
    sources = (
        orders.filter(pl.col("replenishment") == "transfer")
        .join(skus.select("sku_idx", "source_sku_id"), on="sku_idx", maintain_order="left")
        .join(
            skus.select(pl.col("sku_id").alias("source_sku_id"), source_idx="sku_idx"),
            on="source_sku_id",
            maintain_order="left",
        )
        .select(
            sku_idx="source_idx",
            day="start_day",
            kind=pl.lit(TRANSFER),
            ref="order_row",
            qty="order_qty",
        )
    )
    return (
        pl.concat([components, sources], how="vertical_relaxed")
        .with_columns(rank=pl.lit(LAST_RANK))
        .select(DEMAND.keys())
        .cast(DEMAND)
    )
