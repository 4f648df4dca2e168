"""A planner run's life: begun (a staging folder and a manifest), carried between
steps (``PlanRun``, saved after each), then published or failed (``RunOutcome``).

The steps themselves are in ``planning.pipeline``; this module decides only where
a run's files are and what becomes of them.
"""

from __future__ import annotations

import json
import shutil
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import psutil

from planning.config import Settings
from planning.errors import (
    ExtractTooLargeError,
    InvalidExtractError,
    PlannerError,
    PublicationRefusedError,
    StepFailedError,
)
from planning.publish import STAGING_DIR, RunFolder, new_run_id, write_json
from planning.warehouse import connect, loaded_run_id, publish_serving_copy, set_run_status

Report = Callable[[str], None]
RUN_STATE = "run.json"  # a run's manifest between steps, in its staging folder
SCHEDULE_PARTS = "schedule_parts"  # each plant's schedule, in the staging folder
# Peak memory of a whole run per byte of extract CSV, measured: 1M SKUs (468 MiB of
# CSV) peaked at about 21 GiB. Parquet counts 3 times its size (it compresses).
MEMORY_PER_EXTRACT_BYTE = 45


@dataclass
class RunOutcome:
    run_id: str
    status: str  # "succeeded", "invalid_input", "refused" (the publication gate) or "failed"
    folder: Path
    manifest: dict[str, Any]
    exit_code: int
    message: str = ""


