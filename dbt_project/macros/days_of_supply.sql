{#
    Days of supply of a stock: the days it lasts at the SKU's average daily
    requirements over the horizon, all of them (independent demand and the
    dependent demand of planned orders, as the plan's gross requirements
    hold them), one decimal; null when the SKU has no requirements.
#}
{% macro days_of_supply(stock, horizon_requirements) -%}
    case
        when {{ horizon_requirements }} > 0
            then round({{ stock }} * {{ horizon_days() }} / {{ horizon_requirements }}, 1)
    end
{%- endmacro %}
