"""Fixtures for the dbt integration tests: a raw warehouse loaded from the tiny
hand-made extract by the real validation and loader, and the marts that
`dbt build` makes from it.
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

from planning.extract.read import read_extract
from planning.validation.validate import validate_extract
from planning.warehouse import connect, load_extract

REPO = Path(__file__).resolve().parents[2]
TINY_EXTRACT = REPO / "tests" / "fixtures" / "tiny_extract"


# The planning date and horizon the hand computations in test_dbt_marts.py use:
# buckets 2026-11-23 (a Monday) .. 2026-12-20, four whole weeks.
AS_OF = "2026-11-23"
HORIZON_DAYS = 28


@pytest.fixture(scope="session")
def tiny_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DuckDB file holding the tiny extract as `raw.*` tables."""
    warehouse = tmp_path_factory.mktemp("warehouse") / "planner.duckdb"
    validated = validate_extract(read_extract(TINY_EXTRACT))
    assert validated.quarantine.height == 0, validated.quarantine
    with connect(warehouse) as con:
        load_extract(con, validated, run_id="tiny")
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
