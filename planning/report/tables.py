"""The tables the report reads: one run's plan tables from the warehouse."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from planning.mrp.engine import PLAN_TABLES

if TYPE_CHECKING:
    import duckdb

REQUIRED_TABLES = PLAN_TABLES  # the material plan's: every run that gets a report has them
# filled by later planning steps; a run without them says so on the page
OPTIONAL_TABLES = ("schedule", "capacity_load", "milestone_status")


def read_plan_tables(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, pl.DataFrame]:
    """One run's tables from the warehouse's ``plan`` schema, the optional ones
    only where the run wrote them."""
    present = {
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'plan'"
        ).fetchall()
    }
    return {
        name: con.sql(
            f'select * exclude (run_id) from plan."{name}" where run_id = ?', params=[run_id]
        ).pl()
        for name in (*REQUIRED_TABLES, *OPTIONAL_TABLES)
        if name in present
    }
