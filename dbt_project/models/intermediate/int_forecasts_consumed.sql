with

forecast as (
    select * from {{ ref('stg_erp__forecast') }}
),

sales_orders as (
    select * from {{ ref('stg_erp__sales_orders') }}
),

periods as (
    select
        sku_id,
        item_id,
        location_id,
        period_start,
        period_days,
        period_start + cast(period_days - 1 as integer) as period_end,
        qty as forecast_qty
    from forecast
),

-- each order line falls in the latest period of its SKU that starts on or
-- before its due date, if that period still runs then (an as-of join, so
-- overlapping periods never both count one order)
orders_in_periods as (
    select
        periods.sku_id,
        periods.period_start,
        sales_orders.qty_open
    from sales_orders
    asof inner join periods
        on
            sales_orders.sku_id = periods.sku_id
            and sales_orders.due_date >= periods.period_start
    where sales_orders.due_date <= periods.period_end
),

period_orders as (
    select
        sku_id,
        period_start,
        sum(qty_open) as sales_order_qty
    from orders_in_periods
    group by sku_id, period_start
),

consumed as (
    select
        periods.*,
        coalesce(period_orders.sales_order_qty, 0) as sales_order_qty,
        least(periods.forecast_qty, coalesce(period_orders.sales_order_qty, 0)) as consumed_qty
    from periods
    left join period_orders
        on
            periods.sku_id = period_orders.sku_id
            and periods.period_start = period_orders.period_start
),

final as (
    select
        sku_id,
        item_id,
        location_id,
        period_start,
        period_end,
        period_days,
        forecast_qty,
        sales_order_qty,
        consumed_qty,
        forecast_qty - consumed_qty as remaining_qty,
        -- the current period's remainder is due now, later ones on their first day
        greatest(period_start, {{ as_of_date() }}) as demand_date,
        -- periods over before as_of are history, not demand
        period_end >= {{ as_of_date() }}
        and period_start <= {{ horizon_end_date() }} as is_in_horizon
    from consumed
)

select * from final
