"""What the finite schedule publishes besides the schedule itself: the work
orders' scheduled dates, move orders staging components, shipping requests for
sales orders the plan can fill, milestone status, and the exceptions.

Frames in, frames out; ``pipeline`` reads the inputs from the warehouse.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import polars as pl

from planning.mrp.exceptions import EXCEPTIONS, days_late
from planning.precision import HOURS_DECIMALS, as_text, round_to

WORK_ORDER_SCHEDULE = {
    "order_id": pl.String,
    "item_id": pl.String,
    "location_id": pl.String,
    "qty": pl.Float64,
    "status": pl.String,  # the ERP's (planned, released, in_progress) or proposed
    "scheduled_start": pl.Datetime("us"),
    "scheduled_end": pl.Datetime("us"),
    "due_date": pl.Date,
    "is_late": pl.Boolean,
}


def minutes_to_time(column: str, as_of: date) -> pl.Expr:
    """Minutes from as-of midnight as a (plant-local) timestamp."""
    return pl.lit(datetime.combine(as_of, time())) + pl.duration(minutes=pl.col(column))


def work_order_schedule(schedule: pl.DataFrame, orders: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """Scheduled start and end of every scheduled work order (WORK_ORDER_SCHEDULE)."""
    spans = schedule.group_by("order_id").agg(
        start=pl.col("start_minute").min(), end=pl.col("end_minute").max()
    )
    return (
        orders.join(spans, on="order_id")
        .with_columns(
            scheduled_start=minutes_to_time("start", as_of),
            scheduled_end=minutes_to_time("end", as_of),
        )
        # due by the end of its due day, as the scheduler's due minute
        .with_columns(is_late=pl.col("scheduled_end") > _end_of_day("due_date"))
        .select(WORK_ORDER_SCHEDULE.keys())
        .cast(WORK_ORDER_SCHEDULE)
        .sort("order_id")
    )


def _end_of_day(column: str) -> pl.Expr:
    return (pl.col(column) + pl.duration(days=1)).cast(pl.Datetime("us"))


def move_orders(
    schedule: pl.DataFrame, components: pl.DataFrame, orders: pl.DataFrame, as_of: date
) -> pl.DataFrame:
    """Stage each scheduled order's components at the work center of its first
    remaining operation before that operation starts. ``components`` has
    order_id, item_id (the component) and qty; orders in progress drew theirs."""
    first = (
        schedule.sort("order_id", "op_seq")
        .group_by("order_id", maintain_order=True)
        .first()
        .select("order_id", "work_center_id", "start_minute")
    )
    return (
        components.join(first, on="order_id")
        .join(
            orders.filter(pl.col("status") != "in_progress").select("order_id", "location_id"),
            on="order_id",
        )
        .select(
            move_id=pl.concat_str(pl.lit("MV"), "order_id", "item_id", separator="-"),
            work_order_id="order_id",
            item_id="item_id",
            location_id="location_id",
            work_center_id="work_center_id",
            qty="qty",
            needed_by=minutes_to_time("start_minute", as_of),
        )
        .sort("move_id")
    )


def fill_dates(
    pegging: pl.DataFrame, sales_orders: pl.DataFrame, scheduled: pl.DataFrame
) -> pl.DataFrame:
    """Per sales order line, null when the plan does not cover all of it in the
    horizon: ``completion_date``, the day its last pegged supply is complete
    (a scheduled work order's scheduled end, else the supply's date), and
    ``fill_date``, the day it ships: once its pegged supply is there by the
    plan and by the schedule, never before its demand date."""
    finish = scheduled.select(supply_id="order_id", finish_date=pl.col("scheduled_end").dt.date())
    covered = (
        pegging.filter(pl.col("demand_type") == "sales_order")
        .join(finish, on="supply_id", how="left")
        .group_by("demand_id")
        .agg(
            pegged=pl.col("qty").sum(),
            ready=pl.max_horizontal("supply_date", "finish_date").max(),
            completed=pl.coalesce("finish_date", "supply_date").max(),
        )
    )
    whole = pl.col("pegged") >= pl.col("qty") - 1e-6
    return sales_orders.join(covered, on="demand_id", how="left").with_columns(
        completion_date=pl.when(whole).then("completed"),
        fill_date=pl.when(whole).then(pl.max_horizontal("ready", "demand_date")),
    )


def scheduled_promises(
    promises: pl.DataFrame, scheduled: pl.DataFrame, schedule: pl.DataFrame
) -> pl.DataFrame:
    """``demand_promises`` with the finite schedule's word: a part whose supply
    is a work order the schedule finishes after the part's promised date is
    promised on that day, late for ``capacity`` at the work center of the
    order's last operation (as ``fill_dates`` ships it)."""
    finish = scheduled.select(supply_id="order_id", finish_date=pl.col("scheduled_end").dt.date())
    last_center = (
        schedule.sort("op_seq")
        .group_by("order_id")
        .agg(pl.col("work_center_id").last())
        .rename({"order_id": "supply_id", "work_center_id": "finish_center"})
    )
    later = pl.col("promised_date").is_not_null() & (
        pl.col("finish_date") > pl.col("promised_date")
    )
    late = later & (pl.col("finish_date") > pl.col("due_date"))
    return (
        promises.join(finish, on="supply_id", how="left")
        .join(last_center, on="supply_id", how="left")
        .with_columns(later=later.fill_null(False), late=late.fill_null(False))
        .with_columns(
            promised_date=pl.when("later").then("finish_date").otherwise("promised_date"),
            days_late=pl.when("later")
            .then((pl.col("finish_date") - pl.col("due_date")).dt.total_days().clip(lower_bound=0))
            .otherwise("days_late"),
            cause=pl.when("late").then(pl.lit("capacity")).otherwise("cause"),
            cause_ref=pl.when("late").then("finish_center").otherwise("cause_ref"),
            message=pl.when("later")
            .then(
                pl.concat_str(
                    pl.lit("promised "), pl.col("finish_date").cast(pl.String),
                    pl.lit(": the finite schedule finishes "), "supply_id",
                    pl.lit(" then, on "), pl.col("finish_center").fill_null("its work centers"),
                )
            )
            .otherwise("message"),
        )
        .select(promises.columns)
    )  # fmt: skip


