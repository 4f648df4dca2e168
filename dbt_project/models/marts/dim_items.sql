with

items as (
    select * from {{ ref('stg_erp__items') }}
),

item_levels as (
    select * from {{ ref('int_items_leveled') }}
),

skus as (
    select * from {{ ref('stg_erp__skus') }}
),

sku_counts as (
    select
        item_id,
        count(*) as sku_count
    from skus
    group by item_id
),

final as (
    select
        items.item_id,
        items.item_description,
        items.uom,
        items.integer_qty,
        items.unit_cost,
        items.item_group,
        item_levels.low_level_code,
        item_levels.is_on_cycle as is_on_bom_cycle,
        item_levels.has_bom,
        item_levels.is_top_level,
        coalesce(sku_counts.sku_count, 0) as sku_count
    from items
    inner join item_levels on items.item_id = item_levels.item_id
    left join sku_counts on items.item_id = sku_counts.item_id
)

select * from final
