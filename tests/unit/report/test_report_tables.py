"""Reading a run's tables back from the warehouse."""

from __future__ import annotations

import duckdb
import polars as pl
from report_fixtures import (
    RUN,
    base_tables,
    optional_tables,
)

from planning.report.tables import read_plan_tables


def test_read_plan_tables_takes_one_run_from_the_plan_schema():
    tables = base_tables() | {"milestone_status": optional_tables()["milestone_status"]}
    with duckdb.connect() as con:
        con.execute("create schema plan")
        for name, frame in tables.items():
            for run_id in (RUN["run_id"], "another-run"):
                con.register("rows", frame.with_columns(run_id=pl.lit(run_id)).to_arrow())
                con.execute(f"create table if not exists plan.{name} as select * from rows limit 0")
                con.execute(f"insert into plan.{name} by name select * from rows")
                con.unregister("rows")
        read = read_plan_tables(con, RUN["run_id"])
    assert set(read) == set(tables)
    for name, frame in tables.items():
        assert read[name].equals(frame), name
