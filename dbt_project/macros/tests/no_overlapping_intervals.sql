{#
    Fails on every interval [start_column, end_column) that begins before an
    earlier interval of the same partition has ended: with touching=false
    (merged intervals) also where it begins right at that end.
#}
{% test no_overlapping_intervals(model, partition_by, start_column, end_column, touching=true) %}

with

ordered as (
    select
        *,
        max({{ end_column }}) over (
            partition by {{ partition_by | join(', ') }}
            order by {{ start_column }}, {{ end_column }}
            rows between unbounded preceding and 1 preceding
        ) as earlier_end
    from {{ model }}
)

select *
from ordered
where {{ start_column }} {{ '<' if touching else '<=' }} earlier_end

{% endtest %}
