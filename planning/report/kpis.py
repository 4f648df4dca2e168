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
SALES_ORDER = "sales_order"  # pegging's and demand_promises' demand_type of sales order lines
FORECAST = "forecast"
PROMISES = "demand_promises"
DEMAND_LINE = ["demand_id", "item_id", "location_id"]
LATE_LINE = ["ref_id", "item_id", "location_id"]  # the line a late_demand exception names


@dataclass(frozen=True)
class DemandService:
    """How the plan serves independent demand (see ``promised_service`` and
    ``pegged_service``, for runs without ``demand_promises``). Quantities are
    in the SKUs' units; a forecast figure, or the days late, is None where its
    source does not say."""

    source: str  # "demand_promises" or "pegging"
    late_sales_order_lines: int
    sales_order_qty: float
    sales_order_on_time_qty: float
    sales_order_unpromised_qty: float
    sales_order_days_late: float | None
    forecast_qty: float | None
    forecast_on_time_qty: float | None


@dataclass(frozen=True)
class PlanKpis:
    """The headline figures of a plan. Quantities are in the SKUs' units;
    ``sales_order_fill_rate`` and ``forecast_on_time_share`` are shares (0..1),
    loads are percent.

    Each is counted from the tables' columns, never from exception messages:
    exceptions by category and severity; demand service (``DemandService``)
    from ``demand_promises``, or, for a run without it, from pegging and the
    late_demand exceptions; loads from capacity_load."""

    planned_orders: dict[str, int]
    shortages: int
    late_demand_lines: int
    late_sales_order_lines: int
    sales_order_qty: float
    sales_order_on_time_qty: float
    sales_order_fill_rate: float | None
    sales_order_unpromised_qty: float
    sales_order_days_late: float | None
    forecast_qty: float | None
    forecast_on_time_qty: float | None
    forecast_on_time_share: float | None
    service_source: str
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
    service = demand_service(tables)
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
        late_sales_order_lines=service.late_sales_order_lines,
        sales_order_qty=service.sales_order_qty,
        sales_order_on_time_qty=service.sales_order_on_time_qty,
        sales_order_fill_rate=_share(service.sales_order_on_time_qty, service.sales_order_qty),
        sales_order_unpromised_qty=service.sales_order_unpromised_qty,
        sales_order_days_late=service.sales_order_days_late,
        forecast_qty=service.forecast_qty,
        forecast_on_time_qty=service.forecast_on_time_qty,
        forecast_on_time_share=_share(service.forecast_on_time_qty, service.forecast_qty),
        service_source=service.source,
        average_load_pct=average_load,
        max_load_pct=max_load,
        overloaded_center_weeks=overloaded,
        action_messages=value_counts(tables["action_messages"], "action"),
        exceptions_by_severity=value_counts(exceptions, "severity"),
    )


def demand_service(tables: Mapping[str, pl.DataFrame]) -> DemandService:
    """``promised_service`` of the run's ``demand_promises``; for a run planned
    before promises were made, ``pegged_service``."""
    promises = tables.get(PROMISES)
    if promises is not None:
        return promised_service(promises)
    return pegged_service(tables["exceptions"], tables["pegging"], tables.get(SALES_ORDER_DEMAND))


def promised_service(promises: pl.DataFrame) -> DemandService:
    """Demand service from the promises: a part is on time when it is promised
    by its due date (``days_late`` 0), late when promised after it or not at
    all (no ``promised_date``: the horizon does not cover it). A late sales
    order line is one with a late part; the days late are the promised sales
    order units' average (on-time units count 0), the unpromised left out and
    counted apart."""
    late = pl.col("promised_date").is_null() | (pl.col("days_late") > 0)
    unpromised = pl.col("promised_date").is_null()
    by_type = (
        promises.group_by("demand_type")
        .agg(
            qty=pl.col("qty").sum(),
            on_time_qty=pl.col("qty").filter(~late).sum(),
            unpromised_qty=pl.col("qty").filter(unpromised).sum(),
            promised_qty=pl.col("qty").filter(~unpromised).sum(),
            late_days=(pl.col("qty") * pl.col("days_late")).filter(~unpromised).sum(),
            late_lines=pl.struct(DEMAND_LINE).filter(late).n_unique(),
        )
        .rows_by_key("demand_type", named=True, unique=True)
    )
    orders = by_type.get(SALES_ORDER, {})
    forecast = by_type.get(FORECAST, {})
    promised = float(orders.get("promised_qty") or 0.0)
    return DemandService(
        source=PROMISES,
        late_sales_order_lines=int(orders.get("late_lines") or 0),
        sales_order_qty=_qty(orders.get("qty")),
        sales_order_on_time_qty=_qty(orders.get("on_time_qty")),
        sales_order_unpromised_qty=_qty(orders.get("unpromised_qty")),
        sales_order_days_late=float(orders["late_days"]) / promised if promised > 0 else None,
        forecast_qty=_qty(forecast.get("qty")),
        forecast_on_time_qty=_qty(forecast.get("on_time_qty")),
    )


def pegged_service(
    exceptions: pl.DataFrame, pegging: pl.DataFrame, sales_order_demand: pl.DataFrame | None
) -> DemandService:
    """Demand service of a run without ``demand_promises``: sales orders only
    (``sales_order_service``), late lines from the late_demand exceptions
    (``late_sales_order_lines``), no days late."""
    late = late_sales_order_lines(exceptions, pegging, sales_order_demand)
    on_time, ordered = sales_order_service(pegging, late)
    return DemandService(
        source="pegging",
        late_sales_order_lines=late.height,
        sales_order_qty=ordered,
        sales_order_on_time_qty=on_time,
        sales_order_unpromised_qty=_qty(late["uncovered_qty"].sum()),
        sales_order_days_late=None,
        forecast_qty=None,
        forecast_on_time_qty=None,
    )


def _qty(value: float | None) -> float:
    """A summed quantity rounded to QTY_DECIMALS (no float noise), 0 for none."""
    return round(float(value or 0.0), QTY_DECIMALS)


def _share(part: float | None, whole: float | None) -> float | None:
    return part / whole if part is not None and whole else None


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
