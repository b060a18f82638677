-- Every placed order's total is its parts: the warehouse and the orders service agree on
-- what a customer paid. Rows returned are failures.
select event_id, order_id, subtotal_minor, discount_minor, tax_minor, packaging_minor, delivery_fee_minor, total_minor
from {{ ref('stg_orders') }}
where total_minor <> subtotal_minor - discount_minor + tax_minor + packaging_minor + delivery_fee_minor
