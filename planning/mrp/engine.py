"""The material plan: MPS, multi-level MRP and DRP over one SKU graph, level by level.

``plan_materials`` is the whole chain; each step is a function of its own
module (``levels``, ``netting``, ``lot_sizing``, ``orders``, ``bom``,
``pegging``, ``actions``, ``exceptions``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial

import numpy as np
import polars as pl

from planning.config import PlanningRules
from planning.mrp import exceptions as found
from planning.mrp.actions import RECEIPTS, action_messages, feasible_receipts
from planning.mrp.bom import LAST_RANK, bom_links, explode_bom
from planning.mrp.buckets import date_of, day_of
from planning.mrp.calendars import ALWAYS, Calendars, location_calendars
from planning.mrp.constrained import (
    CAPACITY,
    LEAD_TIME,
    Capacity,
    constrain_orders,
    order_priorities,
    priority_keys,
    redated_pegs,
)
from planning.mrp.inputs import PlanningInputs
from planning.mrp.levels import cycles, network_edges, planning_levels
from planning.mrp.lot_sizing import (
    DAYS_PER_YEAR,
    EOQ,
    FIXED,
    LOT_FOR_LOT,
    PERIOD,
    WAGNER_WHITIN,
    economic_order_qty,
    holding_cost_per_day,
    policy_code,
)
from planning.mrp.netting import (
    PROJECTED_INVENTORY,
    SKU_PARAMETERS,
    gross_requirements,
    net_requirements,
)
from planning.mrp.orders import (
    ORDER_TABLES,
    planned_orders,
    purchase_requests,
    transfer_orders,
    work_orders,
)
from planning.mrp.pegging import (
    COMPONENT,
    DEMAND,
    DEMAND_ORDER,
    INDEPENDENT,
    ON_HAND,
    PEGS,
    PLANNED,
    RECEIPT,
    SUPPLY,
    TRANSFER,
    PegNames,
    fifo_order,
    peg,
)
from planning.mrp.promises import demand_promises

PROJECTED_QUANTITIES = [n for n in PROJECTED_INVENTORY if n not in ("sku_idx", "day")]
# float noise cleared from the plan tables in memory (pegging sums, balances);
# what is written is rounded further by planning.precision
NOISE_DECIMALS = 6
# the plan tables of CONTRACT.md section 2 the material plan fills
ORDER_FILES = {
    "work_orders": work_orders,
    "purchase_requests": purchase_requests,
    "transfer_orders": transfer_orders,
}
PLAN_TABLES = (
    "work_orders",
    "purchase_requests",
    "transfer_orders",
    "action_messages",
    "exceptions",
    "pegging",
    "projected_inventory",
    "demand_promises",
)
# the largest, laid down a level at a time: handed to ``Publish`` as each
# level is done, or kept until the plan is complete
LEVEL_TABLES = ("pegging", "projected_inventory")

# where plan tables go: (table, rows by reference, what names a batch of them)
Publish = Callable[[str, pl.DataFrame, Callable[[pl.DataFrame], pl.DataFrame]], None]


@dataclass(frozen=True)
class MaterialPlan:
    """The plan. Its tables are kept by reference (``sku_idx``, order and
    demand rows) and named when they are read: all at once (``table``, the
    properties) or a batch at a time (``publish``). Pegging and projected
    inventory are not kept when ``plan_materials`` published them level by
    level (``published``)."""

    planned_orders: pl.DataFrame  # PLANNED_ORDERS with their order_row
    action_messages: pl.DataFrame
    exceptions: pl.DataFrame
    demand_promises: pl.DataFrame  # promises.DEMAND_PROMISES
    # minutes the constrained plan loads per capacity.work_centers and day; None
    # without the capacity constraint
    loaded_minutes: np.ndarray | None
    skus: pl.DataFrame  # the planned SKUs, row i is sku_idx i
    names: PegNames
    as_of: date
    level_rows: dict[str, list[pl.DataFrame]]  # LEVEL_TABLES by reference; {} when published
    level_counts: dict[str, int]  # rows of each of LEVEL_TABLES

    @property
    def published(self) -> bool:
        """LEVEL_TABLES went to a ``Publish`` while planning, and are not kept."""
        return not self.level_rows

    @property
    def work_orders(self) -> pl.DataFrame:
        return self._named("work_orders", self._unnamed("work_orders"))

    @property
    def purchase_requests(self) -> pl.DataFrame:
        return self._named("purchase_requests", self._unnamed("purchase_requests"))

    @property
    def transfer_orders(self) -> pl.DataFrame:
        return self._named("transfer_orders", self._unnamed("transfer_orders"))

    @property
    def pegging(self) -> pl.DataFrame:
        return self._named("pegging", self._unnamed("pegging"))

    @property
    def projected_inventory(self) -> pl.DataFrame:
        return self._named("projected_inventory", self._unnamed("projected_inventory"))

    def row_counts(self) -> dict[str, int]:
        return {
            name: self.level_counts[name] if name in LEVEL_TABLES else self._unnamed(name).height
            for name in PLAN_TABLES
        }

    def table(self, name: str) -> pl.DataFrame:
        """Plan table ``name``, quantities rounded to ``NOISE_DECIMALS`` places
        (no float noise)."""
        return self._published(name, self._unnamed(name))

    def tables(self) -> dict[str, pl.DataFrame]:
        return {name: self.table(name) for name in PLAN_TABLES}

    def publish(self, publish: Publish) -> None:
        """Hand every plan table not published yet to ``publish``, by reference,
        with what names a batch of its rows as ``table`` would."""
        for name in PLAN_TABLES:
            if not (self.published and name in LEVEL_TABLES):
                publish(name, self._unnamed(name), partial(self._published, name))

    def _published(self, name: str, rows: pl.DataFrame) -> pl.DataFrame:
        return published_rows(name, rows, self.names, self.skus, self.as_of)

    def _unnamed(self, name: str) -> pl.DataFrame:
        if name in ORDER_TABLES:
            return self.planned_orders.filter(pl.col("replenishment") == ORDER_TABLES[name])
        if name in LEVEL_TABLES:
            if self.published:
                raise ValueError(f"{name} was published level by level while planning, not kept")
            return pl.concat(self.level_rows[name])
        return getattr(self, name)

    def _named(self, name: str, rows: pl.DataFrame) -> pl.DataFrame:
        return named_rows(name, rows, self.names, self.skus, self.as_of)


def named_rows(
    name: str, rows: pl.DataFrame, names: PegNames, skus: pl.DataFrame, as_of: date
) -> pl.DataFrame:
    """Rows of plan table ``name`` kept by reference, spelled out as published."""
    if name in ORDER_TABLES:
        return ORDER_FILES[name](rows, skus, as_of)
    if name == "pegging":
        return names.pegging(rows, as_of)
    if name == "projected_inventory":
        named = pl.concat([rows, names.skus[rows["sku_idx"]]], how="horizontal")
        return named.with_columns(date=date_of(pl.col("day"), as_of)).select(
            "item_id", "location_id", "date", *PROJECTED_QUANTITIES
        )
    return rows


def published_rows(
    name: str, rows: pl.DataFrame, names: PegNames, skus: pl.DataFrame, as_of: date
) -> pl.DataFrame:
    """``named_rows`` with quantities rounded to ``NOISE_DECIMALS`` places (no
    float noise)."""
    named = named_rows(name, rows, names, skus, as_of)
    return named.with_columns(pl.col(pl.Float64).round(NOISE_DECIMALS))


def plan_materials(
    inputs: PlanningInputs,
    as_of: date,
    horizon_days: int,
    rules: PlanningRules,
    publish: Publish | None = None,
    capacity: Capacity | None = None,
    open_work: pl.DataFrame | None = None,
) -> MaterialPlan:
    """Plan every SKU in low-level-code order; see CONTRACT.md section 3.

    Each level is netted, lot-sized and pegged before the next: its demand is
    complete once the levels above it are planned, and the demand it passes
    down is all that is kept of it besides its results. Its pegging and
    projected inventory, the largest tables by far, go to ``publish`` when one
    is given (a writer storing them while the next level is planned), and are
    kept in the plan otherwise.

    Then the orders move to the dates ``rules.constraints`` allow
    (``planning.mrp.constrained``; ``capacity`` is the work centers' time,
    without which capacity constrains nothing): the pegging follows them, so
    it is kept until then, and late demand and promises come from it. Where
    lead time constrains, existing receipts are not pulled in earlier than
    they can arrive (``actions.feasible_receipts``; ``open_work`` is when each
    open work order can finish, without which nothing bounds them)."""
    constraints = rules.constraints
    calendars = location_calendars(inputs.calendar, as_of, horizon_days)
    skus = with_policies(inputs.skus, rules, calendars)
    links = bom_links(skus, inputs.bom, as_of)
    edges = network_edges(skus, links)
    levels = planning_levels(skus, edges)
    independent = independent_demand(inputs.demand, as_of)
    due = found.due_days(inputs.demand, independent["row"], as_of)
    receipts = existing_receipts(inputs.supply, as_of)
    names = partial(
        PegNames,
        skus=skus.select("item_id", "location_id"),
        receipts=receipts.select("supply_type", "supply_id"),
        demand=inputs.demand.select("demand_type", "demand_id")[independent["row"]],
    )

    demand_by_level = _by_level(independent, levels)
    planned, rescheduled, receipts_pegged, found_by_level = [], [], [], []
    all_pegs, independent_pegs, short_demand = [], [], []
    level_rows: dict[str, list[pl.DataFrame]] = {name: [] for name in LEVEL_TABLES}
    level_counts = dict.fromkeys(LEVEL_TABLES, 0)
    planned_so_far = 0
    level_names = names(order_ids=pl.Series("order_id", [], pl.String))  # the orders so far

    def level_table(name: str, rows: pl.DataFrame, named_by: PegNames) -> None:
        """Keep a level's rows of one of LEVEL_TABLES, or hand them to ``publish``."""
        level_counts[name] += rows.height
        if publish is None:
            level_rows[name].append(rows)
        else:
            namer = partial(published_rows, name, names=named_by, skus=skus, as_of=as_of)
            publish(name, rows, namer)

    for level in sorted(levels["planning_level"].unique().to_list()):
        level_skus = skus.join(levels.filter(pl.col("planning_level") == level), on="sku_idx")
        demand = fifo_order(
            pl.concat(demand_by_level.pop(level, [pl.DataFrame(schema=DEMAND)])),
            DEMAND,
            DEMAND_ORDER,
        )
        gross = gross_requirements(demand)
        level_receipts = receipts.join(
            level_skus.select("sku_idx"), on="sku_idx", maintain_order="left"
        )
        netted = net_requirements(
            kernel_parameters(level_skus, gross, horizon_days),
            gross,
            level_receipts.select("sku_idx", pl.col("original_day").alias("day"), "qty", "movable"),
            receiving_days=calendars.last_day,
            reschedule_in_days=rules.reschedule_in_days,
        )
        level_receipts = level_receipts.with_columns(day=netted.receipt_days)
        rescheduled.append(level_receipts)
        inventory = netted.projected_inventory
        # handed over as soon as it is known, for a writer to store meanwhile
        # (it names no orders, so the names so far will do)
        level_table("projected_inventory", inventory, level_names)
        orders = planned_orders(netted.planned_lots, skus, calendars, as_of).with_columns(
            order_row=pl.int_range(planned_so_far, planned_so_far + pl.len(), dtype=pl.Int64),
            planning_level=pl.lit(level, pl.Int64),
        )
        planned_so_far += orders.height
        planned.append(orders)
        level_pegging = peg(all_supply(level_skus, level_receipts, orders), demand, level_skus)
        # of the supply, action messages need the existing receipts only
        receipts_pegged.append(level_pegging.supply.filter(pl.col("kind") == RECEIPT))
        level_names = names(order_ids=pl.concat([o["order_id"] for o in planned]))
        short_demand.append(level_pegging.short_demand)
        if constraints:  # its dates follow the constrained orders: kept until they are known
            all_pegs.append(level_pegging.pegs)
        else:
            level_table("pegging", level_pegging.pegs, level_names)
            independent_pegs.append(level_pegging.pegs.filter(pl.col("demand_kind") == INDEPENDENT))
        # its exceptions once both large tables are with the writer
        found_by_level.append(inventory_exceptions(inventory, skus, as_of))
        if not constraints:
            found_by_level.append(
                found.late_demand(
                    level_pegging.pegs, level_pegging.short_demand, level_names, due, skus, as_of
                )
            )
        # demand on SKUs already planned can only come along a cycle: dropped
        # (the cycle is reported), from netting and pegging alike
        for lower, frames in _by_level(explode_bom(orders, links, skus), levels).items():
            if lower > level:
                demand_by_level.setdefault(lower, []).append(frames[0])

    orders = pl.concat(planned)
    receipts = pl.concat(rescheduled).sort("receipt_row")
    if LEAD_TIME in constraints:
        receipts = feasible_receipts(receipts, skus, calendars, open_work)
    else:
        receipts = receipts.with_columns(held=pl.lit(False))
    short = pl.concat(short_demand)
    loaded = None
    if constraints:
        pegs = pl.concat(all_pegs)
        keys = independent.select(priority_keys(pl.col("rank"), pl.lit(due))).to_series()
        priority = order_priorities(orders, pegs, keys)
        dependent = short.filter(pl.col("kind").is_in([COMPONENT, TRANSFER]))
        constrained, loaded = constrain_orders(
            orders,
            pegs,
            dependent.select(order_row="ref", component_sku="sku_idx"),
            receipts["day"],
            skus,
            priority,
            calendars,
            constraints,
            capacity if CAPACITY in constraints else None,
        )
        orders = _redated(orders, constrained, skus)
        pegs = _on_receipt_days(redated_pegs(pegs, orders), receipts["day"])
        level_table("pegging", pegs, names(order_ids=orders["order_id"]))
        found_by_level.append(
            found.late_demand(pegs, short, names(order_ids=orders["order_id"]), due, skus, as_of)
        )
        independent_pegs = [pegs.filter(pl.col("demand_kind") == INDEPENDENT)]
    else:
        constrained = orders.select(
            "order_row",
            "order_id",
            "start_day",
            "requested_day",
            cause=pl.lit(0, pl.Int8),
            cause_ref=pl.lit(None, pl.String),
            wait_until=pl.lit(-1, pl.Int64),
            root_cause=pl.lit(0, pl.Int8),
            root_ref=pl.lit(None, pl.String),
        )
    final_names = names(order_ids=orders["order_id"])
    exceptions = pl.concat(
        [
            *found_by_level,
            found.lead_time_compressed(orders, skus, as_of),
            invalid_network(skus, inputs.bom, edges, as_of),
            invalid_policies(skus, as_of),
            found.without_sku(inputs.demand, inputs.supply, as_of),
        ]
    ).sort(found.EXCEPTION_ORDER, nulls_last=True)
    return MaterialPlan(
        planned_orders=orders,
        action_messages=action_messages(
            receipts, pl.concat(receipts_pegged), skus, rules, calendars, as_of
        ),
        exceptions=exceptions,
        demand_promises=demand_promises(
            pl.concat([pl.DataFrame(schema=PEGS), *independent_pegs]),
            short.filter(pl.col("kind") == INDEPENDENT),
            constrained.with_columns(order_id=orders["order_id"]),
            due,
            final_names,
            receipts["held"],
            skus,
            inputs.demand.filter(pl.col("sku_idx").is_null()),
            as_of,
            horizon_days,
        ),
        loaded_minutes=loaded,
        skus=skus,
        names=final_names,
        as_of=as_of,
        level_rows=level_rows if publish is None else {},
        level_counts=level_counts,
    )


