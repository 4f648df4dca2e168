"""Plan tables into the warehouse: one transaction per run, appended by a
writer that names and stores rows on threads of its own."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from planning import warehouse
from planning.warehouse import connect, plan_writer, write_plan


def run_row(run_id: str, minute: int = 0) -> dict[str, object]:
    return {
        "run_id": run_id,
        "as_of": date(2026, 11, 23),
        "status": "publishing",
        "started_at": datetime(2026, 11, 23, 1, minute, tzinfo=UTC),
    }


def stored(con, table: str, run_id: str) -> pl.DataFrame:
    return con.sql(
        f"select * exclude (run_id) from plan.{table} where run_id = ? order by all",
        params=[run_id],
    ).pl()


def test_rows_are_named_a_batch_at_a_time_and_stored(tmp_path, monkeypatch):
    monkeypatch.setattr(warehouse, "WRITE_BATCH_ROWS", 3)
    refs = pl.DataFrame({"ref": range(10)})
    batches = []

    def named(rows: pl.DataFrame) -> pl.DataFrame:
        batches.append(rows.height)
        return rows.select(label=pl.format("row-{}", "ref"), qty=pl.col("ref") * 1.5)

    with connect(tmp_path / "w.duckdb") as con:
        with plan_writer(con, "run-1") as writer:
            writer.append("pegging", refs, named)
            writer.append("exceptions", pl.DataFrame({"category": ["shortage"]}))
            writer.append_run(run_row("run-1"))
        expected = refs.select(label=pl.format("row-{}", "ref"), qty=pl.col("ref") * 1.5)
        assert_frame_equal(stored(con, "pegging", "run-1"), expected.sort(pl.all()))
        assert stored(con, "exceptions", "run-1")["category"].to_list() == ["shortage"]
        assert stored(con, "runs", "run-1")["status"].to_list() == ["publishing"]
    assert batches == [3, 3, 3, 1]


def test_an_empty_table_still_gets_its_columns(tmp_path):
    with connect(tmp_path / "w.duckdb") as con:
        write_plan(con, run_row("run-1"), {"pegging": pl.DataFrame(schema={"qty": pl.Float64})})
        assert stored(con, "pegging", "run-1").schema == pl.Schema({"qty": pl.Float64})


def test_a_column_added_since_an_older_run_is_added_to_its_table(tmp_path):
    # work_orders of a version before requested_date: the new run stores it, the
    # kept run has it empty
    with connect(tmp_path / "w.duckdb") as con:
        write_plan(con, run_row("run-1"), {"work_orders": pl.DataFrame({"order_id": ["A"]})})
        newer = pl.DataFrame({"order_id": ["B"], "requested_date": [date(2026, 12, 1)]})
        write_plan(con, run_row("run-2", 1), {"work_orders": newer})
        assert stored(con, "work_orders", "run-2").rows() == [("B", date(2026, 12, 1))]
        assert stored(con, "work_orders", "run-1").rows() == [("A", None)]


def test_a_failure_while_naming_rolls_the_run_back(tmp_path):
    """The error reaches the caller, and the last plan written stays as it was."""
    with connect(tmp_path / "w.duckdb") as con:
        write_plan(con, run_row("run-1"), {"pegging": pl.DataFrame({"qty": [1.0]})})

        def broken(rows: pl.DataFrame) -> pl.DataFrame:
            raise RuntimeError("naming failed")

        failing = pytest.raises(RuntimeError, match="naming failed")
        with failing, plan_writer(con, "run-2") as writer:
            writer.append("pegging", pl.DataFrame({"qty": [2.0]}))
            writer.append("pegging", pl.DataFrame({"qty": [3.0]}), broken)
            writer.append_run(run_row("run-2", minute=1))
        assert con.sql("select run_id, qty from plan.pegging").fetchall() == [("run-1", 1.0)]
        assert con.sql("select run_id from plan.runs").fetchall() == [("run-1",)]


def test_a_failure_of_the_caller_stops_the_writer_and_rolls_back(tmp_path):
    with connect(tmp_path / "w.duckdb") as con:
        with pytest.raises(KeyError), plan_writer(con, "run-1") as writer:
            writer.append("pegging", pl.DataFrame({"qty": [1.0]}))
            raise KeyError("planning failed")
        assert con.sql("select count(*) from information_schema.tables").fetchall() == [(0,)]


def test_a_run_without_its_runs_row_is_refused(tmp_path):
    with connect(tmp_path / "w.duckdb") as con:
        refused = pytest.raises(ValueError, match=r"without its plan\.runs row")
        with refused, plan_writer(con, "run-1") as writer:
            writer.append("pegging", pl.DataFrame({"qty": [1.0]}))
        assert con.sql("select count(*) from information_schema.tables").fetchall() == [(0,)]


def test_only_the_last_runs_are_kept(tmp_path):
    """As in a planner run, each run writes twice: the material plan, then the
    schedule. Each deletes the oldest run from the tables it writes (the
    second finds its runs row already gone), and the rows of a run whose runs
    row is gone go too."""
    with connect(tmp_path / "w.duckdb") as con:
        for number in range(warehouse.PLAN_RUNS_KEPT + 2):
            if number == warehouse.PLAN_RUNS_KEPT + 1:
                con.execute("delete from plan.runs where run_id = 'run-5'")
            run = run_row(f"run-{number}", minute=number)
            write_plan(con, run, {"pegging": pl.DataFrame({"qty": [float(number)]})})
            write_plan(con, run, {"schedule": pl.DataFrame({"qty": [float(number)]})})
        # run-5 went without its runs row, so run-1 is among the last 7 left
        expected = [f"run-{n}" for n in range(1, warehouse.PLAN_RUNS_KEPT + 2) if n != 5]
        for table in ("pegging", "schedule", "runs"):
            kept = con.sql(f"select run_id from plan.{table}").pl()["run_id"]
            assert sorted(kept.to_list()) == sorted(expected), table


def test_retention_leaves_the_row_groups_of_the_kept_runs_as_they_were(tmp_path):
    """Each level of a material plan is appended on its own, so a run's table
    ends a row group at every level. Deleting the oldest run must drop its
    row groups and rewrite none of the others (rewriting them to merge the
    partial row groups cost 0.7 s per publication at 100k SKUs)."""
    level = 130_000  # one full row group of 122,880 rows and a partial one
    levels = 2

    def row_group_sizes(con) -> list[int]:
        sizes = con.sql(
            "select row_group_id, any_value(count) from pragma_storage_info('plan.pegging') "
            "where column_name = 'qty' group by all order by row_group_id"
        ).fetchall()
        return [count for _, count in sizes]

    with connect(tmp_path / "w.duckdb") as con:
        for number in range(warehouse.PLAN_RUNS_KEPT + 2):
            parts = [
                pl.DataFrame({"qty": pl.repeat(float(n), level, eager=True)}) for n in range(levels)
            ]
            write_plan(con, run_row(f"run-{number}", minute=number), {"pegging": parts})
            con.execute("checkpoint")  # as publication does
            if number == 0:
                one_run = row_group_sizes(con)
        assert row_group_sizes(con) == one_run * warehouse.PLAN_RUNS_KEPT
        assert one_run.count(122_880) == levels


def test_a_failed_run_deletes_no_old_run(tmp_path):
    """Old runs are deleted in the run's own transaction, so a run that fails
    leaves all the kept runs in place."""
    runs = [f"run-{number}" for number in range(warehouse.PLAN_RUNS_KEPT)]
    with connect(tmp_path / "w.duckdb") as con:
        for minute, run_id in enumerate(runs):
            write_plan(con, run_row(run_id, minute), {"pegging": pl.DataFrame({"qty": [1.0]})})
        with pytest.raises(KeyError), plan_writer(con, "run-failing") as writer:
            writer.append("pegging", pl.DataFrame({"qty": [2.0]}))
            raise KeyError("planning failed")
        for table in ("pegging", "runs"):
            kept = con.sql(f"select run_id from plan.{table}").pl()["run_id"]
            assert sorted(kept.to_list()) == runs, table


def test_columns_with_an_id_per_row_are_stored_with_zstd(tmp_path):
    pegs = pl.DataFrame(
        {
            "supply_id": [f"PWO-FG1-D1-{n:05d}" for n in range(1000)],
            "demand_id": [f"SO-{n:07d}:1" for n in range(1000)],
            "item_id": "FG1",
            "qty": 1.0,
        }
    )
    with connect(tmp_path / "w.duckdb") as con:
        write_plan(con, run_row("run-1"), {"pegging": pegs})
        con.execute("checkpoint")
        compression = dict(
            con.sql(
                "select column_name, any_value(compression) from "
                "pragma_storage_info('plan.pegging') where segment_type = 'VARCHAR' group by all"
            ).fetchall()
        )
        assert_frame_equal(stored(con, "pegging", "run-1"), pegs.sort(pl.all()))
    assert compression["supply_id"] == compression["demand_id"] == "ZSTD"
    assert compression["item_id"] != "ZSTD"
