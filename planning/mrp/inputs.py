"""What the material plan reads: the marts the foundation builds, as Polars frames.

Every SKU gets an integer ``sku_idx`` (its rank by ``sku_id``); the planning
steps join and sort on it instead of on strings.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

SKUS_QUERY = """
select
    skus.sku_id, skus.item_id, skus.location_id, skus.replenishment, skus.lead_time_days,
    skus.source_location_id, skus.source_sku_id, skus.supplier_id,
    skus.safety_stock, skus.lot_policy, skus.lot_size, skus.min_qty, skus.max_qty,
    skus.multiple, skus.period_days, skus.order_cost, skus.holding_rate, skus.yield_rate,
    skus.unit_cost, skus.low_level_code, skus.is_on_cycle, skus.is_mps_item,
    positions.available as on_hand, positions.qa_hold, positions.blocked
from marts.dim_skus as skus
inner join marts.fct_inventory_position as positions on skus.sku_id = positions.sku_id
order by skus.sku_id
"""

BOM_QUERY = """
select parent_sku_id, component_sku_id, component_item_id, location_id,
       component_qty_per_parent, valid_from, valid_to, is_component_stocked
from marts.dim_bom
"""

DEMAND_QUERY = """
select demand_type, demand_id, sku_id, item_id, location_id, demand_date, qty, priority
from marts.fct_demand
"""

# in-horizon receipts only: supply due later cannot cover horizon demand
SUPPLY_QUERY = """
select supply_type, supply_id, sku_id, item_id, location_id, qty, due_date, receipt_date,
       supply_status
from marts.fct_open_supply
where is_within_horizon
"""


@dataclass(frozen=True)
class PlanningInputs:
    skus: pl.DataFrame  # one row per SKU in sku_idx order (row i is sku_idx i), with stock
    bom: pl.DataFrame  # resolved BOM lines per parent SKU
    demand: pl.DataFrame  # independent demand and open work orders' components
    supply: pl.DataFrame  # open receipts due in the horizon
    # demand and supply rows naming no valid SKU (its row was quarantined or never
    # sent) have a null sku_idx: they cannot be planned and are reported


def read_planning_inputs(con: duckdb.DuckDBPyConnection) -> PlanningInputs:
    """Read the marts and attach ``sku_idx`` to every row that names a known SKU."""
    skus = (
        con.sql(SKUS_QUERY)
        .pl()
        .with_row_index("sku_idx")
        .with_columns(pl.col("sku_idx").cast(pl.Int64))
    )
    index = skus.select("sku_id", "sku_idx")
    demand = con.sql(DEMAND_QUERY).pl().join(index, on="sku_id", how="left", maintain_order="left")
    supply = con.sql(SUPPLY_QUERY).pl().join(index, on="sku_id", how="left")
    return PlanningInputs(skus=skus, bom=con.sql(BOM_QUERY).pl(), demand=demand, supply=supply)
