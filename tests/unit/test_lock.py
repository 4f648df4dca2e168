"""The warehouse run lock: one run at a time, released however its holder ends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import date

import pytest

from planning.config import Settings
from planning.errors import RunLockedError
from planning.lock import lock_path, run_lock
from planning.pipeline import run_plan


def test_a_second_run_is_refused_and_names_the_holder(tmp_path):
    settings = Settings.from_env({}, warehouse=tmp_path / "w.duckdb", out_dir=tmp_path / "plans")
    with (
        run_lock(settings.warehouse, "first-run"),
        pytest.raises(RunLockedError, match="first-run") as refused,
    ):
        run_plan(tmp_path / "no-extract", date(2026, 11, 23), settings, report=lambda _: None)
    assert refused.value.exit_code == 3
    assert "wait for that one to finish" in str(refused.value)
    # nothing was started: no staging folder, no warehouse
    assert not (tmp_path / "plans").exists()
    assert not settings.warehouse.exists()


def test_the_lock_is_free_again_after_its_holder_is_killed(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import time
                from pathlib import Path
                from planning.lock import run_lock
                with run_lock(Path({str(warehouse)!r}), "killed-run"):
                    print("locked", flush=True)
                    time.sleep(60)
                """
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "locked"
    with pytest.raises(RunLockedError, match="killed-run"), run_lock(warehouse, "second"):
        pass
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    deadline = time.monotonic() + 5
    while True:
        try:
            with run_lock(warehouse, "third"):
                break
        except RunLockedError:
            assert time.monotonic() < deadline, "lock not released after SIGKILL"
            time.sleep(0.05)
    assert "third" in lock_path(warehouse).read_text()
