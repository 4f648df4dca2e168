with

work_centers as (
    select * from {{ ref('dim_work_centers') }}
),

downtime as (
    select * from {{ ref('stg_erp__downtime') }}
),

-- in whole minutes, rounded down, as fct_work_center_windows and the scheduler
-- count; downtime that ended before as_of is gone, and what is left of downtime
-- under way at as_of starts there. The horizon's end does not cut it: the
-- scheduler keeps a work center down after its own horizon too.
down_from_as_of as (
    select
        downtime.work_center_id,
        greatest(
            date_trunc('minute', downtime.start_at), cast({{ as_of_date() }} as timestamp)
        ) as start_at,
        date_trunc('minute', downtime.end_at) as end_at,
        downtime.reason
    from downtime
    where
        date_trunc('minute', downtime.end_at)
        > greatest(
            date_trunc('minute', downtime.start_at), cast({{ as_of_date() }} as timestamp)
        )
),

-- overlapping or touching downtime of a work center is one period: a new period
-- starts after every earlier one has ended
flagged as (
    select
        *,
        coalesce(
            start_at > max(end_at) over (
                partition by work_center_id
                order by start_at, end_at
                rows between unbounded preceding and 1 preceding
            ),
            true
        ) as starts_period
    from down_from_as_of
),

numbered as (
    select
        *,
        sum(case when starts_period then 1 else 0 end) over (
            partition by work_center_id
            order by start_at, end_at
            rows between unbounded preceding and current row
        ) as period_number
    from flagged
),

periods as (
    select
        work_center_id,
        min(start_at) as start_at,
        max(end_at) as end_at,
        string_agg(distinct reason, '; ' order by reason) as reasons
    from numbered
    group by work_center_id, period_number
),

final as (
    select
        periods.work_center_id,
        work_centers.location_id,
        periods.start_at,
        periods.end_at,
        date_diff('minute', periods.start_at, periods.end_at) as downtime_minutes,
        periods.reasons
    from periods
    inner join work_centers on periods.work_center_id = work_centers.work_center_id
)

select * from final
