"""The DuckDB warehouse: the raw extract, the audit trail of validation, and (via dbt) the marts.

Schemas: ``raw`` holds the validated extract with the contract's types, replaced
by every run; ``audit`` keeps each run's quarantine and per-file counts; dbt
builds ``staging``, ``intermediate`` and ``marts`` on top of ``raw``; ``plan``
holds what each run publishes (CONTRACT.md section 2), every row carrying its
``run_id``, for the last ``PLAN_RUNS_KEPT`` runs.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path

import duckdb
import polars as pl

from planning.contract import EXTRACT_FILES
from planning.extract.read import SOURCE_ROW
from planning.validation.validate import QUARANTINE_SCHEMA, ValidatedExtract

RAW_SCHEMA = "raw"
AUDIT_SCHEMA = "audit"
PLAN_SCHEMA = "plan"
PLAN_RUNS_KEPT = 7
WRITE_BATCH_ROWS = 1_000_000  # rows of a large plan table named and written at a time
PLAN_RUNS = {
    "run_id": pl.String,
    "as_of": pl.Date,
    "extract_id": pl.String,
    "status": pl.String,  # publishing, succeeded or failed
    "started_at": pl.Datetime("us", "UTC"),
    "finished_at": pl.Datetime("us", "UTC"),
    "counts": pl.String,  # JSON: rows per extract file and per plan table
    "timings": pl.String,  # JSON: seconds per step
}


# DuckDB may otherwise take 80 % of the machine's memory for its buffers, on top
# of the planner's own frames; past this it spills to disk
DUCKDB_MEMORY_LIMIT = os.environ.get("PLANNER_DUCKDB_MEMORY_LIMIT", "3GB")


def connect(path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file, creating its folder for a writer."""
    if not read_only:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(
        str(path), read_only=read_only, config={"memory_limit": DUCKDB_MEMORY_LIMIT}
    )


def load_extract(con: duckdb.DuckDBPyConnection, validated: ValidatedExtract, run_id: str) -> None:
    """Replace the ``raw`` tables with the validated rows and record the run's quarantine.

    Everything happens in one transaction: readers see the previous extract or
    this one, never a mix.
    """
    con.begin()
    try:
        con.execute(f"create schema if not exists {RAW_SCHEMA}")
        con.execute(f"create schema if not exists {AUDIT_SCHEMA}")
        for spec in EXTRACT_FILES:
            _replace_raw_table(con, spec.name, validated.tables[spec.name], spec.columns)
        manifest = pl.DataFrame(
            [validated.manifest], schema=dict.fromkeys(validated.manifest, pl.String)
        )
        _from_frame(
            con, manifest, f"create or replace table {RAW_SCHEMA}.extract_manifest as {{rows}}"
        )
        _record_audit(con, validated, run_id)
        con.execute(
            f"create or replace table {AUDIT_SCHEMA}.loaded_run as "
            "select cast(? as varchar) as run_id, now() as loaded_at",
            [run_id],
        )
        con.commit()
    except BaseException:
        con.rollback()
        raise


def _replace_raw_table(
    con: duckdb.DuckDBPyConnection, name: str, rows: pl.DataFrame, columns
) -> None:
    casts = ", ".join(
        [f"cast({SOURCE_ROW} as bigint) as {SOURCE_ROW}"]
        + [f'cast("{c.name}" as {c.kind.duckdb_type}) as "{c.name}"' for c in columns]
    )
    _from_frame(
        con, rows, f"create or replace table {RAW_SCHEMA}.{name} as select {casts} from ({{rows}})"
    )


def _record_audit(con: duckdb.DuckDBPyConnection, validated: ValidatedExtract, run_id: str) -> None:
    columns = ", ".join(
        f"{name} {_duckdb_type(dtype)}" for name, dtype in QUARANTINE_SCHEMA.items()
    )
    con.execute(f"create table if not exists {AUDIT_SCHEMA}.quarantine (run_id varchar, {columns})")
    con.execute(
        f"""create table if not exists {AUDIT_SCHEMA}.file_validation (
            run_id varchar, file varchar, present boolean, rows_read bigint,
            rows_loaded bigint, rows_quarantined bigint)"""
    )
    for table in ("quarantine", "file_validation"):
        con.execute(f"delete from {AUDIT_SCHEMA}.{table} where run_id = ?", [run_id])
    quarantine = validated.quarantine.with_columns(pl.lit(run_id).alias("run_id"))
    _from_frame(con, quarantine, f"insert into {AUDIT_SCHEMA}.quarantine by name {{rows}}")
    con.executemany(
        f"insert into {AUDIT_SCHEMA}.file_validation values (?, ?, ?, ?, ?, ?)",
        [
            [run_id, r.file, r.present, r.rows_read, r.rows_loaded, r.rows_quarantined]
            for r in validated.reports
        ],
    )