def _redated(orders: pl.DataFrame, constrained: pl.DataFrame, skus: pl.DataFrame) -> pl.DataFrame:
    """Planned orders on their constrained dates; the lead time they ask for
    now counts back from the constrained receipt."""
    return orders.with_columns(
        receipt_day=constrained["receipt_day"],
        start_day=constrained["start_day"],
        requested_day=constrained["requested_day"],
    ).with_columns(
        required_start_day=pl.col("receipt_day")
        - pl.lit(skus["lead_time_days"]).gather(pl.col("sku_idx"))
    )


def _on_receipt_days(pegs: pl.DataFrame, receipt_days: pl.Series) -> pl.DataFrame:
    """Pegs with existing supply on its receipt's day (by receipt row)."""
    receipts = (pegs["supply_kind"] == RECEIPT).to_numpy()
    supply_day = pegs["supply_day"].to_numpy().copy()
    supply_day[receipts] = receipt_days.to_numpy()[pegs["supply_ref"].to_numpy()[receipts]]
    return pegs.with_columns(supply_day=pl.Series(supply_day, dtype=pl.Int64))


def inventory_exceptions(inventory: pl.DataFrame, skus: pl.DataFrame, as_of: date):
    """What the projected inventory of some SKUs shows: shortages, dips below
    safety stock, excess stock, and stock held in QA while supply is needed."""
    return pl.concat(
        [
            found.shortages(inventory, skus, as_of),
            found.below_safety_stock(inventory, skus, as_of),
            found.excess_inventory(inventory, skus, as_of),
            found.qa_hold_blocking(skus, inventory, as_of),
        ]
    )


