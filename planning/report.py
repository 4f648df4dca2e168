"""The plan report: one self-contained HTML page a planner opens from the run folder.

``render_report(run, tables)`` reads the plan tables of CONTRACT.md section 2 by name
and returns the page; ``write_report`` writes it. The page needs no network: CSS is
inline, the charts are SVG drawn here, there is no script. Whatever the size of the
plan (a 100k-SKU plan has millions of pegging and projected inventory rows), the
tables are aggregated with Polars and only capped extracts reach the page, so it
stays a few hundred kilobytes. Every text value from the plan is HTML-escaped: ids
come from ERP data.
"""

from __future__ import annotations

import html
import math
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from planning.mrp.engine import PLAN_TABLES

if TYPE_CHECKING:
    import duckdb

REQUIRED_TABLES = PLAN_TABLES  # the material plan's: every run that gets a report has them
# filled by later planning steps; a run without them says so on the page
OPTIONAL_TABLES = ("schedule", "capacity_load", "milestone_status")
PLANNED_ORDER_TABLES = {
    "work_orders": "work orders",
    "purchase_requests": "purchase requests",
    "transfer_orders": "transfer orders",
}
NOT_PLANNED = "not planned in this run"
NO_VALUE = "n/a"

SEVERITIES = ("high", "medium", "low")
MILESTONE_STATUSES = ("late", "at_risk", "on_track")
MAX_EXCEPTION_ROWS = 500
MAX_MILESTONE_ROWS = 500
MAX_GANTT_OPERATIONS = 1500  # the earliest by start
MAX_GANTT_LANES = 60
MAX_CAPACITY_CENTERS = 40  # the most loaded, when there are more
MAX_CAPACITY_WEEKS = 27
INVENTORY_SKUS = 6
OVERLOAD_PCT = 100.0
# late_demand messages end with "<qty> not covered in the horizon" for what no supply covers
NOT_COVERED = r"([0-9][0-9.eE+-]*) not covered in the horizon$"
SALES_ORDER_MESSAGE = "sales order "  # late_demand messages start with the demand type


@dataclass(frozen=True)
class PlanKpis:
    """The headline figures of a plan. Quantities are in the SKUs' units;
    ``sales_order_fill_rate`` is a share (0..1), loads are percent."""

    planned_orders: dict[str, int]
    shortages: int
    late_demand_lines: int
    late_sales_order_lines: int
    sales_order_qty: float
    sales_order_on_time_qty: float
    sales_order_fill_rate: float | None
    average_load_pct: float | None
    max_load_pct: float | None
    overloaded_center_weeks: int | None
    action_messages: dict[str, int]
    exceptions_by_severity: dict[str, int]


def render_report(run: Mapping[str, Any], tables: Mapping[str, pl.DataFrame]) -> str:
    """The plan report of one run as a self-contained HTML page.

    ``run`` holds run_id, as_of, extract_id, horizon_days and step_seconds (step
    name -> seconds); ``tables`` the plan tables by contract name: every one of
    ``REQUIRED_TABLES``, and those of ``OPTIONAL_TABLES`` the run planned."""
    missing = [name for name in REQUIRED_TABLES if name not in tables]
    if missing:
        raise ValueError(f"the report needs the plan tables {', '.join(missing)}")
    kpis = plan_kpis(tables)
    as_of = _as_date(run.get("as_of"))
    sections = [
        _header(run),
        _kpi_section(kpis, tables),
        _exceptions_section(tables["exceptions"]),
        _schedule_section(tables.get("schedule")),
        _capacity_section(tables.get("capacity_load")),
        _inventory_section(tables, as_of, run.get("horizon_days")),
        _milestones_section(tables.get("milestone_status")),
    ]
    title = f"Plan report {_text(run.get('run_id'))}"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        # no favicon request: the page must not reach for anything
        '<link rel="icon" href="data:,">'
        f"<title>{_e(title)}</title><style>{CSS}</style></head>\n"
        "<body><main>\n" + "\n".join(sections) + "\n</main></body></html>\n"
    )


