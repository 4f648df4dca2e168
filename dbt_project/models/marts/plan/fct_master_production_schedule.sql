with

skus as (
    select * from {{ ref('dim_skus') }}
),

demand as (
    select * from {{ ref('fct_demand') }}
),

supply as (
    select * from {{ ref('fct_open_supply') }}
),

work_orders as (
    select * from {{ ref('stg_plan__work_orders') }}
),

weekly_inventory as (
    select * from {{ ref('fct_projected_inventory_weekly') }}
),

mps_items as (
    select sku_id
    from skus
    where is_mps_item
),

weekly_demand as (
    select
        sku_id,
        week_start,
        sum(case when demand_type = 'sales_order' then qty else 0 end) as sales_orders,
        sum(case when demand_type = 'forecast' then qty else 0 end) as forecast,
        sum(case when demand_type not in ('sales_order', 'forecast') then qty else 0 end)
            as other_demand
    from demand
    group by all
),

weekly_firm_supply as (
    select
        sku_id,
        cast(date_trunc('week', receipt_date) as date) as week_start,
        sum(qty) as firm_receipts
    from supply
    where is_within_horizon
    group by all
),

weekly_planned as (
    select
        sku_id,
        cast(date_trunc('week', due_date) as date) as week_start,
        sum(good_qty) as planned_production,
        count(*) as planned_work_orders
    from work_orders
    group by all
),

final as (
    select
        inventory.sku_id,
        inventory.item_id,
        inventory.location_id,
        inventory.planner_code,
        inventory.week_start,
        coalesce(weekly_demand.sales_orders, 0) as sales_orders,
        coalesce(weekly_demand.forecast, 0) as forecast,
        coalesce(weekly_demand.other_demand, 0) as other_demand,
        coalesce(weekly_firm_supply.firm_receipts, 0) as firm_receipts,
        coalesce(weekly_planned.planned_production, 0) as planned_production,
        coalesce(weekly_planned.planned_work_orders, 0) as planned_work_orders,
        inventory.projected_on_hand_end,
        inventory.safety_stock
    from weekly_inventory as inventory
    inner join mps_items on inventory.sku_id = mps_items.sku_id
    left join weekly_demand
        on
            inventory.sku_id = weekly_demand.sku_id
            and inventory.week_start = weekly_demand.week_start
    left join weekly_firm_supply
        on
            inventory.sku_id = weekly_firm_supply.sku_id
            and inventory.week_start = weekly_firm_supply.week_start
    left join weekly_planned
        on
            inventory.sku_id = weekly_planned.sku_id
            and inventory.week_start = weekly_planned.week_start
)

select * from final
