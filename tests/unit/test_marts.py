"""The dbt subprocess of a marts build dies with the planner that started it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

# a stand-in planner: starts a long child the way build_marts starts dbt, prints its pid
PLANNER = """
import functools, os, subprocess, sys
from planning.marts import die_with_parent
child = subprocess.Popen(
    [sys.executable, "-c", "import time; time.sleep(60)"],
    preexec_fn=functools.partial(die_with_parent, os.getpid()),
)
print(child.pid, flush=True)
child.wait()
"""


def _alive(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status")
    try:
        state = next(line for line in status.read_text().splitlines() if line.startswith("State:"))
    except (FileNotFoundError, ProcessLookupError):
        return False
    return " Z " not in state and "zombie" not in state


def test_a_killed_planner_takes_its_dbt_subprocess_with_it():
    planner = subprocess.Popen([sys.executable, "-c", PLANNER], stdout=subprocess.PIPE, text=True)
    child = int(planner.stdout.readline())
    assert _alive(child)
    os.kill(planner.pid, signal.SIGKILL)
    planner.wait()
    deadline = time.monotonic() + 10
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child), "the child outlived the planner and would hold the warehouse"
