"""Capacity requirements planning: per work center and week of the horizon, the
hours its operations need against the hours its units give in its available windows
(its shifts less its downtime and its location's holidays, from the
fct_work_center_windows mart), so a week with a holiday has fewer.

Infinite loading, as CRP is: every open and planned work order's remaining
operations on their first alternative work center (by id), spread evenly from
the order's start to its due date, each on a working day of the plant (the one
at or before its place in the spread, else the first after the order's start:
a holiday never holds load the plant cannot work). ``mps_required_hours`` is the
part that end items' orders need, the rough-cut check of the master production
schedule.
"""

from __future__ import annotations

from datetime import date, datetime, time

import numpy as np
import polars as pl
from numba import njit

from planning.mrp.calendars import location_calendars
from planning.mrp.constrained import Capacity
from planning.scheduling.calendar import in_minutes
from planning.scheduling.plant_orders import MINUTES_PER_DAY, ShopInputs, remaining_operations

CAPACITY_LOAD = {
    "work_center_id": pl.String,
    "location_id": pl.String,
    "week_start": pl.Date,
    "required_hours": pl.Float64,
    "available_hours": pl.Float64,
    "load_pct": pl.Float64,  # null when nothing is available that week
    "mps_required_hours": pl.Float64,
    "planned_hours": pl.Float64,  # the constrained plan's; null when capacity is not a constraint
}
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY


