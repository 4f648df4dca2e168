with

source as (
    select * from {{ source('plan', 'demand_promises') }}
    where run_id = {{ plan_run_id() }}
),

final as (
    select
        demand_id,
        demand_type,
        item_id || '@' || location_id as sku_id,
        item_id,
        location_id,
        qty,
        due_date,
        promised_date,
        days_late,
        cause,
        cause_ref,
        message
    from source
)

select * from final
