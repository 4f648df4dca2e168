{# Fails on non-null dates outside as_of .. as_of + horizon_days - 1. #}
{% test within_horizon(model, column_name) %}

select *
from {{ model }}
where {{ column_name }} < {{ as_of_date() }}
   or {{ column_name }} > {{ horizon_end_date() }}

{% endtest %}
