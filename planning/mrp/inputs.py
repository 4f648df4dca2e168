"""What the material plan reads: the marts the foundation builds, as Polars frames.

Every SKU gets an integer ``sku_idx`` (its rank by ``sku_id``); the planning
steps join and sort on it instead of on strings.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

# a SKU's sku_idx: its rank by sku_id among the SKUs with a stock position;
# a temporary table the queries below join, built once per read
SKU_INDEX = """
create or replace temp table sku_index as
select skus.sku_id, cast(row_number() over (order by skus.sku_id) - 1 as bigint) as sku_idx
from marts.dim_skus as skus
inner join marts.fct_inventory_position as positions on skus.sku_id = positions.sku_id
"""

SKUS_QUERY = """
select
    sku_index.sku_idx,
    skus.sku_id, skus.item_id, skus.location_id, skus.replenishment, skus.lead_time_days,
    skus.source_location_id, skus.source_sku_id, skus.supplier_id,
    skus.safety_stock, skus.lot_policy, skus.lot_size, skus.min_qty, skus.max_qty,
    skus.multiple, skus.period_days, skus.order_cost, skus.holding_rate, skus.yield_rate,
    skus.unit_cost, skus.low_level_code, skus.is_on_cycle, skus.is_mps_item, skus.integer_qty,
    positions.available as on_hand, positions.qa_hold, positions.blocked
from sku_index
inner join marts.dim_skus as skus on sku_index.sku_id = skus.sku_id
inner join marts.fct_inventory_position as positions on skus.sku_id = positions.sku_id
order by sku_index.sku_idx
"""

# Demand and supply rows carry their sku_idx. The SKU's names come along only
# for rows that name no valid SKU (its row was quarantined or never sent):
# they are reported, and the planning steps need no names for the others.
UNPLANNED_NAMES = """
    case when sku_index.sku_idx is null then rows.sku_id end as sku_id,
    case when sku_index.sku_idx is null then rows.item_id end as item_id,
    case when sku_index.sku_idx is null then rows.location_id end as location_id
"""

DEMAND_QUERY = f"""
select rows.demand_type, rows.demand_id, sku_index.sku_idx, {UNPLANNED_NAMES},
       rows.demand_date, rows.original_date, rows.qty, rows.priority
from marts.fct_demand as rows
left join sku_index on rows.sku_id = sku_index.sku_id
"""

# in-horizon receipts only: supply due later cannot cover horizon demand
SUPPLY_QUERY = f"""
select rows.supply_type, rows.supply_id, sku_index.sku_idx, {UNPLANNED_NAMES},
       rows.qty, rows.due_date, rows.receipt_date, rows.supply_status
from marts.fct_open_supply as rows
left join sku_index on rows.sku_id = sku_index.sku_id
where rows.is_within_horizon
"""

# the horizon's days of every location: one row per location and day
CALENDAR_QUERY = """
select location_id, calendar_date, is_open_day, is_working_day
from marts.fct_location_calendar
"""

BOM_QUERY = """
select parent_sku_id, component_sku_id, component_item_id, location_id,
       component_qty_per_parent, valid_from, valid_to, is_component_stocked
from marts.dim_bom
"""


@dataclass(frozen=True)
class PlanningInputs:
    skus: pl.DataFrame  # one row per SKU in sku_idx order (row i is sku_idx i), with stock
    bom: pl.DataFrame  # resolved BOM lines per parent SKU
    demand: pl.DataFrame  # independent demand and open work orders' components
    supply: pl.DataFrame  # open receipts due in the horizon
    calendar: pl.DataFrame  # open and working days per location (calendars.LOCATION_CALENDAR)
    # demand and supply rows naming no valid SKU (its row was quarantined or never
    # sent) have a null sku_idx and keep the sku_id, item_id and location_id they
    # name: they cannot be planned and are reported; other rows have those null


def of_sku(skus: pl.DataFrame, *columns: str) -> list[pl.Expr]:
    """``columns`` of the SKU each row's ``sku_idx`` names, where ``skus`` holds
    every SKU (row i is sku_idx i): a gather, which costs a quarter of a join."""
    return [pl.lit(skus[column]).gather(pl.col("sku_idx")).alias(column) for column in columns]


def read_planning_inputs(con: duckdb.DuckDBPyConnection) -> PlanningInputs:
    """Read the marts, every demand and supply row with the ``sku_idx`` of the
    SKU it names (null: no valid SKU)."""
    con.execute(SKU_INDEX)
    try:
        return PlanningInputs(
            skus=con.sql(SKUS_QUERY).pl(),
            bom=con.sql(BOM_QUERY).pl(),
            demand=con.sql(DEMAND_QUERY).pl(),
            supply=con.sql(SUPPLY_QUERY).pl(),
            calendar=con.sql(CALENDAR_QUERY).pl(),
        )
    finally:
        con.execute("drop table sku_index")