def capacity_load(
    inputs: ShopInputs,
    mps_skus: pl.DataFrame,
    as_of: date,
    horizon_days: int,
    planned_load: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """``capacity_load`` rows for every work center and week of the horizon.
    ``mps_skus`` (item_id, location_id) are the end items the MPS covers.
    ``planned_load`` (work_center_id, load_date, minutes) is what the
    capacity-constrained plan loads of its planned orders; ``planned_hours``
    adds the open orders, loaded where they are (null without it)."""
    weeks = _weeks(as_of, horizon_days)
    required = _required_hours(inputs, mps_skus, as_of, horizon_days)
    available = _available_hours(inputs, weeks, as_of)
    if planned_load is None:
        planned = required.select("work_center_id", "week_start", planned_hours=pl.lit(None))
    else:
        open_orders = inputs.work_orders.filter(pl.col("status") != "proposed")
        held = operation_loads(inputs, open_orders, as_of, horizon_days).select(
            "work_center_id", "load_date", minutes=pl.col("duration_minutes").cast(pl.Float64)
        )
        planned = planned_hours(pl.concat([held, planned_load], how="vertical_relaxed"))
    return (
        inputs.work_centers.select("work_center_id", "location_id")
        .join(weeks.select("week_start"), how="cross")
        .join(available, on=["work_center_id", "week_start"], how="left")
        .join(required, on=["work_center_id", "week_start"], how="left")
        .join(planned, on=["work_center_id", "week_start"], how="left")
        .with_columns(pl.col("required_hours", "mps_required_hours").fill_null(0.0))
        .with_columns(
            planned_hours=pl.col("planned_hours").fill_null(0.0)
            if planned_load is not None
            else pl.col("planned_hours")
        )
        .with_columns(
            load_pct=pl.when(pl.col("available_hours") > 0).then(
                100 * pl.col("required_hours") / pl.col("available_hours")
            )
        )
        .select(CAPACITY_LOAD.keys())
        .cast(CAPACITY_LOAD)
        .sort("work_center_id", "week_start")
    )


def _weeks(as_of: date, horizon_days: int) -> pl.DataFrame:
    """Monday-based weeks overlapping the horizon, with their minutes clipped to it."""
    first = pl.select(pl.lit(as_of).dt.truncate("1w")).item()
    starts = pl.date_range(first, as_of + pl.duration(days=horizon_days - 1), "1w", eager=True)
    offset = (pl.col("week_start") - pl.lit(as_of)).dt.total_days() * MINUTES_PER_DAY
    return pl.DataFrame({"week_start": starts}).with_columns(
        from_minute=offset.clip(lower_bound=0),
        to_minute=(offset + MINUTES_PER_WEEK).clip(upper_bound=horizon_days * MINUTES_PER_DAY),
    )


def _required_hours(
    inputs: ShopInputs, mps_skus: pl.DataFrame, as_of: date, horizon_days: int
) -> pl.DataFrame:
    mps = mps_skus.with_columns(is_mps=pl.lit(True))
    return (
        operation_loads(inputs, inputs.work_orders, as_of, horizon_days)
        .join(mps, on=["item_id", "location_id"], how="left")
        .group_by("work_center_id", week_start=pl.col("load_date").dt.truncate("1w"))
        .agg(
            required_hours=pl.col("duration_minutes").sum() / 60,
            mps_required_hours=pl.col("duration_minutes")
            .filter(pl.col("is_mps").fill_null(False))
            .sum()
            / 60,
        )
    )


def operation_loads(
    inputs: ShopInputs, orders: pl.DataFrame, as_of: date, horizon_days: int
) -> pl.DataFrame:
    """Where infinite loading puts the remaining operations of work ``orders``
    (plant_orders.WORK_ORDERS): order_id, item_id, location_id,
    work_center_id, load_date, duration_minutes."""
    orders = orders.with_columns(
        start_date=pl.max_horizontal("start_date", pl.lit(as_of)),
        due_date=pl.max_horizontal("due_date", pl.lit(as_of)),
    )
    operations = remaining_operations(
        orders, inputs.open_operations, inputs.routings, inputs.work_centers
    )
    primary = operations.group_by("order_id", "op_seq").agg(
        pl.col("work_center_id").first(), pl.col("duration_minutes").first()
    )
    return (
        primary.join(
            orders.select("order_id", "item_id", "location_id", "start_date", "due_date"),
            on="order_id",
        )
        .with_columns(
            step=pl.col("op_seq").rank("dense").over("order_id") - 1,
            steps=pl.col("op_seq").n_unique().over("order_id"),
            span=(pl.col("due_date") - pl.col("start_date")).dt.total_days(),
        )
        .with_columns(
            load_date=pl.col("start_date")
            + pl.duration(days=(pl.col("span") * pl.col("step") / pl.col("steps")).floor())
        )
        .pipe(_on_working_days, inputs.calendar, as_of, horizon_days)
        .select(
            "order_id", "item_id", "location_id", "work_center_id", "load_date", "duration_minutes"
        )
    )


def free_capacity(inputs: ShopInputs, as_of: date, horizon_days: int) -> Capacity:
    """What the constrained plan may load (``planning.mrp.constrained``): each
    work center's minutes per day of the horizon (units x its available
    windows) less what its open work orders need there (loaded where they are,
    as ``operation_loads`` puts them), and the primary work center's routing of
    every item and location."""
    centers = inputs.work_centers.sort("work_center_id")
    index = centers.select("work_center_id", center=pl.int_range(pl.len(), dtype=pl.Int64))
    open_minutes = (
        _window_minutes(inputs, as_of, horizon_days)
        .join(centers.select("work_center_id", "capacity_units"), on="work_center_id")
        .select("work_center_id", "day", minutes=pl.col("minutes") * pl.col("capacity_units"))
    )
    held = (
        operation_loads(inputs, inputs.work_orders, as_of, horizon_days)
        .select(
            "work_center_id",
            day=(pl.col("load_date") - pl.lit(as_of)).dt.total_days(),
            minutes=-pl.col("duration_minutes").cast(pl.Float64),
        )
        .filter(pl.col("day").is_between(0, horizon_days - 1))
    )
    free = np.zeros((centers.height, horizon_days))
    cells = pl.concat([open_minutes, held], how="vertical_relaxed").join(index, on="work_center_id")
    np.add.at(
        free,
        (cells["center"].to_numpy(), cells["day"].to_numpy()),
        cells["minutes"].to_numpy(),
    )
    primary = (
        inputs.routings.join(centers.select("work_center_id", "efficiency"), on="work_center_id")
        .sort("work_center_id")
        .group_by("item_id", "location_id", "op_seq", maintain_order=True)
        .first()
        .select(
            "item_id",
            "location_id",
            "op_seq",
            "work_center_id",
            "setup_minutes",
            "run_minutes_per_unit",
            "efficiency",
        )
    )
    return Capacity(centers["work_center_id"], free, primary)


def open_work_finish(inputs: ShopInputs, as_of: date, horizon_days: int) -> pl.DataFrame:
    """The earliest day (from as-of, ``finish_day``) each open work order
    (supply_id) can finish its remaining operations: one after another, each
    from the day the one before ends, on one unit of its first alternative
    work center, every open minute of that unit's windows its own (no other
    order in the way). ``horizon_days`` where that is past the horizon. What
    the routing can make: an expedite goes no earlier."""
    centers = inputs.work_centers.sort("work_center_id")
    index = centers.select("work_center_id", center=pl.int_range(pl.len(), dtype=pl.Int64))
    open_orders = inputs.work_orders.filter(pl.col("status") != "proposed")
    operations = (
        remaining_operations(open_orders, inputs.open_operations, inputs.routings, centers)
        .group_by("order_id", "op_seq")
        .agg(pl.col("work_center_id").first(), pl.col("duration_minutes").first())
        .join(index, on="work_center_id")
        .sort("order_id", "op_seq")
    )
    minutes = np.zeros((centers.height, horizon_days))
    cells = _window_minutes(inputs, as_of, horizon_days).join(index, on="work_center_id")
    np.add.at(
        minutes, (cells["center"].to_numpy(), cells["day"].to_numpy()), cells["minutes"].to_numpy()
    )
    available = np.zeros((centers.height, horizon_days + 1))
    np.cumsum(minutes, axis=1, out=available[:, 1:])
    first = operations["order_id"].is_first_distinct().to_numpy()
    ends = _finish_days(
        operations["center"].to_numpy(),
        operations["duration_minutes"].cast(pl.Float64).to_numpy(),
        first,
        available,
    )
    last = operations["order_id"].is_last_distinct().to_numpy()
    return pl.DataFrame(
        {"supply_id": operations["order_id"].filter(last), "finish_day": ends[last]},
        schema={"supply_id": pl.String, "finish_day": pl.Int64},
    )


@njit(cache=True)
def _finish_days(center, minutes, first, available):
    """The day each operation ends, run back to back within its order (rows in
    order, ``first`` marking each order's first one) from day 0, on
    ``available[center]``: the open minutes before each day, cumulated. An
    operation on the work center of the one before starts where that one
    ended; on another, at the start of the day it ended (days are the grain)."""
    horizon_days = available.shape[1] - 1
    ends = np.empty(len(center), np.int64)
    start, position = 0, 0.0
    for i in range(len(center)):
        cumulated = available[center[i]]
        if first[i]:
            start, position = 0, cumulated[0]
        elif center[i] != center[i - 1]:
            position = cumulated[min(start, horizon_days)]
        position += minutes[i]
        # the first day by whose end the work center has had that many minutes
        end = np.searchsorted(cumulated, position, side="left") - 1
        ends[i] = min(max(end, start), horizon_days)
        start = ends[i]
    return ends


def planned_hours(loaded: pl.DataFrame) -> pl.DataFrame:
    """The constrained plan's hours per work center and week from its minutes
    per day (work_center_id, load_date, minutes)."""
    return loaded.group_by("work_center_id", week_start=pl.col("load_date").dt.truncate("1w")).agg(
        planned_hours=pl.col("minutes").sum() / 60
    )


def _window_minutes(inputs: ShopInputs, as_of: date, horizon_days: int) -> pl.DataFrame:
    """The minutes of each work center's available windows (one unit) on each
    day of the horizon: work_center_id, day, minutes."""
    days = pl.DataFrame({"day": pl.int_range(horizon_days, eager=True, dtype=pl.Int64)})
    windows = in_minutes(inputs.windows, datetime.combine(as_of, time()))
    return (
        windows.join(days, how="cross")
        .with_columns(
            overlap=(
                pl.min_horizontal("end_minute", (pl.col("day") + 1) * MINUTES_PER_DAY)
                - pl.max_horizontal("start_minute", pl.col("day") * MINUTES_PER_DAY)
            ).clip(lower_bound=0)
        )
        .group_by("work_center_id", "day")
        .agg(minutes=pl.col("overlap").sum().cast(pl.Float64))
    )


def _on_working_days(
    loads: pl.DataFrame, calendar: pl.DataFrame, as_of: date, horizon_days: int
) -> pl.DataFrame:
    """``loads`` (location_id, start_date, load_date) with each load_date in the
    horizon that the plant does not work (per ``calendar``, plant_orders.CALENDAR)
    moved to its working day at or before it, or, when that is before the
    order's start, the first one after (``planning.mrp.calendars``). Dates
    outside the horizon, or with no working day to move to, stay."""
    open_days = calendar.with_columns(is_open_day=~pl.col("is_holiday"))
    calendars = location_calendars(open_days, as_of, horizon_days)
    plant = calendars.of(pl.col("location_id"), pl.lit(True))
    day, start = (
        (pl.col(name) - pl.lit(as_of)).dt.total_days() for name in ("load_date", "start_date")
    )
    previous = calendars.last_on_or_before(plant, day)
    following = calendars.first_on_or_after(plant, day)
    closed = day.is_between(0, horizon_days - 1) & (previous != day)
    moved = pl.coalesce(
        pl.when(previous >= start).then(previous),
        pl.when(following < horizon_days).then(following),
        day,
    )
    return loads.with_columns(
        load_date=pl.when(closed)
        .then(pl.lit(as_of) + pl.duration(days=moved))
        .otherwise("load_date")
    )


def _available_hours(inputs: ShopInputs, weeks: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """Units x the minutes of the work center's windows in the week (and the horizon)."""
    windows = in_minutes(inputs.windows, datetime.combine(as_of, time()))
    open_per_week = (
        windows.join(weeks, how="cross")
        .with_columns(
            overlap=(
                pl.min_horizontal("end_minute", "to_minute")
                - pl.max_horizontal("start_minute", "from_minute")
            ).clip(lower_bound=0)
        )
        .group_by("work_center_id", "week_start")
        .agg(open_minutes=pl.col("overlap").sum())
    )
    return (
        inputs.work_centers.select("work_center_id", "capacity_units")
        .join(weeks.select("week_start"), how="cross")
        .join(open_per_week, on=["work_center_id", "week_start"], how="left")
        .select(
            "work_center_id",
            "week_start",
            available_hours=pl.col("capacity_units") * pl.col("open_minutes").fill_null(0) / 60,
        )
    )