def shipping_requests(filled: pl.DataFrame, as_of: date, horizon_days: int) -> pl.DataFrame:
    """Sales order lines the plan fills whole inside the scheduling horizon."""
    end = as_of + timedelta(days=horizon_days)
    return (
        filled.filter(pl.col("fill_date") < end)
        .select(
            "so_id",
            "so_line",
            "item_id",
            "location_id",
            "qty",
            ship_date="fill_date",
            due_date="original_date",
            is_late=pl.col("fill_date") > pl.col("original_date"),
        )
        .sort("ship_date", "so_id", "so_line")
    )


def milestone_status(
    milestones: pl.DataFrame, filled: pl.DataFrame, slack_days: int
) -> pl.DataFrame:
    """Each milestone's projected date, the completion of its sales order
    (``so_id``: the ``completion_date`` of its last line, see ``fill_dates``),
    else of its project's lines, and its status: ``late`` when projected after
    its due date or not completed in the horizon, ``at_risk`` when projected
    less than ``slack_days`` days before it, else ``on_track``."""
    projection = {
        "projected": pl.col("completion_date").max(),
        "open_lines": pl.col("completion_date").null_count(),
    }
    by_order = filled.group_by(key="so_id").agg(**projection)
    by_project = (
        filled.filter(pl.col("project_id").is_not_null())
        .group_by(key="project_id")
        .agg(**projection)
    )
    linked = pl.concat(
        [
            milestones.filter(pl.col("so_id").is_not_null()).join(
                by_order, left_on="so_id", right_on="key", how="left"
            ),
            milestones.filter(pl.col("so_id").is_null()).join(
                by_project, left_on="project_id", right_on="key", how="left"
            ),
        ],
        how="diagonal_relaxed",
    )
    cannot_finish = pl.col("open_lines").fill_null(0) > 0
    return (
        linked.with_columns(projected_date=pl.when(~cannot_finish).then("projected"))
        .with_columns(
            status=pl.when(cannot_finish | (pl.col("projected_date") > pl.col("due_date")))
            .then(pl.lit("late"))
            .when(pl.col("projected_date") > pl.col("due_date") - pl.duration(days=slack_days))
            .then(pl.lit("at_risk"))
            .otherwise(pl.lit("on_track"))
        )
        .select("project_id", "milestone_id", "due_date", "projected_date", "status", "so_id")
        .sort("project_id", "milestone_id")
    )


