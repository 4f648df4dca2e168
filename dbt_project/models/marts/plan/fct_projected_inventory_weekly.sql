with

projected as (
    select * from {{ ref('stg_plan__projected_inventory') }}
),

skus as (
    select * from {{ ref('dim_skus') }}
),

coverage as (
    select * from {{ ref('fct_days_of_supply') }}
),

weeks as (
    select cast(week_start as date) as week_start
    from generate_series(
        cast(date_trunc('week', {{ as_of_date() }}) as timestamp),
        cast({{ horizon_end_date() }} as timestamp),
        interval 7 day
    ) as weeks (week_start)
),

sku_weeks as (
    select
        skus.sku_id,
        skus.item_id,
        skus.location_id,
        skus.planner_code,
        skus.safety_stock,
        weeks.week_start,
        cast(weeks.week_start + 6 as date) as week_end
    from skus
    cross join weeks
),

weekly_flows as (
    select
        sku_id,
        cast(date_trunc('week', bucket_date) as date) as week_start,
        sum(gross_requirements) as gross_requirements,
        sum(scheduled_receipts) as scheduled_receipts,
        sum(planned_receipts) as planned_receipts
    from projected
    group by all
),

-- the balance at the end of each week: the last row on or before its last day
week_end_balances as (
    select
        sku_weeks.sku_id,
        sku_weeks.week_start,
        projected.projected_on_hand
    from sku_weeks
    asof left join projected
        on
            sku_weeks.sku_id = projected.sku_id
            and sku_weeks.week_end >= projected.bucket_date
),

final as (
    select
        sku_weeks.sku_id,
        sku_weeks.item_id,
        sku_weeks.location_id,
        sku_weeks.planner_code,
        sku_weeks.week_start,
        coalesce(weekly_flows.gross_requirements, 0) as gross_requirements,
        coalesce(weekly_flows.scheduled_receipts, 0) as scheduled_receipts,
        coalesce(weekly_flows.planned_receipts, 0) as planned_receipts,
        week_end_balances.projected_on_hand as projected_on_hand_end,
        sku_weeks.safety_stock,
        {{ days_of_supply(
            'week_end_balances.projected_on_hand', 'coverage.horizon_requirements'
        ) }} as days_of_supply
    from sku_weeks
    left join weekly_flows
        on sku_weeks.sku_id = weekly_flows.sku_id and sku_weeks.week_start = weekly_flows.week_start
    left join week_end_balances
        on
            sku_weeks.sku_id = week_end_balances.sku_id
            and sku_weeks.week_start = week_end_balances.week_start
    left join coverage on sku_weeks.sku_id = coverage.sku_id
)

select * from final
