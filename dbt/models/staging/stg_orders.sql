-- One row per placed order: OrderPlaced events from orders.v1, deduplicated by event_id
-- (Kafka delivery is at least once, so the same event can appear at two offsets).
with records as (
    select * from {{ source('kafka_raw', 'orders_v1') }}
    where event_type = 'OrderPlaced' and event_id is not null
),

first_delivery as (
    select
        *,
        row_number() over (
            partition by event_id order by kafka_partition, kafka_offset
        ) as delivery_number
    from records
)

select
    event_id,
    {{ json_text('payload', 'order_id') }} as order_id,
    {{ json_text('payload', 'customer_id') }} as customer_id,
    {{ json_text('payload', 'restaurant_id') }} as restaurant_id,
    {{ json_text('payload', 'city') }} as city,
    cast({{ json_array_length('payload', 'lines') }} as {{ dbt.type_bigint() }}) as line_count,
    cast({{ json_text('payload', 'subtotal_minor') }} as {{ dbt.type_bigint() }}) as subtotal_minor,
    -- The breakdown arrived with offers (OrderPlaced stays schema_version 1): events
    -- from before carry none of it, and their total is subtotal + delivery fee.
    coalesce(cast({{ json_text('payload', 'discount_minor') }} as {{ dbt.type_bigint() }}), 0) as discount_minor,
    coalesce(cast({{ json_text('payload', 'tax_minor') }} as {{ dbt.type_bigint() }}), 0) as tax_minor,
    coalesce(cast({{ json_text('payload', 'packaging_minor') }} as {{ dbt.type_bigint() }}), 0) as packaging_minor,
    cast({{ json_text('payload', 'delivery_fee_minor') }} as {{ dbt.type_bigint() }}) as delivery_fee_minor,
    cast({{ json_text('payload', 'total_minor') }} as {{ dbt.type_bigint() }}) as total_minor,
    {{ json_text('payload', 'offer_code') }} as offer_code,
    {{ json_text('payload', 'currency') }} as currency,
    cast({{ json_text('payload', 'placed_at') }} as {{ type_timestamp_utc() }}) as placed_at,
    cast(occurred_at as {{ type_timestamp_utc() }}) as occurred_at,
    schema_version,
    kafka_partition,
    kafka_offset
from first_delivery
where delivery_number = 1
