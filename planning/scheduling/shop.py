"""The plant's side of the plan: which work orders to schedule, with what release
and due times, from the warehouse (routings, work centers, shifts, downtime,
personnel, open work orders) and the material plan of the run (planned work
orders, and the pegging that says when each order's components arrive).

Times are minutes from as-of midnight, plant time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import duckdb
import polars as pl

from planning.config import SolverSettings
from planning.scheduling.calendar import unavailability_from_shifts
from planning.scheduling.problem import PERSONNEL_AVAILABILITY_SCHEMA, PlantFrames
from planning.scheduling.routing import (
    ROUTINGS_SCHEMA,
    WORK_CENTERS_SCHEMA,
    operations_from_work_orders,
    resources_from_work_centers,
)
from planning.scheduling.schedule_run import ScheduleOutcome, schedule_operations

MINUTES_PER_DAY = 24 * 60
AFTER_HORIZON = 2**40  # minutes: "open from the horizon's end on"
COMPONENT_DEMAND = ("work_order_component", "planned_work_order_component")

QUERIES = {
    "routings": """select item_id, location_id, cast(op_seq as bigint) as op_seq, work_center_id,
        run_minutes_per_unit, setup_minutes, skill, setup_family from staging.stg_erp__routings""",
    "work_centers": """select work_center_id, location_id, cast(capacity_units as bigint)
        as capacity_units, efficiency from staging.stg_erp__work_centers""",
    "shifts": "select work_center_id, weekday, start_time, end_time from staging.stg_erp__shifts",
    "downtime": "select work_center_id, start_at, end_at from staging.stg_erp__downtime",
    "personnel": """select person_id, location_id, skill, shift_start, shift_end
        from staging.stg_erp__personnel""",
    "open_work_orders": """select wo_id as order_id, item_id, location_id, qty_open as qty,
        start_date, due_date, work_order_status as status, coalesce(ops_completed, 0)
        as ops_completed from staging.stg_erp__open_work_orders""",
}
SHIFTS = {
    "work_center_id": pl.String,
    "weekday": pl.Int64,
    "start_time": pl.String,
    "end_time": pl.String,
}
DOWNTIME = {"work_center_id": pl.String, "start_at": pl.Datetime("us"), "end_at": pl.Datetime("us")}
PERSONNEL = {
    "person_id": pl.String,
    "location_id": pl.String,
    "skill": pl.String,
    "shift_start": pl.Time,
    "shift_end": pl.Time,
}
MATERIAL_READY = {"order_id": pl.String, "ready_date": pl.Date}
WORK_ORDERS = {
    "order_id": pl.String,
    "item_id": pl.String,
    "location_id": pl.String,
    "qty": pl.Float64,
    "start_date": pl.Date,
    "due_date": pl.Date,
    "status": pl.String,  # planned, released, in_progress, or proposed (the plan's own)
    "ops_completed": pl.Int64,
}


@dataclass(frozen=True)
class ShopInputs:
    """One run's shop-floor inputs, read once for every plant."""

    routings: pl.DataFrame  # routing.ROUTINGS_SCHEMA
    work_centers: pl.DataFrame  # routing.WORK_CENTERS_SCHEMA
    shifts: pl.DataFrame  # SHIFTS
    downtime: pl.DataFrame  # DOWNTIME
    personnel: pl.DataFrame  # PERSONNEL
    work_orders: pl.DataFrame  # WORK_ORDERS: open ones and the plan's, to schedule or load
    material_ready: pl.DataFrame  # MATERIAL_READY: when an order's components have all arrived


