{#
    The run whose plan tables the plan marts show: the `run_id` var (the
    pipeline passes the run it is publishing), else the newest run that
    succeeded.
#}
{% macro plan_run_id() -%}
    {%- if var("run_id") -%}
        '{{ var("run_id") }}'
    {%- else -%}
        (
            select run_id from {{ source('plan', 'runs') }}
            where status = 'succeeded'
            order by started_at desc
            limit 1
        )
    {%- endif -%}
{%- endmacro %}
