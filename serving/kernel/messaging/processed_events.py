"""The ``processed_events`` table: which events a consumer has already applied.

A consumer inserts ``(consumer, event_id)`` in the same transaction as its side
effect (``claim_many`` claims a polled batch in one statement). The primary key
turns a redelivered event into a conflict, so its effect is applied once however
often Kafka delivers it; a concurrent duplicate (two group
members during a rebalance) waits on the first one's uncommitted row, then sees it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Connection

# Outcomes recorded per event (free text in the table; these are the framework's).
POISON = "poison"  # the record could not be read; skipped for good
PENDING = "pending"  # claimed; replaced by the handler's outcome before commit

# Poison records have no readable event_id: they are recorded under an id derived
# from where they sit in the log, so skipping one twice still leaves one row.
_POISON_NAMESPACE = uuid.UUID("5f0b8a7e-3c1d-4e55-9a61-0c7d2f4b8e13")


def define_processed_events_table(metadata: sa.MetaData, name: str = "processed_events") -> sa.Table:
    return sa.Table(
        name,
        metadata,
        sa.Column("consumer", sa.Text, primary_key=True),
        sa.Column("event_id", pg.UUID(as_uuid=True), primary_key=True),
        sa.Column("event_type", sa.Text, nullable=True),
        sa.Column("outcome", sa.Text, nullable=False),
        sa.Column("detail", sa.Text, nullable=True),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("partition", sa.Integer, nullable=False),
        sa.Column("offset", sa.BigInteger, nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
    )


def poison_event_id(topic: str, partition: int, offset: int) -> uuid.UUID:
    return uuid.uuid5(_POISON_NAMESPACE, f"{topic}:{partition}:{offset}")


def claim(
    connection: Connection,
    table: sa.Table,
    *,
    consumer: str,
    event_id: uuid.UUID,
    event_type: str | None,
    topic: str,
    partition: int,
    offset: int,
    now: datetime,
    outcome: str = PENDING,
    detail: str | None = None,
) -> bool:
    """True if this transaction now owns the event; False if it was processed before."""
    claimed = connection.execute(
        pg_insert(table)
        .values(
            consumer=consumer,
            event_id=event_id,
            event_type=event_type,
            outcome=outcome,
            detail=detail,
            topic=topic,
            partition=partition,
            offset=offset,
            processed_at=now,
        )
        .on_conflict_do_nothing()
        .returning(table.c.event_id)
    ).first()
    return claimed is not None


def record_outcome(
    connection: Connection, table: sa.Table, *, consumer: str, event_id: uuid.UUID, outcome: str
) -> None:
    connection.execute(
        sa.update(table).where(table.c.consumer == consumer, table.c.event_id == event_id).values(outcome=outcome)
    )


@dataclass(frozen=True)
class Claim:
    """One event a batch claims (``claim_many``)."""

    event_id: uuid.UUID
    event_type: str | None
    topic: str
    partition: int
    offset: int
    outcome: str = PENDING
    detail: str | None = None


def claim_many(
    connection: Connection, table: sa.Table, *, consumer: str, now: datetime, claims: Sequence[Claim]
) -> set[uuid.UUID]:
    """Claim many events in one statement; returns the event ids this transaction now
    owns (the others were processed before). Each event id once per call.

    The rows travel as one array per column (``unnest``): the same statement text
    whatever the batch size, so it is parsed once, not built anew for each batch.
    """
    if not claims:
        return set()
    statement = sa.text(
        f"INSERT INTO {_name(connection, table)}"
        ' (consumer, event_id, event_type, outcome, detail, topic, partition, "offset", processed_at)'
        " SELECT :consumer, c.event_id, c.event_type, c.outcome, c.detail, c.topic, c.partition, c.off, :now"
        " FROM unnest(CAST(:event_ids AS uuid[]), CAST(:event_types AS text[]), CAST(:outcomes AS text[]),"
        " CAST(:details AS text[]), CAST(:topics AS text[]), CAST(:partitions AS integer[]),"
        " CAST(:offsets AS bigint[])) AS c(event_id, event_type, outcome, detail, topic, partition, off)"
        " ON CONFLICT DO NOTHING RETURNING event_id"
    )
    claimed: set[uuid.UUID] = set(
        connection.execute(
            statement,
            {
                "consumer": consumer,
                "now": now,
                "event_ids": [c.event_id for c in claims],
                "event_types": [c.event_type for c in claims],
                "outcomes": [c.outcome for c in claims],
                "details": [c.detail for c in claims],
                "topics": [c.topic for c in claims],
                "partitions": [c.partition for c in claims],
                "offsets": [c.offset for c in claims],
            },
        ).scalars()
    )
    return claimed


def record_outcomes(
    connection: Connection, table: sa.Table, *, consumer: str, outcomes: Mapping[uuid.UUID, str]
) -> None:
    """Store many handlers' outcomes in one statement."""
    if not outcomes:
        return
    connection.execute(
        sa.text(
            f"UPDATE {_name(connection, table)} AS p SET outcome = o.outcome"
            " FROM unnest(CAST(:event_ids AS uuid[]), CAST(:outcomes AS text[])) AS o(event_id, outcome)"
            " WHERE p.consumer = :consumer AND p.event_id = o.event_id"
        ),
        {"consumer": consumer, "event_ids": list(outcomes), "outcomes": list(outcomes.values())},
    )


def withdraw(connection: Connection, table: sa.Table, *, consumer: str, event_ids: Iterable[uuid.UUID]) -> None:
    """Drop this transaction's claims of events it will not apply after all."""
    ids = list(event_ids)
    if ids:
        connection.execute(sa.delete(table).where(table.c.consumer == consumer, table.c.event_id.in_(ids)))


def _name(connection: Connection, table: sa.Table) -> str:
    return connection.dialect.identifier_preparer.format_table(table)
