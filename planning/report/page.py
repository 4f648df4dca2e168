"""The report page: what each section shows, rendered by the Jinja2 templates of
``templates/`` with the CSS of ``static/report.css`` inline.

Every value the templates print is HTML-escaped (ids come from ERP data) the way
``html.escape`` does it; markup the templates make themselves (a macro's output)
is printed as it is. The templates are written a tag a line and indented; the
page is not: see ``JoinedLines``.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import polars as pl
from jinja2 import Environment, PackageLoader, StrictUndefined
from jinja2.ext import Extension
from markupsafe import Markup

from planning.report import formats
from planning.report.charts import (
    Gantt,
    Heatmap,
    InventoryLine,
    gantt_chart,
    heatmap_chart,
    inventory_line,
)
from planning.report.kpis import (
    FORECAST,
    PLANNED_ORDER_TABLES,
    PROMISES,
    SALES_ORDER,
    known_loads,
    plan_kpis,
    value_counts,
)
from planning.report.selection import (
    EXCEPTION_COLUMNS,
    LATE_COLUMNS,
    MAX_LATE_FORECAST_ROWS,
    MAX_LATE_ROWS,
    bottleneck_loads,
    capacity_cells,
    exception_summary,
    exceptions_shown,
    gantt_operations,
    inventory_lines,
    inventory_skus,
    late_by_cause,
    late_promises,
    milestones_shown,
)
from planning.report.tables import REQUIRED_TABLES

NOT_PLANNED = "not planned in this run"


class JoinedLines(Extension):
    """Drops every line break of a template, and the indentation after it, as
    the template is loaded: the templates are written a tag a line, the page
    comes out one line a section (the page's own line breaks are written as
    ``{{ "\\n" }}``). So a tag, a Jinja statement, or text whose spaces count,
    is never split over two lines, and no line starts with a space that counts."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        return "".join(line.lstrip() for line in source.splitlines())


def escaped(value: Any) -> Markup:
    """What a template prints of a value: markup as it is, None as nothing, any
    other value as its text HTML-escaped (``&#x27;`` for ', as ``html.escape``)."""
    if hasattr(value, "__html__"):
        return Markup(value)
    return Markup(html.escape(formats.text(value), quote=True))


@cache
def environment() -> Environment:
    """The report's Jinja2 environment: its templates, the ``formats`` filters,
    escaping on."""
    env = Environment(
        loader=PackageLoader("planning.report"),
        autoescape=True,
        finalize=escaped,
        undefined=StrictUndefined,
        extensions=[JoinedLines],
    )
    env.filters.update(
        integer=formats.integer,
        qty=formats.qty,
        pct=formats.pct,
        seconds=formats.seconds,
        hours=formats.hours,
        coord=formats.coord,
        css_token=formats.css_token,
        shorten=formats.shorten,
    )
    env.globals.update(
        not_planned=NOT_PLANNED,
        no_value=formats.NO_VALUE,
        planned_order_names=PLANNED_ORDER_TABLES,
    )
    return env


@cache
def css() -> Markup:
    """The page's style sheet (``static/report.css``)."""
    return Markup((files("planning.report") / "static" / "report.css").read_text("utf-8"))


def render_report(run: Mapping[str, Any], tables: Mapping[str, pl.DataFrame]) -> str:
    """The plan report of one run as a self-contained HTML page: no script, no
    request; CSS inline, the charts are SVG.

    ``run`` holds run_id, as_of, extract_id, horizon_days and step_seconds (step
    name -> seconds); ``tables`` the plan tables by contract name: every one of
    ``REQUIRED_TABLES``, and those of ``OPTIONAL_TABLES`` the run planned."""
    missing = [name for name in REQUIRED_TABLES if name not in tables]
    if missing:
        raise ValueError(f"the report needs the plan tables {', '.join(missing)}")
    return environment().get_template("report.html.j2").render(report_context(run, tables))


