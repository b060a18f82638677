{# Fails with one row per duplicated combination: the model's grain is these columns together. #}
{% test unique_combination_of_columns(model, combination_of_columns) %}
  {%- set columns = combination_of_columns | join(', ') %}
  select {{ columns }}, count(*) as duplicate_rows
  from {{ model }}
  group by {{ columns }}
  having count(*) > 1
{% endtest %}