def write_report(path: Path, run: Mapping[str, Any], tables: Mapping[str, pl.DataFrame]) -> None:
    """Write ``render_report(run, tables)`` to ``path`` (UTF-8), creating its folder."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_report(run, tables), encoding="utf-8")


def read_plan_tables(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, pl.DataFrame]:
    """One run's tables from the warehouse's ``plan`` schema, the optional ones
    only where the run wrote them."""
    present = {
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'plan'"
        ).fetchall()
    }
    return {
        name: con.sql(
            f'select * exclude (run_id) from plan."{name}" where run_id = ?', params=[run_id]
        ).pl()
        for name in (*REQUIRED_TABLES, *OPTIONAL_TABLES)
        if name in present
    }


def plan_kpis(tables: Mapping[str, pl.DataFrame]) -> PlanKpis:
    """The headline figures (see ``PlanKpis``) from the plan tables."""
    exceptions = tables["exceptions"]
    late = exceptions.filter(pl.col("category") == "late_demand")
    on_time, ordered = sales_order_service(tables["pegging"], exceptions)
    load = tables.get("capacity_load")
    average_load = max_load = overloaded = None
    if load is not None and load.height:
        load = _known_loads(load)
        available = load["available_hours"].sum()
        average_load = 100.0 * load["required_hours"].sum() / available if available else None
        max_load = load["load_pct"].max()
        overloaded = load.filter(pl.col("load_pct") > OVERLOAD_PCT).height
    return PlanKpis(
        planned_orders={name: tables[name].height for name in PLANNED_ORDER_TABLES},
        shortages=exceptions.filter(pl.col("category") == "shortage").height,
        late_demand_lines=late.height,
        late_sales_order_lines=late.filter(_is_sales_order_message()).height,
        sales_order_qty=ordered,
        sales_order_on_time_qty=on_time,
        sales_order_fill_rate=on_time / ordered if ordered > 0 else None,
        average_load_pct=average_load,
        max_load_pct=max_load,
        overloaded_center_weeks=overloaded,
        action_messages=value_counts(tables["action_messages"], "action"),
        exceptions_by_severity=value_counts(exceptions, "severity"),
    )


def sales_order_service(pegging: pl.DataFrame, exceptions: pl.DataFrame) -> tuple[float, float]:
    """(on-time qty, ordered qty) of sales orders. Ordered is what pegging
    assigns to sales-order demand plus what no supply covers (``late_demand``
    exceptions of sales orders saying "not covered"); on time is pegged to supply
    arriving on or before the demand date."""
    orders = pegging.filter(pl.col("demand_type") == "sales_order")
    on_time = orders.filter(pl.col("supply_date") <= pl.col("demand_date"))["qty"].sum()
    uncovered = (
        exceptions.filter(
            pl.col("category") == "late_demand",
            _is_sales_order_message(),
            pl.col("message").str.contains("not covered", literal=True),
        )
        .select(uncovered_qty())
        .to_series()
        .sum()
    )
    return float(on_time or 0.0), float((orders["qty"].sum() or 0.0) + (uncovered or 0.0))


def uncovered_qty() -> pl.Expr:
    """The quantity a ``late_demand`` message says is not covered in the horizon
    (``qty`` also counts what is covered late); ``qty`` when it says no number."""
    said = pl.col("message").str.extract(NOT_COVERED, 1).cast(pl.Float64, strict=False)
    return pl.coalesce(said, pl.col("qty")).fill_null(0.0).alias("uncovered_qty")


def _is_sales_order_message() -> pl.Expr:
    return pl.col("message").str.starts_with(SALES_ORDER_MESSAGE)


def value_counts(frame: pl.DataFrame, column: str) -> dict[str, int]:
    """Rows per value of ``column``, by value."""
    counts = frame.group_by(column).len().sort(column, nulls_last=True)
    return {str(key): n for key, n in counts.iter_rows()}


def inventory_skus(
    exceptions: pl.DataFrame, projected_inventory: pl.DataFrame, count: int = INVENTORY_SKUS
) -> pl.DataFrame:
    """The SKUs whose projected inventory the report draws: the ``count`` with the
    most late or short quantity (``late_demand`` and ``shortage`` exceptions), then,
    to fill up, the largest gross requirements. Columns item_id, location_id,
    reason, qty."""
    keys = ["item_id", "location_id"]
    troubled = (
        exceptions.filter(pl.col("category").is_in(["late_demand", "shortage"]))
        .group_by(keys)
        .agg(pl.col("qty").fill_null(0.0).sum())
        .sort(["qty", *keys], descending=[True, False, False])
        .head(count)
        .with_columns(reason=pl.lit("late or short"))
    )
    if troubled.height < count:
        busiest = (
            projected_inventory.group_by(keys)
            .agg(qty=pl.col("gross_requirements").sum())
            .join(troubled.select(keys), on=keys, how="anti")
            .sort(["qty", *keys], descending=[True, False, False])
            .head(count - troubled.height)
            .with_columns(reason=pl.lit("gross requirements"))
        )
        troubled = pl.concat([troubled, busiest], how="vertical_relaxed")
    return troubled.select(*keys, "reason", pl.col("qty").cast(pl.Float64))


# -- sections -----------------------------------------------------------------------


def _header(run: Mapping[str, Any]) -> str:
    facts = [
        ("as of", run.get("as_of")),
        ("extract", run.get("extract_id")),
        ("horizon", f"{run['horizon_days']} days" if run.get("horizon_days") else None),
    ]
    steps = dict(run.get("step_seconds") or {})
    timing = ""
    if steps:
        total = sum(float(s) for s in steps.values() if s is not None)
        timing = (
            f"<p class='steps'>{_seconds(total)} s in all: "
            + " · ".join(f"{_e(step)} {_seconds(s)} s" for step, s in steps.items())
            + "</p>"
        )
    return (
        "<header id='run'>"
        f"<h1>Plan report <span class='run-id'>{_e(run.get('run_id'))}</span></h1>"
        "<dl class='facts'>"
        + "".join(f"<div><dt>{_e(k)}</dt><dd>{_e(v)}</dd></div>" for k, v in facts)
        + f"</dl>{timing}</header>"
    )


def _kpi_section(kpis: PlanKpis, tables: Mapping[str, pl.DataFrame]) -> str:
    orders = kpis.planned_orders
    fill = kpis.sales_order_fill_rate
    cards = [
        _card(
            "planned orders",
            _int(sum(orders.values())),
            ", ".join(f"{_int(n)} {PLANNED_ORDER_TABLES[name]}" for name, n in orders.items()),
            kpi="planned-orders",
        ),
        _card(
            "shortages",
            _int(kpis.shortages),
            "SKUs whose projected on hand goes negative",
            kpi="shortages",
            alert=kpis.shortages > 0,
        ),
        _card(
            "late demand lines",
            _int(kpis.late_demand_lines),
            f"{_int(kpis.late_sales_order_lines)} of them sales orders",
            kpi="late-demand",
            alert=kpis.late_demand_lines > 0,
        ),
        _card(
            "on-time fill rate, sales orders",
            NO_VALUE if fill is None else f"{100 * fill:.1f} %",
            f"{_qty(kpis.sales_order_on_time_qty)} of {_qty(kpis.sales_order_qty)} "
            "units covered by their due date",
            kpi="fill-rate",
            alert=fill is not None and fill < 0.95,
        ),
    ]
    if "capacity_load" in tables:
        cards.append(
            _card(
                "capacity utilization",
                _pct(kpis.average_load_pct),
                f"average (required / available hours); peak {_pct(kpis.max_load_pct)}, "
                f"{_int(kpis.overloaded_center_weeks or 0)} work-centre weeks over 100 %",
                kpi="utilization",
                alert=(kpis.overloaded_center_weeks or 0) > 0,
            )
        )
    else:
        cards.append(_card("capacity utilization", NO_VALUE, NOT_PLANNED, kpi="utilization"))
    actions = kpis.action_messages
    cards.append(
        _card(
            "action messages",
            _int(sum(actions.values())),
            ", ".join(f"{_int(n)} {action}" for action, n in actions.items()) or "none",
            kpi="action-messages",
        )
    )
    return (
        "<section id='kpis'><h2>Key figures</h2><div class='cards'>"
        + "".join(cards)
        + "</div></section>"
    )


def _card(title: str, value: str, detail: str, *, kpi: str, alert: bool = False) -> str:
    kind = "card alert" if alert else "card"
    return (
        f"<div class='{kind}' data-kpi='{_e(kpi)}'><div class='card-title'>{_e(title)}</div>"
        f"<div class='card-value'>{_e(value)}</div><div class='card-detail'>{_e(detail)}</div>"
        "</div>"
    )


def _exceptions_section(exceptions: pl.DataFrame) -> str:
    total = exceptions.height
    head = "<section id='exceptions'><h2>Exceptions</h2>"
    if total == 0:
        return head + "<p class='empty'>No exceptions in this run.</p></section>"
    summary = (
        exceptions.group_by("category", "severity")
        .len()
        .pivot(on="severity", index="category", values="len")
        .sort("category")
    )
    severities = [s for s in SEVERITIES if s in summary.columns] + sorted(
        c for c in summary.columns if c not in (*SEVERITIES, "category")
    )
    summary_rows = "".join(
        f"<tr><td>{_e(row['category'])}</td>"
        + "".join(f"<td class='num'>{_int(row[s] or 0)}</td>" for s in severities)
        + "</tr>"
        for row in summary.iter_rows(named=True)
    )
    shown = exceptions_shown(exceptions)
    columns = ["severity", "category", "item_id", "location_id", "ref_id", "date", "qty"]
    rows = "".join(
        f"<tr class='sev-{_css_token(row['severity'])}'>"
        + "".join(
            f"<td class='num'>{_qty(row[c])}</td>" if c == "qty" else f"<td>{_e(row[c])}</td>"
            for c in columns
        )
        + f"<td class='message'>{_e(row['message'])}</td></tr>"
        for row in shown.iter_rows(named=True)
    )
    more = total - shown.height
    note = (
        f"<p class='note' id='exceptions-more'>{_int(more)} more exceptions not shown "
        f"(the first {_int(shown.height)} of {_int(total)}, most severe first); "
        "exceptions.csv in the run folder has them all.</p>"
        if more
        else ""
    )
    return (
        head
        + "<table class='summary'><thead><tr><th>category</th>"
        + "".join(f"<th class='num'>{_e(s)}</th>" for s in severities)
        + f"</tr></thead><tbody>{summary_rows}</tbody></table>"
        + "<div class='scroll'><table id='exceptions-table'><thead><tr>"
        + "".join(f"<th>{_e(c)}</th>" for c in [*columns, "message"])
        + f"</tr></thead><tbody>{rows}</tbody></table></div>{note}</section>"
    )


def exceptions_shown(exceptions: pl.DataFrame, limit: int = MAX_EXCEPTION_ROWS) -> pl.DataFrame:
    """The exceptions the report lists: high, then medium, then low severity
    (then category, date, item, location), at most ``limit``."""
    rank = pl.col("severity").replace_strict(
        {s: i for i, s in enumerate(SEVERITIES)}, default=len(SEVERITIES), return_dtype=pl.Int8
    )
    return exceptions.sort(
        rank, "category", "date", "item_id", "location_id", "ref_id", nulls_last=True
    ).head(limit)


def _schedule_section(schedule: pl.DataFrame | None) -> str:
    head = "<section id='schedule'><h2>Schedule</h2>"
    if schedule is None:
        return head + f"<p class='absent'>{NOT_PLANNED}</p></section>"
    if schedule.height == 0:
        return head + "<p class='empty'>No operations scheduled.</p></section>"
    operations, lanes, total_lanes = gantt_operations(schedule)
    if operations.height == 0:
        return head + "<p class='empty'>No operation has a start and an end.</p></section>"
    shown = f"{_int(operations.height)} earliest"
    note = ""
    if len(lanes) < total_lanes:
        note = (
            f"the {_int(len(lanes))} busiest of {_int(total_lanes)} machines and their "
            f"{shown} operations"
        )
    elif operations.height < schedule.height:
        note = f"the {shown} of {_int(schedule.height)} operations"
    note = f"<p class='note'>Showing {note}.</p>" if note else ""
    summary = (
        f"<p>{_int(schedule.height)} operations of "
        f"{_int(schedule['order_id'].n_unique())} orders on "
        f"{_int(schedule['work_center_id'].n_unique())} work centres.</p>"
    )
    return head + summary + note + _gantt_svg(operations, lanes) + "</section>"


def gantt_operations(
    schedule: pl.DataFrame,
    max_operations: int = MAX_GANTT_OPERATIONS,
    max_lanes: int = MAX_GANTT_LANES,
) -> tuple[pl.DataFrame, list[str], int]:
    """The operations the Gantt chart draws, the lanes it draws them on (one per
    work centre and unit, in id order), and how many lanes the whole schedule
    uses. The lanes are the ``max_lanes`` busiest (most hours booked), the
    operations the earliest ``max_operations`` by start on them."""
    unit = pl.col("unit").cast(pl.String)
    lane = (
        pl.when(unit.is_null())
        .then(pl.col("work_center_id"))
        .otherwise(pl.concat_str(pl.col("work_center_id"), pl.lit(" · "), unit))
        .alias("lane")
    )
    timed = schedule.select(
        "order_id",
        "op_seq",
        "work_center_id",
        "person_id",
        lane,
        start=_wall_clock_seconds(schedule, "start_at"),
        end=_wall_clock_seconds(schedule, "end_at"),
    ).filter(pl.col("start").is_not_null(), pl.col("end").is_not_null())
    busy = timed.group_by("work_center_id", "lane").agg(
        busy=(pl.col("end") - pl.col("start")).sum()
    )
    lanes = (
        busy.sort(["busy", "lane"], descending=[True, False])
        .head(max_lanes)
        .sort("work_center_id", "lane")["lane"]
        .to_list()
    )
    operations = (
        timed.filter(pl.col("lane").is_in(lanes))
        .sort("start", "lane", "order_id", "op_seq")
        .head(max_operations)
    )
    return operations, lanes, busy.height


def _wall_clock_seconds(schedule: pl.DataFrame, column: str) -> pl.Expr:
    """Seconds since 1970 of a timestamp's wall-clock time (a time-zone-aware
    schedule is drawn in its own zone's local time)."""
    stamp = pl.col(column)
    dtype = schedule.schema[column]
    if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None:
        stamp = stamp.dt.replace_time_zone(None)
    return stamp.cast(pl.Datetime("us")).dt.epoch("s")


