"""dbt as the tests run it: the venv's dbt in a subprocess, on a given warehouse file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run_dbt(args: list[str], warehouse: Path, work_dir: Path) -> subprocess.CompletedProcess:
    """Run the venv's dbt in a subprocess (dbtRunner keeps state between invocations)."""
    env = {
        **os.environ,
        "PLANNER_WAREHOUSE": str(warehouse),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    command = [
        str(Path(sys.executable).with_name("dbt")),
        "--no-use-colors",  # plain diffs of actual and expected rows in unit test failures
        *args,
        "--project-dir", str(REPO),
        "--profiles-dir", str(REPO),
        "--target-path", str(work_dir / "target"),
        "--log-path", str(work_dir / "logs"),
    ]  # fmt: skip
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False)
