"""Building the dbt marts over the raw extract with a real ``dbt build``.

dbt runs as a subprocess of this interpreter's environment so that its global
state never leaks into the planner (or into an Airflow worker) and a crash in it
is reported as a failed step, not a dead process. The subprocess dies with the
planner (``die_with_parent``): a run killed mid-build must not leave a dbt behind
that holds the warehouse file while the next run starts.
"""

from __future__ import annotations

import ctypes
import functools
import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from planning.config import Settings
from planning.errors import StepFailedError


@dataclass(frozen=True)
class DbtBuildResult:
    """Counts of dbt node results by status (``pass``, ``success``, ``warn``, ``error``, ...)."""

    statuses: dict[str, int]
    run_results: Path

    @property
    def summary(self) -> str:
        return ", ".join(f"{status}={count}" for status, count in sorted(self.statuses.items()))


def dbt_command() -> list[str]:
    """The ``dbt`` executable installed beside this interpreter."""
    executable = Path(sys.executable).with_name("dbt")
    return [str(executable)] if executable.exists() else [sys.executable, "-m", "dbt.cli.main"]


def dbt_environment(settings: Settings) -> dict[str, str]:
    return os.environ | {
        "PLANNER_WAREHOUSE": str(settings.warehouse),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
    }


_PR_SET_PDEATHSIG = 1  # prctl(2) option: the signal a process gets when its parent dies


def die_with_parent(parent_pid: int) -> None:
    """In a child between fork and exec: have the kernel SIGKILL it when the
    planner process ``parent_pid`` that started it dies, however it dies."""
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)


DBT_DIR = ".dbt"  # in the output folder: dbt's target (manifest, run results), per warehouse


def dbt_target_dir(settings: Settings) -> Path:
    """Where dbt writes its manifest, run results and logs for this warehouse."""
    return settings.out_dir / DBT_DIR / settings.warehouse.stem


PLAN_MARTS = "tag:plan"  # the marts over the plan tables, built after planning


def build_marts(
    settings: Settings, as_of: date, log_file: Path, *, run_id: str | None = None
) -> DbtBuildResult:
    """Run ``dbt build`` (models and their tests) against the warehouse file.

    Without ``run_id``: the marts over the extract (everything but the plan
    marts). With it: the plan marts over that run's ``plan`` tables.
    dbt's log goes to ``log_file``; a failed model or test raises StepFailedError
    naming the failing nodes.
    """
    target_dir = dbt_target_dir(settings)
    variables = {"as_of": as_of.isoformat(), "horizon_days": settings.horizon_days}
    if run_id is None:
        selection = ["--exclude", PLAN_MARTS]
    else:
        selection = ["--select", PLAN_MARTS]
        variables["run_id"] = run_id
    command = [
        *dbt_command(),
        "build",
        "--project-dir", str(settings.dbt_project_dir),
        "--profiles-dir", str(settings.dbt_project_dir),
        "--target-path", str(target_dir),
        "--log-path", str(target_dir / "logs"),
        "--threads", str(settings.dbt_threads),
        "--vars", json.dumps(variables),
        *selection,
        "--exclude-resource-type", "unit_test",  # run by tests/integration/test_dbt_unit_tests.py
    ]  # fmt: skip
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("w", encoding="utf-8") as log:
        completed = subprocess.run(
            command,
            cwd=settings.dbt_project_dir,
            env=dbt_environment(settings),
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
            preexec_fn=functools.partial(die_with_parent, os.getpid()),
        )
    run_results = target_dir / "run_results.json"
    statuses, failures = _read_run_results(run_results) if run_results.exists() else ({}, [])
    if completed.returncode != 0:
        detail = "; ".join(failures[:5]) or f"see {log_file}"
        raise StepFailedError(f"dbt build failed (exit {completed.returncode}): {detail}")
    return DbtBuildResult(statuses, run_results)


def _read_run_results(path: Path) -> tuple[dict[str, int], list[str]]:
    results = json.loads(path.read_text(encoding="utf-8"))["results"]
    statuses: dict[str, int] = {}
    failures = []
    for result in results:
        status = str(result["status"]).lower()
        statuses[status] = statuses.get(status, 0) + 1
        if status in ("error", "fail"):
            message = (result.get("message") or "").strip().splitlines()
            failures.append(f"{result['unique_id']}: {message[0] if message else status}")
    return statuses, failures


def mart_row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows per mart table (``dim_*`` and ``fct_*``)."""
    tables = con.execute(
        """select table_schema, table_name from information_schema.tables
           where table_type = 'BASE TABLE'
             and (table_name like 'dim\\_%' escape '\\' or table_name like 'fct\\_%' escape '\\')
           order by table_name"""
    ).fetchall()
    return {
        name: con.execute(f'select count(*) from "{schema}"."{name}"').fetchall()[0][0]
        for schema, name in tables
    }
