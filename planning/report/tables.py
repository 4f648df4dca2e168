"""The tables the report reads: one run's plan tables, and its sales order lines,
from the warehouse."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from planning.mrp.engine import PLAN_TABLES

if TYPE_CHECKING:
    import duckdb

# filled by later planning steps, or (demand_promises) by plans before promises
# were made; a run without them says so on the page
OPTIONAL_TABLES = ("schedule", "capacity_load", "milestone_status", "demand_promises")
# the material plan's: every run that gets a report has them
REQUIRED_TABLES = tuple(name for name in PLAN_TABLES if name not in OPTIONAL_TABLES)
# the run's sales order lines, from the demand mart (see read_sales_order_demand)
SALES_ORDER_DEMAND = "sales_order_demand"


def read_plan_tables(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, pl.DataFrame]:
    """One run's tables from the warehouse's ``plan`` schema, the optional ones
    only where the run wrote them, and ``SALES_ORDER_DEMAND`` where
    ``read_sales_order_demand`` has it."""
    present = _tables(con, "plan")
    tables = {
        name: con.sql(
            f'select * exclude (run_id) from plan."{name}" where run_id = ?', params=[run_id]
        ).pl()
        for name in (*REQUIRED_TABLES, *OPTIONAL_TABLES)
        if name in present
    }
    demand = read_sales_order_demand(con, run_id)
    if demand is not None:
        tables[SALES_ORDER_DEMAND] = demand
    return tables


def read_sales_order_demand(con: duckdb.DuckDBPyConnection, run_id: str) -> pl.DataFrame | None:
    """The sales order lines the run planned (demand_id, item_id, location_id,
    demand_date, qty), from ``marts.fct_demand``. The marts hold the extract
    loaded last: None once a later run has loaded its own (or before any)."""
    # here, not at the top: planning.warehouse imports Great Expectations (6 s)
    from planning.warehouse import loaded_run_id

    if loaded_run_id(con) != run_id or "fct_demand" not in _tables(con, "marts"):
        return None
    return con.sql(
        "select demand_id, item_id, location_id, demand_date, qty from marts.fct_demand "
        "where demand_type = 'sales_order'"
    ).pl()


def _tables(con: duckdb.DuckDBPyConnection, schema: str) -> set[str]:
    return {
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = ?", [schema]
        ).fetchall()
    }