def write_report(path: Path, run: Mapping[str, Any], tables: Mapping[str, pl.DataFrame]) -> None:
    """Write ``render_report(run, tables)`` to ``path`` (UTF-8), creating its folder."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_report(run, tables), encoding="utf-8")


def report_context(run: Mapping[str, Any], tables: Mapping[str, pl.DataFrame]) -> dict[str, Any]:
    """What ``report.html.j2`` shows, by section; an optional table the run did
    not plan is None."""
    return {
        "css": css(),
        "header": run_header(run),
        "kpis": plan_kpis(tables),
        "capacity_planned": "capacity_load" in tables,
        "late_demand": late_demand_list(tables.get(PROMISES)),
        "exceptions": exception_list(tables["exceptions"]),
        "schedule": schedule_shown(tables.get("schedule")),
        "capacity": capacity_shown(tables.get("capacity_load")),
        "inventory": inventory_shown(
            tables["exceptions"],
            tables["projected_inventory"],
            formats.as_date(run.get("as_of")),
            run.get("horizon_days"),
        ),
        "milestones": milestone_list(tables.get("milestone_status")),
    }


@dataclass(frozen=True)
class RunHeader:
    run_id: Any
    facts: list[tuple[str, Any]]
    steps: list[tuple[str, Any]]  # (step, seconds) in the order the run took them
    total_seconds: float
    # rows quarantined per file, field and reason, with the file's rows read
    quarantine: list[dict[str, Any]]
    published_anyway: list[str]  # the publication gate's refusals overridden


def run_header(run: Mapping[str, Any]) -> RunHeader:
    steps = dict(run.get("step_seconds") or {})
    horizon = run.get("horizon_days")
    counts = run.get("counts") or {}
    gate = run.get("publication_gate") or {}
    return RunHeader(
        run_id=run.get("run_id"),
        facts=[
            ("as of", run.get("as_of")),
            ("extract", run.get("extract_id")),
            ("horizon", f"{horizon} days" if horizon else None),
        ],
        steps=list(steps.items()),
        total_seconds=sum(float(s) for s in steps.values() if s is not None),
        quarantine=[
            kind | {"read": (counts.get(kind["file"]) or {}).get("read")}
            for kind in run.get("quarantine") or []
        ],
        published_anyway=list(gate.get("refusals") or []) if gate.get("published_anyway") else [],
    )


@dataclass(frozen=True)
class LateDemandList:
    sales_order_lines: int  # sales order lines with a late part
    sales_order_parts: int  # their late parts
    by_cause: list[dict[str, Any]]  # late sales order parts per cause (``late_by_cause``)
    columns: tuple[str, ...]
    rows: list[dict[str, Any]]  # the late sales order parts listed, most urgent first
    forecast_lines: int
    forecast_parts: int
    forecast_rows: list[dict[str, Any]]  # the most urgent late forecast parts


def late_demand_list(
    promises: pl.DataFrame | None,
    limit: int = MAX_LATE_ROWS,
    forecast_limit: int = MAX_LATE_FORECAST_ROWS,
) -> LateDemandList | None:
    """The late parts of the run's promises (``selection.late_promises``):
    sales orders' up to ``limit``, forecast's up to ``forecast_limit``; None
    for a run without ``demand_promises``."""
    if promises is None:
        return None
    orders = late_promises(promises, SALES_ORDER)
    forecast = late_promises(promises, FORECAST)
    return LateDemandList(
        sales_order_lines=orders.select("demand_id", "item_id", "location_id").n_unique(),
        sales_order_parts=orders.height,
        by_cause=late_by_cause(orders).to_dicts(),
        columns=LATE_COLUMNS,
        rows=orders.head(limit).to_dicts(),
        forecast_lines=forecast.select("demand_id", "item_id", "location_id").n_unique(),
        forecast_parts=forecast.height,
        forecast_rows=forecast.head(forecast_limit).to_dicts(),
    )


@dataclass(frozen=True)
class ExceptionList:
    total: int
    severities: list[str]  # the summary's columns
    summary: list[dict[str, Any]]  # per category, exceptions per severity
    columns: tuple[str, ...]
    rows: list[dict[str, Any]]  # the exceptions listed (``exceptions_shown``)


def exception_list(exceptions: pl.DataFrame) -> ExceptionList:
    if exceptions.height == 0:
        return ExceptionList(0, [], [], EXCEPTION_COLUMNS, [])
    summary, severities = exception_summary(exceptions)
    return ExceptionList(
        total=exceptions.height,
        severities=severities,
        summary=summary.to_dicts(),
        columns=EXCEPTION_COLUMNS,
        rows=exceptions_shown(exceptions).to_dicts(),
    )


@dataclass(frozen=True)
class ScheduleShown:
    operations: int
    orders: int
    work_centres: int
    lanes: int  # machines (work centre and unit) the schedule uses
    lanes_shown: int
    operations_shown: int
    gantt: Gantt | None  # None: no operation has a start and an end


def schedule_shown(schedule: pl.DataFrame | None) -> ScheduleShown | None:
    if schedule is None:
        return None
    if schedule.height == 0:
        return ScheduleShown(0, 0, 0, 0, 0, 0, None)
    operations, lanes, total_lanes = gantt_operations(schedule)
    return ScheduleShown(
        operations=schedule.height,
        orders=schedule["order_id"].n_unique(),
        work_centres=schedule["work_center_id"].n_unique(),
        lanes=total_lanes,
        lanes_shown=len(lanes),
        operations_shown=operations.height,
        gantt=gantt_chart(operations, lanes) if operations.height else None,
    )


@dataclass(frozen=True)
class CapacityShown:
    centres: int
    centres_shown: int
    weeks: int
    weeks_shown: int
    heatmap: Heatmap | None  # None: no capacity requirements
    # the most loaded work centres over the horizon, before and after the
    # constraints (``selection.bottleneck_loads``)
    bottlenecks: list[dict[str, Any]]
    constrained: bool  # whether the plan loaded capacity (any planned_hours)


def capacity_shown(load: pl.DataFrame | None) -> CapacityShown | None:
    if load is None:
        return None
    if load.height == 0:
        return CapacityShown(0, 0, 0, 0, None, [], False)
    cells, centers, weeks, total_centers, total_weeks = capacity_cells(known_loads(load))
    bottlenecks = bottleneck_loads(load)
    return CapacityShown(
        centres=total_centers,
        centres_shown=len(centers),
        weeks=total_weeks,
        weeks_shown=len(weeks),
        heatmap=heatmap_chart(cells, centers, weeks),
        bottlenecks=bottlenecks.to_dicts(),
        constrained=bottlenecks["planned_hours"].is_not_null().any(),
    )


@dataclass(frozen=True)
class InventoryFigure:
    title: str
    caption: str
    chart: InventoryLine | None  # None: the SKU has no projected rows


def inventory_shown(
    exceptions: pl.DataFrame,
    projected: pl.DataFrame,
    as_of: date | None,
    horizon_days: Any,
) -> list[InventoryFigure]:
    """A figure per SKU of ``inventory_skus``, each from as-of (else the first
    projected day) to the end of the horizon (or the last projected day, if later)."""
    chosen = inventory_skus(exceptions, projected)
    lines = inventory_lines(projected, chosen)
    first = as_of or projected["date"].min()
    last = projected["date"].max() or first
    if horizon_days and first is not None:
        last = max(last, first + timedelta(days=int(horizon_days)))
    figures = []
    for sku in chosen.iter_rows(named=True):
        title = f"{sku['item_id']} @ {sku['location_id']}"
        line = lines.get((sku["item_id"], sku["location_id"]))
        chart = None
        if line is not None:
            chart = inventory_line(f"Projected on hand of {title}", line, first, last)
        figures.append(InventoryFigure(title, f"{sku['reason']}: {formats.qty(sku['qty'])}", chart))
    return figures


@dataclass(frozen=True)
class MilestoneList:
    total: int
    by_status: dict[str, int]
    rows: list[dict[str, Any]]  # the milestones listed (``milestones_shown``)


def milestone_list(milestones: pl.DataFrame | None) -> MilestoneList | None:
    if milestones is None:
        return None
    return MilestoneList(
        total=milestones.height,
        by_status=value_counts(milestones, "status"),
        rows=milestones_shown(milestones).to_dicts(),
    )
