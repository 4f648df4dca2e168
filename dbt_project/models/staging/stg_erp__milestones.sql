with

source as (
    select * from {{ source('erp', 'milestones') }}
),

final as (
    select
        cast(project_id as varchar) as project_id,
        cast(milestone_id as varchar) as milestone_id,
        cast(name as varchar) as milestone_name,
        cast(due_date as date) as due_date,
        cast(so_id as varchar) as so_id,
        cast(_source_row as bigint) as source_row
    from source
)

select * from final
