with

projected as (
    select * from {{ ref('stg_plan__projected_inventory') }}
),

positions as (
    select * from {{ ref('fct_inventory_position') }}
),

skus as (
    select * from {{ ref('dim_skus') }}
),

-- what the plan nets: independent demand, and the dependent demand of the
-- planned orders (their components, transfers out), known only after planning
requirements as (
    select
        sku_id,
        -- quantities of 4 decimals, as the plan tables hold them (planning.precision)
        round(sum(gross_requirements), 4) as horizon_requirements
    from projected
    group by sku_id
),

final as (
    select
        skus.sku_id,
        skus.item_id,
        skus.location_id,
        skus.planner_code,
        coalesce(positions.available, 0) as available,
        coalesce(requirements.horizon_requirements, 0) as horizon_requirements,
        {{ days_of_supply(
            'coalesce(positions.available, 0)', 'requirements.horizon_requirements'
        ) }} as days_of_supply
    from skus
    left join positions on skus.sku_id = positions.sku_id
    left join requirements on skus.sku_id = requirements.sku_id
)

select * from final
