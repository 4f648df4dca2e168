"""The nightly planning job, step by step: validate, load, build marts, plan
materials, build the plan marts, publish.

``planner run`` and the Airflow DAG both call these functions; they are the only
callers of the steps in order.
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
import polars as pl
import psutil

from planning.config import Settings
from planning.errors import (
    ExtractTooLargeError,
    InvalidExtractError,
    PlannerError,
    StepFailedError,
)
from planning.extract.read import read_extract
from planning.lock import run_lock
from planning.marts import build_marts
from planning.mrp import MaterialPlan, plan_materials, read_planning_inputs
from planning.mrp.exceptions import EXCEPTION_ORDER, EXCEPTIONS
from planning.publish import RunFolder, new_run_id, write_csv, write_json
from planning.report import read_plan_tables, value_counts, write_report
from planning.scheduling import (
    SCHEDULE_SCHEMA,
    SchedulingInputError,
    SolverSettings,
    with_timestamps,
)
from planning.scheduling.capacity import capacity_load
from planning.scheduling.outputs import (
    fill_dates,
    milestone_status,
    move_orders,
    schedule_exceptions,
    shipping_requests,
    work_order_schedule,
)
from planning.scheduling.shop import (
    UNSTAFFED,
    PlantSchedule,
    ShopInputs,
    orders_to_schedule,
    plants,
    read_shop_inputs,
    schedule_plant,
)
from planning.validation.validate import ValidatedExtract
from planning.validation.validate import validate_extract as run_suites
from planning.warehouse import (
    connect,
    load_extract,
    loaded_run_id,
    plan_writer,
    publish_serving_copy,
    set_run_status,
    write_plan,
)

Report = Callable[[str], None]
MASTER_FILES = ("locations", "items", "skus")  # nothing can be planned without valid rows here
# the plan tables the ERP reads as files from the run folder
RUN_STATE = "run.json"
SCHEDULE_PARTS = "schedule_parts"
MIN_PLANT_SECONDS = 5.0  # each plant's schedule, in the staging folder
SHOP_FILES = ("work_order_schedule", "move_orders", "shipping_requests")
SHOP_DEMAND_QUERY = """select demand_type, demand_id, order_id, order_line, item_id, location_id,
    qty, demand_date, original_date, project_id from marts.fct_demand"""
MILESTONES_QUERY = """select project_id, milestone_id, due_date, so_id
    from staging.stg_erp__milestones"""  # a run's manifest between steps, in its staging folder
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
    """The whole nightly job in this process, holding the warehouse's run lock;
    publishes ``<out>/<run_id>/`` only if every step succeeds. RunLockedError
    when another run holds the warehouse (nothing is started then)."""
    run_id = new_run_id(datetime.now(UTC))
    with run_lock(settings.warehouse, run_id):
        run = begin_run(extract_dir, as_of, settings, report, run_id=run_id)
        try:
            for step in STEPS:
                step(run, report)
        except Exception as error:
            return fail_run(run, error, report)
        return publish_run(run, report)


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
    run.folder.create()
    run.save()
    report(f"planner run {run_id}: extract {extract_dir}, as of {as_of}")
    return run


# Peak memory of a whole run per byte of extract CSV, measured: 1M SKUs (468 MiB of
# CSV) peaked at about 21 GiB. Parquet counts 3 times its size (it compresses).
MEMORY_PER_EXTRACT_BYTE = 45


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


def ingest_extract(run: PlanRun, report: Report = print) -> None:
    """Validate the extract, then load its valid rows into the warehouse's raw schema."""
    require_memory(run.extract_dir)
    with run.step("validate extract", report):
        validated = validate_extract(run.extract_dir, report)
    run.manifest |= {
        "extract_id": validated.manifest["extract_id"],
        "extract": validated.manifest,
        "counts": _file_counts(validated),
    }
    write_validation_report(run.staging, validated)
    require_plannable(validated)
    with run.step("load warehouse", report), _warehouse(run.settings) as con:
        load_extract(con, validated, run.run_id)
    run.save()


