with

source as (
    select * from {{ source('plan', 'exceptions') }}
    where run_id = {{ plan_run_id() }}
),

final as (
    select
        category,
        severity,
        item_id || '@' || location_id as sku_id,
        item_id,
        location_id,
        ref_id,
        date as exception_date,
        qty,
        message
    from source
)

select * from final
