with

source as (
    select * from {{ source('erp', 'forecast') }}
),

final as (
    select
        item_id || '@' || location_id as sku_id,
        cast(item_id as varchar) as item_id,
        cast(location_id as varchar) as location_id,
        cast(period_start as date) as period_start,
        cast(qty as double) as qty,
        cast(period_days as bigint) as period_days,
        cast(_source_row as bigint) as source_row
    from source
)

select * from final
