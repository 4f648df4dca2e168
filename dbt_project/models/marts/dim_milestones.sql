with

milestones as (
    select * from {{ ref('stg_erp__milestones') }}
),

final as (
    select
        project_id,
        milestone_id,
        milestone_name,
        due_date,
        so_id
    from milestones
)

select * from final
