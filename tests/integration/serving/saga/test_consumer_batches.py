"""A poll's records in one transaction: a failing handler, crashes mid-batch and duplicates.

Every probe event's handler writes one row to an effects table on the consumer's
connection, so "exactly once in effect" is counted in PostgreSQL, not assumed.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from kafka import KafkaProducer
from sqlalchemy.engine import Connection, Engine

from contracts.envelope import EventEnvelope
from ops.stack.config import StackConfig
from serving.kernel.messaging.consumer import IdempotentConsumer, kafka_consumer
from serving.orders.adapters.tables import processed_events

pytestmark = pytest.mark.stack

COUNT = 12


class Crash(BaseException):
    """The process dies here: nothing of the framework's error handling runs."""


def probe(n: int) -> EventEnvelope:
    return EventEnvelope(
        event_type="BatchProbe", schema_version=1, producer="tests", aggregate_id="k", payload={"n": n}
    )


def publish(bootstrap: str, topic: str, events: list[EventEnvelope]) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap)
    for event in events:
        producer.send(topic, key=b"k", value=event.to_json_bytes())
    producer.flush(timeout=10)
    producer.close()


@pytest.fixture
def effects(engine: Engine) -> Iterator[str]:
    """A table the handlers write their effect to, one row per application."""
    table = f"batch_effects_{uuid.uuid4().hex[:8]}"
    with engine.begin() as connection:
        connection.exec_driver_sql(f"CREATE TABLE public.{table} (n integer NOT NULL)")
    yield table
    with engine.begin() as connection:
        connection.exec_driver_sql(f"DROP TABLE public.{table}")


class Rig:
    def __init__(self, engine: Engine, stack: StackConfig, topic: str, effects: str) -> None:
        self.engine = engine
        self.stack = stack
        self.topic = topic
        self.effects = effects
        self.name = f"test-batch-{uuid.uuid4().hex[:8]}"
        self.group = f"test-batches-{uuid.uuid4().hex[:8]}"
        self.calls: Counter[int] = Counter()
        self.fail: Callable[[int], BaseException | None] = lambda n: None

    def handle(self, connection: Connection, envelope: EventEnvelope) -> str:
        n = int(envelope.payload["n"])
        self.calls[n] += 1
        connection.exec_driver_sql(f"INSERT INTO public.{self.effects} (n) VALUES (%(n)s)", {"n": n})
        error = self.fail(n)
        if error is not None:
            raise error  # after its write: the write must not survive
        return "applied"

    def member(
        self,
        after_commit: Callable[[EventEnvelope], None] | None = None,
        handled_types: frozenset[str] | None = None,
    ) -> IdempotentConsumer:
        kafka = kafka_consumer(self.stack.kafka_bootstrap, self.topic, self.group, "batch-tests")
        return IdempotentConsumer(
            self.name,
            kafka,
            self.engine,
            processed_events,
            self.handle,
            after_commit=after_commit,
            handled_types=handled_types,
        )

    def effect_counts(self) -> Counter[int]:
        with self.engine.connect() as connection:
            return Counter(connection.exec_driver_sql(f"SELECT n FROM public.{self.effects}").scalars())

    def bookkeeping(self) -> Counter[str]:
        with self.engine.connect() as connection:
            rows: list[str] = list(
                connection.execute(
                    sa.select(processed_events.c.outcome).where(processed_events.c.consumer == self.name)
                ).scalars()
            )
            return Counter(rows)

    def consume_until(self, consumer: IdempotentConsumer, done: Callable[[], bool], timeout: float = 20) -> int:
        """Poll until ``done``; returns how many polls raised (and were retried)."""
        errors = 0
        deadline = time.monotonic() + timeout
        while not done():
            assert time.monotonic() < deadline, f"stuck: effects {sorted(self.effect_counts().items())}"
            try:
                consumer.poll_once(timeout_ms=200)
            except Exception:
                errors += 1
        return errors


@pytest.fixture
def rig(engine: Engine, stack: StackConfig, one_partition_topic: str, effects: str) -> Rig:
    publish(stack.kafka_bootstrap, one_partition_topic, [probe(n) for n in range(COUNT)])
    return Rig(engine, stack, one_partition_topic, effects)


