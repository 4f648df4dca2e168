-- Every BOM edge and transfer edge goes to a strictly higher low-level code,
-- so planning in ascending code sees all of a SKU's dependent demand first.
-- Rows returned are violations.

with

bom as (
    select * from {{ ref('dim_bom') }}
),

skus as (
    select * from {{ ref('dim_skus') }}
),

bom_violations as (
    select
        'bom' as edge_type,
        parent_sku_id as from_id,
        component_sku_id as to_id,
        parent_low_level_code as from_code,
        component_low_level_code as to_code
    from bom
    where parent_low_level_code >= component_low_level_code
),

item_violations as (
    select
        'item_bom' as edge_type,
        parent_item_id as from_id,
        component_item_id as to_id,
        parent_item_low_level_code as from_code,
        component_item_low_level_code as to_code
    from bom
    where parent_item_low_level_code >= component_item_low_level_code
),

transfer_violations as (
    select
        'transfer' as edge_type,
        destinations.sku_id as from_id,
        sources.sku_id as to_id,
        destinations.low_level_code as from_code,
        sources.low_level_code as to_code
    from skus as destinations
    inner join skus as sources on destinations.source_sku_id = sources.sku_id
    where destinations.low_level_code >= sources.low_level_code
),

final as (
    select * from bom_violations
    union all
    select * from item_violations
    union all
    select * from transfer_violations
)

select * from final
