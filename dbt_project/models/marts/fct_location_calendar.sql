with

locations as (
    select * from {{ ref('dim_locations') }}
),

work_centers as (
    select * from {{ ref('dim_work_centers') }}
),

shifts as (
    select * from {{ ref('stg_erp__shifts') }}
),

holidays as (
    select * from {{ ref('stg_erp__holidays') }}
),

calendar_days as (
    select cast(horizon_midnights.midnight as date) as calendar_date
    from range(
        cast({{ as_of_date() }} as timestamp),
        cast({{ as_of_date() }} + {{ horizon_days() }} as timestamp),
        interval 1 day
    ) as horizon_midnights (midnight)
),

-- weekdays (0 = Monday) on which some work center of the location starts a shift
location_shift_weekdays as (
    select distinct
        work_centers.location_id,
        shifts.weekday
    from shifts
    inner join work_centers on shifts.work_center_id = work_centers.work_center_id
),

locations_with_shifts as (
    select distinct location_id from location_shift_weekdays
),

location_days as (
    select
        locations.location_id,
        locations.is_plant,
        calendar_days.calendar_date,
        holidays.holiday_date is not null as is_holiday,
        holidays.holiday_name,
        coalesce(locations.is_plant and location_shift_weekdays.weekday is not null, false)
            as has_shift_hours,
        locations_with_shifts.location_id is not null as location_has_shifts
    from locations
    cross join calendar_days
    left join holidays
        on
            locations.location_id = holidays.location_id
            and calendar_days.calendar_date = holidays.holiday_date
    left join location_shift_weekdays
        on
            locations.location_id = location_shift_weekdays.location_id
            and isodow(calendar_days.calendar_date) - 1 = location_shift_weekdays.weekday
    left join locations_with_shifts
        on locations.location_id = locations_with_shifts.location_id
),

final as (
    select
        location_id,
        calendar_date,
        is_holiday,
        holiday_name,
        not is_holiday as is_open_day,
        has_shift_hours,
        -- a plant without any shift works around the clock, like its work centers
        not is_holiday
        and (not is_plant or has_shift_hours or not location_has_shifts) as is_working_day
    from location_days
)

select * from final
