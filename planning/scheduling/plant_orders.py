"""The plant's side of the plan: which work orders to schedule, with what release
and due times, from the warehouse's shop-floor marts (routings, work centers and
their available windows and downtime, personnel, the locations' calendars, open work
orders and their remaining operations) and the material plan of the run (planned work orders, and
the pegging that says when each order's components arrive).

Times are minutes from as-of midnight, plant time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import duckdb
import polars as pl

from planning.config import SolverSettings
from planning.scheduling.calendar import in_minutes, unavailability, without
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
    "routings": """select item_id, location_id, op_seq, work_center_id, run_minutes_per_unit,
        setup_minutes, skill, setup_family from marts.dim_routings""",
    "work_centers": """select work_center_id, location_id, capacity_units, efficiency
        from marts.dim_work_centers""",
    "windows": "select work_center_id, start_at, end_at from marts.fct_work_center_windows",
    "downtime": "select work_center_id, start_at, end_at from marts.fct_work_center_downtime",
    "personnel": """select person_id, location_id, skill, shift_start, shift_end
        from marts.dim_person_skills""",
    "calendar": """select location_id, calendar_date, is_holiday, is_working_day
        from marts.fct_location_calendar""",
    "open_work_orders": """select wo_id as order_id, item_id, location_id, qty_open as qty,
        start_date, due_date, work_order_status as status, ops_completed
        from marts.fct_open_work_orders""",
    "open_operations": """select wo_id as order_id, item_id, location_id, op_seq, work_center_id,
        run_minutes_per_unit, setup_minutes, skill, setup_family
        from marts.fct_open_work_order_operations""",
}
# a work center's available windows over the planning horizon, and its downtime
WINDOWS = {"work_center_id": pl.String, "start_at": pl.Datetime("us"), "end_at": pl.Datetime("us")}
DOWNTIME = WINDOWS
PERSONNEL = {
    "person_id": pl.String,
    "location_id": pl.String,
    "skill": pl.String,
    "shift_start": pl.Time,
    "shift_end": pl.Time,
}
# each location's days of the planning horizon
CALENDAR = {
    "location_id": pl.String,
    "calendar_date": pl.Date,
    "is_holiday": pl.Boolean,
    "is_working_day": pl.Boolean,  # a plant's: open, with shift hours
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
# routing rows (routing.ROUTINGS_SCHEMA) of the operations an open work order has left
OPEN_OPERATIONS = {"order_id": pl.String, **ROUTINGS_SCHEMA}


@dataclass(frozen=True)
class ShopInputs:
    """One run's shop-floor inputs, read once for every plant."""

    routings: pl.DataFrame  # routing.ROUTINGS_SCHEMA
    work_centers: pl.DataFrame  # routing.WORK_CENTERS_SCHEMA
    windows: pl.DataFrame  # WINDOWS: when each work center can work in the planning horizon
    downtime: pl.DataFrame  # DOWNTIME: from as-of on, past the horizon too
    personnel: pl.DataFrame  # PERSONNEL
    work_orders: pl.DataFrame  # WORK_ORDERS: open ones and the plan's, to schedule or load
    open_operations: pl.DataFrame  # OPEN_OPERATIONS: what the open work orders have left
    material_ready: pl.DataFrame  # MATERIAL_READY: when an order's components have all arrived
    calendar: pl.DataFrame  # CALENDAR: holidays and working days in the horizon


