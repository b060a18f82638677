"""Running one handler per Kafka record, exactly once in effect.

For each record: parse the envelope, then in ONE database transaction claim
``(consumer, event_id)`` in ``processed_events`` and run the handler on that same
connection. Kafka offsets are committed only after the transactions of a poll have
committed. Hence:

- crash after the database commit, before the Kafka commit: the record comes
  again, the claim conflicts, nothing happens twice;
- crash before the database commit: nothing was written, the record comes again
  and is applied then;
- a handler error (e.g. the card gateway is down) rolls back its transaction, the
  offsets of the records before it are committed, and the consumer seeks back to
  the failed record and retries after a backoff; it never skips it;
- a record that cannot be parsed can never become readable: it is recorded as
  ``poison`` (with where it sits in the log) and skipped, so it cannot block its
  partition; so is an event whose payload fails its schema in the handler
  (``pydantic.ValidationError``; the handler's transaction is rolled back first).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.engine import Connection, Engine

from contracts.envelope import EventEnvelope
from serving.kernel.messaging import processed_events as processed
from serving.kernel.messaging.backoff import ExponentialBackoff

log = logging.getLogger(__name__)

# What a handler did with an event ("cancelled", "refunded", "ignored", ...); stored.
Handler = Callable[[Connection, EventEnvelope], str]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class KafkaRecord(Protocol):
    topic: str
    partition: int
    offset: int
    value: bytes | None


class Consumer(Protocol):
    """The slice of kafka-python's KafkaConsumer the framework uses."""

    def poll(self, timeout_ms: int = ..., max_records: int | None = ...) -> Mapping[Any, Sequence[Any]]: ...

    def commit(self, offsets: Any = ...) -> Any: ...

    def seek(self, partition: Any, offset: int) -> None: ...

    def close(self, autocommit: bool = ...) -> None: ...


P = TypeVar("P")  # a topic partition, whatever type the Kafka client uses


def rewind_positions(spans: Mapping[P, tuple[int, int]], done: Mapping[P, int]) -> dict[P, int]:
    """Where to seek each polled partition after a record failed: its first record not
    done (the failed one, or the first of a partition not reached). ``spans`` is each
    partition's (first, last) offset in the poll, ``done`` the next offset after its last
    processed record. Partitions finished in full need no seek."""
    return {p: done.get(p, first) for p, (first, last) in spans.items() if done.get(p, first) <= last}


