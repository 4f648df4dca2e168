with

source as (
    select * from {{ source('plan', 'work_orders') }}
    where run_id = {{ plan_run_id() }}
),

final as (
    select
        order_id,
        'work_order' as order_type,
        item_id || '@' || location_id as sku_id,
        item_id,
        location_id,
        qty,
        good_qty,
        start_date as release_date,
        due_date,
        is_lead_time_compressed
    from source
)

select * from final
