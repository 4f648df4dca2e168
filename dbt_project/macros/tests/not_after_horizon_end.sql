{#
    Fails on timestamps after the horizon's end: the midnight that ends its
    last day, as_of + horizon_days (the end of a half-open window may be it).
#}
{% test not_after_horizon_end(model, column_name) %}

select *
from {{ model }}
where {{ column_name }} > cast({{ as_of_date() }} + {{ horizon_days() }} as timestamp)

{% endtest %}
