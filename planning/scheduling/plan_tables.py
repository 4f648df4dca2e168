"""The schedule's plan tables: each plant's schedule kept between steps, then the
tables and files that follow from all of them together (the dispatch list, move
orders, shipping requests, milestone status, capacity load) and the run's
exceptions with the schedule's added.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from planning.config import Settings
from planning.mrp.exceptions import EXCEPTION_ORDER, EXCEPTIONS
from planning.scheduling.capacity import capacity_load
from planning.scheduling.outputs import (
    fill_dates,
    milestone_status,
    move_orders,
    schedule_exceptions,
    scheduled_promises,
    shipping_requests,
    work_order_schedule,
)
from planning.scheduling.plant_orders import (
    UNSTAFFED,
    PlantSchedule,
    ShopInputs,
    orders_to_schedule,
)
from planning.scheduling.result_frames import SCHEDULE_SCHEMA, with_timestamps

SHOP_DEMAND_QUERY = """select demand_type, demand_id, order_id, order_line, item_id, location_id,
    qty, demand_date, original_date, project_id from marts.fct_demand"""
MILESTONES_QUERY = "select project_id, milestone_id, due_date, so_id from marts.dim_milestones"


def keep_plant_schedule(folder: Path, plant: str, result: PlantSchedule) -> None:
    """One plant's schedule and unstaffed operations, until every plant has one."""
    folder.mkdir(exist_ok=True)
    result.outcome.schedule.write_parquet(folder / f"{plant}.schedule.parquet")
    result.unstaffed.write_parquet(folder / f"{plant}.unstaffed.parquet")


def schedule_summary(result: PlantSchedule) -> dict[str, Any]:
    """One plant's schedule in the run's manifest."""
    report = result.outcome.report
    return {
        "operations": result.outcome.schedule.height,
        "status": report.status,
        "weighted_tardiness": report.weighted_tardiness,
        "weighted_tardiness_bound": report.weighted_tardiness_bound,
        "makespan_minutes": report.makespan,
        "makespan_bound": report.makespan_bound,
        "late_orders": int(result.outcome.orders["late"].sum()),
        "orders_beyond_operations_cap": result.left_out_orders,
        "unstaffed_operations": result.unstaffed.height,
        "method": report.method,
        "seconds": round(report.wall_seconds, 2),
    }


def shop_tables(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    as_of: date,
    settings: Settings,
    inputs: ShopInputs,
    parts: Path,
    not_scheduled: dict[str, str],
    planned_load: pl.DataFrame | None = None,
) -> dict[str, pl.DataFrame]:
    """The schedule's plan tables from the plants' schedules kept in ``parts``, and
    the run's exceptions with the schedule's added; ``not_scheduled`` gives the
    error of each plant that could not be scheduled, ``planned_load`` what the
    capacity-constrained plan loads (``capacity.capacity_load``)."""
    days = settings.rules.schedule_horizon_days
    schedule = _kept(parts, "schedule", SCHEDULE_SCHEMA)
    unstaffed = _kept(parts, "unstaffed", UNSTAFFED)
    orders = orders_to_schedule(inputs, as_of, days)
    scheduled = work_order_schedule(schedule, orders, as_of)
    demand = con.sql(SHOP_DEMAND_QUERY).pl()
    sales = demand.filter(pl.col("demand_type") == "sales_order").rename(
        {"order_id": "so_id", "order_line": "so_line"}
    )
    pegging = con.sql(
        "select * exclude (run_id) from plan.pegging where run_id = ?", params=[run_id]
    ).pl()
    filled = fill_dates(pegging, sales, scheduled)
    promises = con.sql(
        "select * exclude (run_id) from plan.demand_promises where run_id = ?", params=[run_id]
    ).pl()
    slack = settings.rules.milestone_slack_days
    milestones = milestone_status(con.sql(MILESTONES_QUERY).pl(), filled, slack)
    mps = con.sql("select item_id, location_id from marts.dim_skus where is_mps_item").pl()
    load = capacity_load(inputs, mps, as_of, settings.horizon_days, planned_load)
    found = con.sql(
        "select * exclude (run_id) from plan.exceptions where run_id = ?", params=[run_id]
    ).pl()
    unscheduled = pl.DataFrame(
        [
            {
                "category": "invalid_data",
                "severity": "high",
                "location_id": plant,
                "ref_id": plant,
                "date": as_of,
                "message": f"plant {plant} not scheduled: {error}",
            }
            for plant, error in not_scheduled.items()
        ],
        schema=EXCEPTIONS,
    )
    exceptions = pl.concat(
        [found, schedule_exceptions(scheduled, load, milestones, unstaffed, orders), unscheduled],
        how="vertical_relaxed",
    ).sort(EXCEPTION_ORDER, nulls_last=True)  # the warehouse gives its rows in any order
    return {
        "schedule": with_timestamps(schedule, datetime(as_of.year, as_of.month, as_of.day)).select(
            "order_id", "op_seq", "work_center_id", "unit", "person_id", "start_at", "end_at",
            "setup_minutes",
        ),
        "work_order_schedule": scheduled,
        "move_orders": move_orders(schedule, _components(con, run_id, scheduled), orders, as_of),
        "shipping_requests": shipping_requests(filled, as_of, days),
        "milestone_status": milestones.drop("so_id"),
        "capacity_load": load,
        "exceptions": exceptions,
        "demand_promises": scheduled_promises(promises, scheduled, schedule),
    }  # fmt: skip


def _kept(folder: Path, kind: str, schema: dict) -> pl.DataFrame:
    """The plants' frames of one kind, none when no plant was scheduled."""
    files = sorted(folder.glob(f"*.{kind}.parquet")) if folder.exists() else []
    frames = [pl.read_parquet(file) for file in files]
    return pl.concat([pl.DataFrame(schema=schema), *frames], how="vertical_relaxed")


def _components(
    con: duckdb.DuckDBPyConnection, run_id: str, scheduled: pl.DataFrame
) -> pl.DataFrame:
    """Component quantities of the scheduled orders: open work orders' from the
    marts, planned ones' from their BOM (per unit started, scrap included)."""
    open_orders = con.sql(
        """select order_id, item_id, qty from marts.fct_demand
           where demand_type = 'work_order_component'"""
    ).pl()
    planned = con.sql(
        """select orders.order_id, bom.component_item_id as item_id,
                  orders.qty * bom.component_qty_per_parent as qty
           from plan.work_orders as orders
           inner join marts.dim_bom as bom
               on bom.parent_sku_id = orders.item_id || '@' || orders.location_id
               and coalesce(bom.valid_from <= orders.start_date, true)
               and coalesce(bom.valid_to >= orders.start_date, true)
           where orders.run_id = ?""",
        params=[run_id],
    ).pl()
    return pl.concat([open_orders, planned], how="vertical_relaxed").join(
        scheduled.select("order_id"), on="order_id", how="semi"
    )
