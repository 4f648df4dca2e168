with

source as (
    select * from {{ source('plan', 'projected_inventory') }}
    where run_id = {{ plan_run_id() }}
),

final as (
    select
        item_id || '@' || location_id as sku_id,
        item_id,
        location_id,
        date as bucket_date,
        gross_requirements,
        scheduled_receipts,
        planned_receipts,
        projected_on_hand
    from source
)

select * from final