def build_extract_marts(run: PlanRun, report: Report = print) -> None:
    """``dbt build`` of the marts over the loaded extract."""
    _require_own_extract(run)
    with run.step("build marts (dbt build)", report):
        dbt = build_marts(run.settings, run.as_of, run.staging / "dbt.log")
        report(f"  dbt: {dbt.summary}")
    run.save()


def plan_supply(run: PlanRun, report: Report = print) -> None:
    """The material plan: files into the run folder, tables into the warehouse."""
    _require_own_extract(run)
    with run.step("plan materials", report), _warehouse(run.settings) as con:
        run.manifest["marts"] = mart_row_counts(con)
        inputs = read_planning_inputs(con)
        settings = run.settings
        with plan_writer(con, run.run_id) as writer:  # stores each level as the next is planned
            plan = plan_materials(
                inputs, run.as_of, settings.horizon_days, settings.rules, publish=writer.append
            )
            run.manifest["plan"] = plan_summary(plan)
            for line in describe_plan(run.manifest["plan"]):
                report(line)
            plan.publish(writer.append)
            write_plan_files(run.staging, plan)
            writer.append_run(runs_row(run.manifest))
    run.save()


def build_plan_marts(run: PlanRun, report: Report = print) -> None:
    """``dbt build`` of the plan marts over this run's plan tables."""
    _require_own_extract(run)
    with run.step("build plan marts (dbt build)", report):
        log = run.staging / "dbt_plan.log"
        dbt = build_marts(run.settings, run.as_of, log, run_id=run.run_id)
        report(f"  dbt: {dbt.summary}")
    run.save()


def write_run_report(run: PlanRun, report: Report = print) -> None:
    """``report.html`` in the run folder, from this run's plan tables."""
    with run.step("write report", report), _warehouse(run.settings, read_only=True) as con:
        tables = read_plan_tables(con, run.run_id)
    write_report(run.staging / "report.html", run.manifest, tables)
    run.save()


def schedule_plants(run: PlanRun, report: Report = print) -> None:
    """The finite schedule of every plant, one after another, sharing the CP-SAT
    time limit between them (the DAG maps ``schedule_one_plant`` over
    ``list_plants`` instead, each plant with the whole limit on its worker)."""
    names = list_plants(run)
    for plant in names:
        schedule_one_plant(run, plant, report, share=1 / len(names))


def list_plants(run: PlanRun) -> list[str]:
    """The locations with work centers: the scheduling partitions."""
    with _warehouse(run.settings, read_only=True) as con:
        return plants(read_shop_inputs(con, run.run_id))


def schedule_one_plant(
    run: PlanRun, plant: str, report: Report = print, share: float = 1.0
) -> None:
    """CP-SAT schedule of one plant's work orders, kept in the run's staging folder;
    ``share`` of PLANNER_SCHEDULE_TIME_LIMIT is its time (at least 5 s)."""
    _require_own_extract(run)
    with run.step(f"schedule {plant} (CP-SAT)", report):
        with _warehouse(run.settings, read_only=True) as con:
            inputs = read_shop_inputs(con, run.run_id)
        days = run.settings.rules.schedule_horizon_days
        try:
            solver = SolverSettings.from_env()
            limit = max(MIN_PLANT_SECONDS, solver.time_limit_seconds * share)
            solver = SolverSettings.from_env(time_limit_seconds=limit)
            result = schedule_plant(inputs, plant, run.as_of, days, solver)
        except SchedulingInputError as error:
            # one plant's unschedulable data must not cost every plant its plan
            run.manifest.setdefault("schedule", {})[plant] = {
                "status": "not_scheduled",
                "error": str(error),
            }
            report(f"  {plant}: not scheduled: {error}")
            run.save()
            return
        folder = run.staging / SCHEDULE_PARTS
        folder.mkdir(exist_ok=True)
        result.outcome.schedule.write_parquet(folder / f"{plant}.schedule.parquet")
        result.unstaffed.write_parquet(folder / f"{plant}.unstaffed.parquet")
        summary = schedule_summary(result)
        run.manifest.setdefault("schedule", {})[plant] = summary
        report(
            f"  {plant}: {summary['operations']} operations, {summary['status']}, "
            f"{summary['late_orders']} late orders, makespan {summary['makespan_minutes']} min"
            + (
                f", {result.left_out_orders} orders beyond the operations cap"
                if result.left_out_orders
                else ""
            )
        )
    run.save()


