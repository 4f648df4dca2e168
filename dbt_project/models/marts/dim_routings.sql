with

routings as (
    select * from {{ ref('stg_erp__routings') }}
),

final as (
    select
        sku_id,
        item_id,
        location_id,
        op_seq,
        work_center_id,
        -- rows sharing an op_seq are alternatives: the operation runs on one of them
        count(*) over (partition by sku_id, op_seq) as alternative_count,
        run_minutes_per_unit,
        setup_minutes,
        skill,
        setup_family
    from routings
)

select * from final
