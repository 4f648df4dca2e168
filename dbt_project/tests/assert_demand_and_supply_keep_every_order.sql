-- fct_demand and fct_open_supply neither drop nor duplicate extract rows:
-- their totals per source equal the staged orders' (in the horizon for demand).
-- Rows returned are sources whose totals differ.
-- The totals are compensated (Kahan) sums, compared to within 1e-12 of the
-- total: a plain sum depends on the order DuckDB's threads add the rows in,
-- and at 1M SKUs (purchase orders totalling 1.3e9 units) two sums of the same
-- rows differed by 3e-6.

with

sales_orders as (
    select * from {{ ref('stg_erp__sales_orders') }}
),

purchase_orders as (
    select * from {{ ref('stg_erp__open_purchase_orders') }}
),

work_orders as (
    select * from {{ ref('stg_erp__open_work_orders') }}
),

transfers as (
    select * from {{ ref('stg_erp__open_transfers') }}
),

demand as (
    select * from {{ ref('fct_demand') }}
),

supply as (
    select * from {{ ref('fct_open_supply') }}
),

expected as (
    select
        'sales_order demand' as total,
        fsum(qty_open) as qty
    from sales_orders
    where due_date <= {{ horizon_end_date() }}
    union all
    select
        'transfer demand' as total,
        fsum(qty) as qty
    from transfers
    where ship_date >= {{ as_of_date() }} and ship_date <= {{ horizon_end_date() }}
    union all
    select
        'purchase_order supply' as total,
        fsum(qty_open) as qty
    from purchase_orders
    union all
    select
        'work_order supply' as total,
        fsum(qty_open) as qty
    from work_orders
    union all
    select
        'transfer supply' as total,
        fsum(qty) as qty
    from transfers
),

actual as (
    select
        demand_type || ' demand' as total,
        fsum(qty) as qty
    from demand
    group by demand_type
    union all
    select
        supply_type || ' supply' as total,
        fsum(qty) as qty
    from supply
    group by supply_type
),

final as (
    select
        expected.total,
        expected.qty as expected_qty,
        actual.qty as actual_qty
    from expected
    left join actual on expected.total = actual.total
    where
        abs(coalesce(expected.qty, 0) - coalesce(actual.qty, 0))
        > greatest(1e-6, 1e-12 * abs(coalesce(expected.qty, 0)))
)

select * from final
