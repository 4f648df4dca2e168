"""The nightly planning job, step by step: validate, load, build marts, plan
materials, build the plan marts, publish.

``planner run`` and the Airflow DAG both call these functions; they are the only
callers of the steps in order.
"""

from __future__ import annotations

import json
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from planning.config import Settings
from planning.errors import InvalidExtractError, PlannerError, StepFailedError
from planning.extract.read import read_extract
from planning.marts import build_marts
from planning.mrp import MaterialPlan, plan_materials, read_planning_inputs
from planning.publish import RunFolder, new_run_id, write_csv, write_json
from planning.validation.validate import ValidatedExtract
from planning.validation.validate import validate_extract as run_suites
from planning.warehouse import connect, load_extract, set_run_status, write_plan

Report = Callable[[str], None]
MASTER_FILES = ("locations", "items", "skus")  # nothing can be planned without valid rows here
# the plan tables the ERP reads as files from the run folder
ERP_FILES = ("work_orders", "purchase_requests", "transfer_orders", "action_messages", "exceptions")


@dataclass
class RunOutcome:
    run_id: str
    status: str  # "succeeded", "invalid_input" or "failed"
    folder: Path
    manifest: dict[str, Any]
    exit_code: int
    message: str = ""


@dataclass
class StepClock:
    """Times each step and tells the user as it goes."""

    report: Report
    timings: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        number = len(self.timings) + 1
        self.report(f"[{number}] {name} ...")
        started = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = round(time.perf_counter() - started, 3)
        self.report(f"[{number}] {name} done in {self.timings[name]:.1f} s")


def validate_extract(extract_dir: Path, report: Report = print) -> ValidatedExtract:
    """Read and validate an extract; raise InvalidExtractError when a file is unusable."""
    validated = run_suites(read_extract(Path(extract_dir)))
    for line in describe_validation(validated):
        report(line)
    return validated


def require_plannable(validated: ValidatedExtract) -> None:
    """Raise InvalidExtractError when no valid location, item or SKU is left to plan."""
    empty = [name for name in MASTER_FILES if validated.tables[name].height == 0]
    if empty:
        raise InvalidExtractError(
            f"{empty[0]}.csv: no valid rows remain after validation "
            f"({validated.rows_quarantined} rows quarantined); nothing can be planned",
            file=f"{empty[0]}.csv",
        )
    return validated


def describe_validation(validated: ValidatedExtract, examples: int = 3) -> list[str]:
    """Per-file counts and, per kind of failure, a few rows a data engineer can look up."""
    lines = []
    for file in validated.reports:
        if not file.present:
            continue
        line = f"  {file.file}: {file.rows_read} rows, {file.rows_loaded} loaded"
        if file.rows_quarantined:
            line += f", {file.rows_quarantined} quarantined"
        if file.ignored_columns:
            line += f" (columns not in the contract ignored: {', '.join(file.ignored_columns)})"
        lines.append(line)
    kinds = (
        validated.quarantine.group_by("file", "field", "reason", maintain_order=True)
        .agg(
            pl.len().alias("rows"),
            pl.col("row_number").head(examples),
            pl.col("value").head(examples),
        )
        .sort("file", "field")
    )
    for kind in kinds.iter_rows(named=True):
        where = ", ".join(
            f"row {row} ({value!r})" if value is not None else f"row {row} (empty)"
            for row, value in zip(kind["row_number"], kind["value"], strict=True)
        )
        more = f" and {kind['rows'] - examples} more" if kind["rows"] > examples else ""
        lines.append(
            f"  quarantined {kind['file']} field {kind['field']}: {kind['reason']}: {where}{more}"
        )
    return lines


def run_plan(
    extract_dir: Path, as_of: date, settings: Settings, report: Report = print
) -> RunOutcome:
    """The whole nightly job; publishes ``<out>/<run_id>/`` only if every step succeeds."""
    started_at = datetime.now(UTC)
    run_id = new_run_id(started_at)
    folder = RunFolder(settings.out_dir, run_id)
    staging = folder.create()
    clock = StepClock(report)
    manifest: dict[str, Any] = {
        "run_id": run_id,
        "as_of": as_of.isoformat(),
        "horizon_days": settings.horizon_days,
        "extract_dir": str(Path(extract_dir).resolve()),
        "warehouse": str(settings.warehouse),
        "started_at": started_at.isoformat(timespec="seconds"),
    }
    report(f"planner run {run_id}: extract {extract_dir}, as of {as_of}")
    plan_written = False
    try:
        with clock.step("validate extract"):
            validated = validate_extract(extract_dir, report)
        manifest |= {
            "extract_id": validated.manifest["extract_id"],
            "extract": validated.manifest,
            "counts": _file_counts(validated),
        }
        write_validation_report(staging, validated)
        require_plannable(validated)
        with clock.step("load warehouse"), _warehouse(settings) as con:
            load_extract(con, validated, run_id)
        with clock.step("build marts (dbt build)"):
            dbt = build_marts(settings, as_of, staging / "dbt.log")
            report(f"  dbt: {dbt.summary}")
        with clock.step("plan materials"), _warehouse(settings) as con:
            manifest["marts"] = mart_row_counts(con)
            plan = plan_materials(
                read_planning_inputs(con), as_of, settings.horizon_days, settings.rules
            )
            manifest["plan"] = plan_summary(plan)
            for line in describe_plan(manifest["plan"]):
                report(line)
            write_plan_files(staging, plan)
            write_plan(con, runs_row(manifest, clock), plan.tables())
            plan_written = True
        with clock.step("build plan marts (dbt build)"):
            dbt = build_marts(settings, as_of, staging / "dbt_plan.log", run_id=run_id)
            report(f"  dbt: {dbt.summary}")
        with _warehouse(settings) as con:
            set_run_status(con, run_id, "succeeded", datetime.now(UTC))
    except PlannerError as error:
        status = "invalid_input" if isinstance(error, InvalidExtractError) else "failed"
        _mark_failed(settings, run_id, plan_written)
        return _fail(folder, manifest, clock, status, str(error), error.exit_code, report)
    except (
        Exception
    ) as error:  # an internal error: keep the trace for the report, not the user's screen
        (staging / "error.log").write_text(traceback.format_exc(), encoding="utf-8")
        message = f"internal error: {type(error).__name__}: {error}"
        _mark_failed(settings, run_id, plan_written)
        return _fail(folder, manifest, clock, "failed", message, 1, report)

    manifest |= _closing(clock, "succeeded")
    published = folder.publish(manifest)
    report(f"published {published} (latest -> {run_id})")
    return RunOutcome(run_id, "succeeded", published, manifest, 0)


