with

source as (
    select * from {{ source('erp', 'open_work_orders') }}
),

final as (
    select
        item_id || '@' || location_id as sku_id,
        cast(wo_id as varchar) as wo_id,
        cast(item_id as varchar) as item_id,
        cast(location_id as varchar) as location_id,
        cast(qty_open as double) as qty_open,
        cast(start_date as date) as start_date,
        cast(due_date as date) as due_date,
        cast(status as varchar) as work_order_status,
        cast(ops_completed as bigint) as ops_completed,
        cast(_source_row as bigint) as source_row
    from source
)

select * from final