def with_policies(skus: pl.DataFrame, rules: PlanningRules, calendars: Calendars) -> pl.DataFrame:
    """Kernel policy codes, holding cost, the SKU's calendars, and the earliest
    day new supply may arrive (the first receiving day from the MPS time fence
    for end items, from as-of for the others). A policy missing a parameter it
    needs falls back to lot for lot (``requested_policy`` keeps what was asked).

    A SKU receives on the open days of its location, or on its working days
    when it makes the item (``receipt_calendar``); it starts orders on its
    working days (make), the open days of its source (transfer), or any day
    (buy: an office date; ``start_calendar``)."""
    cost_known = (
        (pl.col("order_cost") > 0) & (pl.col("unit_cost") > 0) & (pl.col("holding_rate") > 0)
    ).fill_null(False)
    usable = (
        pl.when(pl.col("requested_policy") == FIXED)
        .then((pl.col("lot_size") > 0).fill_null(False))
        .when(pl.col("requested_policy").is_in([EOQ, WAGNER_WHITIN]))
        .then(cost_known)
        .when(pl.col("requested_policy") == PERIOD)
        .then(pl.col("period_days").is_not_null())
        .otherwise(True)
    )
    makes = pl.col("replenishment") == "make"
    fence = pl.when(pl.col("is_mps_item")).then(rules.mps_time_fence_days).otherwise(0)
    return skus.with_columns(
        requested_policy=policy_code(),
        receipt_calendar=calendars.of(pl.col("location_id"), makes),
    ).with_columns(
        policy=pl.when(usable).then("requested_policy").otherwise(pl.lit(LOT_FOR_LOT, pl.Int8)),
        holding_cost=holding_cost_per_day().fill_null(0.0),
        start_calendar=pl.when(makes)
        .then("receipt_calendar")
        .when(pl.col("replenishment") == "transfer")
        .then(calendars.of(pl.col("source_location_id"), pl.lit(False)))
        .otherwise(ALWAYS),
        earliest_planned_day=calendars.first_on_or_after(
            pl.col("receipt_calendar"), fence.cast(pl.Int64)
        ).cast(pl.Int64),
        integer_qty=pl.col("integer_qty").fill_null(False),
    )


