-- One row per city per UTC day of placed orders. A city trades in one currency; the
-- grain test fails loudly if that ever stops holding, instead of adding rupees to dollars.
-- Sums are cast back to bigint: DuckDB sums bigints as int128, which Parquet stores as double.
with orders as (
    select * from {{ ref('stg_orders') }}
),

daily as (
    select
        city,
        {{ utc_date('placed_at') }} as order_date,
        currency,
        count(*) as order_count,
        cast(sum(total_minor) as {{ dbt.type_bigint() }}) as gmv_minor,
        min(placed_at) as first_order_at,
        max(placed_at) as last_order_at
    from orders
    group by 1, 2, 3
)

select
    city,
    order_date,
    currency,
    cast(order_count as {{ dbt.type_bigint() }}) as order_count,
    gmv_minor,
    cast({{ divide_rounded('gmv_minor', 'order_count') }} as {{ dbt.type_bigint() }}) as avg_order_value_minor,
    first_order_at,
    last_order_at
from daily
