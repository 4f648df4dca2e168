with

source as (
    select * from {{ source('plan', 'transfer_orders') }}
    where run_id = {{ plan_run_id() }}
),

final as (
    select
        order_id,
        'transfer_order' as order_type,
        item_id || '@' || to_location_id as sku_id,
        item_id,
        from_location_id,
        to_location_id,
        qty,
        ship_date as release_date,
        receipt_date as due_date,
        is_lead_time_compressed
    from source
)

select * from final
