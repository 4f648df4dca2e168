"""One run at a time per warehouse: an exclusive ``flock`` on ``<warehouse>.lock``.

The operating system drops the lock when its holder exits, however it exits
(a SIGKILL included), so a crashed run never blocks the next one. The file
names the holder (run id, host, pid, since when) for the refusal message.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from planning.errors import RunLockedError


def lock_path(warehouse: Path) -> Path:
    return Path(f"{warehouse}.lock")


@contextmanager
def run_lock(warehouse: Path, run_id: str) -> Iterator[None]:
    """Hold the warehouse's run lock, or raise RunLockedError naming its holder."""
    path = lock_path(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunLockedError(
                f"another planner run holds {path} ({_holder(path)}); "
                "this run did not start: wait for that one to finish, then run again"
            ) from None
        holder = {
            "run_id": run_id,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps(holder).encode())
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _holder(path: Path) -> str:
    try:
        holder = json.loads(path.read_text() or "{}")
    except (OSError, ValueError):
        return "holder unknown"
    return ", ".join(f"{key} {value}" for key, value in holder.items()) or "holder unknown"
