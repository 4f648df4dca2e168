"""`planner run` end to end: validate, load, dbt build, publish; a fatal run publishes nothing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest
from extract_fixtures import MINIMAL_EXTRACT, write_extract

pytestmark = pytest.mark.slow


def _planner(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "planning.cli", *args],
        capture_output=True,
        text=True,
        env=os.environ | (env or {}),
        check=False,
    )


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("run")
    extract = write_extract(
        root / "extract",
        MINIMAL_EXTRACT
        | {
            "items.csv": "item_id,uom,unit_cost\nFG1,ea,50\nRM1,kg,2.5\nBAD,ea,-1",
        },
    )
    out, warehouse = root / "plans", root / "warehouse" / "planner.duckdb"
    # 1 of the 3 items is quarantined on purpose: above the default 5 % of the gate
    result = _planner(
        "run", "--extract", str(extract), "--as-of", "2026-11-23",
        "--out", str(out), "--warehouse", str(warehouse), "--horizon-days", "28",
        "--quarantine-limit-pct", "50",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return {
        "root": root,
        "extract": extract,
        "out": out,
        "warehouse": warehouse,
        "stdout": Path(result.stdout),
    }


def test_a_run_publishes_a_complete_manifest_and_points_latest_at_it(published):
    out = published["out"]
    latest = (out / "latest").resolve()
    manifest = json.loads((latest / "manifest.json").read_text())
    assert manifest["status"] == "succeeded"
    assert latest.name == manifest["run_id"]
    assert manifest["as_of"] == "2026-11-23"
    assert manifest["extract_id"] == "test-1"
    assert manifest["counts"]["items.csv"] == {"read": 3, "loaded": 2, "quarantined": 1}
    assert manifest["publication_gate"] == {
        "quarantine_limit_pct": 50.0,
        "change_limit_pct": 50.0,
        "compared_with": None,  # the first run of its warehouse
        "totals": {"open independent demand": 12.0, "available stock": 120.0, "open supply": 0.0},
        "published_anyway": False,
        "refusals": [],
    }
    assert list(manifest["step_seconds"]) == [
        "validate extract",
        "load warehouse",
        "build marts (dbt build)",
        "plan materials",
        "capacity and schedule outputs",  # the minimal extract has no work centers to schedule
        "build plan marts (dbt build)",
        "write report",
    ]
    assert manifest["marts"]["dim_skus"] == 3
    files = {f["name"]: f for f in manifest["files"]}
    assert {"quarantine.csv", "validation.json", "dbt.log", "dbt_plan.log", "report.html"} <= set(
        files
    )
    plan_files = ["work_orders", "purchase_requests", "transfer_orders", "action_messages"]
    for name in [*plan_files, "exceptions"]:
        assert f"{name}.csv" in files
        rows = (latest / f"{name}.csv").read_text().count("\n") - 1
        assert rows == manifest["plan"]["rows"][name], name
    assert len(files["quarantine.csv"]["sha256"]) == 64
    assert "BAD" in (latest / "quarantine.csv").read_text()


def test_a_run_writes_nothing_beside_the_warehouse_but_its_file(published):
    warehouse = published["warehouse"]
    beside = {path.name for path in warehouse.parent.iterdir()}
    assert beside <= {warehouse.name, f"{warehouse.name}.wal", f"{warehouse.name}.lock"}
    # dbt's target and the BI serving copy are in the output folder
    assert {path.name for path in published["root"].iterdir()} == {"extract", "plans", "warehouse"}
    assert (published["out"] / ".dbt" / "planner" / "run_results.json").exists()
    assert (published["out"] / "serving" / "planner.duckdb").exists()


def test_the_warehouse_holds_raw_audit_and_marts(published):
    with duckdb.connect(str(published["warehouse"]), read_only=True) as con:
        assert con.execute("select count(*) from raw.items").fetchone() == (2,)
        assert con.execute("select file, field, value from audit.quarantine").fetchall() == [
            ("items.csv", "unit_cost", "-1")
        ]
        runs = con.execute("select run_id, status, finished_at is not null from plan.runs")
        run_id = (published["out"] / "latest").resolve().name
        assert runs.fetchall() == [(run_id, "succeeded", True)]
        # RM1 asks for fixed lots but has no lot_size
        found = con.execute(
            "select category, item_id from plan.exceptions where run_id = ?", [run_id]
        )
        assert ("invalid_data", "RM1") in found.fetchall()


def test_a_fatal_extract_exits_2_names_the_file_and_leaves_the_published_plan(published, tmp_path):
    out = published["out"]
    before = {p: p.read_bytes() for p in (out / "latest").resolve().rglob("*") if p.is_file()}
    latest_before = os.readlink(out / "latest")
    broken = write_extract(
        tmp_path / "broken", MINIMAL_EXTRACT | {"skus.csv": "item_id,location_id\nFG1,P1"}
    )
    result = _planner(
        "run", "--extract", str(broken), "--as-of", "2026-11-24",
        "--out", str(out), "--warehouse", str(published["warehouse"]),
    )  # fmt: skip
    assert result.returncode == 2
    assert "skus.csv: required column replenishment, lead_time_days is missing" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert os.readlink(out / "latest") == latest_before
    assert {
        p: p.read_bytes() for p in (out / "latest").resolve().rglob("*") if p.is_file()
    } == before
    failed = json.loads(next((out / ".failed").glob("*/manifest.json")).read_text())
    assert failed["status"] == "invalid_input"


def test_the_publication_gate_refuses_a_file_quarantined_above_its_limit(published):
    out = published["out"]
    before = {p: p.read_bytes() for p in (out / "latest").resolve().rglob("*") if p.is_file()}
    latest_before = os.readlink(out / "latest")
    result = _planner(
        "run", "--extract", str(published["extract"]), "--as-of", "2026-11-23",
        "--out", str(out), "--warehouse", str(published["warehouse"]), "--horizon-days", "28",
    )  # fmt: skip
    assert result.returncode == 2, result.stdout + result.stderr
    refusal = (
        "error: items.csv: validation quarantined 1 of 3 rows (33.3 %), more than the 5 % "
        "limit (PLANNER_QUARANTINE_LIMIT_PCT); 1 of them for unit_cost: outside the allowed "
        "range >= 0; a run does not publish this extract"
    )
    assert refusal in result.stdout
    assert os.readlink(out / "latest") == latest_before
    assert {
        p: p.read_bytes() for p in (out / "latest").resolve().rglob("*") if p.is_file()
    } == before
    run_id = result.stdout.split("run ", 2)[-1].split(" refused", 1)[0].split()[-1]
    failed = json.loads((out / ".failed" / run_id / "manifest.json").read_text())
    assert failed["status"] == "refused"
    assert (out / ".failed" / run_id / "quarantine.csv").exists()  # what it would have lost

    anyway = _planner(
        "run", "--extract", str(published["extract"]), "--as-of", "2026-11-23",
        "--out", str(out), "--warehouse", str(published["warehouse"]), "--horizon-days", "28",
        "--publish-anyway",
    )  # fmt: skip
    assert anyway.returncode == 0, anyway.stdout + anyway.stderr
    assert "warning: published anyway: items.csv: validation quarantined 1 of 3" in anyway.stdout
    manifest = json.loads((out / "latest" / "manifest.json").read_text())
    assert os.readlink(out / "latest") == manifest["run_id"] != latest_before
    gate = manifest["publication_gate"]
    assert (gate["quarantine_limit_pct"], gate["published_anyway"]) == (5.0, True)
    assert gate["compared_with"] == latest_before  # same totals: no change refusal
    assert [r.split(":")[0] for r in gate["refusals"]] == ["items.csv"]


def test_the_publication_gate_refuses_totals_far_from_the_last_published_run(published, tmp_path):
    out = published["out"]
    latest_before = os.readlink(out / "latest")
    thin = shutil.copytree(published["extract"], tmp_path / "thin")
    on_hand = pl.read_csv(thin / "on_hand.csv")
    on_hand.with_columns(pl.col("qty") / 10).write_csv(thin / "on_hand.csv")
    result = _planner(
        "run", "--extract", str(thin), "--as-of", "2026-11-23",
        "--out", str(out), "--warehouse", str(published["warehouse"]), "--horizon-days", "28",
        "--quarantine-limit-pct", "50",
    )  # fmt: skip
    assert result.returncode == 2, result.stdout + result.stderr
    assert (
        f"error: available stock: 12 against 120 in the last published run {latest_before} "
        "(-90.0 %), more than the 50 % limit (PLANNER_CHANGE_LIMIT_PCT)"
    ) in result.stdout
    assert os.readlink(out / "latest") == latest_before


def test_validate_command_reports_and_exits_0_with_quarantined_rows(published, tmp_path):
    result = _planner(
        "validate", "--extract", str(published["extract"]), "--report", str(tmp_path),
        "--quarantine-limit-pct", "50",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "items.csv: 3 rows, 2 loaded, 1 quarantined" in result.stdout
    assert (
        "quarantined items.csv field unit_cost: outside the allowed range >= 0: row 3 ('-1')"
        in result.stdout
    )
    assert (tmp_path / "quarantine.csv").exists()


def test_validate_command_exits_2_on_a_missing_required_file(tmp_path):
    extract = write_extract(
        tmp_path / "extract", {k: v for k, v in MINIMAL_EXTRACT.items() if k != "items.csv"}
    )
    result = _planner("validate", "--extract", str(extract))
    assert result.returncode == 2
    assert result.stderr.strip() == f"error: items.csv: required file is missing from {extract}"


def test_a_rerun_publishes_identical_orders_while_a_bi_reader_holds_the_serving_copy(published):
    out, warehouse = published["out"], published["warehouse"]
    first = (out / "latest").resolve()
    serving = out / "serving" / "planner.duckdb"
    with duckdb.connect(str(serving), read_only=True) as reader:
        rerun = _planner(
            "run", "--extract", str(published["extract"]), "--as-of", "2026-11-23",
            "--out", str(out), "--warehouse", str(warehouse), "--horizon-days", "28",
            "--quarantine-limit-pct", "50",
        )  # fmt: skip
        assert rerun.returncode == 0, rerun.stdout + rerun.stderr
        # the reader still sees the plan it opened, whole
        newest = "select run_id from plan.runs where status = 'succeeded' order by started_at desc"
        assert reader.execute(newest).fetchall()[0][0] == first.name
    second = (out / "latest").resolve()
    assert second != first
    for name in ("work_orders", "purchase_requests", "transfer_orders", "action_messages"):
        assert (second / f"{name}.csv").read_bytes() == (first / f"{name}.csv").read_bytes()
    with duckdb.connect(str(serving), read_only=True) as reader:
        assert reader.execute(newest).fetchall()[0][0] == second.name
