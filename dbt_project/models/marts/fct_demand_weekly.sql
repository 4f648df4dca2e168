with

demand as (
    select * from {{ ref('fct_demand') }}
),

final as (
    select
        sku_id,
        week_start,
        demand_type,
        item_id,
        location_id,
        sum(qty) as qty,
        count(*) as demand_lines,
        sum(case when is_past_due then qty else 0 end) as past_due_qty
    from demand
    group by sku_id, week_start, demand_type, item_id, location_id
)

select * from final