@dataclass
class PlanRun:
    """A run between its steps: what it plans and its manifest so far.

    Saved as ``run.json`` in its staging folder after every step, so each step
    may run in another process (an Airflow task on another worker).
    """

    run_id: str
    extract_dir: Path
    as_of: date
    settings: Settings
    manifest: dict[str, Any]

    @property
    def folder(self) -> RunFolder:
        return RunFolder(self.settings.out_dir, self.run_id)

    @property
    def staging(self) -> Path:
        return self.folder.staging

    @property
    def schedule_parts(self) -> Path:
        """Where each plant's schedule waits for the capacity and schedule outputs."""
        return self.staging / SCHEDULE_PARTS

    def save(self) -> None:
        write_json(self.staging / RUN_STATE, self.manifest)

    @classmethod
    def resume(cls, run_id: str, settings: Settings) -> PlanRun:
        """The run as its last step left it; StepFailedError when it is not in progress."""
        state = RunFolder(settings.out_dir, run_id).staging / RUN_STATE
        if not state.exists():
            raise StepFailedError(f"run {run_id} is not in progress (no {state})")
        manifest = json.loads(state.read_text(encoding="utf-8"))
        return cls(
            run_id,
            Path(manifest["extract_dir"]),
            date.fromisoformat(manifest["as_of"]),
            settings,
            manifest,
        )

    @contextmanager
    def step(self, name: str, report: Report) -> Iterator[None]:
        """Time a step into the manifest and tell the user as it goes."""
        timings = self.manifest.setdefault("step_seconds", {})
        number = len(timings) + 1
        report(f"[{number}] {name} ...")
        started = time.perf_counter()
        try:
            yield
        finally:
            timings[name] = round(time.perf_counter() - started, 3)
        report(f"[{number}] {name} done in {timings[name]:.1f} s")

    @contextmanager
    def warehouse(self, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection to the run's warehouse; StepFailedError when it cannot be opened."""
        path = self.settings.warehouse
        try:
            con = connect(path, read_only=read_only, memory_limit=self.settings.duckdb_memory_limit)
        except duckdb.IOException as error:
            raise StepFailedError(
                f"warehouse {path} cannot be opened ({str(error).splitlines()[0]}); "
                "is another run or a writer holding it?"
            ) from None
        try:
            yield con
        finally:
            con.close()

    def require_own_extract(self) -> None:
        """Stop when another run loaded its extract into the warehouse since this one did."""
        with self.warehouse(read_only=True) as con:
            loaded = loaded_run_id(con)
        if loaded != self.run_id:
            raise StepFailedError(
                f"the warehouse now holds the extract of run {loaded}, not of this run "
                f"{self.run_id}; this run stops: start it again"
            )


def begin_run(
    extract_dir: Path,
    as_of: date,
    settings: Settings,
    report: Report = print,
    *,
    run_id: str | None = None,
) -> PlanRun:
    """Create the run's staging folder and manifest."""
    started_at = datetime.now(UTC)
    run_id = run_id or new_run_id(started_at)
    manifest: dict[str, Any] = {
        "run_id": run_id,
        "as_of": as_of.isoformat(),
        "horizon_days": settings.horizon_days,
        "extract_dir": str(Path(extract_dir).resolve()),
        "warehouse": str(settings.warehouse),
        "started_at": started_at.isoformat(timespec="seconds"),
        "step_seconds": {},
    }
    run = PlanRun(run_id, Path(extract_dir), as_of, settings, manifest)
    report(f"planner run {run_id}: extract {extract_dir}, as of {as_of}")
    discard_killed_runs(settings, run_id, report)
    run.folder.create()
    run.save()
    return run


def discard_killed_runs(settings: Settings, run_id: str, report: Report = print) -> list[str]:
    """Discard the runs of this warehouse whose process was killed mid-run: their
    staging folders go to ``.failed`` (kept for diagnosis), their plan tables are
    marked failed. Called by a run that holds the warehouse, so no other run of it
    is in progress; returns the ids discarded."""
    discarded = []
    for state in sorted((settings.out_dir / STAGING_DIR).glob(f"*/{RUN_STATE}")):
        try:
            warehouse = json.loads(state.read_text(encoding="utf-8")).get("warehouse")
        except (OSError, ValueError):
            continue  # not a run's manifest: left alone
        if warehouse is None or Path(warehouse).resolve() != settings.warehouse.resolve():
            continue  # another warehouse's run, which may be in progress
        killed = PlanRun.resume(state.parent.name, settings)
        reason = StepFailedError(
            f"the run stopped before it finished (its process was killed); "
            f"run {run_id} found its files and discarded them"
        )
        kept = fail_run(killed, reason, report=lambda _line: None).folder
        report(f"discarded run {killed.run_id}, killed before it finished: its files are in {kept}")
        discarded.append(killed.run_id)
    return discarded


def require_memory(extract_dir: Path, available: int | None = None) -> None:
    """Raise ExtractTooLargeError when the extract would need more memory than is
    free, instead of being killed halfway by the operating system."""
    files = [path for path in Path(extract_dir).glob("*") if path.suffix in (".csv", ".parquet")]
    size = sum(path.stat().st_size * (3 if path.suffix == ".parquet" else 1) for path in files)
    needed = size * MEMORY_PER_EXTRACT_BYTE
    available = psutil.virtual_memory().available if available is None else available
    if needed > available:
        raise ExtractTooLargeError(
            f"{extract_dir}: an extract of {size / 2**20:,.0f} MiB needs about "
            f"{needed / 2**30:,.1f} GiB of memory to plan and {available / 2**30:,.1f} GiB "
            f"is free; the largest extract this machine plans is about "
            f"{available / MEMORY_PER_EXTRACT_BYTE / 2**20:,.0f} MiB of CSV"
        )


def publish_run(run: PlanRun, report: Report = print) -> RunOutcome:
    """Mark the run's plan tables succeeded, refresh the BI serving copy, then make
    the run folder visible and ``latest``."""
    with run.warehouse() as con:
        set_run_status(con, run.run_id, "succeeded", datetime.now(UTC))
    serving = publish_serving_copy(run.settings.warehouse, run.settings.out_dir, run.run_id)
    run.manifest["serving_warehouse"] = str(serving)
    run.manifest |= _closing("succeeded")
    (run.staging / RUN_STATE).unlink()
    shutil.rmtree(run.schedule_parts, ignore_errors=True)  # in the plan tables now
    published = run.folder.publish(run.manifest)
    report(f"published {published} (latest -> {run.run_id})")
    return RunOutcome(run.run_id, "succeeded", published, run.manifest, 0)


def fail_run(run: PlanRun, error: BaseException, report: Report = print) -> RunOutcome:
    """Move the run's files to ``<out>/.failed/<run_id>/``, mark its plan tables
    failed; ``latest`` and every published run stay as they were."""
    if isinstance(error, PlannerError):
        status = (
            "invalid_input"
            if isinstance(error, InvalidExtractError)
            else "refused"
            if isinstance(error, PublicationRefusedError)
            else "failed"
        )
        message, exit_code = str(error), error.exit_code
    else:  # an internal error: keep the trace for the report, not the user's screen
        trace = "".join(traceback.format_exception(error))
        (run.staging / "error.log").write_text(trace, encoding="utf-8")
        status, message, exit_code = "failed", f"internal error: {type(error).__name__}: {error}", 1
    _mark_failed(run)
    run.manifest |= _closing(status) | {"error": message}
    (run.staging / RUN_STATE).unlink(missing_ok=True)
    kept = run.folder.discard(run.manifest)
    report(f"error: {message}")
    report(f"run {run.run_id} {status}; nothing published; details in {kept}")
    return RunOutcome(run.run_id, status, kept, run.manifest, exit_code, message)


def runs_row(manifest: dict[str, Any]) -> dict[str, Any]:
    """The run's ``plan.runs`` row while it is being published."""
    return {
        "run_id": manifest["run_id"],
        "as_of": date.fromisoformat(manifest["as_of"]),
        "extract_id": manifest.get("extract_id"),
        "status": "publishing",
        "started_at": datetime.fromisoformat(manifest["started_at"]),
        "finished_at": None,
        "counts": json.dumps({"extract": manifest.get("counts"), "plan": manifest.get("plan")}),
        "timings": json.dumps(manifest["step_seconds"]),
    }


def _mark_failed(run: PlanRun) -> None:
    """Tell BI readers the run's plan tables, if it wrote any, are not a published plan."""
    if not run.settings.warehouse.exists():
        return
    try:
        with run.warehouse() as con:
            set_run_status(con, run.run_id, "failed", datetime.now(UTC))
    except (PlannerError, duckdb.Error):
        pass  # the run already failed; its folder under .failed says why


def _closing(status: str) -> dict[str, Any]:
    return {"status": status, "finished_at": datetime.now(UTC).isoformat(timespec="seconds")}
