with

purchase_orders as (
    select * from {{ ref('stg_erp__open_purchase_orders') }}
),

work_orders as (
    select * from {{ ref('stg_erp__open_work_orders') }}
),

transfers as (
    select * from {{ ref('int_open_transfers_classified') }}
),

purchase_order_receipts as (
    select
        'purchase_order' as supply_type,
        po_id || ':' || po_line as supply_id,
        sku_id,
        item_id,
        location_id,
        qty_open as qty,
        due_date,
        po_id as order_id,
        po_line as order_line,
        supplier_id,
        'open' as supply_status
    from purchase_orders
),

work_order_receipts as (
    select
        'work_order' as supply_type,
        wo_id as supply_id,
        sku_id,
        item_id,
        location_id,
        qty_open as qty,
        due_date,
        wo_id as order_id,
        start_date,
        work_order_status as supply_status
    from work_orders
),

transfer_receipts as (
    select
        'transfer' as supply_type,
        transfer_id as supply_id,
        to_sku_id as sku_id,
        item_id,
        to_location_id as location_id,
        qty,
        receipt_date as due_date,
        transfer_id as order_id,
        from_location_id,
        ship_date,
        case when is_in_transit then 'in_transit' else 'not_shipped' end as supply_status
    from transfers
),

-- each kind selects only the columns it has; by name, the others are null
receipts as (
    select * from purchase_order_receipts
    union all by name
    select * from work_order_receipts
    union all by name
    select * from transfer_receipts
),

final as (
    select
        supply_type,
        supply_id,
        sku_id,
        item_id,
        location_id,
        qty,
        due_date,
        -- past-due supply lands on as_of
        greatest(due_date, {{ as_of_date() }}) as receipt_date,
        due_date < {{ as_of_date() }} as is_past_due,
        due_date <= {{ horizon_end_date() }} as is_within_horizon,
        supply_status,
        order_id,
        order_line,
        supplier_id,
        from_location_id,
        start_date,
        ship_date
    from receipts
    where qty > 0
)

select * from final
