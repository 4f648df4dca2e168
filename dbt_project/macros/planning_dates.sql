{#
    The planning horizon from the `as_of` and `horizon_days` vars: daily
    buckets from as_of to as_of + horizon_days - 1 (contract §3).
#}
{% macro as_of_date() -%}
    cast('{{ var("as_of") }}' as date)
{%- endmacro %}

{% macro horizon_days() -%}
    {{ var("horizon_days") | int }}
{%- endmacro %}

{% macro horizon_end_date() -%}
    cast({{ as_of_date() }} + {{ (var("horizon_days") | int) - 1 }} as date)
{%- endmacro %}

{#
    True when a dated line (BOM validity) applies on some day of the horizon;
    null bounds are open.
#}
{% macro is_valid_in_horizon(valid_from, valid_to) -%}
    (
        coalesce({{ valid_from }} <= {{ horizon_end_date() }}, true)
        and coalesce({{ valid_to }} >= {{ as_of_date() }}, true)
    )
{%- endmacro %}

{# True when a dated line applies on `day`; null bounds are open. #}
{% macro is_valid_on(valid_from, valid_to, day) -%}
    (
        coalesce({{ valid_from }} <= {{ day }}, true)
        and coalesce({{ valid_to }} >= {{ day }}, true)
    )
{%- endmacro %}
