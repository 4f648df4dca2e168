with

work_centers as (
    select * from {{ ref('dim_work_centers') }}
),

shifts as (
    select * from {{ ref('stg_erp__shifts') }}
),

downtime as (
    select * from {{ ref('fct_work_center_downtime') }}
),

location_calendar as (
    select * from {{ ref('fct_location_calendar') }}
),

-- the planning horizon as timestamps: as_of midnight up to the midnight after
-- its last day. Every time counts in whole minutes, rounded down, as the
-- scheduler counts them.
horizon as (
    select
        cast({{ as_of_date() }} as timestamp) as start_at,
        cast({{ as_of_date() }} + {{ horizon_days() }} as timestamp) as end_at
),

-- the day before as_of too: a shift of that day may run past midnight into it
shift_days as (
    select cast(calendar_days.midnight as date) as shift_date
    from range(
        cast({{ as_of_date() }} - 1 as timestamp),
        cast({{ as_of_date() }} + {{ horizon_days() }} as timestamp),
        interval 1 day
    ) as calendar_days (midnight)
),

-- a shift ending at or before its start runs past midnight; one ending at its
-- start lasts 24 hours
dated_shifts as (
    select
        shifts.work_center_id,
        date_trunc('minute', shift_days.shift_date + shifts.start_time) as start_at,
        date_trunc(
            'minute',
            shift_days.shift_date + shifts.end_time
            + case
                when shifts.end_time <= shifts.start_time then interval 1 day
                else interval 0 day
            end
        ) as end_at
    from shifts
    inner join shift_days on shifts.weekday = isodow(shift_days.shift_date) - 1
),

-- a work center without shifts works around the clock
around_the_clock as (
    select
        work_centers.work_center_id,
        horizon.start_at,
        horizon.end_at
    from work_centers
    cross join horizon
    where not exists (
        select 1 from shifts
        where shifts.work_center_id = work_centers.work_center_id
    )
),

working_periods as (
    select * from dated_shifts
    union all
    select * from around_the_clock
),

-- a holiday of the location closes its work centers for the whole calendar
-- day, the night shift coming into it from the day before included
holidays as (
    select
        work_centers.work_center_id,
        cast(location_calendar.calendar_date as timestamp) as start_at,
        cast(location_calendar.calendar_date + 1 as timestamp) as end_at
    from location_calendar
    inner join work_centers on location_calendar.location_id = work_centers.location_id
    where location_calendar.is_holiday
),

closed_periods as (
    select
        work_center_id,
        start_at,
        end_at
    from downtime
    union all
    select * from holidays
),

periods as (
    select
        work_center_id,
        start_at,
        end_at,
        1 as working,
        0 as down
    from working_periods
    union all
    select
        work_center_id,
        start_at,
        end_at,
        0 as working,
        1 as down
    from closed_periods
),

-- every moment a work center's state may change: +1 where a shift or a
-- downtime period or holiday begins, -1 where it ends; and the horizon's two ends
boundaries as (
    select
        work_center_id,
        start_at as boundary_at,
        working,
        down
    from periods
    union all
    select
        work_center_id,
        end_at as boundary_at,
        -working as working,
        -down as down
    from periods
    union all
    select
        work_centers.work_center_id,
        unnest([horizon.start_at, horizon.end_at]) as boundary_at,
        0 as working,
        0 as down
    from work_centers
    cross join horizon
),

-- from one boundary to the next the state holds: how many shifts and
-- downtime periods or holidays are running
segments as (
    select
        work_center_id,
        boundary_at as start_at,
        lead(boundary_at) over by_time as end_at,
        sum(sum(working)) over by_time as shifts_running,
        sum(sum(down)) over by_time as downtime_running
    from boundaries
    group by work_center_id, boundary_at
    window by_time as (partition by work_center_id order by boundary_at)
),

-- open while some shift runs and no downtime or holiday does
horizon_segments as (
    select
        segments.work_center_id,
        segments.start_at,
        segments.end_at,
        segments.shifts_running > 0 and segments.downtime_running = 0 as is_open
    from segments
    cross join horizon
    where
        segments.start_at >= horizon.start_at
        and segments.end_at <= horizon.end_at
),

-- inside the horizon segments touch, so consecutive open ones form one
-- window: number them by the closed segments before them
numbered_segments as (
    select
        *,
        sum(case when is_open then 0 else 1 end) over (
            partition by work_center_id order by start_at
        ) as closed_before
    from horizon_segments
),

windows as (
    select
        work_center_id,
        min(start_at) as start_at,
        max(end_at) as end_at
    from numbered_segments
    where is_open
    group by work_center_id, closed_before
),

final as (
    select
        windows.work_center_id,
        work_centers.location_id,
        windows.start_at,
        windows.end_at,
        date_diff('minute', windows.start_at, windows.end_at) as window_minutes
    from windows
    inner join work_centers on windows.work_center_id = work_centers.work_center_id
)

select * from final
