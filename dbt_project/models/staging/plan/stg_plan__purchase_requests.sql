with

source as (
    select * from {{ source('plan', 'purchase_requests') }}
    where run_id = {{ plan_run_id() }}
),

final as (
    select
        request_id as order_id,
        'purchase_request' as order_type,
        item_id || '@' || location_id as sku_id,
        item_id,
        location_id,
        supplier_id,
        qty,
        order_date as release_date,
        need_date as due_date,
        is_lead_time_compressed
    from source
)

select * from final
