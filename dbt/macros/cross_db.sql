{# Target-specific SQL behind one name, so models read the same on DuckDB, PostgreSQL and BigQuery. #}

{% macro json_text(column, key) -%}
  {{ return(adapter.dispatch('json_text', 'tiffin')(column, key)) }}
{%- endmacro %}

{% macro default__json_text(column, key) -%}
  json_extract_string({{ column }}, '$.{{ key }}')
{%- endmacro %}

{% macro postgres__json_text(column, key) -%}
  ({{ column }}::jsonb ->> '{{ key }}')
{%- endmacro %}

{% macro bigquery__json_text(column, key) -%}
  json_value({{ column }}, '$.{{ key }}')
{%- endmacro %}


{% macro json_array_length(column, key) -%}
  {{ return(adapter.dispatch('json_array_length', 'tiffin')(column, key)) }}
{%- endmacro %}

{% macro default__json_array_length(column, key) -%}
  json_array_length({{ column }}, '$.{{ key }}')
{%- endmacro %}

{% macro postgres__json_array_length(column, key) -%}
  jsonb_array_length({{ column }}::jsonb -> '{{ key }}')
{%- endmacro %}

{% macro bigquery__json_array_length(column, key) -%}
  array_length(json_query_array({{ column }}, '$.{{ key }}'))
{%- endmacro %}


{# An instant in time; DuckDB and PostgreSQL call it timestamptz, BigQuery timestamp. #}
{% macro type_timestamp_utc() -%}
  {{ return(adapter.dispatch('type_timestamp_utc', 'tiffin')()) }}
{%- endmacro %}

{% macro default__type_timestamp_utc() -%}timestamptz{%- endmacro %}

{% macro bigquery__type_timestamp_utc() -%}timestamp{%- endmacro %}


{% macro utc_date(column) -%}
  {{ return(adapter.dispatch('utc_date', 'tiffin')(column)) }}
{%- endmacro %}

{% macro default__utc_date(column) -%}
  cast(({{ column }} at time zone 'UTC') as date)
{%- endmacro %}

{% macro bigquery__utc_date(column) -%}
  date({{ column }}, 'UTC')
{%- endmacro %}


{# Integer division rounding half up, for non-negative money in minor units (never float). #}
{% macro divide_rounded(numerator, denominator) -%}
  {{ return(adapter.dispatch('divide_rounded', 'tiffin')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__divide_rounded(numerator, denominator) -%}
  (2 * ({{ numerator }}) + ({{ denominator }})) // (2 * ({{ denominator }}))
{%- endmacro %}

{% macro postgres__divide_rounded(numerator, denominator) -%}
  (2 * ({{ numerator }}) + ({{ denominator }})) / (2 * ({{ denominator }}))
{%- endmacro %}

{% macro bigquery__divide_rounded(numerator, denominator) -%}
  div(2 * ({{ numerator }}) + ({{ denominator }}), 2 * ({{ denominator }}))
{%- endmacro %}
