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
handler runs twice for one delivery. Events of a type the consumer does not act on
(``handled_types``) are stored as ``ignored`` by the claim statement itself.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.engine import Connection, Engine

from contracts.envelope import EventEnvelope
from serving.kernel.messaging import processed_events as processed
from serving.kernel.messaging.kafka_consumer import KafkaRecord

log = logging.getLogger(__name__)

# What a handler did with an event ("cancelled", "refunded", "ignored", ...); stored.
Handler = Callable[[Connection, EventEnvelope], str]

# The outcome stored for an event of a type the consumer does not act on.
IGNORED = "ignored"


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
        self,
        name: str,
        engine: Engine,
        table: sa.Table,
        handler: Handler,
        now: Callable[[], datetime],
        handled_types: frozenset[str] | None = None,
    ) -> None:
        self.name = name
        self._engine = engine
        self._table = table
        self._handler = handler
        self._now = now
        self._handled_types = handled_types

    def _handles(self, envelope: EventEnvelope) -> bool:
        return self._handled_types is None or envelope.event_type in self._handled_types

    def apply_batch(self, records: Sequence[KafkaRecord]) -> Applied:
        """Apply ``records`` in one transaction (see the module's docstring). A database
        error raises with everything rolled back."""
        parsed = [_parse(record) for record in records]
        now = self._now()
        claims: dict[uuid.UUID, processed.Claim] = {}
        for item in parsed:
            if item.envelope is None:
                self._log_poison(item.record, item.error)
                poison = self._poison_claim(item.record, item.error)
                claims[poison.event_id] = poison
            elif item.envelope.event_id not in claims:
                # An event type the handler does not act on is stored as ignored right
                # away: no handler call, no savepoint, no outcome to write afterwards.
                outcome = processed.PENDING if self._handles(item.envelope) else IGNORED
                claims[item.envelope.event_id] = self._claim(item.record, item.envelope, outcome)
        applied = Applied()
        outcomes: dict[uuid.UUID, str] = {}  # the handlers' outcomes, stored at the end
        settled: set[uuid.UUID] = set()  # events of this batch done with, whatever the way
        with self._engine.begin() as connection:
            fresh = processed.claim_many(
                connection, self._table, consumer=self.name, now=now, claims=list(claims.values())
            )
            for index, item in enumerate(parsed):
                envelope = item.envelope
                if envelope is None:
                    continue
                if envelope.event_id not in fresh or envelope.event_id in settled:
                    applied.duplicates += 1
                    continue
                settled.add(envelope.event_id)
                if not self._handles(envelope):
                    applied.events[index] = envelope  # stored as ignored with its claim
                    continue
                try:
                    with connection.begin_nested():
                        outcome = self._handler(connection, envelope)
                except ValidationError as exc:
                    # An envelope whose payload does not match its event type's schema is
                    # as unreadable as broken JSON: retrying cannot fix it.
                    self._log_poison(item.record, exc)
                    self._poison_claimed(connection, item.record, envelope, now, exc)
                    continue
                except Exception as exc:
                    applied.failure = Failure(index, exc)
                    # Only claims this transaction made: never an earlier transaction's row.
                    later = {p.envelope.event_id for p in parsed[index:] if p.envelope is not None} & fresh
                    settled.discard(envelope.event_id)
                    processed.withdraw(connection, self._table, consumer=self.name, event_ids=later - settled)
                    break
                outcomes[envelope.event_id] = outcome
                applied.events[index] = envelope
            processed.record_outcomes(connection, self._table, consumer=self.name, outcomes=outcomes)
        for envelope in applied.events.values():
            outcome = outcomes.get(envelope.event_id, IGNORED)
            log.debug("%s: %s %s -> %s", self.name, envelope.event_type, envelope.event_id, outcome)
        if applied.duplicates:
            log.info("%s: %d events of the batch were processed before; skipped", self.name, applied.duplicates)
        return applied

    def _claim(self, record: KafkaRecord, envelope: EventEnvelope, outcome: str) -> processed.Claim:
        return processed.Claim(
            envelope.event_id, envelope.event_type, record.topic, record.partition, record.offset, outcome
        )

    def _poison_claim(self, record: KafkaRecord, error: Exception | None) -> processed.Claim:
        # A poison record has no readable event id: it is kept under one derived from
        # where it sits in the log, so skipping it twice still leaves one row.
        return processed.Claim(
            processed.poison_event_id(record.topic, record.partition, record.offset),
            None,
            record.topic,
            record.partition,
            record.offset,
            processed.POISON,
            str(error)[:1000],
        )

    def _poison_claimed(
        self, connection: Connection, record: KafkaRecord, envelope: EventEnvelope, now: datetime, error: Exception
    ) -> None:
        """A claimed event turned out poison: its claim becomes the poison row of its place."""
        processed.withdraw(connection, self._table, consumer=self.name, event_ids={envelope.event_id})
        processed.claim_many(
            connection, self._table, consumer=self.name, now=now, claims=[self._poison_claim(record, error)]
        )

    def _log_poison(self, record: KafkaRecord, error: Exception | None) -> None:
        log.error(
            "%s: skipping unreadable record %s[%d]@%d: %s",
            self.name,
            record.topic,
            record.partition,
            record.offset,
            str(error)[:200],
        )
