"""Reading a run's tables back from the warehouse, and the figures of a kept run."""

from __future__ import annotations

import duckdb
import polars as pl
from polars.testing import assert_frame_equal
from report_fixtures import (
    AS_OF,
    RUN,
    base_tables,
    optional_tables,
)

from planning.report.kpis import plan_kpis, run_kpis
from planning.report.tables import SALES_ORDER_DEMAND, read_plan_tables

OTHER_RUN = "another-run"


def store_plans(con: duckdb.DuckDBPyConnection, tables: dict[str, pl.DataFrame]) -> None:
    """``tables`` in the plan schema, as this run's and as another run's."""
    con.execute("create schema if not exists plan")
    for name, frame in tables.items():
        for run_id in (RUN["run_id"], OTHER_RUN):
            con.register("rows", frame.with_columns(run_id=pl.lit(run_id)).to_arrow())
            con.execute(f"create table if not exists plan.{name} as select * from rows limit 0")
            con.execute(f"insert into plan.{name} by name select * from rows")
            con.unregister("rows")


def build_marts(con: duckdb.DuckDBPyConnection, sales_orders: pl.DataFrame) -> None:
    """The warehouse as this run leaves it: the extract it loaded, and the
    demand mart of it (sales order lines and a forecast)."""
    con.execute("create schema audit")
    con.execute("create table audit.loaded_run as select ? as run_id", [RUN["run_id"]])
    forecast = pl.DataFrame(
        {"demand_type": "forecast", "demand_id": "FC1", "item_id": "FG1", "location_id": "PL1"}
    ).with_columns(demand_date=pl.lit(AS_OF), qty=pl.lit(7.0))
    demand = pl.concat(
        [sales_orders.with_columns(demand_type=pl.lit("sales_order")), forecast], how="diagonal"
    )
    con.execute("create schema marts")
    con.register("rows", demand.to_arrow())
    con.execute("create table marts.fct_demand as select * from rows")
    con.unregister("rows")


def test_read_plan_tables_takes_one_run_from_the_plan_schema():
    tables = base_tables() | {"milestone_status": optional_tables()["milestone_status"]}
    with duckdb.connect() as con:
        store_plans(con, tables)
        read = read_plan_tables(con, RUN["run_id"])
    assert set(read) == set(tables)
    for name, frame in tables.items():
        assert read[name].equals(frame), name


def test_the_sales_order_lines_are_read_while_the_marts_hold_the_runs_extract():
    sales_orders = optional_tables()[SALES_ORDER_DEMAND]
    with duckdb.connect() as con:
        store_plans(con, base_tables())
        build_marts(con, sales_orders)
        read = read_plan_tables(con, RUN["run_id"])
        # the marts hold this run's extract: not the other run's demand
        other = read_plan_tables(con, OTHER_RUN)
    assert_frame_equal(read[SALES_ORDER_DEMAND].sort("demand_id"), sales_orders)
    assert SALES_ORDER_DEMAND not in other


def test_the_figures_of_a_kept_run():
    tables = base_tables() | optional_tables()
    with duckdb.connect() as con:
        store_plans(con, {name: t for name, t in tables.items() if name != SALES_ORDER_DEMAND})
        build_marts(con, tables[SALES_ORDER_DEMAND])
        kpis = run_kpis(con, RUN["run_id"])
        other = run_kpis(con, OTHER_RUN)
    assert kpis == plan_kpis(tables)
    # the same plan without its demand: SO4, which nothing is pegged to, is not
    # known as a sales order
    assert (other.late_sales_order_lines, other.sales_order_qty) == (2, 25.0)