def schedule_exceptions(
    scheduled: pl.DataFrame,
    load: pl.DataFrame,
    milestones: pl.DataFrame,
    unstaffed: pl.DataFrame,
    orders: pl.DataFrame,
) -> pl.DataFrame:
    """late_demand for work orders the schedule finishes after their due date,
    capacity_overload per work center and week over 100 %, missed_milestone,
    and unstaffed_operation for operations no person's shift can hold."""
    late_orders = scheduled.filter(pl.col("is_late")).select(
        category=pl.lit("late_demand"), severity=pl.lit("medium"),
        item_id="item_id", location_id="location_id", ref_id="order_id",
        date="due_date", qty="qty",
        message=pl.concat_str(
            pl.lit("work order "), "order_id", pl.lit(" is scheduled to finish "),
            pl.col("scheduled_end").dt.strftime("%Y-%m-%d %H:%M"), pl.lit(", due "),
            pl.col("due_date").cast(pl.String),
        ),
    )  # fmt: skip
    # what the plan loads: the constrained plan's hours where it has them (only
    # open orders can overload it), else the infinite load
    hours = pl.coalesce("planned_hours", "required_hours")
    loaded = load.with_columns(
        hours=hours,
        pct=pl.when(pl.col("available_hours") > 0).then(100 * hours / pl.col("available_hours")),
    )
    overloads = loaded.filter(pl.col("pct") > 100 + 1e-9).select(
        category=pl.lit("capacity_overload"),
        severity=pl.when(pl.col("pct") > 150).then(pl.lit("high")).otherwise(pl.lit("medium")),
        item_id=pl.lit(None, pl.String), location_id="location_id", ref_id="work_center_id",
        date="week_start",
        qty=round_to(pl.col("hours") - pl.col("available_hours"), HOURS_DECIMALS),
        message=pl.concat_str(
            "work_center_id",
            pl.when(pl.col("planned_hours").is_not_null())
            .then(pl.lit(" is loaded with "))
            .otherwise(pl.lit(" needs ")),
            as_text(pl.col("hours"), HOURS_DECIMALS),
            pl.lit(" h in the week of "), pl.col("week_start").cast(pl.String),
            pl.lit(" and has "), as_text(pl.col("available_hours"), HOURS_DECIMALS),
            pl.lit(" h ("), pl.col("pct").round(0).cast(pl.Int64).cast(pl.String),
            pl.lit(" %)"),
        ),
    )  # fmt: skip
    projected = pl.col("projected_date").cast(pl.String)
    missed = milestones.filter(pl.col("status") == "late").select(
        category=pl.lit("missed_milestone"), severity=pl.lit("high"),
        item_id=pl.lit(None, pl.String), location_id=pl.lit(None, pl.String),
        ref_id=pl.concat_str("project_id", "milestone_id", separator=":"),
        date="due_date", qty=pl.lit(None, pl.Float64),
        message=pl.concat_str(
            pl.lit("milestone "), "milestone_id", pl.lit(" of "), "project_id", pl.lit(" due "),
            pl.col("due_date").cast(pl.String), pl.lit(": "),
            pl.when(pl.col("projected_date").is_null())
            .then(pl.lit("its demand is not completed in the horizon"))
            .otherwise(pl.concat_str(
                pl.lit("projected "), projected, pl.lit(" ("),
                days_late((pl.col("projected_date") - pl.col("due_date")).dt.total_days()),
                pl.lit(")"),
            )),
        ),
    )  # fmt: skip
    names = orders.select("order_id", "item_id", "location_id")
    unstaffed_rows = unstaffed.join(names, on="order_id").select(
        category=pl.lit("unstaffed_operation"), severity=pl.lit("medium"),
        item_id="item_id", location_id="location_id",
        ref_id=pl.concat_str("order_id", pl.col("op_seq").cast(pl.String), separator="/"),
        date=pl.lit(None, pl.Date), qty=pl.lit(None, pl.Float64),
        message=pl.concat_str(
            pl.lit("operation needs skill "), "skill", pl.lit(" for "),
            pl.col("duration_minutes").cast(pl.String),
            pl.lit(" min, longer than any shift of a person with it; scheduled without a person"),
        ),
    )  # fmt: skip
    frames = [late_orders, overloads, missed, unstaffed_rows]
    return pl.concat([frame.cast(EXCEPTIONS) for frame in frames])
