{#
    Fails on every row where `expression` is not true (false or null).
    With column_name, the expression is appended to the column:
    `expression: ">= 0"` on column qty tests `qty >= 0`.
#}
{% test expression_is_true(model, expression, column_name=None) %}

select *
from {{ model }}
where not coalesce(
    {%- if column_name %} {{ column_name }} {{ expression }}
    {%- else %} {{ expression }}
    {%- endif %}, false)

{% endtest %}
