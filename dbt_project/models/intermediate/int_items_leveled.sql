{{ config(materialized='table') }}

with recursive

items as (
    select * from {{ ref('stg_erp__items') }}
),

bom_lines as (
    select * from {{ ref('stg_erp__bom_lines') }}
),

nodes as (
    select item_id as node_id
    from items
),

-- one graph over every location: an item's code holds wherever it is made
edges as (
    select
        parent_item_id as from_node_id,
        component_item_id as to_node_id
    from bom_lines
    where {{ is_valid_in_horizon('valid_from', 'valid_to') }}
),

{{ graph_level_ctes('item_levels', 'nodes', 'edges') }}

parents as (
    select distinct from_node_id as item_id
    from edges
),

components as (
    select distinct to_node_id as item_id
    from edges
),

final as (
    select
        items.item_id,
        item_levels.low_level_code,
        item_levels.is_on_cycle,
        parents.item_id is not null as has_bom,
        components.item_id is null as is_top_level
    from items
    inner join item_levels on items.item_id = item_levels.node_id
    left join parents on items.item_id = parents.item_id
    left join components on items.item_id = components.item_id
)

select * from final
