with

source as (
    select * from {{ source('erp', 'work_centers') }}
),

final as (
    select
        cast(work_center_id as varchar) as work_center_id,
        cast(location_id as varchar) as location_id,
        cast(capacity_units as bigint) as capacity_units,
        cast(name as varchar) as work_center_name,
        cast(efficiency as double) as efficiency,
        cast(_source_row as bigint) as source_row
    from source
)

select * from final