def _gantt_svg(operations: pl.DataFrame, lanes: list[str]) -> str:
    label_width, plot_width, lane_height, top = 150, 940, 18, 26
    width = label_width + plot_width + 10
    height = top + lane_height * len(lanes) + 8
    start, end = operations["start"].min(), operations["end"].max()
    span = max(end - start, 3600)
    row_of = {lane: i for i, lane in enumerate(lanes)}

    def x(seconds: float) -> float:
        return label_width + (seconds - start) / span * plot_width

    parts = [_svg_open(width, height, "Gantt chart of the schedule", "gantt")]
    for i, lane in enumerate(lanes):
        y = top + i * lane_height
        if i % 2 == 0:
            parts.append(
                f"<rect x='{label_width}' y='{y}' width='{plot_width}' height='{lane_height}' "
                "class='lane-band'/>"
            )
        parts.append(
            f"<text x='{label_width - 6}' y='{y + 13}' text-anchor='end' class='lane'>"
            f"{_e(_shorten(lane, 22))}</text>"
        )
    for tick, label in _time_ticks(start, start + span):
        parts.append(
            f"<line x1='{x(tick):.1f}' x2='{x(tick):.1f}' y1='{top - 4}' y2='{height - 8}' "
            f"class='grid'/><text x='{x(tick):.1f}' y='{top - 8}' class='tick' "
            f"text-anchor='middle'>{_e(label)}</text>"
        )
    for op in operations.iter_rows(named=True):
        y = top + row_of[op["lane"]] * lane_height + 3
        left = x(op["start"])
        bar = max(x(op["end"]) - left, 1.0)
        who = f", {op['person_id']}" if op["person_id"] is not None else ""
        tip = (
            f"{op['order_id']} op {op['op_seq']} on {op['lane']}{who}: "
            f"{_stamp(op['start'])} to {_stamp(op['end'])}"
        )
        parts.append(
            f"<rect x='{left:.1f}' y='{y}' width='{bar:.1f}' height='{lane_height - 6}' "
            f"rx='2' fill='{_colour(op['order_id'])}' class='op'><title>{_e(tip)}</title></rect>"
        )
    parts.append("</svg>")
    return "<div class='chart'>" + "".join(parts) + "</div>"


