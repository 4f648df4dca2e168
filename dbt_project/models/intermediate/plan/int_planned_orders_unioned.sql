with

work_orders as (
    select * from {{ ref('stg_plan__work_orders') }}
),

purchase_requests as (
    select * from {{ ref('stg_plan__purchase_requests') }}
),

transfer_orders as (
    select * from {{ ref('stg_plan__transfer_orders') }}
),

unioned as (
    select
        order_id,
        order_type,
        sku_id,
        item_id,
        location_id,
        qty,
        release_date,
        due_date,
        is_lead_time_compressed
    from work_orders
    union all
    select
        order_id,
        order_type,
        sku_id,
        item_id,
        location_id,
        qty,
        release_date,
        due_date,
        is_lead_time_compressed
    from purchase_requests
    union all
    select
        order_id,
        order_type,
        sku_id,
        item_id,
        to_location_id as location_id,
        qty,
        release_date,
        due_date,
        is_lead_time_compressed
    from transfer_orders
),

final as (
    select * from unioned
)

select * from final