def finish_schedule(run: PlanRun, report: Report = print) -> None:
    """Capacity load, the schedule and what follows from it (work order dates,
    move orders, shipping requests, milestone status, exceptions) into the run's
    plan tables and files."""
    _require_own_extract(run)
    with run.step("capacity and schedule outputs", report), _warehouse(run.settings) as con:
        inputs = read_shop_inputs(con, run.run_id)
        tables = shop_tables(con, run, inputs)
        for name in SHOP_FILES:
            write_csv(run.staging / f"{name}.csv", tables[name])
        write_csv(run.staging / "exceptions.csv", tables["exceptions"])
        write_plan(con, runs_row(run.manifest), tables)
        counts = {name: frame.height for name, frame in tables.items()}
        run.manifest["plan"]["rows"] |= counts
        run.manifest["plan"]["exceptions"] = value_counts(tables["exceptions"], "category")
        report("  " + ", ".join(f"{counts[name]} {name.replace('_', ' ')}" for name in SHOP_FILES))
    run.save()


def shop_tables(
    con: duckdb.DuckDBPyConnection, run: PlanRun, inputs: ShopInputs
) -> dict[str, pl.DataFrame]:
    """The schedule's plan tables, and the run's exceptions with the schedule's added."""
    as_of, days = run.as_of, run.settings.rules.schedule_horizon_days
    parts = run.staging / SCHEDULE_PARTS
    schedule = _parts(parts, "schedule", SCHEDULE_SCHEMA)
    unstaffed = _parts(parts, "unstaffed", UNSTAFFED)
    orders = orders_to_schedule(inputs, as_of, days)
    scheduled = work_order_schedule(schedule, orders, as_of)
    demand = con.sql(SHOP_DEMAND_QUERY).pl()
    sales = demand.filter(pl.col("demand_type") == "sales_order").rename(
        {"order_id": "so_id", "order_line": "so_line"}
    )
    pegging = con.sql(
        "select * exclude (run_id) from plan.pegging where run_id = ?", params=[run.run_id]
    ).pl()
    filled = fill_dates(pegging, sales, scheduled)
    milestones = milestone_status(con.sql(MILESTONES_QUERY).pl(), filled)
    mps = con.sql("select item_id, location_id from marts.dim_skus where is_mps_item").pl()
    load = capacity_load(inputs, mps, as_of, run.settings.horizon_days)
    found = con.sql(
        "select * exclude (run_id) from plan.exceptions where run_id = ?", params=[run.run_id]
    ).pl()
    unscheduled = pl.DataFrame(
        [
            {
                "category": "invalid_data",
                "severity": "high",
                "location_id": plant,
                "ref_id": plant,
                "date": as_of,
                "message": f"plant {plant} not scheduled: {outcome['error']}",
            }
            for plant, outcome in run.manifest.get("schedule", {}).items()
            if outcome.get("status") == "not_scheduled"
        ],
        schema=EXCEPTIONS,
    )
    exceptions = pl.concat(
        [found, schedule_exceptions(scheduled, load, milestones, unstaffed, orders), unscheduled],
        how="vertical_relaxed",
    ).sort(EXCEPTION_ORDER, nulls_last=True)  # the warehouse gives its rows in any order
    return {
        "schedule": with_timestamps(schedule, datetime(as_of.year, as_of.month, as_of.day)).select(
            "order_id", "op_seq", "work_center_id", "unit", "person_id", "start_at", "end_at",
            "setup_minutes",
        ),
        "work_order_schedule": scheduled,
        "move_orders": move_orders(schedule, _components(con, run, scheduled), orders, as_of),
        "shipping_requests": shipping_requests(filled, as_of, days),
        "milestone_status": milestones.drop("so_id"),
        "capacity_load": load,
        "exceptions": exceptions,
    }  # fmt: skip


