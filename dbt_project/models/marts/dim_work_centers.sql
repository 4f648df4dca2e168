with

work_centers as (
    select * from {{ ref('stg_erp__work_centers') }}
),

shifts as (
    select * from {{ ref('stg_erp__shifts') }}
),

locations as (
    select * from {{ ref('stg_erp__locations') }}
),

-- a shift ending at or before its start runs past midnight
shift_hours as (
    select
        work_center_id,
        (
            date_diff('second', start_time, end_time)
            + case when end_time <= start_time then 86400 else 0 end
        ) / 3600.0 as hours
    from shifts
),

weekly_shift_hours as (
    select
        work_center_id,
        count(*) as shift_count,
        sum(hours) as weekly_shift_hours
    from shift_hours
    group by work_center_id
),

final as (
    select
        work_centers.work_center_id,
        work_centers.work_center_name,
        work_centers.location_id,
        locations.location_type,
        work_centers.capacity_units,
        work_centers.efficiency,
        coalesce(weekly_shift_hours.shift_count, 0) as shift_count,
        -- without shifts a work center works around the clock, as its windows say
        coalesce(weekly_shift_hours.weekly_shift_hours, 168) as weekly_shift_hours,
        coalesce(weekly_shift_hours.weekly_shift_hours, 168)
        * work_centers.capacity_units
        * work_centers.efficiency as weekly_available_hours
    from work_centers
    inner join locations on work_centers.location_id = locations.location_id
    left join weekly_shift_hours on work_centers.work_center_id = weekly_shift_hours.work_center_id
)

select * from final
