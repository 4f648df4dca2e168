{#
    Low-level codes over a directed graph, as CTEs to place inside a model's
    `with recursive` clause (each CTE ends in a comma; the last one is `name`).

    nodes: a relation or CTE with column node_id (nodes without edges get 0).
    edges: a relation or CTE with columns from_node_id, to_node_id
           (parent to component, destination to source).

    `name` has one row per node: node_id, low_level_code (the longest path
    from a root, a node nothing points to, whose code is 0), is_on_cycle.
    low_level_code is null where it is undefined: on a cycle or below one.

    How: walk down from the roots keeping distinct (node, path length) pairs,
    at most nodes x max_depth rows whatever the number of paths, and stop at
    max_depth, so a cycle cannot hang the build. On valid data no walk gets
    that far and every node is reached. Otherwise the nodes reached at
    max_depth or never reached, and everything below them, have no code; only
    among those (none on valid data) does the exact check run: a node is on a
    cycle when it can reach itself.
#}
{% macro graph_level_ctes(name, nodes, edges, max_depth=none) %}
{%- set max_depth = max_depth if max_depth is not none else var('max_graph_depth') | int -%}

{{ name }}__edges as (
    select distinct
        from_node_id,
        to_node_id
    from {{ edges }}
    where from_node_id is not null and to_node_id is not null
),

{{ name }}__nodes as (
    select node_id from {{ nodes }}
    union
    select from_node_id from {{ name }}__edges
    union
    select to_node_id from {{ name }}__edges
),

{{ name }}__roots as (
    select node_id
    from {{ name }}__nodes
    where node_id not in (select to_node_id from {{ name }}__edges)
),

-- lengths of the paths from a root down to each node, up to max_depth
{{ name }}__depths (node_id, depth) as (
    select node_id, 0 from {{ name }}__roots
    union
    select
        edges.to_node_id,
        depths.depth + 1
    from {{ name }}__depths as depths
    inner join {{ name }}__edges as edges on depths.node_id = edges.from_node_id
    where depths.depth < {{ max_depth }}
),

{{ name }}__levels as (
    select
        nodes.node_id,
        max(depths.depth) as max_depth
    from {{ name }}__nodes as nodes
    left join {{ name }}__depths as depths on nodes.node_id = depths.node_id
    group by nodes.node_id
),

-- nodes on or below a cycle: reached at the bound, never reached, or below those
{{ name }}__unleveled (node_id) as (
    select node_id
    from {{ name }}__levels
    where coalesce(max_depth >= {{ max_depth }}, true)
    union
    select edges.to_node_id
    from {{ name }}__unleveled as unleveled
    inner join {{ name }}__edges as edges on unleveled.node_id = edges.from_node_id
),

{{ name }}__unleveled_edges as (
    select edges.from_node_id, edges.to_node_id
    from {{ name }}__edges as edges
    inner join {{ name }}__unleveled as unleveled on edges.from_node_id = unleveled.node_id
),

-- distinct (start, reached) pairs: finitely many, so the walk ends unbounded
{{ name }}__walks (start_node_id, node_id) as (
    select from_node_id, to_node_id from {{ name }}__unleveled_edges
    union
    select
        walks.start_node_id,
        edges.to_node_id
    from {{ name }}__walks as walks
    inner join {{ name }}__unleveled_edges as edges on walks.node_id = edges.from_node_id
),

{{ name }}__on_cycle as (
    select distinct start_node_id as node_id
    from {{ name }}__walks
    where start_node_id = node_id
),

{{ name }} as (
    select
        levels.node_id,
        case when unleveled.node_id is null then levels.max_depth end as low_level_code,
        on_cycle.node_id is not null as is_on_cycle
    from {{ name }}__levels as levels
    left join {{ name }}__unleveled as unleveled on levels.node_id = unleveled.node_id
    left join {{ name }}__on_cycle as on_cycle on levels.node_id = on_cycle.node_id
),
{% endmacro %}
