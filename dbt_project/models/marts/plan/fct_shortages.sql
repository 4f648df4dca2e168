with

exceptions as (
    select * from {{ ref('stg_plan__exceptions') }}
),

skus as (
    select * from {{ ref('dim_skus') }}
),

final as (
    select
        exceptions.category,
        exceptions.severity,
        exceptions.sku_id,
        exceptions.item_id,
        exceptions.location_id,
        skus.planner_code,
        exceptions.ref_id,
        exceptions.exception_date,
        exceptions.qty,
        exceptions.qty * skus.unit_cost as value_at_risk,
        exceptions.message
    from exceptions
    left join skus on exceptions.sku_id = skus.sku_id
    where exceptions.category in ('shortage', 'late_demand')
)

select * from final