def every_effect_once(rig: Rig) -> bool:
    return rig.effect_counts() == Counter(range(COUNT))


def test_a_failing_handler_mid_batch_keeps_the_others_effects_once_and_loses_none(rig: Rig) -> None:
    failures = iter([RuntimeError("card gateway down")])
    rig.fail = lambda n: next(failures, None) if n == 5 else None
    consumer = rig.member()
    try:
        first_error_at = None
        while first_error_at is None:
            try:
                consumer.poll_once(timeout_ms=500)
            except RuntimeError:
                first_error_at = rig.effect_counts()
        # The batch stopped at the failed record: those before it committed, its own
        # write was taken back with its savepoint, those after it were not applied.
        assert first_error_at == Counter(range(5))
        assert rig.bookkeeping() == Counter({"applied": 5})
        rig.consume_until(consumer, lambda: every_effect_once(rig))
    finally:
        consumer.close()
    assert rig.bookkeeping() == Counter({"applied": COUNT})
    # No handler ran twice for one delivery; the failed one ran once more.
    assert rig.calls == Counter({n: 2 if n == 5 else 1 for n in range(COUNT)})


def test_a_crash_after_the_batch_commit_before_the_kafka_commit_applies_nothing_twice(rig: Rig) -> None:
    def crash_at_seven(envelope: EventEnvelope) -> None:
        if envelope.payload["n"] == 7:
            raise Crash

    consumer = rig.member(after_commit=crash_at_seven)
    with pytest.raises(Crash):
        rig.consume_until(consumer, lambda: False)
    consumer.close()  # dies: the offsets from record 7 on were never committed
    assert every_effect_once(rig)

    restarted = rig.member()
    try:
        rig.consume_until(restarted, lambda: restarted.skipped_duplicates >= 1)
        assert sum(restarted.poll_once(timeout_ms=300) for _ in range(3)) == 0
    finally:
        restarted.close()
    assert every_effect_once(rig)
    assert rig.calls == Counter(range(COUNT))
    assert rig.bookkeeping() == Counter({"applied": COUNT})


def test_a_crash_inside_the_batch_before_its_commit_leaves_nothing_and_the_redelivery_applies_all_once(
    rig: Rig,
) -> None:
    crashes = iter([Crash()])
    rig.fail = lambda n: next(crashes, None) if n == 8 else None
    consumer = rig.member()
    with pytest.raises(Crash):
        rig.consume_until(consumer, lambda: False)
    consumer.close()
    assert rig.effect_counts() == Counter()  # the batch's transaction never committed
    assert rig.bookkeeping() == Counter()

    restarted = rig.member()
    try:
        rig.consume_until(restarted, lambda: every_effect_once(rig))
    finally:
        restarted.close()
    assert rig.bookkeeping() == Counter({"applied": COUNT})


def test_an_event_delivered_twice_in_one_batch_is_applied_once(rig: Rig) -> None:
    again = probe(COUNT)
    publish(rig.stack.kafka_bootstrap, rig.topic, [again, again])  # a relay that sent it twice
    consumer = rig.member()
    try:
        rig.consume_until(consumer, lambda: rig.effect_counts() == Counter(range(COUNT + 1)))
        rig.consume_until(consumer, lambda: consumer.skipped_duplicates == 1)
    finally:
        consumer.close()
    assert rig.calls[COUNT] == 1
    assert rig.bookkeeping() == Counter({"applied": COUNT + 1})


def test_events_of_types_the_consumer_does_not_handle_are_stored_as_ignored_without_the_handler(rig: Rig) -> None:
    others = [
        EventEnvelope(event_type="OtherProbe", schema_version=1, producer="tests", aggregate_id="k", payload={"n": n})
        for n in range(3)
    ]
    publish(rig.stack.kafka_bootstrap, rig.topic, others)
    consumer = rig.member(handled_types=frozenset({"BatchProbe"}))
    try:
        rig.consume_until(consumer, lambda: rig.bookkeeping() == Counter({"applied": COUNT, "ignored": 3}))
    finally:
        consumer.close()
    assert every_effect_once(rig)
    assert rig.calls == Counter(range(COUNT))  # never called for OtherProbe
