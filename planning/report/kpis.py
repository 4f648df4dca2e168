"""The plan's headline figures, from the plan tables of one run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from planning.precision import QTY_DECIMALS
from planning.report.tables import SALES_ORDER_DEMAND, read_plan_tables

if TYPE_CHECKING:
    import duckdb

PLANNED_ORDER_TABLES = {
    "work_orders": "work orders",
    "purchase_requests": "purchase requests",
    "transfer_orders": "transfer orders",
}
OVERLOAD_PCT = 100.0
SALES_ORDER = "sales_order"  # pegging's demand_type of sales order lines
DEMAND_LINE = ["demand_id", "item_id", "location_id"]
LATE_LINE = ["ref_id", "item_id", "location_id"]  # the line a late_demand exception names


@dataclass(frozen=True)
class PlanKpis:
    """The headline figures of a plan. Quantities are in the SKUs' units;
    ``sales_order_fill_rate`` is a share (0..1), loads are percent.

    Each is counted from the tables' columns, never from exception messages:
    exceptions by category and severity; sales orders from pegging (demand
    type, quantity, supply and demand dates) and the late_demand exceptions of
    sales order lines (``late_sales_order_lines``), whose date is the line's
    due date: a past-due line is late from its original due date, though
    pegging has its demand on as-of; loads from capacity_load."""

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
    """The headline figures of a run kept in the warehouse's ``plan`` schema
    (``tables.read_plan_tables``). Once a later run has loaded its extract, the
    run's own sales order lines are gone from the marts: a line of it that no
    supply covers at all is then not known as a sales order (see
    ``sales_order_lines``), and the sales order figures leave it out."""
    return plan_kpis(read_plan_tables(con, run_id))


def plan_kpis(tables: Mapping[str, pl.DataFrame]) -> PlanKpis:
    """The headline figures (see ``PlanKpis``) from the plan tables, and the
    run's ``sales_order_demand`` where it is there (see ``sales_order_lines``)."""
    exceptions = tables["exceptions"]
    pegging = tables["pegging"]
    late_sales_orders = late_sales_order_lines(exceptions, pegging, tables.get(SALES_ORDER_DEMAND))
    on_time, ordered = sales_order_service(pegging, late_sales_orders)
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
        late_demand_lines=exceptions.filter(pl.col("category") == "late_demand").height,
        late_sales_order_lines=late_sales_orders.height,
        sales_order_qty=ordered,
        sales_order_on_time_qty=on_time,
        sales_order_fill_rate=on_time / ordered if ordered > 0 else None,
        average_load_pct=average_load,
        max_load_pct=max_load,
        overloaded_center_weeks=overloaded,
        action_messages=value_counts(tables["action_messages"], "action"),
        exceptions_by_severity=value_counts(exceptions, "severity"),
    )


def sales_order_service(
    pegging: pl.DataFrame, late_sales_orders: pl.DataFrame
) -> tuple[float, float]:
    """(on-time qty, ordered qty) of sales orders. Ordered is what pegging
    assigns to sales-order demand plus what no supply covers in the horizon
    (``uncovered_qty`` of ``late_sales_order_lines``); on time is what it
    assigns from supply arriving on or before the line's due date (its
    original date, before as-of for a past-due line: see ``due_dates``)."""
    orders = due_dates(pegging.filter(pl.col("demand_type") == SALES_ORDER), late_sales_orders)
    on_time = orders.filter(pl.col("supply_date") <= pl.col("due_date"))["qty"].sum()
    uncovered = late_sales_orders["uncovered_qty"].sum()
    return float(on_time or 0.0), float((orders["qty"].sum() or 0.0) + (uncovered or 0.0))


def sales_order_lines(
    pegging: pl.DataFrame, sales_order_demand: pl.DataFrame | None = None
) -> pl.DataFrame:
    """The plan's sales order lines (demand_id, item_id, location_id): those
    pegging assigns supply to, and every line of ``sales_order_demand`` (the
    run's demand, ``tables.read_sales_order_demand``). Without it, a line that
    no supply covers at all is not known as a sales order."""
    lines = [pegging.filter(pl.col("demand_type") == SALES_ORDER).select(DEMAND_LINE)]
    if sales_order_demand is not None:
        lines.append(sales_order_demand.select(DEMAND_LINE))
    return pl.concat(lines).unique()


def late_sales_order_lines(
    exceptions: pl.DataFrame,
    pegging: pl.DataFrame,
    sales_order_demand: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """The ``late_demand`` exceptions of sales order lines (``ref_id`` names the
    line, see ``sales_order_lines``), with ``uncovered_qty``: what no supply
    covers in the horizon. An exception's ``qty`` counts what is covered late
    as well, and that is what pegging assigns the line from supply arriving
    after its due date (``due_dates``)."""
    late = exceptions.filter(pl.col("category") == "late_demand").join(
        sales_order_lines(pegging, sales_order_demand),
        left_on=LATE_LINE,
        right_on=DEMAND_LINE,
        how="semi",
    )
    covered_late = (
        due_dates(pegging.filter(pl.col("demand_type") == SALES_ORDER), late)
        .filter(pl.col("supply_date") > pl.col("due_date"))
        .group_by(DEMAND_LINE)
        .agg(covered_late_qty=pl.col("qty").sum())
    )
    uncovered = pl.col("qty").fill_null(0.0) - pl.col("covered_late_qty").fill_null(0.0)
    return (
        late.join(covered_late, left_on=LATE_LINE, right_on=DEMAND_LINE, how="left")
        # both sides were rounded to QTY_DECIMALS: the difference is, again
        .with_columns(uncovered_qty=uncovered.round(QTY_DECIMALS).clip(lower_bound=0.0))
        .drop("covered_late_qty")
    )


def due_dates(pegs: pl.DataFrame, late: pl.DataFrame) -> pl.DataFrame:
    """Sales order ``pegs`` with the ``due_date`` of their line: the date of
    its late_demand exception in ``late``, which is the line's original due
    date (before as-of when it is past due, while pegging has it on as-of);
    else pegging's demand date."""
    return pegs.join(
        late.select(*LATE_LINE, exception_date="date"),
        left_on=DEMAND_LINE,
        right_on=LATE_LINE,
        how="left",
    ).with_columns(due_date=pl.coalesce("exception_date", "demand_date"))


def known_loads(load: pl.DataFrame) -> pl.DataFrame:
    """Load percentages as floats, NaN (no hours either way) as unknown."""
    return load.with_columns(pl.col("load_pct").cast(pl.Float64).fill_nan(None))


def value_counts(frame: pl.DataFrame, column: str) -> dict[str, int]:
    """Rows per value of ``column``, by value."""
    counts = frame.group_by(column).len().sort(column, nulls_last=True)
    return {str(key): n for key, n in counts.iter_rows()}