def _time_ticks(start: int, end: int) -> list[tuple[int, str]]:
    """Ticks at whole hours or days, at most about a dozen."""
    hour, day = 3600, 86400
    steps = [hour, 2 * hour, 4 * hour, 6 * hour, 12 * hour, day, 2 * day, 7 * day, 14 * day]
    step = next((s for s in steps if (end - start) / s <= 12), 28 * day)
    first = -(-start // step) * step
    fmt = "%d %b %H:%M" if step < day else "%d %b"
    return [(t, _stamp(t, fmt)) for t in range(first, end + 1, step)]


def _capacity_section(load: pl.DataFrame | None) -> str:
    head = "<section id='capacity'><h2>Capacity load</h2>"
    if load is None:
        return head + f"<p class='absent'>{NOT_PLANNED}</p></section>"
    if load.height == 0:
        return head + "<p class='empty'>No capacity requirements.</p></section>"
    cells, centers, weeks, total_centers, total_weeks = capacity_cells(_known_loads(load))
    note = ""
    if len(centers) < total_centers or len(weeks) < total_weeks:
        note = (
            f"<p class='note'>Showing {_int(len(centers))} of {_int(total_centers)} work "
            f"centres (the most loaded) and the first {_int(len(weeks))} of "
            f"{_int(total_weeks)} weeks.</p>"
        )
    legend = (
        "<p class='legend'><span class='swatch' style='background:#e3eef9'></span>light "
        "<span class='swatch' style='background:#1f5f9e'></span>full "
        "<span class='swatch' style='background:#c62828'></span>over 100 % "
        "(load = required / available hours, per work centre and week)</p>"
    )
    return head + legend + note + _heatmap_svg(cells, centers, weeks) + "</section>"


def _known_loads(load: pl.DataFrame) -> pl.DataFrame:
    """Load percentages as floats, NaN (no hours either way) as unknown."""
    return load.with_columns(pl.col("load_pct").cast(pl.Float64).fill_nan(None))


def capacity_cells(
    load: pl.DataFrame,
    max_centers: int = MAX_CAPACITY_CENTERS,
    max_weeks: int = MAX_CAPACITY_WEEKS,
) -> tuple[pl.DataFrame, list[str], list[date], int, int]:
    """The heat map's cells (work_center_id, week_start, hours, load_pct; in that
    order), its rows (the ``max_centers`` work centres with the highest peak load,
    in id order) and columns (the first ``max_weeks`` weeks), and how many of each
    there are."""
    weekly = load.group_by("work_center_id", "week_start").agg(
        pl.col("required_hours", "available_hours").sum(), pl.col("load_pct").max()
    )
    peaks = weekly.group_by("work_center_id").agg(peak=pl.col("load_pct").max())
    centers = (
        peaks.sort(["peak", "work_center_id"], descending=[True, False], nulls_last=True)
        .head(max_centers)
        .sort("work_center_id")["work_center_id"]
        .to_list()
    )
    all_weeks = weekly["week_start"].unique().sort()
    weeks = all_weeks.head(max_weeks).to_list()
    # in one order: a report of the same run comes out the same, byte for byte
    cells = weekly.filter(
        pl.col("work_center_id").is_in(centers), pl.col("week_start").is_in(weeks)
    ).sort("work_center_id", "week_start")
    return cells, centers, weeks, peaks.height, all_weeks.len()


def _heatmap_svg(cells: pl.DataFrame, centers: list[str], weeks: list[Any]) -> str:
    label_width, top, row_height = 150, 34, 20
    cell_width = max(min(44, 940 // max(len(weeks), 1)), 14)
    width = label_width + cell_width * len(weeks) + 10
    height = top + row_height * len(centers) + 6
    row_of = {c: i for i, c in enumerate(centers)}
    column_of = {w: i for i, w in enumerate(weeks)}
    parts = [_svg_open(width, height, "Capacity load by work centre and week", "heatmap")]
    for i, week in enumerate(weeks):
        if i % -(-44 // cell_width) == 0:  # a label needs about 44 px
            cx = label_width + i * cell_width + cell_width / 2
            parts.append(
                f"<text x='{cx:.1f}' y='{top - 8}' text-anchor='middle' class='tick'>"
                f"{_e(_short_date(week))}</text>"
            )
    for center, i in row_of.items():
        parts.append(
            f"<text x='{label_width - 6}' y='{top + i * row_height + 14}' text-anchor='end' "
            f"class='lane'>{_e(_shorten(center, 22))}</text>"
        )
    for cell in cells.iter_rows(named=True):
        pct = cell["load_pct"]
        over = pct is not None and pct > OVERLOAD_PCT
        x = label_width + column_of[cell["week_start"]] * cell_width
        y = top + row_of[cell["work_center_id"]] * row_height
        tip = (
            f"{cell['work_center_id']}, week of {cell['week_start']}: {_pct(pct)} "
            f"({_qty(cell['required_hours'])} of {_qty(cell['available_hours'])} hours)"
        )
        parts.append(
            f"<g class='{'cell over' if over else 'cell'}'><rect x='{x}' y='{y}' "
            f"width='{cell_width - 2}' height='{row_height - 2}' fill='{_load_colour(pct)}'>"
            f"<title>{_e(tip)}</title></rect>"
        )
        if pct is not None and cell_width >= 26:
            ink = "#fff" if over or pct > 55 else "#1b2733"
            parts.append(
                f"<text x='{x + (cell_width - 2) / 2:.1f}' y='{y + 13}' text-anchor='middle' "
                f"class='cell-label' fill='{ink}'>{pct:.0f}</text>"
            )
        parts.append("</g>")
    parts.append("</svg>")
    return "<div class='chart'>" + "".join(parts) + "</div>"


def _load_colour(pct: float | None) -> str:
    if pct is None:
        return "#eeeeee"
    if pct > OVERLOAD_PCT:
        return "#c62828"
    share = max(0.0, min(pct / OVERLOAD_PCT, 1.0))
    low, high = (0xE3, 0xEE, 0xF9), (0x1F, 0x5F, 0x9E)
    return "#" + "".join(
        f"{round(a + (b - a) * share):02x}" for a, b in zip(low, high, strict=True)
    )


def _inventory_section(
    tables: Mapping[str, pl.DataFrame], as_of: date | None, horizon_days: Any
) -> str:
    head = "<section id='inventory'><h2>Projected inventory</h2>"
    projected = tables["projected_inventory"]
    chosen = inventory_skus(tables["exceptions"], projected)
    if chosen.height == 0:
        return head + "<p class='empty'>No projected inventory in this run.</p></section>"
    lines = (
        projected.join(chosen.select("item_id", "location_id"), on=["item_id", "location_id"])
        .sort("item_id", "location_id", "date")
        .partition_by("item_id", "location_id", as_dict=True)
    )
    first = as_of or projected["date"].min()
    last = projected["date"].max() or first
    if horizon_days and first is not None:
        last = max(last, first + timedelta(days=int(horizon_days)))
    charts = []
    for sku in chosen.iter_rows(named=True):
        line = lines.get((sku["item_id"], sku["location_id"]))
        if line is not None:
            line = line.filter(pl.col("projected_on_hand").is_not_null())
        charts.append(_inventory_svg(sku, line, first, last))
    intro = (
        "<p>Projected on hand of the SKUs with the most late or short quantity "
        "(then the largest gross requirements), after each day's receipts and "
        "requirements; red below zero.</p>"
    )
    return head + intro + "<div class='small-multiples'>" + "".join(charts) + "</div></section>"


def _inventory_svg(sku: dict[str, Any], line: pl.DataFrame | None, first: date, last: date) -> str:
    width, height, left, right, top, bottom = 330, 170, 52, 10, 10, 24
    title = f"{sku['item_id']} @ {sku['location_id']}"
    caption = f"{sku['reason']}: {_qty(sku['qty'])}"
    figure = (
        f"<figure class='sku'><figcaption><strong>{_e(title)}</strong> "
        f"<span class='muted'>{_e(caption)}</span></figcaption>"
    )
    if line is None or line.height == 0:
        return figure + "<p class='empty'>no projected rows</p></figure>"
    days = max((last - first).days, 1)
    values = line["projected_on_hand"].to_list()
    low, high = min(0.0, *values), max(0.0, *values)
    if high == low:
        high = low + 1.0
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(day: date) -> float:
        return left + max(0, min((day - first).days, days)) / days * plot_w

    def y(qty: float) -> float:
        return top + (high - qty) / (high - low) * plot_h

    dates = line["date"].to_list()
    path = [f"M{x(dates[0]):.1f},{y(values[0]):.1f}"]
    for day, qty in zip(dates[1:], values[1:], strict=True):
        path.append(f"H{x(day):.1f}V{y(qty):.1f}")
    path.append(f"H{x(last):.1f}")
    zero = y(0.0)
    receipts = line.filter((pl.col("planned_receipts") + pl.col("scheduled_receipts")) > 0)
    dots = "".join(
        f"<circle cx='{x(r['date']):.1f}' cy='{y(r['projected_on_hand']):.1f}' r='2' "
        "class='receipt'/>"
        for r in receipts.head(200).iter_rows(named=True)
    )
    labels = [(left - 4, top + 8, _compact(high), "end"), (left - 4, zero + 3, "0", "end")]
    if low < 0:
        labels.append((left - 4, top + plot_h, _compact(low), "end"))
    labels += [
        (left, height - 6, _short_date(first), "start"),
        (left + plot_w, height - 6, _short_date(last), "end"),
    ]
    svg = (
        _svg_open(width, height, f"Projected on hand of {title}", "inventory")
        + f"<rect x='{left}' y='{zero:.1f}' width='{plot_w}' "
        f"height='{max(top + plot_h - zero, 0):.1f}' class='below-zero'/>"
        + f"<line x1='{left}' x2='{left + plot_w}' y1='{zero:.1f}' y2='{zero:.1f}' class='zero'/>"
        + f"<path d='{''.join(path)}' class='on-hand'/>{dots}"
        + "".join(_tick(*label) for label in labels)
        + "</svg>"
    )
    return figure + svg + "</figure>"


def _milestones_section(milestones: pl.DataFrame | None) -> str:
    head = "<section id='milestones'><h2>Project milestones</h2>"
    if milestones is None:
        return head + f"<p class='absent'>{NOT_PLANNED}</p></section>"
    if milestones.height == 0:
        return head + "<p class='empty'>No milestones.</p></section>"
    counts = value_counts(milestones, "status")
    rank = pl.col("status").replace_strict(
        {s: i for i, s in enumerate(MILESTONE_STATUSES)},
        default=len(MILESTONE_STATUSES),
        return_dtype=pl.Int8,
    )
    shown = (
        milestones.sort(rank, "due_date", "project_id", "milestone_id", nulls_last=True)
        .head(MAX_MILESTONE_ROWS)
        .with_columns(days_late=(pl.col("projected_date") - pl.col("due_date")).dt.total_days())
    )
    rows = "".join(
        f"<tr class='status-{_css_token(m['status'])}'><td>{_e(m['project_id'])}</td>"
        f"<td>{_e(m['milestone_id'])}</td><td>{_e(m['due_date'])}</td>"
        f"<td>{_e(m['projected_date'])}</td>"
        f"<td class='num'>{'' if m['days_late'] is None else _int(m['days_late'])}</td>"
        f"<td><span class='badge status-{_css_token(m['status'])}'>{_e(m['status'])}</span>"
        "</td></tr>"
        for m in shown.iter_rows(named=True)
    )
    summary = ", ".join(f"{_int(n)} {status}" for status, n in counts.items())
    more = milestones.height - shown.height
    note = f"<p class='note'>{_int(more)} more milestones not shown.</p>" if more else ""
    return (
        head
        + f"<p>{_int(milestones.height)} milestones: {_e(summary)}.</p>"
        + "<div class='scroll'><table id='milestones-table'><thead><tr><th>project</th>"
        "<th>milestone</th><th>due</th><th>projected</th><th class='num'>days late</th>"
        f"<th>status</th></tr></thead><tbody>{rows}</tbody></table></div>{note}</section>"
    )


# -- formatting ---------------------------------------------------------------------


def _e(value: Any) -> str:
    """Escaped text of a value for HTML and SVG (None is empty)."""
    return "" if value is None else html.escape(str(value), quote=True)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _int(value: Any) -> str:
    return f"{int(value):,}"


def _qty(value: Any) -> str:
    if value is None:
        return ""
    if not math.isfinite(float(value)):
        return str(value)
    if float(value) == int(value):
        return f"{int(value):,}"
    return f"{float(value):,.2f}".rstrip("0").rstrip(".")


def _compact(value: float) -> str:
    """An axis label: 1.2M, 13.7k, 250, 2.5."""
    size = abs(value)
    if size >= 1e6:
        return f"{value / 1e6:.1f}M"
    if size >= 1e3:
        return f"{value / 1e3:.1f}k"
    return f"{value:.0f}" if size >= 10 else _qty(round(value, 1))


def _pct(value: float | None) -> str:
    return NO_VALUE if value is None else f"{value:.1f} %"


def _seconds(value: Any) -> str:
    return "" if value is None else f"{float(value):.1f}"


def _css_token(value: Any) -> str:
    """A value as a class-name suffix: letters, digits, dashes and underscores only."""
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in _text(value))


def _shorten(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value.date() if isinstance(value, datetime) else value
    return date.fromisoformat(str(value)[:10])


def _short_date(value: Any) -> str:
    return value.strftime("%d %b") if isinstance(value, date) else _text(value)


def _stamp(seconds: int, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)).strftime(fmt)


def _colour(key: Any) -> str:
    """A stable colour per order (crc32, not hash(): the same on every run)."""
    hue = zlib.crc32(_text(key).encode()) % 360
    return f"hsl({hue},55%,52%)"


def _tick(x: float, y: float, label: str, anchor: str = "middle") -> str:
    return f"<text x='{x:.1f}' y='{y:.1f}' text-anchor='{anchor}' class='tick'>{_e(label)}</text>"


def _svg_open(width: float, height: float, label: str, kind: str) -> str:
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' class='{kind}' width='{width}' "
        f"height='{height}' viewBox='0 0 {width} {height}' role='img' "
        f"aria-label='{_e(label)}'>"
    )


CSS = """
:root{--ink:#1b2733;--muted:#5d6b78;--line:#d8dee4;--bg:#f6f8fa;--alert:#c62828;
--high:#c62828;--medium:#e08a00;--low:#5d6b78;--ok:#2e7d32}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);
font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1200px;margin:0 auto;padding:20px 24px 48px}
h1{font-size:22px;margin:0 0 8px}h2{font-size:17px;margin:0 0 10px}
.run-id{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-weight:500}
header,section{background:#fff;border:1px solid var(--line);border-radius:8px;
padding:16px 18px;margin:0 0 16px}
.facts{display:flex;flex-wrap:wrap;gap:8px 28px;margin:0}.facts dt{color:var(--muted);
font-size:12px}.facts dd{margin:0;font-weight:600}
.steps{margin:10px 0 0;color:var(--muted);font-size:12px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:12px}
.card{border:1px solid var(--line);border-left:4px solid var(--ok);border-radius:6px;
padding:10px 12px}.card.alert{border-left-color:var(--alert)}
.card-title{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.03em}
.card-value{font-size:26px;font-weight:700;margin:2px 0}.card-detail{color:var(--muted);
font-size:12px}
table{border-collapse:collapse;font-size:13px}th,td{padding:4px 8px;
border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{background:#eef2f5;position:sticky;top:0}.num{text-align:right;
font-variant-numeric:tabular-nums}
.summary{margin-bottom:12px}.scroll{max-height:560px;overflow:auto;
border:1px solid var(--line);border-radius:6px}.scroll table{width:100%}
td.message{color:var(--muted)}
#exceptions-table td:nth-child(-n+2),#exceptions-table td:nth-child(6),td.num{white-space:nowrap}
#exceptions-table td{overflow-wrap:anywhere}#exceptions-table td.message{min-width:280px}
tr.sev-high td:first-child{color:var(--high);font-weight:700}
tr.sev-medium td:first-child{color:var(--medium);font-weight:700}
tr.sev-low td:first-child{color:var(--low)}
.note,.absent,.empty,.muted,.legend{color:var(--muted)}.absent{font-style:italic}
.chart{overflow-x:auto}svg{font:11px system-ui,sans-serif;display:block}
svg .tick{fill:var(--muted);font-size:10px}svg .lane{fill:var(--ink);font-size:11px}
svg .grid{stroke:#e4e8ec}svg .lane-band{fill:#f5f7f9}svg .op{stroke:#fff;stroke-width:.5}
svg .cell-label{font-size:10px;font-weight:600}svg .over rect{stroke:#7f0000;stroke-width:1.5}
.swatch{display:inline-block;width:12px;height:12px;border-radius:2px;vertical-align:-1px;
margin:0 4px 0 10px}
.small-multiples{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));
gap:12px}figure.sku{margin:0;border:1px solid var(--line);border-radius:6px;padding:8px}
figcaption{font-size:12px;margin-bottom:4px}
svg .on-hand{fill:none;stroke:#1f5f9e;stroke-width:1.6}svg .zero{stroke:#7a8793;
stroke-dasharray:3 3}svg .below-zero{fill:#fbe9e9}svg .receipt{fill:#2e7d32}
.badge{border-radius:10px;padding:1px 8px;font-size:12px;font-weight:600;color:#fff;
background:var(--low)}.badge.status-late{background:var(--high)}
.badge.status-at_risk{background:var(--medium)}.badge.status-on_track{background:var(--ok)}
@media print{body{background:#fff}.scroll{max-height:none;overflow:visible}}
"""
