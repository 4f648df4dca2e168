with

source as (
    select * from {{ source('erp', 'bom') }}
),

final as (
    select
        cast(parent_item_id as varchar) as parent_item_id,
        cast(component_item_id as varchar) as component_item_id,
        cast(qty_per as double) as qty_per,
        cast(location_id as varchar) as location_id,
        cast(scrap_rate as double) as scrap_rate,
        cast(valid_from as date) as valid_from,
        cast(valid_to as date) as valid_to,
        cast(_source_row as bigint) as source_row
    from source
)

select * from final
