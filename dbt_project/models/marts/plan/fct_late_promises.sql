with

promises as (
    select * from {{ ref('stg_plan__demand_promises') }}
),

demand as (
    select * from {{ ref('fct_demand') }}
),

-- a part promised after its due date, or not at all in the horizon
late_promise_parts as (
    select
        promises.*,
        customers.customer_id,
        cast(date_trunc('week', promises.due_date) as date) as due_week
    from promises
    left join demand as customers
        on
            promises.demand_type = 'sales_order'
            and customers.demand_type = 'sales_order'
            and promises.demand_id = customers.demand_id
    where promises.promised_date is null or promises.days_late > 0
),

final as (
    select
        demand_type,
        customer_id,
        cause,
        due_week,
        count(*) as late_parts,
        count(distinct demand_id) as late_lines,
        round(sum(qty), 4) as qty,
        round(coalesce(sum(qty) filter (where promised_date is null), 0), 4) as unpromised_qty,
        -- over the promised late parts: an unpromised part has no days late
        round(
            sum(qty * days_late) filter (where promised_date is not null)
            / sum(qty) filter (where promised_date is not null),
            1
        ) as qty_weighted_days_late
    from late_promise_parts
    group by demand_type, customer_id, cause, due_week
)

select * from final
