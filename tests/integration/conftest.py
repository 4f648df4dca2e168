"""Fixtures for the dbt integration tests: a raw warehouse loaded from the tiny
hand-made extract by the real validation and loader, and the marts that
`dbt build` makes from it.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest
from dbt_runner import run_dbt
from extract_fixtures import TINY_HOLIDAYS

from planning.config import PlanningRules
from planning.extract.read import read_extract
from planning.marts import PLAN_MARTS
from planning.mrp import MaterialPlan, plan_materials, read_planning_inputs
from planning.validation.validate import validate_extract
from planning.warehouse import connect, load_extract, write_plan

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


@pytest.fixture(scope="session")
def tiny_marts(
    tiny_warehouse: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[duckdb.DuckDBPyConnection]:
    """`dbt build` on the tiny warehouse, then a read-only connection to it."""
    work_dir = tmp_path_factory.mktemp("dbt")
    dbt_vars = json.dumps({"as_of": AS_OF, "horizon_days": HORIZON_DAYS})
    result = run_dbt(
        ["build", "--vars", dbt_vars, "--exclude", PLAN_MARTS], tiny_warehouse, work_dir
    )
    assert result.returncode == 0, f"dbt build failed:\n{result.stdout[-20000:]}\n{result.stderr}"
    with duckdb.connect(str(tiny_warehouse), read_only=True) as con:
        yield con


@pytest.fixture(scope="session")
def tiny_holiday_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny extract with TINY_HOLIDAYS as its holidays.csv, validated, loaded
    and its extract marts built by `dbt build`: a DuckDB file to copy or read."""
    work_dir = tmp_path_factory.mktemp("holidays")
    extract = work_dir / "extract"
    shutil.copytree(TINY_EXTRACT, extract)
    days = [
        f"{location},{day},closed" for location, dates in TINY_HOLIDAYS.items() for day in dates
    ]
    (extract / "holidays.csv").write_text("location_id,date,name\n" + "\n".join(days) + "\n")
    validated = validate_extract(read_extract(extract))
    assert validated.quarantine.height == 0, validated.quarantine
    warehouse = work_dir / "planner.duckdb"
    with connect(warehouse) as con:
        load_extract(con, validated, run_id="tiny-holidays")
    dbt_vars = json.dumps({"as_of": AS_OF, "horizon_days": HORIZON_DAYS})
    build = ["build", "--vars", dbt_vars, "--exclude-resource-type", "unit_test"]
    result = run_dbt([*build, "--exclude", PLAN_MARTS], warehouse, work_dir)
    assert result.returncode == 0, f"dbt build failed:\n{result.stdout[-20000:]}\n{result.stderr}"
    return warehouse


@pytest.fixture(scope="session")
def tiny_plan(
    tiny_marts: duckdb.DuckDBPyConnection, tiny_warehouse: Path, tmp_path_factory
) -> Iterator[tuple[MaterialPlan, duckdb.DuckDBPyConnection]]:
    """The unconstrained material plan of the tiny extract (the hand-worked
    numbers of the plan marts' cases are the MRP's), written to a copy of its
    warehouse by the real writer, and the plan marts `dbt build` makes from it."""
    work_dir = tmp_path_factory.mktemp("plan")
    warehouse = work_dir / "planner.duckdb"
    shutil.copyfile(tiny_warehouse, warehouse)
    with connect(warehouse) as con:
        plan = plan_materials(
            read_planning_inputs(con),
            date.fromisoformat(AS_OF),
            HORIZON_DAYS,
            PlanningRules(plan_constraints="none"),
        )
        run = {"run_id": "tiny-plan", "as_of": date.fromisoformat(AS_OF), "status": "succeeded"}
        write_plan(con, run, plan.tables())
    dbt_vars = json.dumps({"as_of": AS_OF, "horizon_days": HORIZON_DAYS, "run_id": "tiny-plan"})
    result = run_dbt(["build", "--vars", dbt_vars, "--select", PLAN_MARTS], warehouse, work_dir)
    assert result.returncode == 0, f"dbt build failed:\n{result.stdout[-20000:]}\n{result.stderr}"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        yield plan, con
