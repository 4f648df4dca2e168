"""A run killed with SIGKILL at any step leaves the published plan intact, and the
next run succeeds (issue: reliability under crashes and reruns)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest
from extract_fixtures import MINIMAL_EXTRACT, write_extract

pytestmark = pytest.mark.slow

# the step a run is killed in, as `planner run` announces it ("[n] <step> ...")
KILL_POINTS = [
    "load warehouse",
    "build marts (dbt build)",
    "plan materials",
    "capacity and schedule outputs",
    "build plan marts (dbt build)",
    "write report",
]


def _command(extract, out, warehouse):
    return [
        sys.executable, "-m", "planning.cli", "run", "--extract", str(extract),
        "--as-of", "2026-11-23", "--out", str(out), "--warehouse", str(warehouse),
        "--horizon-days", "28",
    ]  # fmt: skip


def _published(out):
    latest = (out / "latest").resolve()
    return latest, {p.name: p.read_bytes() for p in latest.iterdir() if p.is_file()}


def test_runs_killed_at_each_step_leave_the_published_plan_and_the_next_run_succeeds(tmp_path):
    extract = write_extract(tmp_path / "extract", MINIMAL_EXTRACT)
    out, warehouse = tmp_path / "plans", tmp_path / "warehouse" / "planner.duckdb"
    first = subprocess.run(_command(extract, out, warehouse), capture_output=True, text=True)
    assert first.returncode == 0, first.stdout + first.stderr
    before = _published(out)

    for point in KILL_POINTS:
        run = subprocess.Popen(_command(extract, out, warehouse), stdout=subprocess.PIPE, text=True)
        for line in run.stdout:
            if line.startswith("[") and line.rstrip().endswith(f"] {point} ..."):
                os.kill(run.pid, signal.SIGKILL)
                break
        run.wait()
        assert run.returncode == -signal.SIGKILL, f"the run ended before {point}"
        assert _published(out) == before, point

    # the lock died with the killed runs; the warehouse is consistent
    after = subprocess.run(_command(extract, out, warehouse), capture_output=True, text=True)
    assert after.returncode == 0, after.stdout + after.stderr
    # the killed runs' staging folders were discarded by the next run, kept in .failed
    assert not any((out / ".staging").iterdir())
    killed = [json.loads(p.read_text()) for p in (out / ".failed").glob("*/manifest.json")]
    assert len(killed) == len(KILL_POINTS)
    assert all("its process was killed" in m["error"] for m in killed), killed
    latest, files = _published(out)
    assert latest != before[0]
    for name in ("work_orders.csv", "purchase_requests.csv", "transfer_orders.csv"):
        assert files[name] == before[1][name], name