def read_shop_inputs(con: duckdb.DuckDBPyConnection, run_id: str) -> ShopInputs:
    """The shop-floor extract and the run's planned work orders and pegging."""
    frames = {name: con.sql(query).pl() for name, query in QUERIES.items()}
    schemas = {"routings": ROUTINGS_SCHEMA, "work_centers": WORK_CENTERS_SCHEMA}
    schemas |= {"shifts": SHIFTS, "downtime": DOWNTIME, "personnel": PERSONNEL}
    frames |= {name: frames[name].cast(dict(schema)) for name, schema in schemas.items()}
    planned = con.sql(
        """select order_id, item_id, location_id, qty, start_date, due_date,
                  'proposed' as status, 0 as ops_completed
           from plan.work_orders where run_id = ?""",
        params=[run_id],
    ).pl()
    ready = con.sql(
        f"""select split_part(demand_id, ':', 1) as order_id, max(supply_date) as ready_date
            from plan.pegging
            where run_id = ? and demand_type in {COMPONENT_DEMAND}
            group by 1""",
        params=[run_id],
    ).pl()
    open_orders = frames.pop("open_work_orders")
    return ShopInputs(
        **frames,
        work_orders=pl.concat([open_orders.cast(WORK_ORDERS), planned.cast(WORK_ORDERS)]),
        material_ready=ready.cast(MATERIAL_READY),
    )


def plants(inputs: ShopInputs) -> list[str]:
    """Locations with work centers, in order: the scheduling partitions."""
    return sorted(inputs.work_centers["location_id"].unique().to_list())


def orders_to_schedule(inputs: ShopInputs, as_of: date, horizon_days: int) -> pl.DataFrame:
    """Work orders the finite schedule covers: every one in progress or released,
    and planned ones (open or the plan's) that start inside the scheduling horizon;
    with release (components ready) and due minutes."""
    end = as_of + timedelta(days=horizon_days)
    return (
        inputs.work_orders.filter(
            pl.col("status").is_in(["in_progress", "released"]) | (pl.col("start_date") < end)
        )
        .join(inputs.material_ready, on="order_id", how="left")
        .with_columns(
            release_minute=(
                (pl.col("ready_date") - pl.lit(as_of)).dt.total_days().clip(lower_bound=0)
                * MINUTES_PER_DAY
            )
            .fill_null(0)
            .cast(pl.Int64),
            # due at the end of its due day
            due_minute=(
                ((pl.col("due_date") - pl.lit(as_of)).dt.total_days() + 1) * MINUTES_PER_DAY
            ).cast(pl.Int64),
            weight=pl.lit(1.0),
        )
    )


def remaining_operations(
    orders: pl.DataFrame, routings: pl.DataFrame, work_centers: pl.DataFrame
) -> pl.DataFrame:
    """Operations still to run: an order in progress has done its first
    ``ops_completed`` operations (by op_seq)."""
    operations = operations_from_work_orders(orders, routings, work_centers)
    step = (
        operations.select("order_id", "op_seq")
        .unique()
        .with_columns(done=pl.col("op_seq").rank("dense").over("order_id").cast(pl.Int64))
    )
    return (
        operations.join(step, on=["order_id", "op_seq"])
        .join(orders.select("order_id", "ops_completed"), on="order_id")
        .filter(pl.col("done") > pl.col("ops_completed"))
        .drop("done", "ops_completed")
    )


def schedule_plant(
    inputs: ShopInputs,
    plant: str,
    as_of: date,
    horizon_days: int,
    settings: SolverSettings,
) -> PlantSchedule:
    """The finite-capacity schedule of one plant's work orders (CP-SAT), at most
    ``settings.max_operations`` operations of them: work in progress and released first, then by
    start date; the orders left out are counted (capacity load still covers them)."""
    centers = inputs.work_centers.filter(pl.col("location_id") == plant)
    orders = orders_to_schedule(inputs, as_of, horizon_days).filter(pl.col("location_id") == plant)
    operations = remaining_operations(orders, inputs.routings, centers)
    operations, left_out = within_cap(operations, orders, settings.max_operations)
    origin = datetime.combine(as_of, time())
    horizon_minutes = horizon_days * MINUTES_PER_DAY
    in_plant = pl.col("work_center_id").is_in(centers["work_center_id"].implode())
    unavailable = unavailability_from_shifts(
        inputs.shifts.filter(in_plant), origin, horizon_minutes, inputs.downtime.filter(in_plant)
    )
    people = inputs.personnel.filter(pl.col("location_id") == plant)
    availability = personnel_availability(people, as_of, horizon_days)
    operations, unstaffed = staffable(operations, people, availability)
    outcome = schedule_operations(
        operations,
        resources_from_work_centers(centers),
        PlantFrames(
            unavailability=unavailable,
            personnel=people.select("person_id", "skill"),
            personnel_availability=availability,
        ),
        settings=settings,
    )
    return PlantSchedule(outcome, unstaffed, left_out)


