"""The topic registry: every Kafka topic, its key and partition count, defined once."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    name: str
    partitions: int
    key: str
    description: str


ORDERS = Topic(
    name="orders.v1",
    partitions=3,
    key="order_id",
    description="Every order lifecycle event, keyed by order_id so one order's events stay in order.",
)

CITY_ORDER_METRICS = Topic(
    name="metrics.city_orders_1m.v1",
    partitions=1,
    key="city",
    description="Per-city order count and GMV per event-time minute, from the Flink metrics job.",
)

RESTAURANTS = Topic(
    name="restaurants.v1",
    partitions=3,
    key="restaurant_id",
    description="Restaurant and menu changes (details, prices, availability, stock, ratings), keyed by restaurant_id.",
)

PAYMENTS = Topic(
    name="payments.v1",
    partitions=3,
    key="order_id",
    description="Payment outcomes and refunds, keyed by order_id so one order's payment events stay in order.",
)

ALL_TOPICS: tuple[Topic, ...] = (ORDERS, CITY_ORDER_METRICS, RESTAURANTS, PAYMENTS)


def topic_named(name: str) -> Topic:
    for topic in ALL_TOPICS:
        if topic.name == name:
            return topic
    raise KeyError(f"unknown topic {name!r}; known: {[t.name for t in ALL_TOPICS]}")
