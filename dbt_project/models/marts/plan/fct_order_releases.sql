with

orders as (
    select * from {{ ref('int_planned_orders_unioned') }}
),

skus as (
    select * from {{ ref('dim_skus') }}
),

final as (
    select
        orders.order_id,
        orders.order_type,
        orders.sku_id,
        orders.item_id,
        orders.location_id,
        skus.planner_code,
        skus.supplier_id,
        orders.qty,
        orders.qty * skus.unit_cost as order_value,
        orders.release_date,
        cast(date_trunc('week', orders.release_date) as date) as release_week,
        orders.due_date,
        orders.is_lead_time_compressed,
        orders.release_date = {{ as_of_date() }} as is_due_for_release
    from orders
    left join skus on orders.sku_id = skus.sku_id
)

select * from final
