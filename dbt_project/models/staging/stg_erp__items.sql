with

source as (
    select * from {{ source('erp', 'items') }}
),

final as (
    select
        cast(item_id as varchar) as item_id,
        cast(uom as varchar) as uom,
        cast(description as varchar) as item_description,
        cast(unit_cost as double) as unit_cost,
        cast(item_group as varchar) as item_group,
        -- the loader has applied the uom default where the extract left it empty
        cast(integer_qty as boolean) as integer_qty,
        cast(_source_row as bigint) as source_row
    from source
)

select * from final
