"""The DuckDB warehouse: the raw extract, the audit trail of validation, and (via dbt) the marts.

Schemas: ``raw`` holds the validated extract with the contract's types, replaced
by every run; ``audit`` keeps each run's quarantine and per-file counts; dbt
builds ``main_staging``-style schemas and the marts on top of ``raw``.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from planning.contract import EXTRACT_FILES
from planning.extract.read import SOURCE_ROW
from planning.validation.validate import QUARANTINE_SCHEMA, ValidatedExtract

RAW_SCHEMA = "raw"
AUDIT_SCHEMA = "audit"


def connect(path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file, creating its folder for a writer."""
    if not read_only:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(str(path), read_only=read_only)


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


def _from_frame(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame, statement: str) -> None:
    """Run ``statement`` with ``{rows}`` standing for a ``select *`` over ``frame``."""
    con.register("incoming_frame", frame.to_arrow())
    try:
        con.execute(statement.format(rows="select * from incoming_frame"))
    finally:
        con.unregister("incoming_frame")


def _duckdb_type(dtype: pl.DataType) -> str:
    return {pl.String: "varchar", pl.Int64: "bigint"}[dtype]
