{#
    Use the folder's schema name as is (staging, intermediate, marts) rather
    than dbt's default <target_schema>_<custom>, so BI tools read `marts.*`.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
