with

transfers as (
    select * from {{ ref('stg_erp__open_transfers') }}
),

final as (
    select
        transfer_id,
        item_id,
        from_location_id,
        to_location_id,
        from_sku_id,
        to_sku_id,
        qty,
        ship_date,
        receipt_date,
        -- shipped before as_of: on the road, a receipt at the destination only;
        -- otherwise it has not left and is also demand at the source
        ship_date < {{ as_of_date() }} as is_in_transit
    from transfers
)

select * from final