def within_cap(
    operations: pl.DataFrame, orders: pl.DataFrame, max_operations: int
) -> tuple[pl.DataFrame, int]:
    """The operations of the most urgent orders, up to ``max_operations``
    (alternatives count once); and how many orders did not fit."""
    urgency = pl.col("status").replace_strict(
        {"in_progress": 0, "released": 1}, default=2, return_dtype=pl.Int64
    )
    counts = operations.group_by("order_id").agg(pl.col("op_seq").n_unique().alias("steps"))
    ranked = (
        orders.join(counts, on="order_id")
        .sort(urgency, "start_date", "order_id")
        .with_columns(total=pl.col("steps").cum_sum())
    )
    kept = ranked.filter(pl.col("total") <= max_operations).select("order_id")
    return operations.join(kept, on="order_id", how="semi"), ranked.height - kept.height


UNSTAFFED = {
    "order_id": pl.String,
    "op_seq": pl.Int64,
    "skill": pl.String,
    "duration_minutes": pl.Int64,
}


@dataclass(frozen=True)
class PlantSchedule:
    outcome: ScheduleOutcome
    # operations scheduled without a person (UNSTAFFED): nobody with the skill
    # works a shift long enough
    unstaffed: pl.DataFrame
    left_out_orders: int  # beyond the plant's operations cap, not finitely scheduled


def staffable(
    operations: pl.DataFrame, people: pl.DataFrame, availability: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Operations with their skill requirement kept only where some person with the
    skill has a shift the operation fits in (a person without a shift always
    fits); the others lose it and are returned to be reported."""
    longest = (
        people.select("person_id", "skill")
        .join(
            # the window left open after the horizon is no shift
            availability.filter(pl.col("end_minute") < AFTER_HORIZON)
            .group_by("person_id")
            .agg(longest=(pl.col("end_minute") - pl.col("start_minute")).max()),
            on="person_id",
            how="left",
        )
        .group_by("skill")
        .agg(longest=pl.col("longest").fill_null(2**62).max())
    )
    checked = (
        operations.join(longest, on="skill", how="left")
        .with_columns(
            fits=pl.col("skill").is_null()
            | (pl.col("duration_minutes") <= pl.col("longest")).fill_null(False)
        )
        # one decision per operation, whichever alternative it runs on
        .with_columns(fits=pl.col("fits").all().over("order_id", "op_seq"))
    )
    unstaffed = (
        checked.filter(~pl.col("fits"))
        .select("order_id", "op_seq", "skill", "duration_minutes")
        .unique(["order_id", "op_seq"], keep="first")
    )
    kept = checked.with_columns(skill=pl.when(pl.col("fits")).then(pl.col("skill"))).select(
        operations.columns
    )
    return kept, unstaffed


def personnel_availability(people: pl.DataFrame, as_of: date, horizon_days: int) -> pl.DataFrame:
    """Each person's daily shift as windows in minutes (a shift ending at or before
    its start runs past midnight); a person without a shift gets no rows: always there.
    Like work-center calendars, a person is open after the horizon, so an overloaded
    plant still gets a schedule, whose lateness is then reported."""
    rows = []
    shifts = people.unique("person_id", keep="first").drop_nulls(["shift_start", "shift_end"])
    for person in shifts.iter_rows(named=True):
        start, end = person["shift_start"], person["shift_end"]
        begin = start.hour * 60 + start.minute
        finish = end.hour * 60 + end.minute
        length = (finish - begin) % MINUTES_PER_DAY or MINUTES_PER_DAY
        for day in range(-1, horizon_days):
            window_start = day * MINUTES_PER_DAY + begin
            window_end = window_start + length
            if window_end > 0:
                rows.append((person["person_id"], max(window_start, 0), window_end))
        rows.append((person["person_id"], horizon_days * MINUTES_PER_DAY, AFTER_HORIZON))
    return pl.DataFrame(rows, schema=PERSONNEL_AVAILABILITY_SCHEMA, orient="row")
