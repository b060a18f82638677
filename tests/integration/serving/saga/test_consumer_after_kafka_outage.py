"""A consumer running through a real broker outage picks up again within seconds of its return.

Before the fix it idled about 30 s after the broker came back: kafka-python's consumer
waits up to ``reconnect_backoff_max_ms`` (30 s by default) between attempts to reach a
broker it lost, and the backoff had grown to that during the outage.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from kafka import KafkaProducer
from sqlalchemy.engine import Connection, Engine

from contracts.envelope import EventEnvelope
from ops.stack.config import StackConfig
from serving.kernel.messaging.consumer import IdempotentConsumer, kafka_consumer
from serving.orders.adapters.tables import processed_events

pytestmark = pytest.mark.stack

OUTAGE_SECONDS = 35  # longer than the old 30 s reconnect cap takes to reach
CAUGHT_UP_WITHIN_SECONDS = 12


def probe(n: int) -> EventEnvelope:
    return EventEnvelope(
        event_type="OutageProbe", schema_version=1, producer="tests", aggregate_id="k", payload={"n": n}
    )


def publish(bootstrap: str, topic: str, event: EventEnvelope, timeout: float = 60) -> None:
    """Sends once the broker takes it (it may still be starting)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            producer = KafkaProducer(bootstrap_servers=bootstrap, max_block_ms=5000)
            try:
                producer.send(topic, key=b"k", value=event.to_json_bytes()).get(timeout=10)
                return
            finally:
                producer.close(timeout=5)
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


@pytest.fixture
def applied() -> list[int]:
    return []


@pytest.fixture
def running_consumer(
    engine: Engine, stack: StackConfig, one_partition_topic: str, applied: list[int]
) -> Iterator[IdempotentConsumer]:
    def handle(_connection: Connection, envelope: EventEnvelope) -> str:
        applied.append(int(envelope.payload["n"]))
        return "applied"

    kafka = kafka_consumer(
        stack.kafka_bootstrap, one_partition_topic, f"test-outage-{uuid.uuid4().hex[:8]}", "outage-tests"
    )
    consumer = IdempotentConsumer(f"test-outage-{uuid.uuid4().hex[:8]}", kafka, engine, processed_events, handle)
    stop = threading.Event()
    worker = threading.Thread(target=consumer.run, args=(stop,), daemon=True)
    worker.start()
    yield consumer
    stop.set()
    worker.join(timeout=30)


def wait_for(condition: Any, timeout: float) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            return float("inf")
        time.sleep(0.1)
    return time.monotonic() - started


def test_a_consumer_catches_up_within_seconds_after_the_broker_returns(
    stack: StackConfig,
    one_partition_topic: str,
    running_consumer: IdempotentConsumer,
    applied: list[int],
    kafka_control: Any,
) -> None:
    publish(stack.kafka_bootstrap, one_partition_topic, probe(1))
    assert wait_for(lambda: applied == [1], timeout=30) < 30, "the consumer never started"

    kafka_control.stop()
    time.sleep(OUTAGE_SECONDS)
    kafka_control.start()  # returns once the broker answers
    publish(stack.kafka_bootstrap, one_partition_topic, probe(2))

    waited = wait_for(lambda: applied == [1, 2], timeout=90)
    assert waited < CAUGHT_UP_WITHIN_SECONDS, f"the consumer idled {waited:.1f}s after the broker came back"
