with

source as (
    select * from {{ source('erp', 'open_purchase_orders') }}
),

final as (
    select
        item_id || '@' || location_id as sku_id,
        cast(po_id as varchar) as po_id,
        cast(po_line as varchar) as po_line,
        cast(item_id as varchar) as item_id,
        cast(location_id as varchar) as location_id,
        cast(qty_open as double) as qty_open,
        cast(due_date as date) as due_date,
        cast(supplier_id as varchar) as supplier_id,
        cast(_source_row as bigint) as source_row
    from source
)

select * from final
