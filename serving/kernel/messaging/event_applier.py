"""Applying a poll's Kafka records exactly once in effect, in one database transaction.

The ``processed_events`` claim of each event commits in the same transaction as its
handler's effect, so a redelivered event finds its claim taken and changes nothing,
and a transaction that did not commit left neither.

``apply_batch``: one statement claims every record of the poll; then, in offset order,
each freshly claimed event's handler runs on the same connection inside a SAVEPOINT,
so a handler that raises takes back only its own writes; one executemany stores the
outcomes; one commit. A handler error stops the batch there: the claims of that record
and the ones after it are withdrawn, the records before it commit, and the error is
reported with its index (the consumer commits their offsets and rewinds to it). No
handler runs twice for one delivery.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.engine import Connection, Engine

from contracts.envelope import EventEnvelope
from serving.kernel.messaging import processed_events as processed
from serving.kernel.messaging.kafka_consumer import KafkaRecord

log = logging.getLogger(__name__)

# What a handler did with an event ("cancelled", "refunded", "ignored", ...); stored.
Handler = Callable[[Connection, EventEnvelope], str]


@dataclass(frozen=True)
class Failure:
    index: int  # of the record whose handler raised
    error: Exception


@dataclass
class Applied:
    """What a committed batch did: the events whose handler ran, by their index in the
    records given; how many records were redeliveries of events processed before; and
    the handler failure that ended the batch early, if one did (records from its index
    on were not applied)."""

    events: dict[int, EventEnvelope] = field(default_factory=dict)
    duplicates: int = 0
    failure: Failure | None = None

    @property
    def records_done(self) -> int | None:
        """How many of the records given are finished; None: all of them."""
        return None if self.failure is None else self.failure.index


@dataclass(frozen=True)
class _Parsed:
    record: KafkaRecord
    envelope: EventEnvelope | None
    error: ValueError | None


def _parse(record: KafkaRecord) -> _Parsed:
    try:
        if record.value is None:
            raise ValueError("the record has no value")
        return _Parsed(record, EventEnvelope.from_json_bytes(record.value), None)
    except ValueError as exc:
        return _Parsed(record, None, exc)


class EventApplier:
    """One consumer's handler and ``processed_events`` table on one database."""

    def __init__(
        self, name: str, engine: Engine, table: sa.Table, handler: Handler, now: Callable[[], datetime]
    ) -> None:
        self.name = name
        self._engine = engine
        self._table = table
        self._handler = handler
        self._now = now

    def apply_batch(self, records: Sequence[KafkaRecord]) -> Applied:
        """Apply ``records`` in one transaction (see the module's docstring). A database
        error raises with everything rolled back."""
        parsed = [_parse(record) for record in records]
        now = self._now()
        claims: dict[uuid.UUID, dict[str, Any]] = {}
        for item in parsed:
            if item.envelope is None:
                self._log_poison(item.record, item.error)
                row = self._poison_row(item.record, now, item.error)
                claims[row["event_id"]] = row
            else:
                claims.setdefault(item.envelope.event_id, self._claim_row(item.record, item.envelope, now))
        applied = Applied()
        outcomes: dict[uuid.UUID, str] = {}
        with self._engine.begin() as connection:
            fresh = processed.claim_many(connection, self._table, list(claims.values()))
            for index, item in enumerate(parsed):
                envelope = item.envelope
                if envelope is None:
                    continue
                if envelope.event_id not in fresh or envelope.event_id in outcomes:
                    applied.duplicates += 1
                    continue
                try:
                    with connection.begin_nested():
                        outcome = self._handler(connection, envelope)
                except ValidationError as exc:
                    # An envelope whose payload does not match its event type's schema is
                    # as unreadable as broken JSON: retrying cannot fix it.
                    self._log_poison(item.record, exc)
                    self._poison_claimed(connection, item.record, envelope, now, exc)
                    outcomes[envelope.event_id] = processed.POISON  # handled; not stored under this id
                    continue
                except Exception as exc:
                    applied.failure = Failure(index, exc)
                    # Only claims this transaction made: never an earlier transaction's row.
                    later = {p.envelope.event_id for p in parsed[index:] if p.envelope is not None} & fresh
                    processed.withdraw(connection, self._table, consumer=self.name, event_ids=later - outcomes.keys())
                    break
                outcomes[envelope.event_id] = outcome
                applied.events[index] = envelope
            stored = {event_id: outcome for event_id, outcome in outcomes.items() if outcome != processed.POISON}
            processed.record_outcomes(connection, self._table, consumer=self.name, outcomes=stored)
        for envelope in applied.events.values():
            log.debug("%s: %s %s -> %s", self.name, envelope.event_type, envelope.event_id, outcomes[envelope.event_id])
        if applied.duplicates:
            log.info("%s: %d events of the batch were processed before; skipped", self.name, applied.duplicates)
        return applied

    def _claim_row(self, record: KafkaRecord, envelope: EventEnvelope, now: datetime) -> dict[str, Any]:
        return {
            "consumer": self.name,
            "event_id": envelope.event_id,
            "event_type": envelope.event_type,
            "topic": record.topic,
            "partition": record.partition,
            "offset": record.offset,
            "now": now,
            "outcome": processed.PENDING,
            "detail": None,
        }

    def _poison_row(self, record: KafkaRecord, now: datetime, error: Exception | None) -> dict[str, Any]:
        # A poison record has no readable event id: it is kept under one derived from
        # where it sits in the log, so skipping it twice still leaves one row.
        return {
            "consumer": self.name,
            "event_id": processed.poison_event_id(record.topic, record.partition, record.offset),
            "event_type": None,
            "topic": record.topic,
            "partition": record.partition,
            "offset": record.offset,
            "now": now,
            "outcome": processed.POISON,
            "detail": str(error)[:1000],
        }

    def _poison_claimed(
        self, connection: Connection, record: KafkaRecord, envelope: EventEnvelope, now: datetime, error: Exception
    ) -> None:
        """A claimed event turned out poison: its claim becomes the poison row of its place."""
        processed.withdraw(connection, self._table, consumer=self.name, event_ids={envelope.event_id})
        processed.claim(connection, self._table, **self._poison_row(record, now, error))

    def _log_poison(self, record: KafkaRecord, error: Exception | None) -> None:
        log.error(
            "%s: skipping unreadable record %s[%d]@%d: %s",
            self.name,
            record.topic,
            record.partition,
            record.offset,
            str(error)[:200],
        )
