"""The outbox relay: publishes committed outbox rows to Kafka, then marks them.

Delivery is **at least once**. Each batch is published and acknowledged by Kafka
*before* its rows are marked ``published_at`` in the same database transaction
that locked them. If the relay crashes (or the commit fails) after Kafka acked but
before the commit, the rows are still unpublished and the next run sends them
again: a consumer can see a message twice. Consumers therefore dedupe on the
envelope's ``event_id`` (recording processed ids with their side effect). Nothing
is ever lost: a row is only marked once Kafka has it.

Order per key: rows are read in ``id`` order and sent through one idempotent
producer with one request in flight, so within a batch each partition receives
them in order; a failed batch is retried from its first row. Only one relay
works on an outbox at a time (a PostgreSQL advisory lock; a second relay idles as
a hot standby), because two relays publishing neighbouring batches in parallel
could interleave one key's events.
"""

from __future__ import annotations

import logging
import threading
import time
import zlib
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from serving.kernel.messaging.backoff import ExponentialBackoff
from serving.kernel.messaging.outbox_message import OutboxRecord, kafka_message

log = logging.getLogger(__name__)


class RecordFuture(Protocol):
    def get(self, timeout: float | None = None) -> Any: ...


class Producer(Protocol):
    """The slice of kafka-python's KafkaProducer the relay uses."""

    def send(
        self,
        topic: str,
        value: bytes | None = None,
        key: bytes | None = None,
        headers: list[tuple[str, bytes]] | None = None,
    ) -> RecordFuture: ...

    def flush(self, timeout: float | None = None) -> None: ...

    def close(self, timeout: float | None = None) -> None: ...

    def abort(self) -> None:
        """Close at once, failing (never later sending) records not yet acked."""


class OutboxPublishError(Exception):
    """A batch could not be published; its rows stay unpublished for the next try."""


def relay_lock_key(outbox: sa.Table) -> int:
    """A stable advisory-lock key per outbox table (same in every process)."""
    return zlib.crc32(f"tiffin.outbox-relay:{outbox.fullname}".encode())


class OutboxRelay:
    """Moves rows from one outbox table to Kafka.

    ``producer_factory`` makes a producer when the relay needs one; after any
    publish failure the relay closes that producer and makes a fresh one next time
    (a producer that failed mid-batch may still hold records it could send later,
    out of order with the retry).
    """

    def __init__(
        self,
        engine: Engine,
        producer_factory: Callable[[], Producer],
        batch_size: int = 100,
        *,
        outbox: sa.Table,
        publish_timeout_seconds: float = 10.0,
        poll_interval_seconds: float = 0.5,
        backoff: ExponentialBackoff | None = None,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self._engine = engine
        self._producer_factory = producer_factory
        self._batch_size = batch_size
        self._outbox = outbox
        self._publish_timeout = publish_timeout_seconds
        self._poll_interval = poll_interval_seconds
        self._backoff = backoff or ExponentialBackoff()
        self._producer: Producer | None = None

    @property
    def name(self) -> str:
        return f"relay-{self._outbox.fullname}"

    def relay_once(self) -> int:
        """Publish up to one batch; return how many rows were published.

        Returns 0 when the outbox is empty or another relay holds this outbox.
        Raises OutboxPublishError when Kafka fails; the transaction is then rolled
        back and every row of the batch stays unpublished.
        """
        with self._engine.begin() as connection:
            if not self._lock_outbox(connection):
                return 0
            records = self._lock_unpublished(connection)
            if not records:
                return 0
            try:
                self._publish(records)
            except Exception as exc:
                self._discard_producer()
                raise OutboxPublishError(
                    f"publishing {len(records)} outbox rows from id {records[0].id} failed: {exc!r}"
                ) from exc
            outbox = self._outbox
            connection.execute(
                sa.update(outbox)
                .where(outbox.c.id.in_([record.id for record in records]))
                .values(published_at=sa.func.now())
            )
        return len(records)

    def run(self, stop: threading.Event) -> None:
        """Relay until ``stop`` is set, backing off exponentially (capped) on errors."""
        log.info("outbox relay started on %s", self._outbox.fullname)
        try:
            while not stop.is_set():
                try:
                    published = self.relay_once()
                except Exception as exc:
                    # Kafka or PostgreSQL unavailable: rows are safe in the outbox, so
                    # wait and try again rather than give up.
                    delay = self._backoff.next_delay()
                    log.warning("outbox relay failed (%s); retrying in %.1fs", exc, delay)
                    stop.wait(delay)
                    continue
                self._backoff.reset()
                if published:
                    log.debug("published %d outbox rows", published)
                if published < self._batch_size:
                    stop.wait(self._poll_interval)  # drained: poll again shortly
        finally:
            self.close()
            log.info("outbox relay stopped")

    def close(self) -> None:
        """Flush and close the producer, if one is open."""
        if self._producer is not None:
            producer, self._producer = self._producer, None
            try:
                producer.close(timeout=self._publish_timeout)
            except Exception:
                log.warning("closing the Kafka producer failed", exc_info=True)

    def _lock_outbox(self, connection: Connection) -> bool:
        locked: bool = connection.execute(
            sa.select(sa.func.pg_try_advisory_xact_lock(relay_lock_key(self._outbox)))
        ).scalar_one()
        return bool(locked)

    def _lock_unpublished(self, connection: Connection) -> list[OutboxRecord]:
        outbox = self._outbox
        rows = connection.execute(
            sa.select(
                outbox.c.id,
                outbox.c.event_id,
                outbox.c.topic,
                outbox.c.message_key,
                outbox.c.event_type,
                outbox.c.payload,
            )
            .where(outbox.c.published_at.is_(None))
            .order_by(outbox.c.id)
            .limit(self._batch_size)
            .with_for_update(skip_locked=True)
        ).all()
        return [
            OutboxRecord(
                id=row.id,
                event_id=str(row.event_id),
                topic=row.topic,
                message_key=row.message_key,
                event_type=row.event_type,
                payload=row.payload,
            )
            for row in rows
        ]

    def _publish(self, records: Sequence[OutboxRecord]) -> None:
        """Send every record and wait for all acks, or raise."""
        deadline = time.monotonic() + self._publish_timeout
        if self._producer is None:
            self._producer = self._producer_factory()
        producer = self._producer
        futures = []
        for record in records:
            message = kafka_message(record)
            futures.append(
                producer.send(
                    message.topic,
                    value=message.value,
                    key=message.key,
                    headers=list(message.headers),
                )
            )
        producer.flush(timeout=max(0.0, deadline - time.monotonic()))
        for future in futures:
            future.get(timeout=max(0.0, deadline - time.monotonic()))

    def _discard_producer(self) -> None:
        if self._producer is not None:
            producer, self._producer = self._producer, None
            try:
                producer.abort()
            except Exception:
                log.debug("aborting a failed Kafka producer raised", exc_info=True)
