"""The orders service's pure rules: no database, HTTP, Redis or Kafka.

``order`` (the order, its lines and price, the checks a new order passes),
``lifecycle`` (the transition table), ``pricing`` (fees, tax, rounding) and
``events`` (orders and status changes as contract events). The order model is
importable from the package itself.
"""

from serving.orders.domain.order import (
    MAX_DELIVERY_FEE_MINOR,
    MAX_LINES,
    MAX_QUANTITY,
    MAX_UNIT_PRICE_MINOR,
    SUPPORTED_CURRENCIES,
    LineItem,
    Order,
    OrderRejected,
    OrderStatus,
    OrderTotals,
    check_new_order,
    place_order,
    price_order,
)

__all__ = [
    "MAX_DELIVERY_FEE_MINOR",
    "MAX_LINES",
    "MAX_QUANTITY",
    "MAX_UNIT_PRICE_MINOR",
    "SUPPORTED_CURRENCIES",
    "LineItem",
    "Order",
    "OrderRejected",
    "OrderStatus",
    "OrderTotals",
    "check_new_order",
    "place_order",
    "price_order",
]
