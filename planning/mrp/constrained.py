"""The constrained supply plan: the unconstrained plan's orders moved to dates
that capacity, material and lead time allow (CONTRACT.md section 3,
"Constrained supply plan").

A repair of the MRP plan in the MRP-C family (Tardif and Spearman 1997),
vectorised like the netting:

1. **Priority, top down.** Each planned order gets the priority of the most
   urgent independent demand it serves along the pegging: the demand's rank
   (sales order priority), then its due day. A component order inherits the
   priority of the parent orders its supply is pegged to.
2. **Target dates, top down** (with capacity): the backward pass loads each
   level's work orders latest first, most urgent first, back from the day
   before they are needed onto the work centers' free minutes, and holds
   those minutes; a component is needed by the target start of the parents
   its supply is pegged to.
3. **Dates, one order at a time** (a compiled kernel): most urgent first and,
   on a tie, components before their parents (a serial schedule over all
   levels), each order's earliest start is its target start, no earlier than
   as-of (**lead time**) and than the day its last pegged component or source
   supply arrives (**material**: existing receipts on their day, planned
   orders on their constrained receipt day, stock on hand at once; a
   component no supply covers holds the order past the horizon). A work
   order gives back what the backward pass held for it, then its operations,
   in sequence, take the latest free minutes before it is needed, back to
   that start or, where they do not fit there, earlier (its components
   received by then, when they can be); where they still do not fit, its
   work order components move to their first free minutes, then it tries
   again; else it takes minutes held for less urgent orders still to come
   too; else the first minutes from its first possible day on (**capacity**:
   released and in-progress orders hold their minutes first, where they
   are). So no less urgent order takes minutes a more urgent one needs, on
   any level. An order is received no earlier than
   its requested day, its start plus its lead time, and the day after its last
   operation ends, on a receiving day of its calendar. The levels then take
   these dates, bottom up, for the causes.
4. Each order keeps why it moved (``cause``: the constraint that accounts for
   most of its delay) and what (``cause_ref``): its work center, the SKU of the
   component it waited for, or itself; and the root of a material delay, the
   constraint that held the component, for the message a planner reads.

Pegging stays as the unconstrained plan laid it (which supply covers which
demand); its dates follow the orders (``redated_pegs``). A switched-off
constraint is skipped (without lead time, an order takes no longer than its
work needs); with none, the dates are the unconstrained plan's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

import numpy as np
import polars as pl
from numba import njit

from planning.config import PLAN_CONSTRAINTS
from planning.mrp.bom import LAST_RANK
from planning.mrp.buckets import date_of
from planning.mrp.calendars import Calendars
from planning.mrp.inputs import of_sku
from planning.mrp.pegging import COMPONENT, INDEPENDENT, PLANNED, RECEIPT, TRANSFER

CAPACITY, MATERIAL, LEAD_TIME = PLAN_CONSTRAINTS  # the names of config.PLAN_CONSTRAINTS
# an order's cause codes (what moved it), as published in demand_promises.cause
ON_TIME_CODE, CAPACITY_CODE, MATERIAL_CODE, LEAD_TIME_CODE = 0, 1, 2, 3
CAUSES = {ON_TIME_CODE: "on_time", CAPACITY_CODE: CAPACITY, MATERIAL_CODE: MATERIAL}
CAUSES |= {LEAD_TIME_CODE: LEAD_TIME}
# priority of an order no independent demand is pegged to (safety stock only)
LAST_PRIORITY = (LAST_RANK + 1) << 32
DAY_OFFSET = 1 << 31  # due days may be negative (past due): shifted into the key's low bits
# the latest day from as-of an order is dated: an absurd lead time (1e15 days)
# puts its receipt far past any horizon, but on a calendar date
LATEST_DAY = 36_600
# what the serial placement reads of each order's SKU
CALENDAR_COLUMNS = ("lead_time_days", "start_calendar", "receipt_calendar")

CONSTRAINED_ORDERS = {
    "order_row": pl.Int64,
    "receipt_day": pl.Int64,
    "start_day": pl.Int64,
    "requested_day": pl.Int64,  # the unconstrained plan's receipt day
    "cause": pl.Int8,
    "cause_ref": pl.String,
    # the day the work center it waited for longest had room for it (-1: none)
    "wait_until": pl.Int64,
    "root_cause": pl.Int8,  # for a material delay, what held the component
    "root_ref": pl.String,
}


@dataclass(frozen=True)
class Capacity:
    """Work centers' free minutes per day of the horizon for planned orders
    (after the released and in-progress orders' load), and the primary work
    center's minutes of every SKU's routing."""

    work_centers: pl.Series  # work_center_id; row i of the arrays
    free_minutes: np.ndarray  # [work center, day], float64; may be below 0 where overloaded
    routings: pl.DataFrame  # item_id, location_id, op_seq, work_center_id, setup, run, efficiency


def planned_load(capacity: Capacity, minutes: np.ndarray, as_of: date) -> pl.DataFrame:
    """The minutes loaded per work center and day as rows (work_center_id,
    load_date, minutes), days with none left out."""
    center, day = np.nonzero(minutes > 0)
    return pl.DataFrame(
        {
            "work_center_id": capacity.work_centers.gather(center),
            "load_date": pl.Series(day, dtype=pl.Int64),
            "minutes": minutes[center, day],
        }
    ).with_columns(load_date=date_of(pl.col("load_date"), as_of))


def order_priorities(
    orders: pl.DataFrame, pegs: pl.DataFrame, demand_keys: pl.Series
) -> np.ndarray:
    """Per planned order row, its priority key (lower is more urgent): the best
    key of the demand its supply is pegged to. ``demand_keys`` holds the key of
    each independent demand by reference (``priority_keys``)."""
    priority = np.full(orders.height, LAST_PRIORITY, np.int64)
    planned = pegs.filter(
        (pl.col("supply_kind") == PLANNED) & pl.col("demand_ref").is_not_null()
    ).join(orders.select(supply_ref="order_row", planning_level="planning_level"), on="supply_ref")
    # a last key for the rows that are not independent demand, so that the gather
    # below has a row to read even when there is no independent demand at all
    keys = np.append(demand_keys.to_numpy().astype(np.int64), LAST_PRIORITY)
    for _, level in sorted(planned.partition_by("planning_level", as_dict=True).items()):
        parent = level["demand_ref"].to_numpy()
        independent = (level["demand_kind"] == INDEPENDENT).to_numpy()
        key = np.where(
            independent,
            keys[np.where(independent, parent, -1)],
            priority[np.where(independent, 0, parent)],
        )
        np.minimum.at(priority, level["supply_ref"].to_numpy(), key)
    return priority


def priority_keys(rank: pl.Expr, due_day: pl.Expr) -> pl.Expr:
    """Sortable keys of independent demand: its rank, then its due day."""
    return rank.cast(pl.Int64) * (1 << 32) + (due_day.cast(pl.Int64) + DAY_OFFSET)


def constrain_orders(
    orders: pl.DataFrame,
    pegs: pl.DataFrame,
    short_components: pl.DataFrame,
    receipt_days: pl.Series,
    skus: pl.DataFrame,
    priority: np.ndarray,
    calendars: Calendars,
    constraints: frozenset[str],
    capacity: Capacity | None,
) -> tuple[pl.DataFrame, np.ndarray]:
    """``CONSTRAINED_ORDERS`` per planned order (``orders``: PLANNED_ORDERS with
    order_row and planning_level), and the minutes loaded on each work center
    and day (zeros without capacity).

    ``pegs`` are the plan's pegs of component and transfer demand (PEGS);
    ``short_components`` the order rows (``order_row``, ``component_sku``)
    whose component or source demand no supply covers; ``receipt_days`` each
    existing receipt's day by row."""
    horizon = calendars.horizon_days
    lead_time_on, material_on = LEAD_TIME in constraints, MATERIAL in constraints
    use_capacity = CAPACITY in constraints and capacity is not None
    free = capacity.free_minutes.copy() if use_capacity else np.zeros((0, horizon))
    operations = _operations(orders, skus, capacity) if use_capacity else None
    centers = capacity.work_centers if capacity is not None else pl.Series([], dtype=pl.String)
    known = _Known(np.full(orders.height, -1, np.int64), np.zeros(orders.height, np.int8), {})
    done: list[pl.DataFrame] = []
    by_level = orders.with_columns(priority=pl.lit(priority)).partition_by(
        "planning_level", as_dict=True
    )
    levels = sorted(by_level.items())
    placement = None
    if use_capacity:
        targets, needed, held = _target_starts(levels, pegs, skus, operations, free)
        placement = _serial_placement(
            orders.with_columns(priority=pl.lit(priority)),
            _Dating(targets, needed, lead_time_on, material_on),
            held,
            _material_arrays(orders.height, pegs, short_components, receipt_days, horizon),
            skus,
            calendars,
            operations,
            free,
        )
    else:
        targets, needed = (orders[c].to_numpy() for c in ("required_start_day", "receipt_day"))
    for _, level in reversed(levels):
        level = _material_days(level, pegs, short_components, receipt_days, known, horizon)
        level = level.with_columns(
            of_sku(skus, "lead_time_days", "start_calendar", "receipt_calendar"),
            target_start=pl.lit(targets).gather(pl.col("order_row")),
            target_receipt=pl.lit(needed).gather(pl.col("order_row")),
        )
        if not use_capacity:
            level = _earliest(level, calendars, lead_time_on, material_on)
        level = _placed(level, placement) if use_capacity else _unloaded(level)
        level = _received(level, calendars, lead_time_on, placement)
        level = _causes(level, skus, centers, known)
        known.record(level)
        done.append(level)
    # only loading takes minutes, so what is gone is what the planned orders hold
    loaded = capacity.free_minutes - free if use_capacity else np.zeros((0, horizon))
    if not done:
        return pl.DataFrame(schema=CONSTRAINED_ORDERS), loaded
    constrained = pl.concat(done, how="diagonal_relaxed").sort("order_row")
    return constrained.select(CONSTRAINED_ORDERS.keys()).cast(CONSTRAINED_ORDERS), loaded


@dataclass(frozen=True)
class _Known:
    """What the levels constrained so far say about their orders, by order row:
    the receipt day, and the root cause of a delay with what it names."""

    receipt_day: np.ndarray
    root_cause: np.ndarray
    root_ref: dict[int, str]

    def record(self, level: pl.DataFrame) -> None:
        rows = level["order_row"].to_numpy()
        self.receipt_day[rows] = level["receipt_day"].to_numpy()
        self.root_cause[rows] = level["root_cause"].to_numpy()
        late = level.filter(pl.col("root_cause") != ON_TIME_CODE)
        self.root_ref.update(
            zip(late["order_row"].to_list(), late["root_ref"].to_list(), strict=True)
        )


def _material_days(
    level: pl.DataFrame,
    pegs: pl.DataFrame,
    short: pl.DataFrame,
    receipt_days: pl.Series,
    known: _Known,
    horizon: int,
) -> pl.DataFrame:
    """The day the last component (or a transfer's source supply) of each order
    arrives, with the SKU and the planned order (``component_order``, null for
    an existing receipt) of that supply; from as-of when nothing is pegged.
    Demand no supply covers holds the order to the horizon's end."""
    rows = level["order_row"].implode()
    needs = pegs.filter(
        pl.col("demand_kind").is_in([COMPONENT, TRANSFER]) & pl.col("demand_ref").is_in(rows)
    )
    kind, ref = needs["supply_kind"].to_numpy(), needs["supply_ref"].to_numpy()
    day = np.zeros(needs.height, np.int64)
    receipts = kind == RECEIPT
    day[receipts] = receipt_days.to_numpy()[ref[receipts]]
    planned = kind == PLANNED
    day[planned] = known.receipt_day[ref[planned]]
    arrivals = needs.select(
        order_row="demand_ref",
        component_sku="sku_idx",
        component_order=pl.when(pl.col("supply_kind") == PLANNED).then("supply_ref"),
    ).with_columns(material_day=pl.lit(day))
    held = short.filter(pl.col("order_row").is_in(rows)).select(
        "order_row",
        "component_sku",
        component_order=pl.lit(None, pl.Int64),
        material_day=pl.lit(horizon, pl.Int64),
    )
    last = (
        pl.concat([arrivals, held], how="vertical_relaxed")
        .sort("material_day", "component_sku", "component_order", nulls_last=False)
        .group_by("order_row")
        .agg(pl.col("material_day", "component_sku", "component_order").last())
    )
    return level.join(last, on="order_row", how="left").with_columns(
        pl.col("material_day").fill_null(0)
    )


def _operations(orders: pl.DataFrame, skus: pl.DataFrame, capacity: Capacity) -> pl.DataFrame:
    """Each planned work order's operations on their primary work center
    (``work_center``: its row in the capacity arrays) with their minutes."""
    from planning.scheduling.routing import run_minutes

    index = pl.DataFrame(
        {
            "work_center_id": capacity.work_centers,
            "work_center": np.arange(capacity.work_centers.len(), dtype=np.int64),
        }
    )
    return (
        orders.filter(pl.col("replenishment") == "make")
        .select("order_row", *of_sku(skus, "item_id", "location_id"), qty="order_qty")
        .join(capacity.routings, on=["item_id", "location_id"])
        .with_columns(run_minutes())
        .join(index, on="work_center_id")
        .select("order_row", "op_seq", "work_center", pl.col("duration_minutes").cast(pl.Float64))
        .sort("order_row", "op_seq")
    )


def _supplies_of_parents(pegs: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The planned orders pegged to other orders' component or transfer demand,
    and those parent orders: one pair of order rows per peg."""
    dependent = pegs.filter(
        (pl.col("supply_kind") == PLANNED) & pl.col("demand_kind").is_in([COMPONENT, TRANSFER])
    )
    return dependent["supply_ref"].to_numpy(), dependent["demand_ref"].to_numpy()


def _target_starts(
    levels: list, pegs: pl.DataFrame, skus: pl.DataFrame, operations: pl.DataFrame, free
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, ...]]:
    """The backward pass, top down: per order row, the latest start at which
    its work fits before it is needed, and the day it is needed; and the
    minutes each work order holds there (``_Held``). Each level's work orders
    are loaded latest first (most urgent first) back from the day before they
    are due onto ``free`` (which it takes), so that work a full day cannot
    hold starts earlier instead of later. An order is needed on its requested
    day, or earlier where the target start of a parent order its supply is
    pegged to asks for it; bought and moved orders start a lead time before.
    Where the work does not fit from as-of on, the target is as-of."""
    total = sum(level.height for _, level in levels)
    need = np.full(total, np.iinfo(np.int64).max, np.int64)
    targets, needed = np.zeros(total, np.int64), np.zeros(total, np.int64)
    supplies, parents = _supplies_of_parents(pegs)
    held: list[tuple[np.ndarray, ...]] = []
    for _, level in levels:
        level = level.with_columns(
            of_sku(skus, "lead_time_days"),
            target_receipt=pl.min_horizontal(
                "receipt_day", pl.lit(need).gather(pl.col("order_row"))
            ),
        )
        rows = level["order_row"].to_numpy()
        needed[rows] = level["target_receipt"].to_numpy()
        targets[rows] = (level["target_receipt"] - level["lead_time_days"]).to_numpy()
        makes = level.filter(pl.col("replenishment") == "make").sort("priority", "order_row")
        offsets, centers, minutes = _op_arrays(makes, operations)
        latest, taken_by, *taken = _unload_kernel(
            (makes["target_receipt"] - 1).to_numpy().astype(np.int64),
            offsets,
            centers,
            minutes,
            free,
        )
        made = makes["order_row"].to_numpy()
        targets[made] = np.minimum(targets[made], latest)
        held.append((made[taken_by], *taken))
        placed = np.isin(parents, rows)
        np.minimum.at(need, supplies[placed], targets[parents[placed]])
    row, center, day, minutes = (
        np.concatenate([part[i] for part in held]) if held else np.zeros(0) for i in range(4)
    )
    by_row = np.argsort(row, kind="stable")
    offsets = np.concatenate([[0], np.cumsum(np.bincount(row.astype(np.int64), minlength=total))])
    return (
        targets,
        needed,
        _Held(
            offsets.astype(np.int64),
            center[by_row].astype(np.int64),
            day[by_row].astype(np.int64),
            minutes[by_row].astype(np.float64),
        ),
    )


@njit(cache=True)
def _unload_kernel(deadline, op_offsets, op_centers, op_minutes, free):
    """Load each order's operations backwards, last first, onto the latest
    days with free minutes on or before its ``deadline``, taking them. Per
    order, the day its first operation starts: as-of (0) when they do not fit
    from as-of on; the deadline itself past the horizon (unlimited there).
    And the minutes taken: per row, the order's index, work center, day and
    minutes."""
    orders = deadline.shape[0]
    horizon = free.shape[1]
    starts = np.empty(orders, np.int64)
    size = max(16, 2 * op_centers.shape[0])
    by = np.empty(size, np.int64)
    centers = np.empty(size, np.int64)
    days = np.empty(size, np.int64)
    minutes = np.empty(size, np.float64)
    count = 0
    for order in range(orders):
        if deadline[order] >= horizon:
            starts[order] = deadline[order]
            continue
        day = deadline[order]
        for op in range(op_offsets[order + 1] - 1, op_offsets[order] - 1, -1):
            center, need = op_centers[op], op_minutes[op]
            while day >= 0:
                take = min(free[center, day], need)
                if take > 0:
                    if count == size:
                        size *= 2
                        by = np.concatenate((by, np.empty(size - count, np.int64)))
                        centers = np.concatenate((centers, np.empty(size - count, np.int64)))
                        days = np.concatenate((days, np.empty(size - count, np.int64)))
                        minutes = np.concatenate((minutes, np.empty(size - count, np.float64)))
                    free[center, day] -= take
                    by[count], centers[count] = order, center
                    days[count], minutes[count] = day, take
                    count += 1
                    need -= take
                if need <= 1e-9:
                    break
                day -= 1
            if day < 0:
                break
        starts[order] = max(day, 0)
    return starts, by[:count], centers[:count], days[:count], minutes[:count]


def _op_arrays(makes: pl.DataFrame, operations: pl.DataFrame):
    """The operations of ``makes`` (in their order) as kernel arrays: each
    order's first operation's index, work centers and minutes."""
    ops = (
        makes.select("order_row", sequence=pl.int_range(pl.len()))
        .join(operations, on="order_row")
        .sort("sequence", "op_seq")
    )
    counts = np.bincount(ops["sequence"].to_numpy(), minlength=makes.height)
    return (
        np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
        ops["work_center"].to_numpy().astype(np.int64),
        ops["duration_minutes"].to_numpy().astype(np.float64),
    )


@dataclass(frozen=True)
class _Dating:
    """What the backward pass asks of every order (by order row: its target
    start and the day it is needed) and which constraints date it."""

    targets: np.ndarray
    needed: np.ndarray
    lead_time_on: bool
    material_on: bool


class _Held(NamedTuple):
    """The minutes the backward pass holds for each work order, as kernel
    arrays: the first index of each order row's rows, and per row a work
    center, day and minutes."""

    offsets: np.ndarray
    center: np.ndarray
    day: np.ndarray
    minutes: np.ndarray


@dataclass(frozen=True)
class _Placement:
    """The serial placement's result by order row: the days an order starts
    and is received, the day the last operation of a work order ends (-1 for other orders), and
    its longest wait for a full work center, with that work center and the day
    the wait ended."""

    start: np.ndarray
    receipt: np.ndarray
    finish: np.ndarray
    wait_days: np.ndarray
    wait_center: np.ndarray
    wait_until: np.ndarray


def _material_arrays(
    total: int, pegs: pl.DataFrame, short: pl.DataFrame, receipt_days: pl.Series, horizon: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per order row, what its components (or a transfer's source supply) are
    pegged to, as kernel arrays: the first index of each order's rows, and per
    row a planned order's row (else -1) or the day the supply is there (an
    existing receipt's day, stock at once, the horizon's end for demand no
    supply covers)."""
    needs = pegs.filter(pl.col("demand_kind").is_in([COMPONENT, TRANSFER]))
    kind, ref = needs["supply_kind"].to_numpy(), needs["supply_ref"].to_numpy()
    day = np.zeros(needs.height, np.int64)
    receipts = kind == RECEIPT
    day[receipts] = receipt_days.to_numpy()[ref[receipts]]
    supply = np.where(kind == PLANNED, ref, -1).astype(np.int64)
    order = np.concatenate(
        [needs["demand_ref"].to_numpy().astype(np.int64), short["order_row"].to_numpy()]
    )
    supply = np.concatenate([supply, np.full(short.height, -1, np.int64)])
    day = np.concatenate([day, np.full(short.height, horizon, np.int64)])
    by_order = np.argsort(order, kind="stable")
    offsets = np.concatenate([[0], np.cumsum(np.bincount(order, minlength=total))])
    return offsets.astype(np.int64), supply[by_order], day[by_order]


def _serial_placement(
    orders: pl.DataFrame,
    dating: _Dating,
    held: _Held,
    material: tuple[np.ndarray, np.ndarray, np.ndarray],
    skus: pl.DataFrame,
    calendars: Calendars,
    operations: pl.DataFrame,
    free: np.ndarray,
) -> _Placement:
    """Every order dated and every work order placed on ``free`` (taking its
    minutes) one at a time, most urgent first and, on a tie, components before
    the orders they go into (an order's priority is never more urgent than
    that of the supply pegged to it, so its components are always dated
    first): a serial schedule over all levels, so that no work of a less
    urgent order takes minutes a more urgent one needs. Dates as the forward
    pass gives them (``constrain_orders``)."""
    # per order row (order rows are 0..n-1, in order): what the kernel reads of it
    by_row = orders.select(
        "order_row", "priority", "planning_level", "replenishment", *of_sku(skus, *CALENDAR_COLUMNS)
    )
    sequence = np.lexsort(
        (by_row["order_row"], -by_row["planning_level"].to_numpy(), by_row["priority"].to_numpy())
    ).astype(np.int64)
    # operations come by order row and sequence
    counts = np.bincount(operations["order_row"].to_numpy(), minlength=orders.height)
    op_offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    centers = operations["work_center"].to_numpy().astype(np.int64)
    minutes = operations["duration_minutes"].to_numpy().astype(np.float64)
    # what the backward pass took of ``free``, by work center and day
    held_minutes = np.zeros_like(free)
    np.add.at(held_minutes, (held.center, held.day), held.minutes)
    lead_time, *on_calendars = (by_row[c].to_numpy().astype(np.int64) for c in CALENDAR_COLUMNS)
    start, receipt, finish, waits, wait_centers, wait_until = _serial_kernel(
        sequence,
        (by_row["replenishment"] == "make").to_numpy(),
        dating.targets.astype(np.int64),
        dating.needed.astype(np.int64),
        # without the lead time constraint, lead times compress as far as needed
        lead_time if dating.lead_time_on else np.zeros_like(lead_time),
        *on_calendars,
        *held,
        *material,
        op_offsets,
        centers,
        minutes,
        calendars.last_day.astype(np.int64),
        calendars.first_day.astype(np.int64),
        dating.lead_time_on,
        dating.material_on,
        free,
        held_minutes,
    )
    return _Placement(start, receipt, finish, waits, wait_centers, wait_until)


@njit(cache=True)
def _on_or_before(days, calendar, day):
    """``Calendars.last_on_or_before`` of one day."""
    if day < 0:
        return -1
    return days[calendar, min(day, days.shape[1] - 1)]


@njit(cache=True)
def _on_or_after(days, calendar, day):
    """``Calendars.first_on_or_after`` of one day."""
    if day >= days.shape[1]:
        return day
    return days[calendar, max(day, 0)]


@njit(cache=True)
def _serial_kernel(
    sequence,
    made,
    targets,
    needed,
    lead_time,
    start_calendar,
    receipt_calendar,
    held_offsets,
    held_center,
    held_day,
    held_minutes,
    material_offsets,
    material_supply,
    material_day,
    op_offsets,
    op_centers,
    op_minutes,
    last_day,
    first_day,
    lead_time_on,
    material_on,
    free,
    held,
):
    """Date the orders one at a time in ``sequence``, as the forward pass does
    (``constrain_orders``): an order starts on its earliest day (its target
    start, no earlier than as-of and its last component's arrival, on its
    start calendar). A work order gives back the minutes the backward pass
    held for it (``held``: those of the orders still to come, less what more
    urgent ones took of them), then its operations take the latest free
    minutes from the day before it is needed (or before its lead time from its
    start ends, when that is later) back to its first possible day (with its
    planned components received as early as they can be). Where they do not
    fit, its work orders' components are made earlier, on the first free
    minutes from their own first day, when that lets it fit; else its
    operations take minutes held for orders still to come too; else the first
    ones, held or free, from its first day on (``_fit_backward``,
    ``_load_forward``). Components it needs earlier than they were asked for
    are received by its start. It is received on its receipt calendar no
    earlier than its start plus its lead time and the day after its work
    ends, on the day it is needed when it can be."""
    total = sequence.shape[0]
    horizon = free.shape[1]
    receipt = np.zeros(total, np.int64)
    ready = np.zeros(total, np.int64)  # the earliest receipt, started on its first day
    floors = np.zeros(total, np.int64)  # its first possible start
    starts = np.zeros(total, np.int64)
    finish = np.full(total, -1, np.int64)
    waits = np.zeros(total, np.int64)
    wait_centers = np.full(total, -1, np.int64)
    wait_until = np.full(total, -1, np.int64)
    # the minutes each work order takes: rows book_from[row]:book_to[row] of book
    book = np.empty((max(16, 4 * op_centers.shape[0]), 4))
    count = 0
    book_from = np.zeros(total, np.int64)
    book_to = np.zeros(total, np.int64)
    unbounded = -DAY_OFFSET
    pull = lead_time_on and material_on
    for row in sequence:
        arrival = 0
        for peg in range(material_offsets[row], material_offsets[row + 1]):
            supply = material_supply[peg]
            arrival = max(arrival, receipt[supply] if supply >= 0 else material_day[peg])
        lowest = max(0 if lead_time_on else unbounded, arrival if material_on else unbounded)
        wanted = max(targets[row], lowest)
        start = _on_or_before(last_day, start_calendar[row], wanted)
        if start < lowest:
            start = _on_or_after(first_day, start_calendar[row], wanted)
        floors[row] = max(_on_or_after(first_day, start_calendar[row], lowest), 0)
        possible = start + lead_time[row]
        if made[row]:
            for h in range(held_offsets[row], held_offsets[row + 1]):
                center, day = held_center[h], held_day[h]
                back = min(held_minutes[h], held[center, day])
                held[center, day] -= back
                free[center, day] += back
            first, last = op_offsets[row], op_offsets[row + 1]
            centers, minutes = op_centers[first:last], op_minutes[first:last]
            deadline = max(needed[row], start + lead_time[row]) - 1
            book_from[row] = count
            if deadline >= horizon and start <= deadline:
                finish[row] = deadline
            else:
                low = _first_day(row, pull, floors[row], material_offsets, material_supply,
                                 material_day, ready, start_calendar, first_day)  # fmt: skip
                # work that does not fit after its target start may be made before it
                end, begin, book, count = _fit_backward(
                    low, deadline, centers, minutes, free, held, False, book, count
                )
                if end < 0 and pull:
                    moved = False
                    for peg in range(material_offsets[row], material_offsets[row + 1]):
                        supply = material_supply[peg]
                        if (
                            supply >= 0
                            and made[supply]
                            and finish[supply] >= floors[supply] + lead_time[supply]
                        ):
                            book, count = _made_earlier(
                                supply, book, count, book_from, book_to, floors, starts,
                                finish, waits, wait_centers, wait_until, ready, receipt,
                                op_offsets, op_centers, op_minutes, lead_time, start_calendar,
                                receipt_calendar, last_day, first_day, free, held,
                            )  # fmt: skip
                            moved = True
                    if moved:
                        book_from[row] = count  # after the components' minutes
                        low = _first_day(row, pull, floors[row], material_offsets,
                                         material_supply, material_day, ready, start_calendar,
                                         first_day)  # fmt: skip
                        end, begin, book, count = _fit_backward(
                            low, deadline, centers, minutes, free, held, False, book, count
                        )
                if end < 0:
                    end, begin, book, count = _fit_backward(
                        low, deadline, centers, minutes, free, held, True, book, count
                    )
                if end < 0:
                    end, waits[row], wait_centers[row], wait_until[row], book, count = (
                        _load_forward(low, centers, minutes, free, held, True, book, count)
                    )
                    begin = low
                if begin < start:
                    start = max(_on_or_before(last_day, start_calendar[row], begin), low)
                finish[row] = end
            book_to[row] = count
            possible = max(start + lead_time[row], finish[row] + 1)
            if start < lowest:
                _pulled_in(row, start, material_offsets, material_supply, receipt, starts,
                           lead_time, start_calendar, receipt_calendar, last_day)  # fmt: skip
        starts[row] = start
        by_need = _on_or_before(last_day, receipt_calendar[row], needed[row])
        if by_need < possible:
            by_need = _on_or_after(first_day, receipt_calendar[row], possible)
        receipt[row] = min(by_need, LATEST_DAY)
        ready[row] = _ready(row, made[row], floors, finish, lead_time, receipt, receipt_calendar,
                            first_day)  # fmt: skip
    return starts, receipt, finish, waits, wait_centers, wait_until


@njit(cache=True)
def _pulled_in(row, start, material_offsets, material_supply, receipt, starts, lead_time,
               start_calendar, receipt_calendar, last_day):  # fmt: skip
    """Its planned components received by an order's ``start`` (each can be:
    ``start`` is no earlier than the day it is ready)."""
    for peg in range(material_offsets[row], material_offsets[row + 1]):
        supply = material_supply[peg]
        if supply >= 0 and receipt[supply] > start:
            receipt[supply] = _on_or_before(last_day, receipt_calendar[supply], start)
            latest = receipt[supply] - lead_time[supply]
            on_day = _on_or_before(last_day, start_calendar[supply], latest)
            starts[supply] = min(starts[supply], on_day)


@njit(cache=True)
def _first_day(row, pull, floor, material_offsets, material_supply, material_day, ready,
               start_calendar, first_day):  # fmt: skip
    """The first day an order's work may start: its first possible start or,
    with ``pull``, the first start day by which its components can be there
    (planned ones received as early as they can be)."""
    if not pull:
        return floor
    arrival = 0
    for peg in range(material_offsets[row], material_offsets[row + 1]):
        supply = material_supply[peg]
        arrival = max(arrival, ready[supply] if supply >= 0 else material_day[peg])
    return max(_on_or_after(first_day, start_calendar[row], arrival), 0)


@njit(cache=True)
def _ready(row, made, floors, finish, lead_time, receipt, receipt_calendar, first_day):
    """The earliest an order could be received: started on its first possible
    day (its components where they are), its work where it is."""
    earliest = max(floors[row] + lead_time[row], finish[row] + 1 if made else floors[row])
    return min(_on_or_after(first_day, receipt_calendar[row], earliest), receipt[row])


@njit(cache=True)
def _made_earlier(row, book, count, book_from, book_to, floors, starts, finish, waits,
                  wait_centers, wait_until, ready, receipt, op_offsets, op_centers, op_minutes,
                  lead_time, start_calendar, receipt_calendar, last_day, first_day, free,
                  held):  # fmt: skip
    """Give back a placed work order's minutes and take the first free ones
    from its first possible day on instead (it ends no later: its own are
    among them); its start and receipt move in with it."""
    for taken in range(book_from[row], book_to[row]):
        free[int(book[taken, 0]), int(book[taken, 1])] += book[taken, 2] + book[taken, 3]
    first, last = op_offsets[row], op_offsets[row + 1]
    book_from[row] = count
    end, wait, wait_center, until, book, count = _load_forward(
        floors[row], op_centers[first:last], op_minutes[first:last], free, held, False, book,
        count,
    )  # fmt: skip
    book_to[row] = count
    if end < finish[row]:
        finish[row], waits[row], wait_centers[row], wait_until[row] = end, wait, wait_center, until
    finish[row] = min(finish[row], end)
    ready[row] = _ready(row, True, floors, finish, lead_time, receipt, receipt_calendar, first_day)
    # it may start as early as its work now does
    begin = int(book[book_from[row], 1]) if count > book_from[row] else floors[row]
    on_day = _on_or_before(last_day, start_calendar[row], begin)
    starts[row] = max(min(starts[row], on_day), floors[row])
    return book, count


@njit(cache=True)
def _booked(book, count, center, day, from_free, from_held):
    """``book`` with one more row (work center, day, minutes taken of the free
    ones and of the held ones), grown as needed."""
    if count == book.shape[0]:
        bigger = np.empty((2 * book.shape[0], 4))
        bigger[:count] = book
        book = bigger
    book[count, 0], book[count, 1] = center, day
    book[count, 2], book[count, 3] = from_free, from_held
    return book, count + 1


@njit(cache=True)
def _take(free, held, center, day, need, use_held):
    """Take up to ``need`` minutes of a work center's day, free ones first,
    then (``use_held``) held ones: the minutes taken of each."""
    from_free = min(max(free[center, day], 0.0), need)
    from_held = min(held[center, day], need - from_free) if use_held else 0.0
    free[center, day] -= from_free
    held[center, day] -= from_held
    return from_free, from_held


@njit(cache=True)
def _fit_backward(low, high, centers, minutes, free, held, use_held, book, count):
    """Take the latest minutes from day ``high`` back to day ``low`` (free
    ones, and held ones with ``use_held``) for operations in sequence
    (``minutes`` on ``centers``), last first, the next one starting no
    earlier than the day the previous one ends: the days the last one ends
    and the first one starts when they fit (``high`` when there is no work),
    else -1, with nothing taken; and ``book`` with what was taken."""
    if high >= free.shape[1] and low <= high:  # past the horizon: unlimited
        return high, high, book, count
    first = count
    day, end = high, -1
    for op in range(centers.shape[0] - 1, -1, -1):
        center, need = centers[op], minutes[op]
        while day >= low:
            from_free, from_held = _take(free, held, center, day, need, use_held)
            if from_free + from_held > 0:
                book, count = _booked(book, count, center, day, from_free, from_held)
                need -= from_free + from_held
                if end < 0:
                    end = day
            if need <= 1e-9:
                break
            day -= 1
        if need > 1e-9:
            for taken in range(first, count):  # give it all back
                center, on = int(book[taken, 0]), int(book[taken, 1])
                free[center, on] += book[taken, 2]
                held[center, on] += book[taken, 3]
            return -1, -1, book, first
    return (end, day, book, count) if end >= 0 else (high, high, book, count)


@njit(cache=True)
def _load_forward(earliest, centers, minutes, free, held, use_held, book, count):
    """Take the first minutes, free (or held, with ``use_held``) from day
    ``earliest`` on for operations in sequence, splitting one over days as
    needed, the next starting on the day the previous one ends at the
    earliest; past the horizon capacity is unlimited. The day the last one
    ends, the longest wait for a full work center, with that work center and
    the day the wait ended; and ``book`` with what was taken."""
    horizon = free.shape[1]
    day = max(earliest, 0)
    wait, wait_center, wait_until = 0, -1, -1
    for op in range(centers.shape[0]):
        center, need = centers[op], minutes[op]
        ready = day
        while day < horizon and free[center, day] <= 0 and (not use_held or held[center, day] <= 0):
            day += 1
        if day - ready > wait:
            wait, wait_center, wait_until = day - ready, center, day
        while day < horizon:
            from_free, from_held = _take(free, held, center, day, need, use_held)
            if from_free + from_held > 0:
                book, count = _booked(book, count, center, day, from_free, from_held)
            need -= from_free + from_held
            if need <= 1e-9:
                break
            day += 1
    return day, wait, wait_center, wait_until, book, count


def _placed(level: pl.DataFrame, placement: _Placement) -> pl.DataFrame:
    """A level's orders as the serial placement dated them: released on their
    earliest day."""
    row = pl.col("order_row")
    return level.with_columns(
        start_day=pl.lit(placement.start).gather(row),
        finish_day=pl.when(pl.col("replenishment") == "make").then(
            pl.lit(placement.finish).gather(row)
        ),
        wait_days=pl.lit(placement.wait_days).gather(row),
        wait_center=pl.lit(placement.wait_center).gather(row),
        wait_until=pl.lit(placement.wait_until).gather(row),
    )


def _earliest(
    level: pl.DataFrame, calendars: Calendars, lead_time_on: bool, material_on: bool
) -> pl.DataFrame:
    """Each order's earliest start: its target start, no earlier than as-of
    and its material day, on a day of its start calendar: the last one by its
    target when that is allowed (a start on a weekend moves to Friday, as the
    MRP's does), else the first one after (``_serial_kernel`` does the same)."""
    level = level.with_columns(
        lowest=pl.max_horizontal(
            pl.lit(0 if lead_time_on else -DAY_OFFSET),
            pl.col("material_day") if material_on else pl.lit(-DAY_OFFSET),
        )
    )
    wanted = pl.max_horizontal("target_start", "lowest")
    before = calendars.last_on_or_before(pl.col("start_calendar"), wanted)
    return level.with_columns(
        earliest=pl.when(before >= pl.col("lowest"))
        .then(before)
        .otherwise(calendars.first_on_or_after(pl.col("start_calendar"), wanted))
    )


def _unloaded(level: pl.DataFrame) -> pl.DataFrame:
    return level.with_columns(
        start_day="earliest",
        finish_day=pl.lit(None, pl.Int64),
        wait_days=pl.lit(0, pl.Int64),
        wait_center=pl.lit(-1, pl.Int64),
        wait_until=pl.lit(-1, pl.Int64),
    )


def _received(
    level: pl.DataFrame,
    calendars: Calendars,
    lead_time_on: bool,
    placement: _Placement | None = None,
) -> pl.DataFrame:
    """Receipt on the order's receiving calendar: the last receiving day by the
    day it is needed (``target_receipt``: its requested day, or earlier for a
    parent made early) when it can be there by then; else the first one from
    its start plus its lead time, or the day after its last operation. With a
    ``placement``, the day it gives (the same, or earlier for a component a
    parent pulled in)."""
    if placement is not None:
        receipt = pl.lit(placement.receipt).gather(pl.col("order_row"))
    else:
        # without the lead time constraint, lead times compress as far as needed
        by_lead_time = pl.col("start_day") + pl.col("lead_time_days") * lead_time_on
        after_work = pl.col("finish_day") + 1
        possible = pl.max_horizontal(by_lead_time, after_work.fill_null(by_lead_time))
        by_need = calendars.last_on_or_before(pl.col("receipt_calendar"), pl.col("target_receipt"))
        receipt = (
            pl.when(by_need >= possible)
            .then(by_need)
            .otherwise(calendars.first_on_or_after(pl.col("receipt_calendar"), possible))
        )
    start = pl.col("start_day") if lead_time_on else pl.col("start_day").clip(lower_bound=0)
    return level.with_columns(
        requested_day="receipt_day",
        receipt_day=receipt.clip(upper_bound=LATEST_DAY),
        start_day=start.clip(0, LATEST_DAY),
    )


def _causes(
    level: pl.DataFrame, skus: pl.DataFrame, centers: pl.Series, known: _Known
) -> pl.DataFrame:
    """Why each order moved: the constraint behind most of its delay (material
    before lead time before capacity on a tie) and what it names (capacity: the
    work center it waited for longest, or itself when its own work outlasts
    its lead time; a delay by closed days alone is its lead time's); for a
    material delay, the root: what held the component order it waited for."""
    delay = pl.col("receipt_day") - pl.col("requested_day")
    lead_time = (-pl.col("required_start_day")).clip(lower_bound=0)
    planned_start = pl.col("required_start_day").clip(lower_bound=0)
    material = (pl.col("material_day") - planned_start).clip(lower_bound=0)
    # work centers held it: it waited for a full one, or its work outlasts its lead time
    busy = (pl.col("wait_center") >= 0) | (
        pl.col("finish_day") + 1 > pl.col("start_day") + pl.col("lead_time_days")
    ).fill_null(False)
    cause = (
        pl.when(delay <= 0)
        .then(ON_TIME_CODE)
        .when((material > 0) & (material >= pl.max_horizontal(lead_time, delay - material)))
        .then(MATERIAL_CODE)
        .when((lead_time > 0) & (lead_time >= delay - lead_time))
        .then(LEAD_TIME_CODE)
        .when(busy)
        .then(CAPACITY_CODE)
        .otherwise(LEAD_TIME_CODE)  # its calendar: closed days on the way
        .cast(pl.Int8)
    )
    center_id = pl.lit(centers).gather(pl.col("wait_center").clip(lower_bound=0))
    center_ref = center_id if centers.len() else pl.lit(None, pl.String)
    level = level.with_columns(cause=cause).with_columns(
        cause_ref=pl.when(pl.col("cause") == CAPACITY_CODE)
        .then(pl.when(pl.col("wait_center") >= 0).then(center_ref).otherwise("order_id"))
        .when(pl.col("cause") == MATERIAL_CODE)
        .then(pl.lit(skus["sku_id"]).gather(pl.col("component_sku").fill_null(0)))
        .when(pl.col("cause") == LEAD_TIME_CODE)
        .then(pl.col("order_id"))
    )
    component = level["component_order"].fill_null(-1).to_numpy()
    inherits = (level["cause"].to_numpy() == MATERIAL_CODE) & (component >= 0)
    inherits[inherits] &= known.root_cause[component[inherits]] != ON_TIME_CODE
    root_cause = level["cause"].to_numpy().copy()
    root_cause[inherits] = known.root_cause[component[inherits]]
    root_ref = [
        known.root_ref[c] if held else ref
        for c, held, ref in zip(component, inherits, level["cause_ref"].to_list(), strict=True)
    ]
    return level.with_columns(
        root_cause=pl.Series(root_cause, dtype=pl.Int8),
        root_ref=pl.Series(root_ref, dtype=pl.String),
    )


def redated_pegs(pegs: pl.DataFrame, orders: pl.DataFrame) -> pl.DataFrame:
    """Pegs with planned supply on its order's (constrained) receipt day, and
    component or transfer demand on its order's start day."""
    receipt, start = orders["receipt_day"].to_numpy(), orders["start_day"].to_numpy()
    kind, ref = pegs["supply_kind"].to_numpy(), pegs["supply_ref"].to_numpy()
    supply_day = pegs["supply_day"].to_numpy().copy()
    planned = kind == PLANNED
    supply_day[planned] = receipt[ref[planned]]
    dependent = pegs["demand_kind"].is_in([COMPONENT, TRANSFER]).to_numpy()
    demand_day = pegs["demand_day"].to_numpy().copy()
    demand_day[dependent] = start[pegs["demand_ref"].to_numpy()[dependent].astype(np.int64)]
    return pegs.with_columns(
        supply_day=pl.Series(supply_day, dtype=pl.Int64),
        demand_day=pl.Series(demand_day, dtype=pl.Int64, nan_to_null=True),
    )
