{# Fails on dates before as_of (past-due dates must have been moved to as_of). #}
{% test on_or_after_as_of(model, column_name) %}

select *
from {{ model }}
where {{ column_name }} < {{ as_of_date() }}

{% endtest %}
