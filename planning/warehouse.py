"""The DuckDB warehouse: the raw extract, the audit trail of validation, and (via dbt) the marts.

Schemas: ``raw`` holds the validated extract with the contract's types, replaced
by every run; ``audit`` keeps each run's quarantine and per-file counts; dbt
builds ``staging``, ``intermediate`` and ``marts`` on top of ``raw``; ``plan``
holds what each run publishes (CONTRACT.md section 2), every row carrying its
``run_id``, for the last ``PLAN_RUNS_KEPT`` runs.
"""

from __future__ import annotations

import os
import queue
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import duckdb
import polars as pl

from planning.config import Settings
from planning.contract import EXTRACT_FILES
from planning.extract.read import SOURCE_ROW
from planning.precision import rounded
from planning.validation.validate import QUARANTINE_SCHEMA, ValidatedExtract

RAW_SCHEMA = "raw"
AUDIT_SCHEMA = "audit"
PLAN_SCHEMA = "plan"
PLAN_RUNS_KEPT = 7
# rows of a large plan table named and stored at a time: four of DuckDB's row
# groups, so that storing a level starts soon after it is handed over, and
# fewer rows wait in memory (100k SKUs: 170 MiB less at the peak than 1M rows)
WRITE_BATCH_ROWS = 4 * 122_880
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


# A checkpoint drops the row groups whose rows are all deleted. With vacuum
# tasks it also merges neighbouring row groups that are not full, which
# rewrites (decompresses and compresses again) rows of the runs that are kept:
# 0.7 s at every publication of 100k SKUs, because each level's append ends
# in a partial row group. Plan rows are only ever deleted a whole run at a
# time, so there is nothing for the merge to reclaim but a few partial row
# groups per run.
DUCKDB_CONFIG = {"max_vacuum_tasks": 0}
# Plan columns holding a different id on nearly every row are stored with
# ZSTD: DuckDB's default for text (a dictionary, then FSST) costs more CPU on
# them, and stores them larger. The 3M pegs of 100k SKUs take 1.65 s of CPU
# instead of 2.1 s, and 68 MB instead of 76 MB. Columns whose values repeat
# (items, locations, types) are better off with the default.
ZSTD_COLUMNS = {
    "pegging": ("supply_id", "demand_id"),
    "work_orders": ("order_id",),
    "purchase_requests": ("request_id",),
    "transfer_orders": ("order_id",),
}


