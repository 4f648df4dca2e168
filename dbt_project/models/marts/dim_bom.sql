with

bom_lines as (
    select * from {{ ref('int_bom_lines_resolved') }}
),

item_levels as (
    select * from {{ ref('int_items_leveled') }}
),

sku_levels as (
    select * from {{ ref('int_skus_leveled') }}
),

final as (
    select
        bom_lines.parent_sku_id,
        bom_lines.component_sku_id,
        bom_lines.parent_item_id,
        bom_lines.component_item_id,
        bom_lines.location_id,
        bom_lines.qty_per,
        bom_lines.scrap_rate,
        bom_lines.component_qty_per_parent,
        bom_lines.valid_from,
        bom_lines.valid_to,
        bom_lines.bom_scope,
        parent_items.low_level_code as parent_item_low_level_code,
        component_items.low_level_code as component_item_low_level_code,
        parent_skus.low_level_code as parent_low_level_code,
        component_skus.low_level_code as component_low_level_code,
        component_skus.sku_id is not null as is_component_stocked,
        bom_lines.bom_source_row
    from bom_lines
    inner join item_levels as parent_items on bom_lines.parent_item_id = parent_items.item_id
    inner join item_levels as component_items
        on bom_lines.component_item_id = component_items.item_id
    inner join sku_levels as parent_skus on bom_lines.parent_sku_id = parent_skus.sku_id
    left join sku_levels as component_skus on bom_lines.component_sku_id = component_skus.sku_id
)

select * from final
