"""The material plan: MPS, multi-level MRP and DRP over one SKU graph, level by level.

``plan_materials`` is the whole chain; each step is a function of its own
module (``levels``, ``netting``, ``lot_sizing``, ``orders``, ``bom``,
``inventory``, ``pegging``, ``actions``, ``exceptions``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from planning.config import PlanningRules
from planning.mrp import exceptions as found
from planning.mrp.actions import RECEIPTS, action_messages
from planning.mrp.bom import bom_links, explode_bom
from planning.mrp.buckets import date_of, day_of
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
from planning.mrp.netting import PROJECTED_INVENTORY, SKU_PARAMETERS, net_requirements
from planning.mrp.orders import planned_orders, purchase_requests, transfer_orders, work_orders
from planning.mrp.pegging import DEMAND, peg

PROJECTED_QUANTITIES = [n for n in PROJECTED_INVENTORY if n not in ("sku_idx", "day")]
QTY_DECIMALS = 6
LAST_RANK = 1_000_000  # demand without a priority comes after every prioritised one


@dataclass(frozen=True)
class MaterialPlan:
    planned_orders: pl.DataFrame
    work_orders: pl.DataFrame
    purchase_requests: pl.DataFrame
    transfer_orders: pl.DataFrame
    action_messages: pl.DataFrame
    exceptions: pl.DataFrame
    pegging: pl.DataFrame
    projected_inventory: pl.DataFrame

    def tables(self) -> dict[str, pl.DataFrame]:
        """The plan tables of CONTRACT.md section 2 this plan fills, by name,
        quantities rounded to ``QTY_DECIMALS`` places (no float noise in files)."""
        tables = {
            "work_orders": self.work_orders,
            "purchase_requests": self.purchase_requests,
            "transfer_orders": self.transfer_orders,
            "action_messages": self.action_messages,
            "exceptions": self.exceptions,
            "pegging": self.pegging,
            "projected_inventory": self.projected_inventory,
        }
        return {
            name: frame.with_columns(pl.col(pl.Float64).round(QTY_DECIMALS))
            for name, frame in tables.items()
        }


def plan_materials(
    inputs: PlanningInputs, as_of: date, horizon_days: int, rules: PlanningRules
) -> MaterialPlan:
    """Plan every SKU in low-level-code order; see CONTRACT.md section 3."""
    skus = with_policies(inputs.skus, rules)
    links = bom_links(skus, inputs.bom, as_of)
    edges = network_edges(skus, links)
    levels = planning_levels(skus, edges)
    independent = independent_demand(inputs.demand, as_of)
    receipts = existing_receipts(inputs.supply, as_of)

    demand_by_level = _by_level(independent, levels)
    planned, rescheduled, dependent, projected = [], [], [], []
    for level in sorted(levels["planning_level"].unique().to_list()):
        level_skus = skus.join(levels.filter(pl.col("planning_level") == level), on="sku_idx")
        gross = (
            pl.concat(demand_by_level.pop(level, [pl.DataFrame(schema=DEMAND)]))
            .group_by("sku_idx", "day")
            .agg(pl.col("qty").sum())
            .sort("sku_idx", "day")
        )
        level_receipts = receipts.join(level_skus.select("sku_idx"), on="sku_idx").sort(
            "sku_idx", "original_day", "supply_type", "supply_id"
        )
        netted = net_requirements(
            kernel_parameters(level_skus, gross, horizon_days),
            gross,
            level_receipts.select("sku_idx", pl.col("original_day").alias("day"), "qty", "movable"),
            horizon_days=horizon_days,
            reschedule_in_days=rules.reschedule_in_days,
        )
        rescheduled.append(level_receipts.with_columns(day=netted.receipt_days))
        projected.append(netted.projected_inventory)
        orders = planned_orders(netted.planned_lots, skus, as_of)
        planned.append(orders)
        components = explode_bom(orders, links, skus).with_columns(rank=pl.lit(LAST_RANK, pl.Int64))
        # demand on SKUs already planned can only come along a cycle: dropped
        # (the cycle is reported), from netting and pegging alike
        for lower, frames in _by_level(components.cast(DEMAND), levels).items():
            if lower > level:
                demand_by_level.setdefault(lower, []).append(frames[0])
                dependent.append(frames[0])

    orders = pl.concat(planned)
    receipts = pl.concat(rescheduled).cast(RECEIPTS)
    demand = pl.concat([independent, *dependent])
    inventory = pl.concat(projected)
    pegging = peg(all_supply(skus, receipts, orders), demand, skus)
    messages = action_messages(receipts, pegging.supply, skus, rules, as_of)
    exceptions = pl.concat(
        [
            found.shortages(inventory, skus, as_of),
            found.late_demand(pegging.pegs, pegging.short_demand, skus, as_of),
            found.lead_time_compressed(orders, skus, as_of),
            found.below_safety_stock(inventory, skus, as_of),
            found.excess_inventory(inventory, skus, as_of),
            found.qa_hold_blocking(skus, inventory, as_of),
            invalid_network(skus, inputs.bom, edges, as_of),
            invalid_policies(skus, as_of),
            found.without_sku(inputs.demand, inputs.supply, as_of),
        ]
    ).sort("category", "item_id", "location_id", "date", "ref_id", nulls_last=True)
    return MaterialPlan(
        planned_orders=orders,
        work_orders=work_orders(orders, skus, as_of),
        purchase_requests=purchase_requests(orders, skus, as_of),
        transfer_orders=transfer_orders(orders, skus, as_of),
        action_messages=messages,
        exceptions=exceptions,
        pegging=_with_dates(pegging.pegs, skus, as_of),
        projected_inventory=_with_sku_columns(inventory, skus, as_of),
    )


def with_policies(skus: pl.DataFrame, rules: PlanningRules) -> pl.DataFrame:
    """Kernel policy codes, holding cost, and the earliest day new supply may
    arrive (the MPS time fence for end items). A policy missing a parameter it
    needs falls back to lot for lot (``requested_policy`` keeps what was asked)."""
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
    return skus.with_columns(requested_policy=policy_code()).with_columns(
        policy=pl.when(usable).then("requested_policy").otherwise(pl.lit(LOT_FOR_LOT, pl.Int8)),
        holding_cost=holding_cost_per_day().fill_null(0.0),
        earliest_planned_day=pl.when(pl.col("is_mps_item"))
        .then(rules.mps_time_fence_days)
        .otherwise(0)
        .cast(pl.Int64),
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
    """Demand read from the marts, on day numbers, ranked by priority."""
    return (
        demand.filter(pl.col("sku_idx").is_not_null())
        .select(
            "sku_idx",
            "demand_type",
            "demand_id",
            day=day_of("demand_date", as_of),
            rank=pl.col("priority").fill_null(LAST_RANK),
            qty="qty",
        )
        .cast(DEMAND)
    )


def existing_receipts(supply: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """Open receipts on day numbers; transfers already shipped cannot be moved."""
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
        .cast(RECEIPTS)
    )


def all_supply(skus: pl.DataFrame, receipts: pl.DataFrame, orders: pl.DataFrame) -> pl.DataFrame:
    """Stock on hand, existing receipts and planned receipts, in pegging order."""
    return pl.concat(
        [
            skus.select(
                "sku_idx",
                supply_type=pl.lit("on_hand"),
                supply_id=pl.lit("on_hand"),
                day=pl.lit(0, pl.Int64),
                rank=pl.lit(0, pl.Int64),
                qty="on_hand",
            ),
            receipts.select(
                "sku_idx", "supply_type", "supply_id", "day", rank=pl.lit(1, pl.Int64), qty="qty"
            ),
            orders.select(
                "sku_idx",
                supply_type=pl.lit("planned_order"),
                supply_id="order_id",
                day="receipt_day",
                rank=pl.lit(2, pl.Int64),
                qty="receipt_qty",
            ),
        ],
        how="vertical_relaxed",
    )


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
    return {key[0]: [part.select(DEMAND.keys())] for key, part in parts.items()}


def _sku_names(skus: pl.DataFrame, sku_idx: pl.Series) -> dict[str, pl.Series]:
    """item_id and location_id for each sku_idx (skus rows are in sku_idx order)."""
    return {name: skus[name].gather(sku_idx) for name in ("item_id", "location_id")}


def _with_sku_columns(frame: pl.DataFrame, skus: pl.DataFrame, as_of: date) -> pl.DataFrame:
    return frame.with_columns(
        **_sku_names(skus, frame["sku_idx"]), date=date_of(pl.col("day"), as_of)
    ).select("item_id", "location_id", "date", *PROJECTED_QUANTITIES)


def _with_dates(pegs: pl.DataFrame, skus: pl.DataFrame, as_of: date) -> pl.DataFrame:
    return pegs.with_columns(**_sku_names(skus, pegs["sku_idx"])).select(
        "supply_id",
        "demand_id",
        "item_id",
        "location_id",
        "qty",
        "supply_type",
        "demand_type",
        supply_date=date_of(pl.col("supply_day"), as_of),
        demand_date=date_of(pl.col("demand_day"), as_of),
    )