def loaded_run_id(con: duckdb.DuckDBPyConnection) -> str | None:
    """The run whose extract the raw schema holds (None before any load)."""
    try:
        rows = con.execute(f"select run_id from {AUDIT_SCHEMA}.loaded_run").fetchall()
    except duckdb.CatalogException:
        return None
    return rows[0][0] if rows else None


def write_plan(
    con: duckdb.DuckDBPyConnection,
    run: dict[str, object],
    tables: Mapping[str, pl.DataFrame | Iterable[pl.DataFrame]],
) -> None:
    """Add one run's plan tables and its ``plan.runs`` row, in one transaction.

    ``run`` holds the ``runs`` columns (run_id, as_of, extract_id, status,
    started_at, finished_at, counts and timings as JSON text). A table comes as
    one frame, or as frames to append one after another (at least one; an
    empty one still gives the table its columns) when it is too large to hold
    whole. Rows of runs older than the last ``PLAN_RUNS_KEPT`` are deleted.
    """
    run_id = run["run_id"]
    con.begin()
    try:
        con.execute(f"create schema if not exists {PLAN_SCHEMA}")
        # rows may be stored in any order, so appends run on every thread
        con.execute("set preserve_insertion_order = false")
        runs = pl.DataFrame([run], schema=PLAN_RUNS)
        for name, parts in {"runs": runs, **tables}.items():
            for number, part in enumerate([parts] if isinstance(parts, pl.DataFrame) else parts):
                rows = part.select(pl.lit(run_id).alias("run_id"), pl.exclude("run_id"))
                if number == 0:
                    statement = f"create table if not exists {PLAN_SCHEMA}.{name} as {{rows}}"
                    _from_frame(con, rows.head(0), statement)
                    con.execute(f"delete from {PLAN_SCHEMA}.{name} where run_id = ?", [run_id])
                _from_frame(con, rows, f"insert into {PLAN_SCHEMA}.{name} by name {{rows}}")
        kept = f"""select run_id from {PLAN_SCHEMA}.runs
                   order by started_at desc limit {PLAN_RUNS_KEPT}"""
        for name in ["runs", *tables]:
            con.execute(f"delete from {PLAN_SCHEMA}.{name} where run_id not in ({kept})")
        con.commit()
    except BaseException:
        con.rollback()
        raise
    finally:
        con.execute("reset preserve_insertion_order")


def set_run_status(con: duckdb.DuckDBPyConnection, run_id: str, status: str, finished_at) -> None:
    """Record how a run that wrote plan tables ended (``succeeded`` or ``failed``)."""
    con.execute(
        f"update {PLAN_SCHEMA}.runs set status = ?, finished_at = ? where run_id = ?",
        [status, finished_at, run_id],
    )


SERVING_DIR = "serving"
SERVING_COPIES_KEPT = 2  # the newest, and the one before for readers still holding it


def serving_path(warehouse: Path) -> Path:
    """What BI tools open, read-only: the serving copy of the last published run."""
    return Path(warehouse).parent / SERVING_DIR / Path(warehouse).name


def publish_serving_copy(warehouse: Path, run_id: str) -> Path:
    """Copy the warehouse for readers and switch ``serving_path`` to the copy at once.

    Readers open the copy, never the file runs write, so a nightly run neither
    waits for them nor shows them a half-written plan; a reader that keeps the
    previous copy open goes on reading it. Older copies are removed.
    """
    with connect(warehouse) as con:
        con.execute("checkpoint")  # everything in the file, nothing left in the WAL
    folder = serving_path(warehouse).parent
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / f"{Path(warehouse).stem}-{run_id}.duckdb"
    partial = copy.with_suffix(".partial")
    shutil.copyfile(warehouse, partial)
    os.replace(partial, copy)
    link = serving_path(warehouse)
    temporary = folder / f".{link.name}-{run_id}"
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(copy.name)
    os.replace(temporary, link)
    copies = sorted(folder.glob(f"{Path(warehouse).stem}-*.duckdb"), key=os.path.getmtime)
    for old in copies[:-SERVING_COPIES_KEPT]:
        old.unlink(missing_ok=True)
    return link


def _from_frame(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame, statement: str) -> None:
    """Run ``statement`` with ``{rows}`` standing for a ``select *`` over ``frame``.

    DuckDB finds ``incoming_frame`` by name (a replacement scan). Registering
    the frame's Arrow table instead kept every batch's memory until the
    connection closed: gigabytes for a large plan.
    """
    incoming_frame = frame  # noqa: F841 (read by DuckDB)
    con.execute(statement.format(rows="select * from incoming_frame"))


def _duckdb_type(dtype: pl.DataType) -> str:
    return {pl.String: "varchar", pl.Int64: "bigint"}[dtype]
