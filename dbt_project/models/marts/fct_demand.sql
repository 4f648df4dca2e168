with

sales_orders as (
    select * from {{ ref('stg_erp__sales_orders') }}
),

forecasts as (
    select * from {{ ref('int_forecasts_consumed') }}
),

transfers as (
    select * from {{ ref('int_open_transfers_classified') }}
),

work_order_components as (
    select * from {{ ref('int_work_orders_exploded') }}
),

sales_order_demand as (
    select
        'sales_order' as demand_type,
        so_id || ':' || so_line as demand_id,
        sku_id,
        item_id,
        location_id,
        due_date as original_date,
        qty_open as qty,
        so_id as order_id,
        so_line as order_line,
        customer_id,
        priority,
        project_id
    from sales_orders
),

-- only what the period's sales orders left over (int_forecasts_consumed)
forecast_demand as (
    select
        'forecast' as demand_type,
        sku_id || ':' || strftime(period_start, '%Y-%m-%d') as demand_id,
        sku_id,
        item_id,
        location_id,
        period_start as original_date,
        remaining_qty as qty,
        forecast_qty,
        consumed_qty
    from forecasts
    where is_in_horizon
),

-- a transfer that has not shipped yet draws stock at its source on its ship date
transfer_demand as (
    select
        'transfer' as demand_type,
        transfer_id as demand_id,
        from_sku_id as sku_id,
        item_id,
        from_location_id as location_id,
        ship_date as original_date,
        qty,
        transfer_id as order_id
    from transfers
    where not is_in_transit
),

work_order_demand as (
    select
        'work_order_component' as demand_type,
        wo_id || ':' || item_id as demand_id,
        sku_id,
        item_id,
        location_id,
        start_date as original_date,
        qty,
        wo_id as order_id
    from work_order_components
),

-- each kind selects only the columns it has; by name, the others are null
demand as (
    select * from sales_order_demand
    union all by name
    select * from forecast_demand
    union all by name
    select * from transfer_demand
    union all by name
    select * from work_order_demand
),

-- past-due demand lands on as_of; demand after the horizon is not planned
bucketed as (
    select
        *,
        greatest(original_date, {{ as_of_date() }}) as demand_date
    from demand
    where
        qty > 0
        and original_date <= {{ horizon_end_date() }}
),

final as (
    select
        demand_type,
        demand_id,
        sku_id,
        item_id,
        location_id,
        demand_date,
        cast(date_trunc('week', demand_date) as date) as week_start,
        qty,
        original_date,
        -- a forecast period in the horizon is still running, never past due
        demand_type != 'forecast' and original_date < {{ as_of_date() }} as is_past_due,
        order_id,
        order_line,
        customer_id,
        priority,
        project_id,
        forecast_qty,
        consumed_qty
    from bucketed
)

select * from final
