"""What the report shows of each table. A 100k-SKU plan has millions of pegging
and projected inventory rows: the tables are aggregated with Polars and only
capped extracts reach the page, so it stays a few hundred kilobytes."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

SEVERITIES = ("high", "medium", "low")
MILESTONE_STATUSES = ("late", "at_risk", "on_track")
EXCEPTION_COLUMNS = ("severity", "category", "item_id", "location_id", "ref_id", "date", "qty")
MAX_EXCEPTION_ROWS = 500
MAX_MILESTONE_ROWS = 500
MAX_GANTT_OPERATIONS = 1500  # the earliest by start
MAX_GANTT_LANES = 60
MAX_CAPACITY_CENTERS = 40  # the most loaded, when there are more
MAX_CAPACITY_WEEKS = 27
MAX_LATE_ROWS = 500  # late sales order parts listed, like the exceptions
MAX_LATE_FORECAST_ROWS = 20
MAX_BOTTLENECKS = 10
LATE_COLUMNS = ("demand_id", "sku", "qty", "due_date", "promised_date", "days_late", "cause",
                "cause_ref", "message")  # fmt: skip
IS_LATE = pl.col("promised_date").is_null() | (pl.col("days_late") > 0)
INVENTORY_SKUS = 6
SKU = ["item_id", "location_id"]


def exception_summary(exceptions: pl.DataFrame) -> tuple[pl.DataFrame, list[str]]:
    """Exceptions per category (rows, by category) and severity (columns: high,
    medium, low, then any other severity by name)."""
    summary = (
        exceptions.group_by("category", "severity")
        .len()
        .pivot(on="severity", index="category", values="len")
        .sort("category")
    )
    severities = [s for s in SEVERITIES if s in summary.columns] + sorted(
        c for c in summary.columns if c not in (*SEVERITIES, "category")
    )
    return summary, severities


def exceptions_shown(exceptions: pl.DataFrame, limit: int = MAX_EXCEPTION_ROWS) -> pl.DataFrame:
    """The exceptions the report lists: high, then medium, then low severity
    (then category, date, item, location), at most ``limit``."""
    return exceptions.sort(
        _rank("severity", SEVERITIES),
        "category",
        "date",
        "item_id",
        "location_id",
        "ref_id",
        nulls_last=True,
    ).head(limit)


def gantt_operations(
    schedule: pl.DataFrame,
    max_operations: int = MAX_GANTT_OPERATIONS,
    max_lanes: int = MAX_GANTT_LANES,
) -> tuple[pl.DataFrame, list[str], int]:
    """The operations the Gantt chart draws, the lanes it draws them on (one per
    work centre and unit, in id order), and how many lanes the whole schedule
    uses. The lanes are the ``max_lanes`` busiest (most hours booked), the
    operations the earliest ``max_operations`` by start on them. Operations have
    order_id, op_seq, work_center_id, person_id, lane, and start and end in
    seconds since 1970 (wall-clock time)."""
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


def late_promises(promises: pl.DataFrame, demand_type: str) -> pl.DataFrame:
    """The late parts of ``demand_type``'s promises (promised after their due
    date, or not at all), most urgent first: earliest due date, then the
    unpromised, then the latest promised, then by line."""
    return (
        promises.filter(pl.col("demand_type") == demand_type, IS_LATE)
        .sort(
            "due_date",
            pl.col("promised_date").is_not_null(),
            "days_late",
            "demand_id",
            "item_id",
            "location_id",
            descending=[False, False, True, False, False, False],
            nulls_last=True,
        )
        .with_columns(sku=pl.concat_str("item_id", pl.lit("@"), "location_id"))
        .select("item_id", "location_id", *LATE_COLUMNS)
    )


def late_by_cause(late: pl.DataFrame) -> pl.DataFrame:
    """Late parts per cause (cause, parts, qty), the most qty first."""
    return (
        late.group_by("cause")
        .agg(parts=pl.len(), qty=pl.col("qty").sum())
        .sort(["qty", "cause"], descending=[True, False], nulls_last=True)
    )


def bottleneck_loads(load: pl.DataFrame, count: int = MAX_BOTTLENECKS) -> pl.DataFrame:
    """The ``count`` work centres with the highest required load over the
    horizon (required / available hours, summed over its weeks), the most
    loaded first, before constraints and after (the constrained plan's
    planned hours; null where capacity was no constraint): over the horizon
    (``required_pct``, ``planned_pct``), in the peak week (``peak_required_pct``,
    ``peak_planned_pct``) and the weeks above 100 % (``weeks_over_required``,
    ``weeks_over_planned``). Over the horizon the two mostly agree (the plan
    moves hours, it does not drop them); the peaks and weeks over show what
    the constraints changed."""
    if "planned_hours" not in load.columns:
        load = load.with_columns(planned_hours=pl.lit(None, pl.Float64))
    planned = pl.col("planned_hours")
    available = pl.col("available_hours")
    week_pct = {
        "required": pl.when(available > 0).then(100 * pl.col("required_hours") / available),
        "planned": pl.when(available > 0).then(100 * planned / available),
    }
    known = planned.is_not_null().any()
    return (
        load.group_by("work_center_id")
        .agg(
            pl.col("available_hours", "required_hours").sum(),
            # a sum of nothing known is unknown, not 0 hours
            planned_hours=pl.when(known).then(planned.sum()),
            peak_required_pct=week_pct["required"].max(),
            peak_planned_pct=week_pct["planned"].max(),
            weeks_over_required=(week_pct["required"] > 100).sum(),
            weeks_over_planned=pl.when(known).then((week_pct["planned"] > 100).sum()),
        )
        .with_columns(
            required_pct=pl.when(available > 0).then(100 * pl.col("required_hours") / available),
            planned_pct=pl.when(available > 0).then(100 * planned / available),
        )
        .filter(pl.col("required_hours") > 0)
        .sort(["required_pct", "work_center_id"], descending=[True, False], nulls_last=True)
        .head(count)
        .select(
            "work_center_id",
            "available_hours",
            "required_hours",
            "planned_hours",
            "required_pct",
            "planned_pct",
            "peak_required_pct",
            "peak_planned_pct",
            "weeks_over_required",
            "weeks_over_planned",
        )
    )


def inventory_skus(
    exceptions: pl.DataFrame, projected_inventory: pl.DataFrame, count: int = INVENTORY_SKUS
) -> pl.DataFrame:
    """The SKUs whose projected inventory the report draws: the ``count`` with the
    most late or short quantity (``late_demand`` and ``shortage`` exceptions), then,
    to fill up, the largest gross requirements. Columns item_id, location_id,
    reason, qty."""
    troubled = (
        exceptions.filter(pl.col("category").is_in(["late_demand", "shortage"]))
        .group_by(SKU)
        .agg(pl.col("qty").fill_null(0.0).sum())
        .sort(["qty", *SKU], descending=[True, False, False])
        .head(count)
        .with_columns(reason=pl.lit("late or short"))
    )
    if troubled.height < count:
        busiest = (
            projected_inventory.group_by(SKU)
            .agg(qty=pl.col("gross_requirements").sum())
            .join(troubled.select(SKU), on=SKU, how="anti")
            .sort(["qty", *SKU], descending=[True, False, False])
            .head(count - troubled.height)
            .with_columns(reason=pl.lit("gross requirements"))
        )
        troubled = pl.concat([troubled, busiest], how="vertical_relaxed")
    return troubled.select(*SKU, "reason", pl.col("qty").cast(pl.Float64))


def inventory_lines(
    projected_inventory: pl.DataFrame, skus: pl.DataFrame
) -> dict[tuple[Any, ...], pl.DataFrame]:
    """The projected inventory rows of ``skus`` by (item_id, location_id), in date
    order, the rows without a projected on hand left out."""
    lines = (
        projected_inventory.join(skus.select(SKU), on=SKU)
        .filter(pl.col("projected_on_hand").is_not_null())
        .sort(*SKU, "date")
    )
    return lines.partition_by(SKU, as_dict=True)


def milestones_shown(milestones: pl.DataFrame, limit: int = MAX_MILESTONE_ROWS) -> pl.DataFrame:
    """The milestones the report lists: late, then at risk, then on track (then
    due date, project, milestone), at most ``limit``, with their days_late
    (projected minus due date)."""
    return (
        milestones.sort(
            _rank("status", MILESTONE_STATUSES),
            "due_date",
            "project_id",
            "milestone_id",
            nulls_last=True,
        )
        .head(limit)
        .with_columns(days_late=(pl.col("projected_date") - pl.col("due_date")).dt.total_days())
    )


def _rank(column: str, order: tuple[str, ...]) -> pl.Expr:
    """A value's place in ``order``; values not in it after all of them."""
    return pl.col(column).replace_strict(
        {value: i for i, value in enumerate(order)}, default=len(order), return_dtype=pl.Int8
    )
