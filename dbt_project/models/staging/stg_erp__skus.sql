with

source as (
    select * from {{ source('erp', 'skus') }}
),

final as (
    select
        item_id || '@' || location_id as sku_id,
        cast(item_id as varchar) as item_id,
        cast(location_id as varchar) as location_id,
        cast(replenishment as varchar) as replenishment,
        cast(lead_time_days as bigint) as lead_time_days,
        cast(source_location_id as varchar) as source_location_id,
        cast(supplier_id as varchar) as supplier_id,
        cast(safety_stock as double) as safety_stock,
        cast(lot_policy as varchar) as lot_policy,
        cast(lot_size as double) as lot_size,
        cast(min_qty as double) as min_qty,
        cast(max_qty as double) as max_qty,
        cast(multiple as double) as multiple,
        cast(period_days as bigint) as period_days,
        cast(order_cost as double) as order_cost,
        cast(holding_rate as double) as holding_rate,
        cast(yield_rate as double) as yield_rate,
        cast(planner_code as varchar) as planner_code,
        cast(_source_row as bigint) as source_row
    from source
)

select * from final
