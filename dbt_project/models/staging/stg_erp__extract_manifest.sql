with

source as (
    select * from {{ source('erp', 'extract_manifest') }}
),

final as (
    select
        cast(extract_id as varchar) as extract_id,
        try_cast(created_at as timestamp with time zone) as created_at,
        cast(source_system as varchar) as source_system
    from source
)

select * from final
