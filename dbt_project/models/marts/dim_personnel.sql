with

person_skills as (
    select * from {{ ref('stg_erp__personnel') }}
),

-- a person's name, location and shift are those of their first row in the extract
first_rows as (
    select
        person_id,
        person_name,
        location_id,
        shift_start,
        shift_end
    from person_skills
    qualify row_number() over (partition by person_id order by source_row) = 1
),

skill_counts as (
    select
        person_id,
        count(*) as skill_count,
        count(distinct location_id) as location_count
    from person_skills
    group by person_id
),

final as (
    select
        first_rows.person_id,
        first_rows.person_name,
        first_rows.location_id,
        first_rows.shift_start,
        first_rows.shift_end,
        skill_counts.skill_count,
        skill_counts.location_count
    from first_rows
    inner join skill_counts on first_rows.person_id = skill_counts.person_id
)

select * from final