def plan_summary(plan: MaterialPlan) -> dict[str, Any]:
    """Rows per plan table, exceptions per category, action messages per action."""
    return {
        "rows": {name: frame.height for name, frame in plan.tables().items()},
        "exceptions": dict(sorted(plan.exceptions["category"].value_counts().iter_rows())),
        "actions": dict(sorted(plan.action_messages["action"].value_counts().iter_rows())),
    }


def describe_plan(summary: dict[str, Any]) -> list[str]:
    rows = summary["rows"]
    orders = ", ".join(f"{rows[name]} {name.replace('_', ' ')}" for name in ERP_FILES[:3])
    lines = [f"  planned {orders}"]
    for title, counts in (("action messages", "actions"), ("exceptions", "exceptions")):
        detail = ", ".join(f"{name} {count}" for name, count in summary[counts].items())
        lines.append(
            f"  {sum(summary[counts].values())} {title}" + (f": {detail}" if detail else "")
        )
    return lines


def write_plan_files(folder: Path, plan: MaterialPlan) -> None:
    """The ERP-facing files of the plan (``ERP_FILES``) into the run folder."""
    tables = plan.tables()
    for name in ERP_FILES:
        write_csv(folder / f"{name}.csv", tables[name])


def runs_row(manifest: dict[str, Any], clock: StepClock) -> dict[str, Any]:
    """The run's ``plan.runs`` row while it is being published."""
    return {
        "run_id": manifest["run_id"],
        "as_of": date.fromisoformat(manifest["as_of"]),
        "extract_id": manifest.get("extract_id"),
        "status": "publishing",
        "started_at": datetime.fromisoformat(manifest["started_at"]),
        "finished_at": None,
        "counts": json.dumps({"extract": manifest.get("counts"), "plan": manifest.get("plan")}),
        "timings": json.dumps(clock.timings),
    }


def _mark_failed(settings: Settings, run_id: str, plan_written: bool) -> None:
    """Tell BI readers the run's plan tables are not a published plan."""
    if not plan_written:
        return
    try:
        with _warehouse(settings) as con:
            set_run_status(con, run_id, "failed", datetime.now(UTC))
    except (PlannerError, duckdb.Error):
        pass  # the run already failed; its folder under .failed says why


def _fail(
    folder: RunFolder,
    manifest: dict[str, Any],
    clock: StepClock,
    status: str,
    message: str,
    exit_code: int,
    report: Report,
) -> RunOutcome:
    manifest |= _closing(clock, status) | {"error": message}
    kept = folder.discard(manifest)
    report(f"error: {message}")
    report(f"run {folder.run_id} {status}; nothing published; details in {kept}")
    return RunOutcome(folder.run_id, status, kept, manifest, exit_code, message)


def _closing(clock: StepClock, status: str) -> dict[str, Any]:
    return {
        "status": status,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "step_seconds": clock.timings,
    }


@contextmanager
def _warehouse(
    settings: Settings, *, read_only: bool = False
) -> Iterator[duckdb.DuckDBPyConnection]:
    try:
        con = connect(settings.warehouse, read_only=read_only)
    except duckdb.IOException as error:
        raise StepFailedError(
            f"warehouse {settings.warehouse} cannot be opened ({str(error).splitlines()[0]}); "
            "is another run or a writer holding it?"
        ) from None
    try:
        yield con
    finally:
        con.close()


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


def write_validation_report(folder: Path, validated: ValidatedExtract) -> None:
    """``quarantine.csv`` (every failing row) and ``validation.json`` (every expectation)."""
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(folder / "quarantine.csv", validated.quarantine)
    write_json(folder / "validation.json", _validation_results(validated))


def _file_counts(validated: ValidatedExtract) -> dict[str, dict[str, int]]:
    return {
        r.file: {"read": r.rows_read, "loaded": r.rows_loaded, "quarantined": r.rows_quarantined}
        for r in validated.reports
        if r.present
    }


def _validation_results(validated: ValidatedExtract) -> dict[str, Any]:
    """The Great Expectations outcomes per file, compact enough to read."""
    return {
        "extract": validated.manifest,
        "files": [
            {
                "file": r.file,
                "present": r.present,
                "rows_read": r.rows_read,
                "rows_loaded": r.rows_loaded,
                "rows_quarantined": r.rows_quarantined,
                "ignored_columns": list(r.ignored_columns),
                "expectations": [vars(o) for o in r.outcomes],
            }
            for r in validated.reports
        ],
    }
