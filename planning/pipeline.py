"""The nightly planning job, step by step: validate and load, build marts, plan
materials, schedule each plant, the schedule's outputs, build the plan marts,
write the report.

``run_plan`` chains ``STEPS`` in one process (``planner run``); the Airflow DAG
runs them one task at a time through ``planning.tasks``. A run's life (its
folder, manifest, publication or failure) is ``planning.run``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from planning.config import Settings
from planning.lock import run_lock
from planning.marts import build_marts, mart_row_counts
from planning.mrp import MaterialPlan, plan_materials, read_planning_inputs
from planning.mrp.constrained import CAPACITY, LEAD_TIME, Capacity, planned_load
from planning.publish import new_run_id, write_csv
from planning.report import read_plan_tables, value_counts, write_report
from planning.run import (
    PlanRun,
    Report,
    RunOutcome,
    begin_run,
    fail_run,
    publish_run,
    require_memory,
    runs_row,
)
from planning.scheduling import SchedulingInputError
from planning.scheduling.capacity import free_capacity, open_work_finish
from planning.scheduling.plan_tables import keep_plant_schedule, schedule_summary, shop_tables
from planning.scheduling.plant_orders import plants, read_shop_inputs, schedule_plant
from planning.validation.gate import last_published, require_publishable
from planning.validation.summary import (
    file_counts,
    quarantine_by_reason,
    read_and_validate,
    require_plannable,
    write_validation_report,
)
from planning.warehouse import load_extract, plan_writer, write_plan

MIN_PLANT_SECONDS = 5.0  # the least CP-SAT time a plant gets when plants share the limit
# the plan tables the ERP reads as files from the run folder
ERP_FILES = (
    "work_orders",
    "purchase_requests",
    "transfer_orders",
    "action_messages",
    "exceptions",
    "demand_promises",
)
PLANNED_LOAD = "planned_load.parquet"  # the constrained plan's minutes per work center and day
SHOP_FILES = ("work_order_schedule", "move_orders", "shipping_requests")


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


def ingest_extract(run: PlanRun, report: Report = print) -> None:
    """Validate the extract, then load its valid rows into the warehouse's raw schema."""
    require_memory(run.extract_dir)
    with run.step("validate extract", report):
        validated = read_and_validate(run.extract_dir, report)
    run.manifest |= {
        "extract_id": validated.manifest["extract_id"],
        "extract": validated.manifest,
        "counts": file_counts(validated),
        "quarantine": quarantine_by_reason(validated),
    }
    write_validation_report(run.staging, validated)
    require_plannable(validated)
    gate = require_publishable(validated, run.settings, last_published(run.settings))
    run.manifest["publication_gate"] = gate
    for refusal in gate["refusals"]:
        report(f"warning: published anyway: {refusal}")
    with run.step("load warehouse", report), run.warehouse() as con:
        load_extract(con, validated, run.run_id)
    run.save()


def build_extract_marts(run: PlanRun, report: Report = print) -> None:
    """``dbt build`` of the marts over the loaded extract."""
    run.require_own_extract()
    with run.step("build marts (dbt build)", report):
        dbt = build_marts(run.settings, run.as_of, run.staging / "dbt.log")
        report(f"  dbt: {dbt.summary}")
    run.save()


def plan_supply(run: PlanRun, report: Report = print) -> None:
    """The material plan: files into the run folder, tables into the warehouse."""
    run.require_own_extract()
    with run.step("plan materials", report), run.warehouse() as con:
        run.manifest["marts"] = mart_row_counts(con)
        inputs = read_planning_inputs(con)
        settings = run.settings
        capacity, open_work = shop_constraints(
            con, run.as_of, settings.horizon_days, settings.rules.constraints
        )
        with plan_writer(con, run.run_id) as writer:  # stores each level as the next is planned
            plan = plan_materials(
                inputs,
                run.as_of,
                settings.horizon_days,
                settings.rules,
                publish=writer.append,
                capacity=capacity,
                open_work=open_work,
            )
            if capacity is not None:
                loaded = planned_load(capacity, plan.loaded_minutes, run.as_of)
                loaded.write_parquet(run.staging / PLANNED_LOAD)
            run.manifest["plan"] = plan_summary(plan)
            for line in describe_plan(run.manifest["plan"]):
                report(line)
            plan.publish(writer.append)
            for name in ERP_FILES:
                write_csv(run.staging / f"{name}.csv", plan.table(name))
            writer.append_run(runs_row(run.manifest))
    run.save()


def shop_constraints(
    con: duckdb.DuckDBPyConnection, as_of: date, horizon_days: int, constraints: frozenset[str]
) -> tuple[Capacity | None, pl.DataFrame | None]:
    """What the shop floor marts give the constrained plan: the work centers'
    free capacity (for ``capacity``) and the day each open work order can
    finish (for ``lead_time``); None for a constraint that is off."""
    capacity = open_work = None
    if constraints & {CAPACITY, LEAD_TIME}:
        shop = read_shop_inputs(con, None)
        if CAPACITY in constraints:
            capacity = free_capacity(shop, as_of, horizon_days)
        if LEAD_TIME in constraints:
            open_work = open_work_finish(shop, as_of, horizon_days)
    return capacity, open_work


