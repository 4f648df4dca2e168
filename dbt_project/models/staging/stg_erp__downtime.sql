with

source as (
    select * from {{ source('erp', 'downtime') }}
),

final as (
    select
        cast(work_center_id as varchar) as work_center_id,
        cast(start_at as timestamp) as start_at,
        cast(end_at as timestamp) as end_at,
        cast(reason as varchar) as reason,
        cast(_source_row as bigint) as source_row
    from source
)

select * from final
