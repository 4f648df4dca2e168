with

locations as (
    select * from {{ ref('stg_erp__locations') }}
),

skus as (
    select * from {{ ref('stg_erp__skus') }}
),

work_centers as (
    select * from {{ ref('stg_erp__work_centers') }}
),

sku_counts as (
    select
        location_id,
        count(*) as sku_count
    from skus
    group by location_id
),

work_center_counts as (
    select
        location_id,
        count(*) as work_center_count
    from work_centers
    group by location_id
),

final as (
    select
        locations.location_id,
        locations.location_name,
        locations.location_type,
        locations.location_type = 'plant' as is_plant,
        coalesce(sku_counts.sku_count, 0) as sku_count,
        coalesce(work_center_counts.work_center_count, 0) as work_center_count
    from locations
    left join sku_counts on locations.location_id = sku_counts.location_id
    left join work_center_counts on locations.location_id = work_center_counts.location_id
)

select * from final
