with

source as (
    select * from {{ source('erp', 'shifts') }}
),

final as (
    select
        cast(work_center_id as varchar) as work_center_id,
        cast(weekday as bigint) as weekday,
        cast(start_time as time) as start_time,
        cast(end_time as time) as end_time,
        cast(_source_row as bigint) as source_row
    from source
)

select * from final