class IdempotentConsumer:
    """One named consumer: a Kafka consumer, the handler, and its processed_events table.

    ``after_commit`` runs after each record's transaction committed and before the
    Kafka commit: production leaves it None; tests inject a crash there.
    """

    def __init__(
        self,
        name: str,
        consumer: Consumer,
        engine: Engine,
        processed_events: sa.Table,
        handler: Handler,
        *,
        now: Callable[[], datetime] = _utc_now,
        backoff: ExponentialBackoff | None = None,
        after_commit: Callable[[EventEnvelope], None] | None = None,
    ) -> None:
        self.name = name
        self._consumer = consumer
        self._engine = engine
        self._processed = processed_events
        self._handler = handler
        self._now = now
        self._backoff = backoff or ExponentialBackoff(initial=0.5, cap=30.0)
        self._after_commit = after_commit
        self.skipped_duplicates = 0  # redelivered events that found their claim taken

    def poll_once(self, timeout_ms: int = 1000) -> int:
        """Process one poll's records and commit their offsets; returns how many were polled.

        A handler error commits what was done, rewinds to the failed record and raises.
        """
        batches = self._consumer.poll(timeout_ms=timeout_ms)
        done: dict[Any, int] = {}  # partition -> next offset to read
        try:
            for partition, records in batches.items():
                for record in records:
                    self._process(record)
                    done[partition] = record.offset + 1
        except Exception:
            self._commit(done)
            spans = {
                partition: (records[0].offset, records[-1].offset) for partition, records in batches.items() if records
            }
            for partition, offset in rewind_positions(spans, done).items():
                self._consumer.seek(partition, offset)
            raise
        self._commit(done)
        return sum(len(records) for records in batches.values())

    def _commit(self, done: Mapping[Any, int]) -> None:
        if not done:
            return
        from kafka.structs import OffsetAndMetadata  # imported here: no Kafka client at import time

        self._consumer.commit({tp: OffsetAndMetadata(offset, "", -1) for tp, offset in done.items()})

    def _process(self, record: KafkaRecord) -> None:
        try:
            if record.value is None:
                raise ValueError("the record has no value")
            envelope = EventEnvelope.from_json_bytes(record.value)
        except ValueError as exc:
            self._record_poison(record, exc)
            return
        try:
            with self._engine.begin() as connection:
                fresh = processed.claim(
                    connection,
                    self._processed,
                    consumer=self.name,
                    event_id=envelope.event_id,
                    event_type=envelope.event_type,
                    topic=record.topic,
                    partition=record.partition,
                    offset=record.offset,
                    now=self._now(),
                )
                if not fresh:
                    log.info("%s: event %s was processed before; skipping", self.name, envelope.event_id)
                    self.skipped_duplicates += 1
                    return
                outcome = self._handler(connection, envelope)
                processed.record_outcome(
                    connection, self._processed, consumer=self.name, event_id=envelope.event_id, outcome=outcome
                )
        except ValidationError as exc:
            # An envelope whose payload does not match its event type's schema is as
            # unreadable as broken JSON: retrying cannot fix it.
            self._record_poison(record, exc)
            return
        log.debug("%s: %s %s -> %s", self.name, envelope.event_type, envelope.event_id, outcome)
        if self._after_commit is not None:
            self._after_commit(envelope)

    def _record_poison(self, record: KafkaRecord, error: Exception) -> None:
        log.error(
            "%s: skipping unreadable record %s[%d]@%d: %s",
            self.name,
            record.topic,
            record.partition,
            record.offset,
            str(error)[:200],
        )
        with self._engine.begin() as connection:
            processed.claim(
                connection,
                self._processed,
                consumer=self.name,
                event_id=processed.poison_event_id(record.topic, record.partition, record.offset),
                event_type=None,
                topic=record.topic,
                partition=record.partition,
                offset=record.offset,
                now=self._now(),
                outcome=processed.POISON,
                detail=str(error)[:1000],
            )

    def run(self, stop: threading.Event) -> None:
        """Consume until ``stop`` is set; a poll's batch is always finished first (graceful stop)."""
        log.info("consumer %s started", self.name)
        try:
            while not stop.is_set():
                try:
                    self.poll_once()
                except Exception:
                    # PostgreSQL, Kafka or a gateway unavailable: the failed record is
                    # rewound, so wait and retry it rather than skip it.
                    delay = self._backoff.next_delay()
                    log.exception("consumer %s failed; retrying in %.1fs", self.name, delay)
                    stop.wait(delay)
                    continue
                self._backoff.reset()
        finally:
            self.close()
            log.info("consumer %s stopped", self.name)

    def close(self) -> None:
        # Offsets were committed explicitly; never auto-commit positions on close.
        self._consumer.close(autocommit=False)


def kafka_consumer(bootstrap: str, topic: str, group_id: str, client_id: str) -> Consumer:
    """A group member reading ``topic`` with manual commits.

    ``earliest`` for a new group: a consumer deployed for the first time must see
    the events already waiting, not only the ones after it started.
    """
    from kafka import KafkaConsumer  # imported here: no Kafka client at import time

    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap.split(","),
        group_id=group_id,
        client_id=client_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_records=100,
    )
    # Know the topic's partitions before joining: a group leader without them
    # assigns nothing ("No partition metadata") and the member idles until the
    # next metadata refresh, minutes later.
    if not consumer.partitions_for_topic(topic):
        consumer.close()
        raise RuntimeError(f"topic {topic} does not exist (or the broker is unreachable)")
    consumer.subscribe([topic])
    subscribed: Consumer = consumer
    return subscribed
