{#- The few expressions where DuckDB (local) and Databricks SQL (prod) differ, behind adapter.dispatch. -#}

{% macro seconds_between(start_ts, end_ts) -%}
    {{ return(adapter.dispatch('seconds_between')(start_ts, end_ts)) }}
{%- endmacro %}

{% macro default__seconds_between(start_ts, end_ts) -%}
    (epoch({{ end_ts }}) - epoch({{ start_ts }}))
{%- endmacro %}

{% macro databricks__seconds_between(start_ts, end_ts) -%}
    (unix_micros({{ end_ts }}) - unix_micros({{ start_ts }})) / 1e6
{%- endmacro %}

{% macro array_contains(array_col, value) -%}
    {{ return(adapter.dispatch('array_contains')(array_col, value)) }}
{%- endmacro %}

{% macro default__array_contains(array_col, value) -%}
    coalesce(list_contains({{ array_col }}, {{ value }}), false)
{%- endmacro %}

{% macro databricks__array_contains(array_col, value) -%}
    coalesce(array_contains({{ array_col }}, {{ value }}), false)
{%- endmacro %}

{#- One row per element of an array column: `from t {{ explode_array('t.col', 'item') }}` -#}
{% macro explode_array(array_col, alias) -%}
    {{ return(adapter.dispatch('explode_array')(array_col, alias)) }}
{%- endmacro %}

{% macro default__explode_array(array_col, alias) -%}
    , unnest({{ array_col }}) as exploded({{ alias }})
{%- endmacro %}

{% macro databricks__explode_array(array_col, alias) -%}
    lateral view explode({{ array_col }}) exploded as {{ alias }}
{%- endmacro %}

{#- The first `n` values of `expr`, ordered by `order_by`, as an array. -#}
{% macro first_values(expr, order_by, n) -%}
    {{ return(adapter.dispatch('first_values')(expr, order_by, n)) }}
{%- endmacro %}

{% macro default__first_values(expr, order_by, n) -%}
    list({{ expr }} order by {{ order_by }})[1:{{ n }}]
{%- endmacro %}

{% macro databricks__first_values(expr, order_by, n) -%}
    slice(collect_list({{ expr }}), 1, {{ n }})
{%- endmacro %}
