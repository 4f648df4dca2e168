"""Fixtures for the dbt integration tests: a raw warehouse from the tiny
hand-made extract, and the marts that `dbt build` makes from it.

`tiny_warehouse` uses the test's OWN loader, `_load_raw_for_tests`, a stand-in
for planning.warehouse.load_raw while that is being written; swap the one marked
line for the real loader when it lands. It honours the same contract: every
extract file becomes `raw.<name>` with every contract column typed per
planning/contract.py, defaults applied, `_source_row`, and `raw.extract_manifest`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from planning.contract import EXTRACT_FILES, MANIFEST_FILE, MANIFEST_KEYS, ExtractFile

REPO = Path(__file__).resolve().parents[2]
TINY_EXTRACT = REPO / "tests" / "fixtures" / "tiny_extract"

# The planning date and horizon the hand computations in test_dbt_marts.py use:
# buckets 2026-11-23 (a Monday) .. 2026-12-20, four whole weeks.
AS_OF = "2026-11-23"
HORIZON_DAYS = 28


def _sql_literal(value: object) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return repr(value)


def _typed_columns(spec: ExtractFile, present: set[str]) -> str:
    """Select list casting each contract column, NULL when absent, default applied."""
    selected = []
    for column in spec.columns:
        raw = f"nullif(trim(\"{column.name}\"), '')" if column.name in present else "null"
        typed = f"cast({raw} as {column.kind.duckdb_type})"
        if column.default is not None:
            typed = f"coalesce({typed}, {_sql_literal(column.default)})"
        selected.append(f'{typed} as "{column.name}"')
    return ",\n    ".join(selected)


def _load_raw_for_tests(extract_dir: Path, warehouse: Path) -> None:
    """The test's own raw loader (CSV only, no validation: the fixture is valid)."""
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema if not exists raw")
        for spec in EXTRACT_FILES:
            csv = extract_dir / f"{spec.name}.csv"
            if csv.exists():
                source = f"read_csv('{csv}', header = true, all_varchar = true)"
                present = {
                    row[0] for row in con.execute(f"describe select * from {source}").fetchall()
                }
                con.execute(
                    f"create or replace table raw.{spec.name} as\n"
                    f"select\n    {_typed_columns(spec, present)},\n"
                    f"    cast(row_number() over () as bigint) as _source_row\n"
                    f"from {source}"
                )
            else:  # an absent file is an empty table with every column
                con.execute(
                    f"create or replace table raw.{spec.name} as\n"
                    f"select\n    {_typed_columns(spec, set())},\n"
                    f"    cast(null as bigint) as _source_row\n"
                    f"where false"
                )
        manifest = json.loads((extract_dir / MANIFEST_FILE).read_text())
        con.execute(
            "create or replace table raw.extract_manifest "
            "(extract_id varchar, created_at varchar, source_system varchar)"
        )
        con.execute(
            "insert into raw.extract_manifest values (?, ?, ?)",
            [manifest[key] for key in MANIFEST_KEYS],
        )


@pytest.fixture(scope="session")
def tiny_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DuckDB file holding the tiny extract as `raw.*` tables."""
    warehouse = tmp_path_factory.mktemp("warehouse") / "planner.duckdb"
    _load_raw_for_tests(TINY_EXTRACT, warehouse)  # swap for planning.warehouse.load_raw
    return warehouse


def run_dbt(args: list[str], warehouse: Path, work_dir: Path) -> subprocess.CompletedProcess:
    """Run the venv's dbt in a subprocess (dbtRunner keeps state between invocations)."""
    env = {
        **os.environ,
        "PLANNER_WAREHOUSE": str(warehouse),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    command = [
        str(Path(sys.executable).with_name("dbt")),
        *args,
        "--project-dir", str(REPO),
        "--profiles-dir", str(REPO),
        "--target-path", str(work_dir / "target"),
        "--log-path", str(work_dir / "logs"),
    ]  # fmt: skip
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False)


@pytest.fixture(scope="session")
def tiny_marts(
    tiny_warehouse: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[duckdb.DuckDBPyConnection]:
    """`dbt build` on the tiny warehouse, then a read-only connection to it."""
    work_dir = tmp_path_factory.mktemp("dbt")
    dbt_vars = json.dumps({"as_of": AS_OF, "horizon_days": HORIZON_DAYS})
    result = run_dbt(["build", "--vars", dbt_vars], tiny_warehouse, work_dir)
    assert result.returncode == 0, f"dbt build failed:\n{result.stdout[-20000:]}\n{result.stderr}"
    with duckdb.connect(str(tiny_warehouse), read_only=True) as con:
        yield con
