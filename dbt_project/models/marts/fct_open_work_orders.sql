with

work_orders as (
    select * from {{ ref('stg_erp__open_work_orders') }}
),

routings as (
    select * from {{ ref('dim_routings') }}
),

routing_operations as (
    select
        item_id,
        location_id,
        count(distinct op_seq) as routing_operations
    from routings
    group by item_id, location_id
),

final as (
    select
        work_orders.wo_id,
        work_orders.sku_id,
        work_orders.item_id,
        work_orders.location_id,
        work_orders.qty_open,
        work_orders.start_date,
        work_orders.due_date,
        work_orders.work_order_status,
        coalesce(work_orders.ops_completed, 0) as ops_completed,
        coalesce(routing_operations.routing_operations, 0) as routing_operations,
        greatest(
            coalesce(routing_operations.routing_operations, 0)
            - coalesce(work_orders.ops_completed, 0),
            0
        ) as remaining_operations
    from work_orders
    left join routing_operations
        on
            work_orders.item_id = routing_operations.item_id
            and work_orders.location_id = routing_operations.location_id
)

select * from final
