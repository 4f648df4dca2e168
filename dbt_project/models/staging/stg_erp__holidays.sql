with

source as (
    select * from {{ source('erp', 'holidays') }}
),

final as (
    select
        cast(location_id as varchar) as location_id,
        cast(date as date) as holiday_date,
        cast(name as varchar) as holiday_name,
        cast(_source_row as bigint) as source_row
    from source
)

select * from final
