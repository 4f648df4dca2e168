with

source as (
    select * from {{ source('erp', 'on_hand') }}
),

final as (
    select
        item_id || '@' || location_id as sku_id,
        cast(item_id as varchar) as item_id,
        cast(location_id as varchar) as location_id,
        cast(qty as double) as qty,
        cast(status as varchar) as stock_status,
        cast(lot_id as varchar) as lot_id,
        cast(_source_row as bigint) as source_row
    from source
)

select * from final
