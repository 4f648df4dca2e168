with

skus as (
    select * from {{ ref('stg_erp__skus') }}
),

items as (
    select * from {{ ref('stg_erp__items') }}
),

locations as (
    select * from {{ ref('stg_erp__locations') }}
),

item_levels as (
    select * from {{ ref('int_items_leveled') }}
),

sku_levels as (
    select * from {{ ref('int_skus_leveled') }}
),

bom_lines as (
    select * from {{ ref('int_bom_lines_resolved') }}
),

bom_line_counts as (
    select
        parent_sku_id as sku_id,
        count(*) as bom_line_count
    from bom_lines
    group by parent_sku_id
),

final as (
    select
        skus.sku_id,
        skus.item_id,
        skus.location_id,
        items.item_description,
        items.uom,
        items.integer_qty,
        items.unit_cost,
        items.item_group,
        locations.location_name,
        locations.location_type,
        skus.replenishment,
        skus.lead_time_days,
        skus.source_location_id,
        case
            when skus.replenishment = 'transfer'
                then skus.item_id || '@' || skus.source_location_id
        end as source_sku_id,
        skus.supplier_id,
        skus.safety_stock,
        skus.lot_policy,
        skus.lot_size,
        skus.min_qty,
        skus.max_qty,
        skus.multiple,
        skus.period_days,
        skus.order_cost,
        skus.holding_rate,
        skus.yield_rate,
        skus.planner_code,
        coalesce(bom_line_counts.bom_line_count, 0) as bom_line_count,
        item_levels.low_level_code as item_low_level_code,
        sku_levels.low_level_code,
        sku_levels.is_on_cycle,
        -- end items made here: what the master production schedule covers
        coalesce(skus.replenishment = 'make' and item_levels.low_level_code = 0, false)
            as is_mps_item
    from skus
    inner join items on skus.item_id = items.item_id
    inner join locations on skus.location_id = locations.location_id
    inner join item_levels on skus.item_id = item_levels.item_id
    inner join sku_levels on skus.sku_id = sku_levels.sku_id
    left join bom_line_counts on skus.sku_id = bom_line_counts.sku_id
)

select * from final
