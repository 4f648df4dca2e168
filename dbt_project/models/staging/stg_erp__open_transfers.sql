with

source as (
    select * from {{ source('erp', 'open_transfers') }}
),

final as (
    select
        item_id || '@' || from_location_id as from_sku_id,
        item_id || '@' || to_location_id as to_sku_id,
        cast(transfer_id as varchar) as transfer_id,
        cast(item_id as varchar) as item_id,
        cast(from_location_id as varchar) as from_location_id,
        cast(to_location_id as varchar) as to_location_id,
        cast(qty as double) as qty,
        cast(ship_date as date) as ship_date,
        cast(receipt_date as date) as receipt_date,
        cast(_source_row as bigint) as source_row
    from source
)

select * from final
