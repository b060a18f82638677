"""The consumer framework on a private topic: poison records, failing handlers, commits."""

from __future__ import annotations

import time
import uuid

import pytest
import sqlalchemy as sa
from kafka import KafkaProducer
from pydantic import BaseModel
from sqlalchemy.engine import Connection, Engine

from contracts.envelope import EventEnvelope
from ops.stack.config import StackConfig
from serving.kernel.messaging.consumer import IdempotentConsumer, kafka_consumer
from serving.orders.adapters.tables import processed_events

pytestmark = pytest.mark.stack


class Probe(BaseModel):
    n: int


def _event(n: object) -> EventEnvelope:
    return EventEnvelope(event_type="SagaProbe", schema_version=1, producer="tests", aggregate_id="k", payload={"n": n})


def consumer_rows(engine: Engine, name: str) -> int:
    with engine.connect() as connection:
        query = sa.select(sa.func.count()).select_from(processed_events).where(processed_events.c.consumer == name)
        return int(connection.execute(query).scalar_one())


def test_poison_records_are_recorded_and_skipped_and_a_failing_handler_is_retried_without_skipping(
    engine: Engine, stack: StackConfig, one_partition_topic: str
) -> None:
    topic = one_partition_topic
    first, second = _event(1), _event(2)
    producer = KafkaProducer(bootstrap_servers=stack.kafka_bootstrap)
    records = (first.to_json_bytes(), b"{not json", second.to_json_bytes(), _event("many").to_json_bytes())
    for value in records:
        producer.send(topic, key=b"k", value=value).get(timeout=10)
    producer.close()

    applied: list[int] = []
    failures = iter([RuntimeError("PostgreSQL hiccup")])

    def handle(connection: Connection, envelope: EventEnvelope) -> str:
        n = Probe.model_validate(envelope.payload).n  # the last record's payload fails here
        if n == 2 and (error := next(failures, None)) is not None:
            raise error
        applied.append(n)
        return "applied"

    name, group = f"test-{uuid.uuid4().hex[:8]}", f"test-saga-framework-{uuid.uuid4().hex[:8]}"
    consumer = IdempotentConsumer(
        name, kafka_consumer(stack.kafka_bootstrap, topic, group, "saga-tests"), engine, processed_events, handle
    )
    errors = 0
    deadline = time.monotonic() + 20
    while applied != [1, 2] or consumer_rows(engine, name) < 4:
        assert time.monotonic() < deadline, f"stuck with {applied}"
        try:
            consumer.poll_once(timeout_ms=200)
        except RuntimeError:
            errors += 1
    consumer.close()

    assert errors == 1
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(processed_events.c.outcome, processed_events.c.offset)
            .where(processed_events.c.consumer == name)
            .order_by(processed_events.c.offset)
        ).all()
    assert [(row.outcome, row.offset) for row in rows] == [("applied", 0), ("poison", 1), ("applied", 2), ("poison", 3)]

    # Everything was committed: the group's next member has nothing left to read.
    again = IdempotentConsumer(
        name, kafka_consumer(stack.kafka_bootstrap, topic, group, "saga-tests"), engine, processed_events, handle
    )
    try:
        polled = sum(again.poll_once(timeout_ms=300) for _ in range(10))
    finally:
        again.close()
    assert polled == 0
    assert applied == [1, 2]
