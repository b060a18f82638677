"""Idempotent consumers: Kafka records applied exactly once in effect, offsets committed after.

For each poll: apply its records in ONE database transaction (``event_applier``:
each event's ``processed_events`` claim commits with its handler's effect), then
commit the Kafka offsets. Hence (each case tested):

- crash after the database commit, before the Kafka commit: the records come again,
  their claims conflict, nothing happens twice;
- crash before the database commit: nothing was written, the records come again and
  are applied then;
- a handler error rolls back only that record's writes (a savepoint): the records
  before it commit with their offsets, the consumer seeks back to the failed record
  and retries it after a backoff; it never skips it, and no handler runs twice for
  one delivery;
- a record that cannot be parsed can never become readable: it is recorded as
  ``poison`` (with where it sits in the log) and skipped, so it cannot block its
  partition; so is an event whose payload fails its schema in the handler
  (``pydantic.ValidationError``; the handler's savepoint is rolled back first).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from contracts.envelope import EventEnvelope
from serving.kernel.clock import utc_now
from serving.kernel.messaging.backoff import ExponentialBackoff
from serving.kernel.messaging.event_applier import EventApplier, Handler
from serving.kernel.messaging.kafka_consumer import Consumer, KafkaRecord, kafka_consumer

__all__ = ["Handler", "IdempotentConsumer", "kafka_consumer", "rewind_positions"]

log = logging.getLogger(__name__)



P = TypeVar("P")  # a topic partition, whatever type the Kafka client uses


def rewind_positions(spans: Mapping[P, tuple[int, int]], done: Mapping[P, int]) -> dict[P, int]:
    """Where to seek each polled partition after a record failed: its first record not
    done (the failed one, or the first of a partition not reached). ``spans`` is each
    partition's (first, last) offset in the poll, ``done`` the next offset after its last
    processed record. Partitions finished in full need no seek."""
    return {p: done.get(p, first) for p, (first, last) in spans.items() if done.get(p, first) <= last}


class IdempotentConsumer:
    """One named consumer: a Kafka consumer, the handler, and its processed_events table.

    ``handled_types``: the event types the handler acts on (None: all). Any other event
    is stored as ``ignored`` with its claim, without calling the handler: the same row
    the handler would have caused by returning "ignored", without its savepoint.

    ``after_commit`` runs for each applied event after its transaction committed and
    before the Kafka commit: production leaves it None; tests inject a crash there.
    """

    def __init__(
        self,
        name: str,
        consumer: Consumer,
        engine: Engine,
        processed_events: sa.Table,
        handler: Handler,
        *,
        now: Callable[[], datetime] = utc_now,
        backoff: ExponentialBackoff | None = None,
        after_commit: Callable[[EventEnvelope], None] | None = None,
        handled_types: frozenset[str] | None = None,
    ) -> None:
        self.name = name
        self._consumer = consumer
        self._applier = EventApplier(name, engine, processed_events, handler, now, handled_types)
        # Capped low: the broker or database it waits for may be back any moment.
        self._backoff = backoff or ExponentialBackoff(initial=0.5, cap=5.0)
        self._after_commit = after_commit
        self.skipped_duplicates = 0  # redelivered events that found their claim taken

    def poll_once(self, timeout_ms: int = 1000) -> int:
        """Process one poll's records and commit their offsets; returns how many were polled.

        A handler error commits what was done, rewinds to the failed record and raises.
        """
        batches = self._consumer.poll(timeout_ms=timeout_ms)
        polled = [(partition, record) for partition, records in batches.items() for record in records]
        done: dict[Any, int] = {}  # partition -> next offset to read
        try:
            self._apply(polled, done)
        except Exception:
            self._commit(done)
            spans = {
                partition: (records[0].offset, records[-1].offset) for partition, records in batches.items() if records
            }
            for partition, offset in rewind_positions(spans, done).items():
                self._consumer.seek(partition, offset)
            raise
        self._commit(done)
        return len(polled)

    def _apply(self, polled: Sequence[tuple[Any, KafkaRecord]], done: dict[Any, int]) -> None:
        """Apply the poll in one transaction; mark what committed done; re-raise a
        handler's error once the records before it are done."""
        if not polled:
            return
        applied = self._applier.apply_batch([record for _, record in polled])
        self.skipped_duplicates += applied.duplicates
        for index, (partition, record) in enumerate(polled[: applied.records_done]):
            envelope = applied.events.get(index)
            if envelope is not None and self._after_commit is not None:
                self._after_commit(envelope)
            done[partition] = record.offset + 1
        if applied.failure is not None:
            raise applied.failure.error

    def _commit(self, done: Mapping[Any, int]) -> None:
        if not done:
            return
        from kafka.structs import OffsetAndMetadata  # imported here: no Kafka client at import time

        self._consumer.commit({tp: OffsetAndMetadata(offset, "", -1) for tp, offset in done.items()})

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
