"""The plan's headline figures, from the plan tables of one run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from planning.report.tables import read_plan_tables

if TYPE_CHECKING:
    import duckdb

PLANNED_ORDER_TABLES = {
    "work_orders": "work orders",
    "purchase_requests": "purchase requests",
    "transfer_orders": "transfer orders",
}
OVERLOAD_PCT = 100.0
# late_demand messages end with "<qty> not covered in the horizon" for what no supply covers
NOT_COVERED = r"([0-9][0-9.eE+-]*) not covered in the horizon$"
SALES_ORDER_MESSAGE = "sales order "  # late_demand messages start with the demand type


@dataclass(frozen=True)
class PlanKpis:
    """The headline figures of a plan. Quantities are in the SKUs' units;
    ``sales_order_fill_rate`` is a share (0..1), loads are percent."""

    planned_orders: dict[str, int]
    shortages: int
    late_demand_lines: int
    late_sales_order_lines: int
    sales_order_qty: float
    sales_order_on_time_qty: float
    sales_order_fill_rate: float | None
    average_load_pct: float | None
    max_load_pct: float | None
    overloaded_center_weeks: int | None
    action_messages: dict[str, int]
    exceptions_by_severity: dict[str, int]


def run_kpis(con: duckdb.DuckDBPyConnection, run_id: str) -> PlanKpis:
    """The headline figures of a run kept in the warehouse's ``plan`` schema."""
    return plan_kpis(read_plan_tables(con, run_id))


def plan_kpis(tables: Mapping[str, pl.DataFrame]) -> PlanKpis:
    """The headline figures (see ``PlanKpis``) from the plan tables."""
    exceptions = tables["exceptions"]
    late = exceptions.filter(pl.col("category") == "late_demand")
    on_time, ordered = sales_order_service(tables["pegging"], exceptions)
    load = tables.get("capacity_load")
    average_load = max_load = overloaded = None
    if load is not None and load.height:
        load = known_loads(load)
        available = load["available_hours"].sum()
        average_load = 100.0 * load["required_hours"].sum() / available if available else None
        max_load = load["load_pct"].max()
        overloaded = load.filter(pl.col("load_pct") > OVERLOAD_PCT).height
    return PlanKpis(
        planned_orders={name: tables[name].height for name in PLANNED_ORDER_TABLES},
        shortages=exceptions.filter(pl.col("category") == "shortage").height,
        late_demand_lines=late.height,
        late_sales_order_lines=late.filter(_is_sales_order_message()).height,
        sales_order_qty=ordered,
        sales_order_on_time_qty=on_time,
        sales_order_fill_rate=on_time / ordered if ordered > 0 else None,
        average_load_pct=average_load,
        max_load_pct=max_load,
        overloaded_center_weeks=overloaded,
        action_messages=value_counts(tables["action_messages"], "action"),
        exceptions_by_severity=value_counts(exceptions, "severity"),
    )


def sales_order_service(pegging: pl.DataFrame, exceptions: pl.DataFrame) -> tuple[float, float]:
    """(on-time qty, ordered qty) of sales orders. Ordered is what pegging
    assigns to sales-order demand plus what no supply covers (``late_demand``
    exceptions of sales orders saying "not covered"); on time is pegged to supply
    arriving on or before the demand date."""
    orders = pegging.filter(pl.col("demand_type") == "sales_order")
    on_time = orders.filter(pl.col("supply_date") <= pl.col("demand_date"))["qty"].sum()
    uncovered = (
        exceptions.filter(
            pl.col("category") == "late_demand",
            _is_sales_order_message(),
            pl.col("message").str.contains("not covered", literal=True),
        )
        .select(uncovered_qty())
        .to_series()
        .sum()
    )
    return float(on_time or 0.0), float((orders["qty"].sum() or 0.0) + (uncovered or 0.0))


def uncovered_qty() -> pl.Expr:
    """The quantity a ``late_demand`` message says is not covered in the horizon
    (``qty`` also counts what is covered late); ``qty`` when it says no number."""
    said = pl.col("message").str.extract(NOT_COVERED, 1).cast(pl.Float64, strict=False)
    return pl.coalesce(said, pl.col("qty")).fill_null(0.0).alias("uncovered_qty")


def _is_sales_order_message() -> pl.Expr:
    return pl.col("message").str.starts_with(SALES_ORDER_MESSAGE)


def known_loads(load: pl.DataFrame) -> pl.DataFrame:
    """Load percentages as floats, NaN (no hours either way) as unknown."""
    return load.with_columns(pl.col("load_pct").cast(pl.Float64).fill_nan(None))


def value_counts(frame: pl.DataFrame, column: str) -> dict[str, int]:
    """Rows per value of ``column``, by value."""
    counts = frame.group_by(column).len().sort(column, nulls_last=True)
    return {str(key): n for key, n in counts.iter_rows()}
