"""Small hand-made planning inputs for the material-plan tests: the frames
``planning.mrp.read_planning_inputs`` would read from the marts."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from planning.config import PlanningRules
from planning.mrp import MaterialPlan, PlanningInputs, plan_materials
from planning.mrp.calendars import LOCATION_CALENDAR

AS_OF = date(2026, 11, 23)
HORIZON_DAYS = 28

SKU_SCHEMA = {
    "sku_id": pl.String, "item_id": pl.String, "location_id": pl.String,
    "replenishment": pl.String, "lead_time_days": pl.Int32,
    "source_location_id": pl.String, "source_sku_id": pl.String, "supplier_id": pl.String,
    "safety_stock": pl.Float64, "lot_policy": pl.String, "lot_size": pl.Float64,
    "min_qty": pl.Float64, "max_qty": pl.Float64, "multiple": pl.Float64,
    "period_days": pl.Int64, "order_cost": pl.Float64, "holding_rate": pl.Float64,
    "yield_rate": pl.Float64, "unit_cost": pl.Float64, "low_level_code": pl.Int32,
    "is_on_cycle": pl.Boolean, "is_mps_item": pl.Boolean,
    "on_hand": pl.Float64, "qa_hold": pl.Float64, "blocked": pl.Float64,
    "integer_qty": pl.Boolean,
}  # fmt: skip
BOM_SCHEMA = {
    "parent_sku_id": pl.String, "component_sku_id": pl.String, "component_item_id": pl.String,
    "location_id": pl.String, "component_qty_per_parent": pl.Float64,
    "valid_from": pl.Date, "valid_to": pl.Date, "is_component_stocked": pl.Boolean,
}  # fmt: skip
DEMAND_SCHEMA = {
    "demand_type": pl.String, "demand_id": pl.String, "sku_id": pl.String,
    "demand_date": pl.Date, "original_date": pl.Date, "qty": pl.Float64, "priority": pl.Int64,
}  # fmt: skip
SUPPLY_SCHEMA = {
    "supply_type": pl.String, "supply_id": pl.String, "sku_id": pl.String, "qty": pl.Float64,
    "due_date": pl.Date, "receipt_date": pl.Date, "supply_status": pl.String,
}  # fmt: skip


def day(n: int) -> date:
    """The date ``n`` days after as-of."""
    return AS_OF + timedelta(days=n)


def sku(item: str, location: str = "PL1", **fields: object) -> dict[str, object]:
    """A SKU row: buy, lead time 0, lot for lot, no stock, unless ``fields`` say otherwise."""
    row: dict[str, object] = dict.fromkeys(SKU_SCHEMA)
    row |= {
        "sku_id": f"{item}@{location}", "item_id": item, "location_id": location,
        "replenishment": "buy", "lead_time_days": 0, "safety_stock": 0.0,
        "lot_policy": "lot_for_lot", "yield_rate": 1.0, "low_level_code": 0,
        "is_on_cycle": False, "is_mps_item": False, "on_hand": 0.0, "qa_hold": 0.0,
        "blocked": 0.0, "supplier_id": "SUP", "integer_qty": False,
    }  # fmt: skip
    row |= fields
    if row["replenishment"] == "transfer":
        row["source_sku_id"] = f"{item}@{row['source_location_id']}"
    return row


def bom_line(parent: str, component: str, qty_per: float, location: str = "PL1", **fields):
    row: dict[str, object] = dict.fromkeys(BOM_SCHEMA)
    row |= {
        "parent_sku_id": f"{parent}@{location}", "component_sku_id": f"{component}@{location}",
        "component_item_id": component, "location_id": location,
        "component_qty_per_parent": qty_per, "is_component_stocked": True,
    }  # fmt: skip
    return row | fields


def demand(
    sku_id: str, on: int, qty: float, demand_id: str, kind="sales_order", priority=None, due=None
):
    """A demand row as the marts have it: in the bucket of day ``on`` (past
    days on as-of), due that day or, past due, on day ``due`` before as-of."""
    return {
        "demand_type": kind, "demand_id": demand_id, "sku_id": sku_id,
        "demand_date": day(max(on, 0)), "original_date": day(max(on, 0) if due is None else due),
        "qty": qty, "priority": priority,
    }  # fmt: skip


def receipt(
    sku_id: str, due: int, qty: float, supply_id: str, kind="purchase_order", status="open"
):
    return {
        "supply_type": kind, "supply_id": supply_id, "sku_id": sku_id, "qty": qty,
        "due_date": day(due), "receipt_date": max(day(due), AS_OF), "supply_status": status,
    }  # fmt: skip


def calendar(location: str, holidays=(), idle=(), days: int = HORIZON_DAYS) -> list[dict]:
    """A location's calendar rows over ``days`` days from as-of: open but on
    ``holidays``, working but on holidays and ``idle`` days (no shift)."""
    return [
        {
            "location_id": location,
            "calendar_date": day(n),
            "is_open_day": n not in holidays,
            "is_working_day": n not in holidays and n not in idle,
        }
        for n in range(days)
    ]


def planning_inputs(skus, bom=(), demands=(), receipts=(), calendars=()) -> PlanningInputs:
    """Inputs as ``read_planning_inputs`` builds them, sku_idx by sku_id rank;
    a location without ``calendars`` rows is open and working every day."""
    sku_frame = (
        pl.DataFrame(list(skus), schema=SKU_SCHEMA, orient="row")
        .sort("sku_id")
        .with_row_index("sku_idx")
        .with_columns(pl.col("sku_idx").cast(pl.Int64))
    )
    index = sku_frame.select("sku_id", "sku_idx")
    names = sku_frame.select("sku_id", "item_id", "location_id")

    def with_sku(rows, schema) -> pl.DataFrame:
        """Rows with their sku_idx; the SKU's names only where it has none."""
        frame = pl.DataFrame(list(rows), schema=schema)
        unplanned = pl.col("sku_idx").is_null()
        return (
            frame.join(names, on="sku_id", how="left", maintain_order="left")
            .join(index, on="sku_id", how="left", maintain_order="left")
            .with_columns(pl.when(unplanned).then(pl.col(names.columns)))
        )

    demand_frame = with_sku(demands, DEMAND_SCHEMA)
    supply_frame = with_sku(receipts, SUPPLY_SCHEMA)
    return PlanningInputs(
        skus=sku_frame,
        bom=pl.DataFrame(list(bom), schema=BOM_SCHEMA),
        demand=demand_frame,
        supply=supply_frame,
        calendar=pl.DataFrame(list(calendars), schema=LOCATION_CALENDAR),
    )


