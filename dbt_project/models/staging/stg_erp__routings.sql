with

source as (
    select * from {{ source('erp', 'routings') }}
),

final as (
    select
        item_id || '@' || location_id as sku_id,
        cast(item_id as varchar) as item_id,
        cast(location_id as varchar) as location_id,
        cast(op_seq as bigint) as op_seq,
        cast(work_center_id as varchar) as work_center_id,
        cast(run_minutes_per_unit as double) as run_minutes_per_unit,
        cast(setup_minutes as double) as setup_minutes,
        cast(skill as varchar) as skill,
        cast(setup_family as varchar) as setup_family,
        cast(_source_row as bigint) as source_row
    from source
)

select * from final