def kernel_parameters(skus: pl.DataFrame, gross: pl.DataFrame, horizon_days: int) -> pl.DataFrame:
    """The netting kernel's per-SKU columns; EOQ from the SKU's gross
    requirements over the horizon, scaled to a year."""
    yearly = DAYS_PER_YEAR / horizon_days
    annual = gross.group_by("sku_idx").agg(annual_demand=pl.col("qty").sum() * yearly)
    return (
        skus.join(annual, on="sku_idx", how="left")
        .with_columns(
            pl.col("on_hand", "safety_stock", "lot_size", "min_qty", "multiple", "order_cost")
            .cast(pl.Float64)
            .fill_null(0.0),
            pl.col("period_days").fill_null(1),
            eoq_qty=pl.when(pl.col("policy") == EOQ)
            .then(economic_order_qty(pl.col("annual_demand").fill_null(0.0)))
            .otherwise(0.0),
        )
        .select(SKU_PARAMETERS.keys())
        .cast(SKU_PARAMETERS)
    )


def independent_demand(demand: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """Demand read from the marts (``DEMAND``) on day numbers, ranked by
    priority, in FIFO order (ties by type and id). Its ``ref`` is its place in
    that order, which pegging breaks ties by: the same demand gives the same
    pegs whatever order the marts' rows came in. ``row`` is its row in
    ``demand``, which holds its names."""
    return (
        demand.lazy()
        .with_row_index("row")
        .filter(pl.col("sku_idx").is_not_null())
        .with_columns(
            day=day_of("demand_date", as_of), rank=pl.col("priority").fill_null(LAST_RANK)
        )
        .sort("sku_idx", "day", "rank", "demand_type", "demand_id")
        .select(
            "sku_idx",
            "day",
            "rank",
            kind=pl.lit(INDEPENDENT),
            ref=pl.int_range(pl.len()),
            qty="qty",
            row="row",
        )
        .cast(DEMAND | {"row": pl.Int64})
        .collect()
    )


def existing_receipts(supply: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """Open receipts on day numbers, in netting order (``RECEIPTS``; the row
    number is ``receipt_row``); transfers already shipped cannot be moved."""
    return (
        supply.filter(pl.col("sku_idx").is_not_null())
        .select(
            "sku_idx",
            "supply_type",
            "supply_id",
            "due_date",
            original_day=day_of("receipt_date", as_of),
            day=day_of("receipt_date", as_of),
            qty="qty",
            movable=pl.col("supply_status") != "in_transit",
        )
        .sort("sku_idx", "original_day", "supply_type", "supply_id")
        .with_columns(receipt_row=pl.int_range(pl.len()))
        .cast(RECEIPTS)
    )


def all_supply(skus: pl.DataFrame, receipts: pl.DataFrame, orders: pl.DataFrame) -> pl.DataFrame:
    """Stock on hand, existing receipts and planned receipts (``SUPPLY``)."""
    return pl.concat(
        [
            skus.select(
                "sku_idx", day=pl.lit(0), kind=pl.lit(ON_HAND), ref="sku_idx", qty="on_hand"
            ),
            receipts.select("sku_idx", "day", kind=pl.lit(RECEIPT), ref="receipt_row", qty="qty"),
            orders.select(
                "sku_idx",
                day="receipt_day",
                kind=pl.lit(PLANNED),
                ref="order_row",
                qty="receipt_qty",
            ),
        ],
        how="vertical_relaxed",
    ).cast(SUPPLY)


def invalid_network(
    skus: pl.DataFrame, bom: pl.DataFrame, edges: pl.DataFrame, as_of: date
) -> pl.DataFrame:
    """Cycles, components without a SKU, and transfer SKUs whose source has none."""
    index = skus.select("sku_id", "sku_idx")
    on_cycles = (
        cycles(skus, edges)
        .join(skus.select("sku_idx", "sku_id"), on="sku_idx")
        .group_by("cycle")
        .agg(pl.col("sku_id").sort().str.join(", ").alias("ref_id"))
        .select(
            sku_idx="cycle",
            ref_id="ref_id",
            message=pl.concat_str(
                pl.lit("SKUs on a cycle of BOM and transfer links: "),
                pl.col("ref_id"),
                pl.lit("; they are planned, but requirements are not passed around the cycle"),
            ),
        )
    )
    missing_components = (
        bom.filter(~pl.col("is_component_stocked"))
        .join(index.rename({"sku_id": "parent_sku_id"}), on="parent_sku_id")
        .select(
            "sku_idx",
            ref_id="component_sku_id",
            message=pl.concat_str(
                pl.lit("component "),
                pl.col("component_item_id"),
                pl.lit(" of "),
                pl.col("parent_sku_id"),
                pl.lit(" has no SKU at "),
                pl.col("location_id"),
                pl.lit(": its requirements are not planned"),
            ),
        )
    )
    missing_sources = (
        skus.filter(pl.col("replenishment") == "transfer")
        .join(index.rename({"sku_id": "source_sku_id"}), on="source_sku_id", how="anti")
        .select(
            "sku_idx",
            ref_id="source_sku_id",
            message=pl.concat_str(
                pl.lit("transfer source "),
                pl.col("source_sku_id"),
                pl.lit(" is not a SKU: planned transfers get no supply there"),
            ),
        )
    )
    problems = pl.concat([on_cycles, missing_components, missing_sources])
    return found.invalid_data(problems, skus, as_of)


def invalid_policies(skus: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """SKUs whose lot policy lacks a parameter and was planned lot for lot."""
    fallen_back = skus.filter(pl.col("policy") != pl.col("requested_policy")).select(
        "sku_idx",
        ref_id=pl.col("sku_id"),
        message=pl.concat_str(
            pl.lit("lot policy "),
            pl.col("lot_policy"),
            pl.lit(
                " lacks lot_size, period_days, or order_cost, unit_cost and holding_rate;"
                " planned lot for lot"
            ),
        ),
    )
    return found.invalid_data(fallen_back, skus, as_of, severity="low")


def _by_level(demand: pl.DataFrame, levels: pl.DataFrame) -> dict[int, list[pl.DataFrame]]:
    parts = demand.join(levels, on="sku_idx").partition_by("planning_level", as_dict=True)
    return {key[0]: [part.select(DEMAND.keys()).cast(DEMAND)] for key, part in parts.items()}