def connect(
    path: Path, *, read_only: bool = False, memory_limit: str = Settings.duckdb_memory_limit
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file, creating its folder for a writer; DuckDB's
    buffers stay under ``memory_limit`` (``Settings.duckdb_memory_limit``)."""
    if not read_only:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    config = DUCKDB_CONFIG | {"memory_limit": memory_limit}
    return duckdb.connect(str(path), read_only=read_only, config=config)


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
    empty one still gives the table its columns). See ``plan_writer``.
    """
    with plan_writer(con, str(run["run_id"])) as writer:
        for name, parts in tables.items():
            for part in [parts] if isinstance(parts, pl.DataFrame) else parts:
                writer.append(name, part)
        writer.append_run(run)


@contextmanager
def plan_writer(con: duckdb.DuckDBPyConnection, run_id: str) -> Iterator[PlanWriter]:
    """One transaction that adds run ``run_id``'s plan tables, appended through
    the ``PlanWriter`` it yields while the caller goes on planning; the caller
    appends the run's ``plan.runs`` row too. On leaving, it deletes from the
    tables written the runs this one pushes out of the last ``PLAN_RUNS_KEPT``
    (``_delete_old_runs``; at the end, once planning has freed its memory:
    deleting first held 450 MiB more at the peak of 1M SKUs) and commits; on
    an error it rolls everything back."""
    con.begin()
    writer = None
    try:
        con.execute(f"create schema if not exists {PLAN_SCHEMA}")
        # rows may be stored in any order, so appends run on every thread
        con.execute("set preserve_insertion_order = false")
        writer = PlanWriter(con, run_id)
        yield writer
        written = writer.close()
        if "runs" not in written:
            raise ValueError(f"run {run_id} wrote plan tables without its plan.runs row")
        _delete_old_runs(con, run_id, written)
        con.commit()
    except BaseException:
        if writer is not None:
            writer.abort()
        con.rollback()
        raise
    finally:
        con.execute("reset preserve_insertion_order")


class PlanWriter:
    """Appends plan tables, in the order given, on two threads of its own: one
    names a large table's rows a batch at a time (Polars), the other stores
    the named batches (DuckDB). Both release the GIL, so a material plan goes
    on netting its next level while the last one is written, and naming the
    next batch overlaps storing this one.

    At most ``QUEUED_TABLES`` appends and ``QUEUED_BATCHES`` named batches
    wait; ``append`` blocks beyond that, so rows never pile up in memory. Only
    the storing thread uses the connection until ``close``.
    """

    QUEUED_TABLES = 1
    QUEUED_BATCHES = 1

    def __init__(self, con: duckdb.DuckDBPyConnection, run_id: str) -> None:
        self._con = con
        self._run_id = run_id
        self._written: list[str] = []
        self._tables: queue.Queue = queue.Queue(maxsize=self.QUEUED_TABLES)
        self._batches: queue.Queue = queue.Queue(maxsize=self.QUEUED_BATCHES)
        self._failure: BaseException | None = None
        self._aborted = False
        self._threads = [
            threading.Thread(target=self._name, name="plan-namer", daemon=True),
            threading.Thread(target=self._store, name="plan-storer", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def append(
        self,
        name: str,
        rows: pl.DataFrame,
        named: Callable[[pl.DataFrame], pl.DataFrame] | None = None,
    ) -> None:
        """Add ``rows`` to plan table ``name`` (created from the first rows
        given, even none). ``named``, when given, turns ``WRITE_BATCH_ROWS`` of
        them at a time into the table's rows."""
        self._raise_failure()
        self._tables.put((name, rows, named))

    def append_run(self, run: dict[str, object]) -> None:
        """The run's ``plan.runs`` row (``PLAN_RUNS`` columns)."""
        self.append("runs", pl.DataFrame([run], schema=PLAN_RUNS))

    def close(self) -> list[str]:
        """Wait for every append; return the tables written. Raises what failed."""
        self._stop()
        self._raise_failure()
        return list(self._written)

    def abort(self) -> None:
        """Drop what still waits and stop (the transaction is rolled back)."""
        self._aborted = True
        self._stop()

    def _stop(self) -> None:
        if self._threads[0].is_alive():
            self._tables.put(None)
        for thread in self._threads:
            thread.join()

    def _raise_failure(self) -> None:
        if self._failure is not None:
            raise self._failure

    def _working(self) -> bool:
        return self._failure is None and not self._aborted

    def _name(self) -> None:
        """Batches of each table's rows, named, for ``_store``; ``None`` ends."""
        while (task := self._tables.get()) is not None:
            name, rows, named = task
            for start in range(0, max(rows.height, 1), WRITE_BATCH_ROWS):
                if not self._working():
                    break
                try:
                    batch = rows.slice(start, WRITE_BATCH_ROWS)
                    self._batches.put((name, named(batch) if named is not None else batch))
                except BaseException as error:  # raised on the caller's thread
                    self._failure = error
        self._batches.put(None)

    def _store(self) -> None:
        while (task := self._batches.get()) is not None:
            if self._working():
                try:
                    self._insert(*task)
                except BaseException as error:  # raised on the caller's thread
                    self._failure = error

    def _insert(self, name: str, batch: pl.DataFrame) -> None:
        # numbers are stored with their kind's decimals (planning.precision)
        batch = rounded(batch.select(pl.lit(self._run_id).alias("run_id"), pl.exclude("run_id")))
        if name not in self._written:
            _create_plan_table(self._con, name, batch)
            self._con.execute(f"delete from {PLAN_SCHEMA}.{name} where run_id = ?", [self._run_id])
            self._written.append(name)
        _from_frame(self._con, batch, f"insert into {PLAN_SCHEMA}.{name} by name {{rows}}")


def _create_plan_table(con: duckdb.DuckDBPyConnection, name: str, rows: pl.DataFrame) -> None:
    """Plan table ``name`` with the columns of ``rows``, unless it exists;
    its ``ZSTD_COLUMNS`` are compressed with ZSTD."""
    zstd = ZSTD_COLUMNS.get(name, ())
    columns = _from_frame(con, rows.head(0), "describe {rows}").fetchall()
    definition = ", ".join(
        f'"{column}" {kind}' + (" using compression zstd" if column in zstd else "")
        for column, kind, *_ in columns
    )
    con.execute(f"create table if not exists {PLAN_SCHEMA}.{name} ({definition})")
    # a table from an older version lacks the optional columns added since: added
    # (empty for the runs it keeps), so a newer plan can be stored beside them
    present = {row[0] for row in con.execute(f"describe {PLAN_SCHEMA}.{name}").fetchall()}
    for column, kind, *_ in columns:
        if column not in present:
            con.execute(f'alter table {PLAN_SCHEMA}.{name} add column "{column}" {kind}')


def _delete_old_runs(con: duckdb.DuckDBPyConnection, run_id: str, tables: list[str]) -> None:
    """Delete from plan ``tables`` (``runs`` among them) the rows of the runs
    that are not among the last ``PLAN_RUNS_KEPT`` once ``run_id`` is in: it
    and the newest others of ``plan.runs`` by ``started_at``. Rows whose runs
    row is gone go too. The runs to delete are named, so DuckDB skips the row
    groups of the others (a ``not in`` reads every row: 1.3 s at 1M SKUs)."""
    newest = con.execute(
        f"select run_id from {PLAN_SCHEMA}.runs where run_id <> ? order by started_at desc limit ?",
        [run_id, PLAN_RUNS_KEPT - 1],
    ).fetchall()
    kept = {run_id} | {newer for (newer,) in newest}
    for table in tables:
        present = con.execute(f"select distinct run_id from {PLAN_SCHEMA}.{table}").fetchall()
        stale = [old for (old,) in present if old not in kept]
        if stale:
            con.execute(
                f"delete from {PLAN_SCHEMA}.{table} where run_id in (select unnest(?))", [stale]
            )


def set_run_status(con: duckdb.DuckDBPyConnection, run_id: str, status: str, finished_at) -> None:
    """Record how a run that wrote plan tables ended (``succeeded`` or ``failed``)."""
    con.execute(
        f"update {PLAN_SCHEMA}.runs set status = ?, finished_at = ? where run_id = ?",
        [status, finished_at, run_id],
    )


SERVING_DIR = "serving"
SERVING_COPIES_KEPT = 2  # the newest, and the one before for readers still holding it


def serving_path(out_dir: Path, warehouse: Path) -> Path:
    """What BI tools open, read-only: the serving copy of the last published run,
    in the output folder beside the published runs (named after the warehouse)."""
    return Path(out_dir) / SERVING_DIR / Path(warehouse).name


def publish_serving_copy(warehouse: Path, out_dir: Path, run_id: str) -> Path:
    """Copy the warehouse for readers and switch ``serving_path`` to the copy at once.

    Readers open the copy, never the file runs write, so a nightly run neither
    waits for them nor shows them a half-written plan; a reader that keeps the
    previous copy open goes on reading it. Older copies are removed.
    """
    with connect(warehouse) as con:
        con.execute("checkpoint")  # everything in the file, nothing left in the WAL
    folder = serving_path(out_dir, warehouse).parent
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / f"{Path(warehouse).stem}-{run_id}.duckdb"
    partial = copy.with_suffix(".partial")
    shutil.copyfile(warehouse, partial)
    os.replace(partial, copy)
    link = serving_path(out_dir, warehouse)
    temporary = folder / f".{link.name}-{run_id}"
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(copy.name)
    os.replace(temporary, link)
    copies = sorted(folder.glob(f"{Path(warehouse).stem}-*.duckdb"), key=os.path.getmtime)
    for old in copies[:-SERVING_COPIES_KEPT]:
        old.unlink(missing_ok=True)
    return link


def _from_frame(
    con: duckdb.DuckDBPyConnection, frame: pl.DataFrame, statement: str
) -> duckdb.DuckDBPyConnection:
    """Run ``statement`` with ``{rows}`` standing for a ``select *`` over ``frame``
    (its result is to be fetched from the connection returned).

    DuckDB finds ``incoming_frame`` by name (a replacement scan). Registering
    the frame's Arrow table instead kept every batch's memory until the
    connection closed: gigabytes for a large plan. The frame is handed over
    with Polars' own string layout (Arrow string views), which DuckDB reads
    as it is; a Polars frame given directly is first converted to Arrow's
    older layout, a copy of every string.
    """
    incoming_frame = frame.to_arrow(compat_level=pl.CompatLevel.newest())  # noqa: F841
    return con.execute(statement.format(rows="select * from incoming_frame"))


def _duckdb_type(dtype: pl.DataType) -> str:
    return {pl.String: "varchar", pl.Int64: "bigint"}[dtype]
