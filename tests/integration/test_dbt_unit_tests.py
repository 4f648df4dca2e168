"""The dbt unit tests (``unit_tests:`` in the models' .yml files: given rows in,
hand-checked rows out) run here, not in the nightly ``dbt build``, which
planning.marts runs with ``--exclude-resource-type unit_test``.

A unit test reads its inputs' column types from their relations, so every model
must exist, though none needs rows: one ``dbt build --empty`` over empty source
tables creates each model without rows and runs each unit test once its
model's parents exist. That is quicker than loading an extract, and one dbt
process instead of a ``dbt run`` then a ``dbt test``. A failing unit test stops
its model, so the unit tests of the models below it are skipped (and listed).
The fast suite runs them too, as part of the ``dbt build`` of conftest's fixtures.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from dbt_runner import run_dbt

from planning.contract import EXTRACT_FILES, MANIFEST_KEYS
from planning.extract.read import SOURCE_ROW
from planning.warehouse import PLAN_SCHEMA, RAW_SCHEMA

# The plan tables the staging models read, with the types write_plan gives
# them from the material plan's frames (CONTRACT.md section 2).
PLAN_TABLES = {
    "runs": "run_id varchar, as_of date, extract_id varchar, status varchar,"
    " started_at timestamp with time zone, finished_at timestamp with time zone,"
    " counts varchar, timings varchar",
    "work_orders": "run_id varchar, order_id varchar, item_id varchar, location_id varchar,"
    " qty double, start_date date, due_date date, good_qty double,"
    " is_lead_time_compressed boolean",
    "purchase_requests": "run_id varchar, request_id varchar, item_id varchar,"
    " location_id varchar, supplier_id varchar, qty double, order_date date, need_date date,"
    " is_lead_time_compressed boolean",
    "transfer_orders": "run_id varchar, order_id varchar, item_id varchar,"
    " from_location_id varchar, to_location_id varchar, qty double, ship_date date,"
    " receipt_date date, is_lead_time_compressed boolean",
    "projected_inventory": "run_id varchar, item_id varchar, location_id varchar, date date,"
    " gross_requirements double, scheduled_receipts double, planned_receipts double,"
    " projected_on_hand double",
    "exceptions": "run_id varchar, category varchar, severity varchar, item_id varchar,"
    " location_id varchar, ref_id varchar, date date, qty double, message varchar",
    "action_messages": "run_id varchar, supply_type varchar, supply_id varchar,"
    ' item_id varchar, location_id varchar, action varchar, "current_date" date,'
    " suggested_date date, qty double, suggested_qty double",
    "demand_promises": "run_id varchar, demand_id varchar, demand_type varchar,"
    " item_id varchar, location_id varchar, qty double, due_date date, promised_date date,"
    " days_late bigint, cause varchar, cause_ref varchar, message varchar, supply_id varchar",
}


def create_empty_sources(warehouse: Path) -> None:
    """The raw extract tables as planning.warehouse.load_extract types them, and
    the plan tables, all without rows."""
    with duckdb.connect(str(warehouse)) as con:
        con.execute(f"create schema {RAW_SCHEMA}")
        for spec in EXTRACT_FILES:
            columns = [f"{SOURCE_ROW} bigint"]
            columns += [f'"{column.name}" {column.kind.duckdb_type}' for column in spec.columns]
            con.execute(f"create table {RAW_SCHEMA}.{spec.name} ({', '.join(columns)})")
        manifest = ", ".join(f"{key} varchar" for key in MANIFEST_KEYS)
        con.execute(f"create table {RAW_SCHEMA}.extract_manifest ({manifest})")
        con.execute(f"create schema {PLAN_SCHEMA}")
        for name, columns in PLAN_TABLES.items():
            con.execute(f"create table {PLAN_SCHEMA}.{name} ({columns})")


def describe_failures(results: list[dict]) -> str:
    """Each unit test that did not pass: model::test, status, and dbt's message
    (for a failure, the rows that differ)."""
    lines = []
    for result in results:
        name = result["unique_id"].removeprefix("unit_test.planner.").replace(".", "::", 1)
        message = (result.get("message") or "").strip()
        if result["status"] == "skipped":
            message = message or "skipped: a unit test or model above it failed"
        lines.append(f"{name} [{result['status']}]\n{message}")
    return "\n\n".join(lines)


# about 24 s of CPU, most of it dbt starting and parsing the project on one
# core: 35-60 s while the 2-core machine is shared
@pytest.mark.slow
def test_every_dbt_unit_test_passes(tmp_path: Path) -> None:
    warehouse = tmp_path / "planner.duckdb"
    create_empty_sources(warehouse)

    completed = run_dbt(
        ["build", "--empty", "--exclude-resource-type", "test"], warehouse, tmp_path
    )

    log = f"{completed.stdout[-20000:]}\n{completed.stderr}"
    run_results = tmp_path / "target" / "run_results.json"
    assert run_results.exists(), f"dbt build did not run:\n{log}"
    results = json.loads(run_results.read_text(encoding="utf-8"))["results"]
    unit_tests = [r for r in results if r["unique_id"].startswith("unit_test.")]
    assert unit_tests, f"no dbt unit test ran:\n{log}"
    not_passed = [r for r in unit_tests if r["status"] != "pass"]
    if not_passed:
        pytest.fail(
            f"{len(not_passed)} of {len(unit_tests)} dbt unit tests did not pass:\n\n"
            + describe_failures(not_passed),
            pytrace=False,
        )
    assert completed.returncode == 0, f"dbt build --empty failed outside the unit tests:\n{log}"
