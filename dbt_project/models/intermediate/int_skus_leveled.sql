{{ config(materialized='table') }}

with recursive

skus as (
    select * from {{ ref('stg_erp__skus') }}
),

bom_lines as (
    select * from {{ ref('int_bom_lines_resolved') }}
),

nodes as (
    select sku_id as node_id
    from skus
),

bom_edges as (
    select
        parent_sku_id as from_node_id,
        component_sku_id as to_node_id
    from bom_lines
),

-- a transfer SKU's planned transfers are demand at its source, so the
-- destination is planned first
transfer_edges as (
    select
        sku_id as from_node_id,
        item_id || '@' || source_location_id as to_node_id
    from skus
    where replenishment = 'transfer'
),

edges as (
    select * from bom_edges
    union all
    select * from transfer_edges
),

{{ graph_level_ctes('sku_levels', 'nodes', 'edges') }}

final as (
    select
        skus.sku_id,
        sku_levels.low_level_code,
        sku_levels.is_on_cycle
    from skus
    inner join sku_levels on skus.sku_id = sku_levels.node_id
)

select * from final
