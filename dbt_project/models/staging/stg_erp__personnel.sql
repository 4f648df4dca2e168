with

source as (
    select * from {{ source('erp', 'personnel') }}
),

final as (
    select
        cast(person_id as varchar) as person_id,
        cast(location_id as varchar) as location_id,
        cast(skill as varchar) as skill,
        cast(name as varchar) as person_name,
        cast(shift_start as time) as shift_start,
        cast(shift_end as time) as shift_end,
        cast(_source_row as bigint) as source_row
    from source
)

select * from final