def schedule_plants(run: PlanRun, report: Report = print) -> None:
    """The finite schedule of every plant, one after another, sharing the CP-SAT
    time limit between them (the DAG maps ``schedule_one_plant`` over
    ``list_plants`` instead, each plant with the whole limit on its worker)."""
    names = list_plants(run)
    for plant in names:
        schedule_one_plant(run, plant, report, share=1 / len(names))


def list_plants(run: PlanRun) -> list[str]:
    """The locations with work centers: the scheduling partitions."""
    with run.warehouse(read_only=True) as con:
        return plants(read_shop_inputs(con, run.run_id))


def schedule_one_plant(
    run: PlanRun, plant: str, report: Report = print, share: float = 1.0
) -> None:
    """CP-SAT schedule of one plant's work orders, kept in the run's staging folder;
    ``share`` of the solver's time limit is its time (at least ``MIN_PLANT_SECONDS``)."""
    run.require_own_extract()
    with run.step(f"schedule {plant} (CP-SAT)", report):
        with run.warehouse(read_only=True) as con:
            inputs = read_shop_inputs(con, run.run_id)
        solver = run.settings.solver
        solver = replace(
            solver, time_limit_seconds=max(MIN_PLANT_SECONDS, solver.time_limit_seconds * share)
        )
        days = run.settings.rules.schedule_horizon_days
        try:
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
        keep_plant_schedule(run.schedule_parts, plant, result)
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
    run.require_own_extract()
    with run.step("capacity and schedule outputs", report), run.warehouse() as con:
        inputs = read_shop_inputs(con, run.run_id)
        not_scheduled = {
            plant: outcome["error"]
            for plant, outcome in run.manifest.get("schedule", {}).items()
            if outcome.get("status") == "not_scheduled"
        }
        load_file = run.staging / PLANNED_LOAD
        planned = pl.read_parquet(load_file) if load_file.exists() else None
        tables = shop_tables(
            con,
            run.run_id,
            run.as_of,
            run.settings,
            inputs,
            run.schedule_parts,
            not_scheduled,
            planned,
        )
        for name in SHOP_FILES:
            write_csv(run.staging / f"{name}.csv", tables[name])
        for name in ("exceptions", "demand_promises"):  # the material plan's, with the schedule's
            write_csv(run.staging / f"{name}.csv", tables[name])
        write_plan(con, runs_row(run.manifest), tables)
        counts = {name: frame.height for name, frame in tables.items()}
        run.manifest["plan"]["rows"] |= counts
        run.manifest["plan"]["exceptions"] = value_counts(tables["exceptions"], "category")
        report("  " + ", ".join(f"{counts[name]} {name.replace('_', ' ')}" for name in SHOP_FILES))
        report(describe_counts("exceptions in the plan", run.manifest["plan"]["exceptions"]))
        late = tables["demand_promises"].filter(pl.col("cause") != "on_time")
        run.manifest["plan"]["late_promises"] = value_counts(late, "cause")
        report(describe_counts("demand lines or parts promised late", value_counts(late, "cause")))
    run.save()


def build_plan_marts(run: PlanRun, report: Report = print) -> None:
    """``dbt build`` of the plan marts over this run's plan tables."""
    run.require_own_extract()
    with run.step("build plan marts (dbt build)", report):
        log = run.staging / "dbt_plan.log"
        dbt = build_marts(run.settings, run.as_of, log, run_id=run.run_id)
        report(f"  dbt: {dbt.summary}")
    run.save()


def write_run_report(run: PlanRun, report: Report = print) -> None:
    """``report.html`` in the run folder, from this run's plan tables."""
    with run.step("write report", report), run.warehouse(read_only=True) as con:
        tables = read_plan_tables(con, run.run_id)
    write_report(run.staging / "report.html", run.manifest, tables)
    run.save()


STEPS = (
    ingest_extract,
    build_extract_marts,
    plan_supply,
    schedule_plants,
    finish_schedule,
    build_plan_marts,
    write_run_report,
)


def plan_summary(plan: MaterialPlan) -> dict[str, Any]:
    """Rows per plan table, exceptions per category, action messages per action."""
    return {
        "rows": plan.row_counts(),
        "exceptions": value_counts(plan.exceptions, "category"),
        "actions": value_counts(plan.action_messages, "action"),
    }


def describe_plan(summary: dict[str, Any]) -> list[str]:
    """The material plan's summary as the console shows it. Its exceptions are
    the material plan's: ``finish_schedule`` adds the schedule's and shows
    those of the whole plan."""
    rows = summary["rows"]
    orders = ", ".join(f"{rows[name]} {name.replace('_', ' ')}" for name in ERP_FILES[:3])
    return [
        f"  planned {orders}",
        describe_counts("action messages", summary["actions"]),
        describe_counts("exceptions of the material plan", summary["exceptions"]),
    ]


def describe_counts(title: str, counts: dict[str, int]) -> str:
    """Counts by kind as the console shows them: the total, then every kind."""
    detail = ", ".join(f"{name} {count}" for name, count in counts.items())
    return f"  {sum(counts.values())} {title}" + (f": {detail}" if detail else "")
