import time
from collections import defaultdict
from typing import Any

import pytest

from contracts.envelope import EventEnvelope
from contracts.topics import ORDERS
from serving.kernel.messaging.relay import OutboxPublishError

pytestmark = pytest.mark.stack


def test_a_kafka_outage_loses_nothing_and_afterwards_every_event_is_published_once_in_order(
    fresh_orders: Any, private_topic: str, topic_window: Any, kafka_control: Any
) -> None:
    orders_window = topic_window(ORDERS.name)
    probes_window = topic_window(private_topic)

    kafka_control.stop()
    # Placing orders does not need Kafka: they wait in the outbox.
    order_ids = [fresh_orders.place()["order_id"] for _ in range(5)]
    for sequence in range(3):
        for key in ("probe-a", "probe-b"):
            fresh_orders.append_probe(private_topic, key, sequence)
    relay = fresh_orders.relay(batch_size=4)

    started = time.monotonic()
    with pytest.raises(OutboxPublishError):
        relay.relay_once()
    assert time.monotonic() - started < 15  # bounded timeouts: an outage fails fast
    assert fresh_orders.unpublished() == 11

    kafka_control.start()
    deadline = time.monotonic() + 60
    while fresh_orders.unpublished():
        assert time.monotonic() < deadline, "the relay did not recover after Kafka came back"
        try:
            relay.relay_once()
        except OutboxPublishError:
            time.sleep(0.5)  # the broker may still be electing partition leaders

    placed = [r.key for r in orders_window.records_since() if r.key in order_ids]
    assert sorted(placed) == sorted(order_ids)  # each order exactly once
    sequences: dict[str, list[int]] = defaultdict(list)
    for record in probes_window.records_since():
        sequences[record.key].append(EventEnvelope.from_json_bytes(record.value).payload["sequence"])
    assert sequences == {"probe-a": [0, 1, 2], "probe-b": [0, 1, 2]}
