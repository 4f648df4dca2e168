with

personnel as (
    select * from {{ ref('stg_erp__personnel') }}
),

-- the extract repeats a person's shift on every skill row; where the rows of
-- one location disagree, the first row there counts, as the scheduler has
-- always taken it
final as (
    select
        person_id,
        skill,
        location_id,
        person_name,
        first_value(shift_start) over at_location as shift_start,
        first_value(shift_end) over at_location as shift_end
    from personnel
    window at_location as (partition by person_id, location_id order by source_row)
)

select * from final
