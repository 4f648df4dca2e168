{{ config(materialized='table') }}

with

skus as (
    select * from {{ ref('stg_erp__skus') }}
),

locations as (
    select * from {{ ref('stg_erp__locations') }}
),

bom_lines as (
    select * from {{ ref('stg_erp__bom_lines') }}
),

make_skus as (
    select
        skus.sku_id,
        skus.item_id,
        skus.location_id,
        locations.location_type
    from skus
    inner join locations on skus.location_id = locations.location_id
    where skus.replenishment = 'make'
),

effective_lines as (
    select *
    from bom_lines
    where {{ is_valid_in_horizon('valid_from', 'valid_to') }}
),

-- any line for a parent at a location, valid or not, means that location has
-- its own BOM for the parent and the plant-wide lines do not apply there
location_boms as (
    select distinct
        parent_item_id,
        location_id
    from bom_lines
    where location_id is not null
),

resolved as (
    select
        make_skus.sku_id as parent_sku_id,
        make_skus.location_id,
        effective_lines.parent_item_id,
        effective_lines.component_item_id,
        effective_lines.qty_per,
        effective_lines.scrap_rate,
        effective_lines.valid_from,
        effective_lines.valid_to,
        case when effective_lines.location_id is null then 'plant' else 'location' end as bom_scope,
        effective_lines.source_row
    from make_skus
    inner join effective_lines
        on
            make_skus.item_id = effective_lines.parent_item_id
            and (
                make_skus.location_id = effective_lines.location_id
                or effective_lines.location_id is null
            )
    left join location_boms
        on
            make_skus.item_id = location_boms.parent_item_id
            and make_skus.location_id = location_boms.location_id
    -- plant-wide lines apply only at plants without a BOM of their own for the parent
    where
        effective_lines.location_id is not null
        or (make_skus.location_type = 'plant' and location_boms.parent_item_id is null)
),

final as (
    select
        parent_sku_id,
        component_item_id || '@' || location_id as component_sku_id,
        parent_item_id,
        component_item_id,
        location_id,
        qty_per,
        scrap_rate,
        qty_per / (1 - scrap_rate) as component_qty_per_parent,
        valid_from,
        valid_to,
        bom_scope,
        source_row as bom_source_row
    from resolved
)

select * from final
