with

source as (
    select * from {{ source('erp', 'locations') }}
),

final as (
    select
        cast(location_id as varchar) as location_id,
        cast(location_type as varchar) as location_type,
        cast(name as varchar) as location_name,
        cast(_source_row as bigint) as source_row
    from source
)

select * from final
