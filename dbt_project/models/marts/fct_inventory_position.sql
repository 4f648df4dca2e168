with

skus as (
    select * from {{ ref('dim_skus') }}
),

on_hand as (
    select * from {{ ref('stg_erp__on_hand') }}
),

supply as (
    select * from {{ ref('fct_open_supply') }}
),

demand as (
    select * from {{ ref('fct_demand') }}
),

stock as (
    select
        sku_id,
        sum(case when stock_status = 'available' then qty else 0 end) as available,
        sum(case when stock_status = 'qa_hold' then qty else 0 end) as qa_hold,
        sum(case when stock_status = 'blocked' then qty else 0 end) as blocked
    from on_hand
    group by sku_id
),

-- all open orders count whenever they are due; transfers only once shipped
supply_totals as (
    select
        sku_id,
        sum(
            case when supply_type in ('purchase_order', 'work_order') then qty else 0 end
        ) as on_order,
        sum(
            case when supply_type = 'transfer' and supply_status = 'in_transit' then qty else 0 end
        ) as in_transit
    from supply
    group by sku_id
),

-- fct_demand holds the horizon only, past due included; the planned orders'
-- dependent demand is not known before planning (see fct_days_of_supply)
demand_totals as (
    select
        sku_id,
        sum(case when demand_type = 'sales_order' then qty else 0 end) as allocated,
        sum(qty) as horizon_demand
    from demand
    group by sku_id
),

positions as (
    select
        skus.sku_id,
        skus.item_id,
        skus.location_id,
        skus.safety_stock,
        coalesce(stock.available, 0) as available,
        coalesce(stock.qa_hold, 0) as qa_hold,
        coalesce(stock.blocked, 0) as blocked,
        coalesce(supply_totals.on_order, 0) as on_order,
        coalesce(supply_totals.in_transit, 0) as in_transit,
        coalesce(demand_totals.allocated, 0) as allocated,
        coalesce(demand_totals.horizon_demand, 0) as horizon_demand
    from skus
    left join stock on skus.sku_id = stock.sku_id
    left join supply_totals on skus.sku_id = supply_totals.sku_id
    left join demand_totals on skus.sku_id = demand_totals.sku_id
),

final as (
    select
        sku_id,
        item_id,
        location_id,
        {{ as_of_date() }} as as_of,
        available,
        qa_hold,
        blocked,
        on_order,
        in_transit,
        allocated,
        available + on_order + in_transit - allocated as net_available,
        safety_stock,
        horizon_demand
    from positions
)

select * from final
