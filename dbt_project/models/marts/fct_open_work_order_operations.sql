with

work_orders as (
    select * from {{ ref('fct_open_work_orders') }}
),

routings as (
    select * from {{ ref('dim_routings') }}
),

-- every operation of the order's routing, numbered 1, 2, ... in op_seq order;
-- alternatives share their operation's number
routed as (
    select
        work_orders.wo_id,
        work_orders.sku_id,
        work_orders.item_id,
        work_orders.location_id,
        work_orders.work_order_status,
        work_orders.qty_open,
        work_orders.ops_completed,
        dense_rank() over (
            partition by work_orders.wo_id order by routings.op_seq
        ) as operation_number,
        routings.op_seq,
        routings.work_center_id,
        routings.run_minutes_per_unit,
        routings.setup_minutes,
        routings.skill,
        routings.setup_family
    from work_orders
    inner join routings
        on
            work_orders.item_id = routings.item_id
            and work_orders.location_id = routings.location_id
),

-- ops_completed counts operations, not op_seq values: an order in progress has
-- done its first ops_completed operations, on whichever alternative
final as (
    select * from routed
    where operation_number > ops_completed
)

select * from final