def _parts(folder: Path, kind: str, schema: dict) -> pl.DataFrame:
    """The plants' frames of one kind, none when no plant was scheduled."""
    files = sorted(folder.glob(f"*.{kind}.parquet")) if folder.exists() else []
    frames = [pl.read_parquet(file) for file in files]
    return pl.concat([pl.DataFrame(schema=schema), *frames], how="vertical_relaxed")


def _components(
    con: duckdb.DuckDBPyConnection, run: PlanRun, scheduled: pl.DataFrame
) -> pl.DataFrame:
    """Component quantities of the scheduled orders: open work orders' from the
    marts, planned ones' from their BOM (per unit started, scrap included)."""
    open_orders = con.sql(
        """select order_id, item_id, qty from marts.fct_demand
           where demand_type = 'work_order_component'"""
    ).pl()
    planned = con.sql(
        """select orders.order_id, bom.component_item_id as item_id,
                  orders.qty * bom.component_qty_per_parent as qty
           from plan.work_orders as orders
           inner join marts.dim_bom as bom
               on bom.parent_sku_id = orders.item_id || '@' || orders.location_id
               and coalesce(bom.valid_from <= orders.start_date, true)
               and coalesce(bom.valid_to >= orders.start_date, true)
           where orders.run_id = ?""",
        params=[run.run_id],
    ).pl()
    return pl.concat([open_orders, planned], how="vertical_relaxed").join(
        scheduled.select("order_id"), on="order_id", how="semi"
    )


def schedule_summary(result: PlantSchedule) -> dict[str, Any]:
    report = result.outcome.report
    return {
        "operations": result.outcome.schedule.height,
        "status": report.status,
        "weighted_tardiness": report.weighted_tardiness,
        "weighted_tardiness_bound": report.weighted_tardiness_bound,
        "makespan_minutes": report.makespan,
        "makespan_bound": report.makespan_bound,
        "late_orders": int(result.outcome.orders["late"].sum()),
        "orders_beyond_operations_cap": result.left_out_orders,
        "unstaffed_operations": result.unstaffed.height,
        "method": report.method,
        "seconds": round(report.wall_seconds, 2),
    }


STEPS = (
    ingest_extract,
    build_extract_marts,
    plan_supply,
    schedule_plants,
    finish_schedule,
    build_plan_marts,
    write_run_report,
)


def publish_run(run: PlanRun, report: Report = print) -> RunOutcome:
    """Mark the run's plan tables succeeded, refresh the BI serving copy, then make
    the run folder visible and ``latest``."""
    with _warehouse(run.settings) as con:
        set_run_status(con, run.run_id, "succeeded", datetime.now(UTC))
    serving = publish_serving_copy(run.settings.warehouse, run.run_id)
    run.manifest["serving_warehouse"] = str(serving)
    run.manifest |= _closing("succeeded")
    (run.staging / RUN_STATE).unlink()
    shutil.rmtree(run.staging / SCHEDULE_PARTS, ignore_errors=True)  # in the plan tables now
    published = run.folder.publish(run.manifest)
    report(f"published {published} (latest -> {run.run_id})")
    return RunOutcome(run.run_id, "succeeded", published, run.manifest, 0)


def fail_run(run: PlanRun, error: BaseException, report: Report = print) -> RunOutcome:
    """Move the run's files to ``<out>/.failed/<run_id>/``, mark its plan tables
    failed; ``latest`` and every published run stay as they were."""
    if isinstance(error, PlannerError):
        status = "invalid_input" if isinstance(error, InvalidExtractError) else "failed"
        message, exit_code = str(error), error.exit_code
    else:  # an internal error: keep the trace for the report, not the user's screen
        trace = "".join(traceback.format_exception(error))
        (run.staging / "error.log").write_text(trace, encoding="utf-8")
        status, message, exit_code = "failed", f"internal error: {type(error).__name__}: {error}", 1
    _mark_failed(run.settings, run.run_id)
    run.manifest |= _closing(status) | {"error": message}
    (run.staging / RUN_STATE).unlink(missing_ok=True)
    kept = run.folder.discard(run.manifest)
    report(f"error: {message}")
    report(f"run {run.run_id} {status}; nothing published; details in {kept}")
    return RunOutcome(run.run_id, status, kept, run.manifest, exit_code, message)