def read_shop_inputs(con: duckdb.DuckDBPyConnection, run_id: str | None) -> ShopInputs:
    """The shop-floor marts and the run's planned work orders and pegging; the
    open work orders only for ``run_id`` None (before the run's plan exists)."""
    frames = {name: con.sql(query).pl() for name, query in QUERIES.items()}
    schemas = {"routings": ROUTINGS_SCHEMA, "work_centers": WORK_CENTERS_SCHEMA}
    schemas |= {"windows": WINDOWS, "downtime": DOWNTIME, "personnel": PERSONNEL}
    schemas |= {"calendar": CALENDAR}
    schemas |= {"open_operations": OPEN_OPERATIONS}
    frames |= {name: frames[name].cast(dict(schema)) for name, schema in schemas.items()}
    open_orders = frames.pop("open_work_orders")
    if run_id is None:
        return ShopInputs(
            **frames,
            work_orders=open_orders.cast(WORK_ORDERS),
            material_ready=pl.DataFrame(schema=MATERIAL_READY),
        )
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
    orders: pl.DataFrame,
    open_operations: pl.DataFrame,
    routings: pl.DataFrame,
    work_centers: pl.DataFrame,
) -> pl.DataFrame:
    """The operations (OPERATIONS_SCHEMA) still to run of ``orders``: the plan's own
    (proposed) ones run their item's whole routing, open ones what
    ``open_operations`` (fct_open_work_order_operations) says they have left."""
    proposed = pl.col("status") == "proposed"
    # the rows an open order has left are a routing of its own: join them by order
    own_routing = {"item_id": pl.col("order_id")}
    return pl.concat(
        [
            operations_from_work_orders(orders.filter(proposed), routings, work_centers),
            operations_from_work_orders(
                orders.filter(~proposed).with_columns(**own_routing),
                open_operations.with_columns(**own_routing),
                work_centers,
            ),
        ]
    ).sort("order_id", "op_seq", "work_center_id")


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
    operations = remaining_operations(orders, inputs.open_operations, inputs.routings, centers)
    operations, left_out = within_cap(operations, orders, settings.max_operations)
    origin = datetime.combine(as_of, time())
    horizon_minutes = horizon_days * MINUTES_PER_DAY
    unavailable = unavailability(
        centers["work_center_id"],
        in_minutes(inputs.windows, origin),
        in_minutes(inputs.downtime, origin),
        horizon_minutes,
    )
    people = inputs.personnel.filter(pl.col("location_id") == plant)
    holidays = inputs.calendar.filter(pl.col("location_id") == plant, "is_holiday")
    availability = personnel_availability(people, as_of, horizon_days, holidays["calendar_date"])
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


def personnel_availability(
    people: pl.DataFrame, as_of: date, horizon_days: int, holidays: Iterable[date] = ()
) -> pl.DataFrame:
    """Each person's daily shift as windows in minutes (a shift ending at or before
    its start runs past midnight), less the plant's ``holidays`` (whole calendar
    days, as they close its work centers); a person without a shift is there all
    the time but on holidays, and gets no rows when there are none: always there.
    Like work-center calendars, a person is open after the horizon, so an overloaded
    plant still gets a schedule, whose lateness is then reported."""
    horizon_minutes = horizon_days * MINUTES_PER_DAY
    closed = [
        (offset * MINUTES_PER_DAY, (offset + 1) * MINUTES_PER_DAY)
        for offset in ((holiday - as_of).days for holiday in holidays)
        if 0 <= offset < horizon_days
    ]
    rows = []
    for person in people.unique("person_id", keep="first").iter_rows(named=True):
        start, end = person["shift_start"], person["shift_end"]
        if start is None or end is None:
            if not closed:
                continue
            shifts = [(0, horizon_minutes)]
        else:
            begin = start.hour * 60 + start.minute
            length = (end.hour * 60 + end.minute - begin) % MINUTES_PER_DAY or MINUTES_PER_DAY
            days = (day * MINUTES_PER_DAY + begin for day in range(-1, horizon_days))
            shifts = [(max(day, 0), day + length) for day in days if day + length > 0]
        rows += [(person["person_id"], *window) for window in without(shifts, closed)]
        rows.append((person["person_id"], horizon_minutes, AFTER_HORIZON))
    return pl.DataFrame(rows, schema=PERSONNEL_AVAILABILITY_SCHEMA, orient="row")
