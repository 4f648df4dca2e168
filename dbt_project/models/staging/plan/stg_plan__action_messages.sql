with

source as (
    select * from {{ source('plan', 'action_messages') }}
    where run_id = {{ plan_run_id() }}
),

final as (
    select
        supply_type,
        supply_id,
        item_id || '@' || location_id as sku_id,
        item_id,
        location_id,
        action,
        current_date as current_due_date,
        suggested_date,
        qty,
        suggested_qty
    from source
)

select * from final