def plan_summary(plan: MaterialPlan) -> dict[str, Any]:
    """Rows per plan table, exceptions per category, action messages per action."""
    return {
        "rows": plan.row_counts(),
        "exceptions": value_counts(plan.exceptions, "category"),
        "actions": value_counts(plan.action_messages, "action"),
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
    for name in ERP_FILES:
        write_csv(folder / f"{name}.csv", plan.table(name))


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


def _mark_failed(settings: Settings, run_id: str) -> None:
    """Tell BI readers the run's plan tables, if it wrote any, are not a published plan."""
    if not settings.warehouse.exists():
        return
    try:
        with _warehouse(settings) as con:
            set_run_status(con, run_id, "failed", datetime.now(UTC))
    except (PlannerError, duckdb.Error):
        pass  # the run already failed; its folder under .failed says why


# --- the same steps one task at a time (the Airflow DAG calls these) ---------------------


def extract_is_ready(extract_dir: Path) -> bool:
    """The night's extract is complete: its manifest (written last by the ERP
    export) and the required files are there."""
    folder = Path(extract_dir)
    required = ("locations", "items", "skus")
    return (folder / "manifest.json").exists() and all(
        (folder / f"{name}.csv").exists() or (folder / f"{name}.parquet").exists()
        for name in required
    )


def start_run(extract_dir: Path, as_of: date, report: Report = print) -> str:
    """Open a run with settings from the environment; returns its id."""
    settings = Settings.from_env()
    run_id = new_run_id(datetime.now(UTC))
    with run_lock(settings.warehouse, run_id):
        begin_run(extract_dir, as_of, settings, report, run_id=run_id)
    return run_id


def run_step(name: str, run_id: str, report: Report = print, **arguments: str) -> str:
    """Run one of ``STEPS``, or ``schedule_one_plant`` with ``plant=``, for a run in
    progress, holding the run lock meanwhile; returns the run id for the next task."""
    settings = Settings.from_env()
    step = {step.__name__: step for step in (*STEPS, schedule_one_plant)}[name]
    with run_lock(settings.warehouse, run_id):
        step(PlanRun.resume(run_id, settings), report=report, **arguments)
    return run_id


def plants_of(run_id: str) -> list[str]:
    """The plants a run in progress schedules, for the DAG to map over."""
    return list_plants(PlanRun.resume(run_id, Settings.from_env()))


def finish_run(run_id: str, report: Report = print) -> str:
    """Publish a run whose steps all succeeded; returns the published folder."""
    settings = Settings.from_env()
    with run_lock(settings.warehouse, run_id):
        outcome = publish_run(PlanRun.resume(run_id, settings), report)
    return str(outcome.folder)


def abandon_run(run_id: str, reason: str, report: Report = print) -> None:
    """Discard a run one of whose steps failed (its files go to ``.failed``)."""
    settings = Settings.from_env()
    with run_lock(settings.warehouse, run_id):
        run = PlanRun.resume(run_id, settings)
        fail_run(run, StepFailedError(reason), report)


def _closing(status: str) -> dict[str, Any]:
    return {"status": status, "finished_at": datetime.now(UTC).isoformat(timespec="seconds")}


def _require_own_extract(run: PlanRun) -> None:
    """Stop when another run loaded its extract into the warehouse since this one did."""
    with _warehouse(run.settings, read_only=True) as con:
        loaded = loaded_run_id(con)
    if loaded != run.run_id:
        raise StepFailedError(
            f"the warehouse now holds the extract of run {loaded}, not of this run "
            f"{run.run_id}; this run stops: start it again"
        )


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
