with

work_orders as (
    select * from {{ ref('stg_erp__open_work_orders') }}
),

bom_lines as (
    select * from {{ ref('int_bom_lines_resolved') }}
),

items as (
    select * from {{ ref('stg_erp__items') }}
),

-- in_progress orders have drawn their components already
unstarted_orders as (
    select
        *,
        greatest(start_date, {{ as_of_date() }}) as requirement_date
    from work_orders
    where work_order_status in ('planned', 'released')
),

final as (
    select
        unstarted_orders.wo_id,
        bom_lines.component_sku_id as sku_id,
        bom_lines.component_item_id as item_id,
        unstarted_orders.location_id,
        unstarted_orders.sku_id as parent_sku_id,
        unstarted_orders.work_order_status,
        unstarted_orders.start_date,
        unstarted_orders.requirement_date,
        -- a whole-unit component is drawn in whole units per order (contract §3);
        -- the tolerance is planning.mrp.lot_sizing.WHOLE_UNIT_TOLERANCE
        case
            when items.integer_qty
                then ceil(unstarted_orders.qty_open * bom_lines.component_qty_per_parent - 1e-6)
            else unstarted_orders.qty_open * bom_lines.component_qty_per_parent
        end as qty
    from unstarted_orders
    inner join bom_lines on unstarted_orders.sku_id = bom_lines.parent_sku_id
    left join items on bom_lines.component_item_id = items.item_id
    where
        {{ is_valid_on(
            'bom_lines.valid_from', 'bom_lines.valid_to', 'unstarted_orders.requirement_date'
        ) }}
)

select * from final
