with

source as (
    select * from {{ source('erp', 'sales_orders') }}
),

final as (
    select
        item_id || '@' || location_id as sku_id,
        cast(so_id as varchar) as so_id,
        cast(so_line as varchar) as so_line,
        cast(item_id as varchar) as item_id,
        cast(location_id as varchar) as location_id,
        cast(qty_open as double) as qty_open,
        cast(due_date as date) as due_date,
        cast(customer_id as varchar) as customer_id,
        cast(priority as bigint) as priority,
        cast(project_id as varchar) as project_id,
        cast(_source_row as bigint) as source_row
    from source
)

select * from final
