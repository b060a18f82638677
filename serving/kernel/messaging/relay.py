"""The outbox relay: publishes committed outbox rows to Kafka, then marks them.

Delivery is **at least once**. Each batch is claimed and stamped ``published_at`` in
one statement (``outbox_claim``), published, and the transaction commits only after
Kafka acknowledged every row of it. If the relay crashes (or the commit fails) after
Kafka acked but before the commit, the rows are still unpublished and the next run
sends them again: a consumer can see a message twice. Consumers therefore dedupe on
the envelope's ``event_id`` (recording processed ids with their side effect). Nothing
is ever lost: a row is only marked once Kafka has it.

Order per key: rows are read in ``id`` order and sent through one idempotent
producer, which keeps each partition's records in send order (``kafka_producer``);
after a failure the producer is aborted, so none of a failed batch's records can
still go out, and the batch is retried from its first row. Only one relay works on
an outbox at a time (a PostgreSQL advisory lock; a second relay idles as a hot
standby), because two relays publishing neighbouring batches in parallel could
interleave one key's events.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from serving.kernel.messaging.backoff import ExponentialBackoff
from serving.kernel.messaging.outbox_claim import claim_batch, relay_lock_key
from serving.kernel.messaging.publishing import Producer, publish_all

__all__ = ["OutboxPublishError", "OutboxRelay", "relay_lock_key"]

log = logging.getLogger(__name__)


class OutboxPublishError(Exception):
    """A batch could not be published; its rows stay unpublished for the next try."""


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
        # Capped at 5 s: a broker back from an outage should not wait out a 30 s pause
        # (each attempt costs one producer's connect, bounded by the Kafka timeout).
        self._backoff = backoff or ExponentialBackoff(cap=5.0)
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
            records = claim_batch(connection, self._outbox, self._batch_size)
            if not records:
                return 0
            try:
                if self._producer is None:
                    self._producer = self._producer_factory()
                publish_all(self._producer, records, self._publish_timeout)
            except Exception as exc:
                self._discard_producer()
                raise OutboxPublishError(
                    f"publishing {len(records)} outbox rows from id {records[0].id} failed: {exc!r}"
                ) from exc
            # Leaving the block commits the published_at stamps of claim_batch.
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

    def _discard_producer(self) -> None:
        if self._producer is not None:
            producer, self._producer = self._producer, None
            try:
                producer.abort()
            except Exception:
                log.debug("aborting a failed Kafka producer raised", exc_info=True)