def plan(
    skus,
    bom=(),
    demands=(),
    receipts=(),
    publish=None,
    calendars=(),
    capacity=None,
    open_work=None,
    **rules,
) -> MaterialPlan:
    """The material plan of a hand-made network: the unconstrained MRP unless
    ``plan_constraints`` names constraints (the MRP's own rules are what most
    cases check; ``constrained`` tests the constrained plan)."""
    rules.setdefault("plan_constraints", "none")
    return plan_materials(
        planning_inputs(skus, bom, demands, receipts, calendars),
        AS_OF,
        HORIZON_DAYS,
        PlanningRules(**rules),
        publish=publish,
        capacity=capacity,
        open_work=open_work,
    )


def fenced_end_item_plan() -> MaterialPlan:
    """An end item that runs short: its time fence outlasts the horizon, so no
    planned order helps. 12 of supply (5 on hand, PO1 7 on day 1) against SO1 8
    (day 3), SO2 10 (day 6) and a forecast of 4 (day 9)."""
    return plan(
        [sku("E", on_hand=5.0, is_mps_item=True)],
        demands=[
            demand("E@PL1", 3, 8, "SO1:1"),
            demand("E@PL1", 6, 10, "SO2:1"),
            demand("E@PL1", 9, 4, "E@PL1:2026-12-02", kind="forecast"),
        ],
        receipts=[receipt("E@PL1", 1, 7, "PO1:1")],
        mps_time_fence_days=30,
    )
