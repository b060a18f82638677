"""Taking one batch of unpublished outbox rows: one statement per batch.

``claim_batch`` runs, in the caller's transaction, a single statement that takes the
outbox's relay lock (a transaction-scoped advisory lock), locks the oldest unpublished
rows (``FOR UPDATE SKIP LOCKED``), stamps them ``published_at`` and returns them. The
stamp is only a claim until the caller commits: the relay commits after Kafka acked
every row, and rolls back (the rows are unpublished again) if it did not.
"""

from __future__ import annotations

import zlib

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from serving.kernel.messaging.outbox_message import OutboxRecord


def relay_lock_key(outbox: sa.Table) -> int:
    """A stable advisory-lock key per outbox table (same in every process)."""
    return zlib.crc32(f"tiffin.outbox-relay:{outbox.fullname}".encode())


def claim_statement(outbox: sa.Table, batch_size: int) -> sa.Update:
    """``UPDATE … SET published_at = now() WHERE <lock held> AND id IN (<oldest
    unpublished, SKIP LOCKED>) RETURNING …``.

    The lock is a scalar subquery without outer references, so PostgreSQL evaluates it
    once, first, as a one-time filter: without the lock the statement reads no row.
    """
    lock_held = sa.select(sa.func.pg_try_advisory_xact_lock(relay_lock_key(outbox))).scalar_subquery()
    oldest_unpublished = (
        sa.select(outbox.c.id)
        .where(outbox.c.published_at.is_(None))
        .order_by(outbox.c.id)
        .limit(batch_size)
        .with_for_update(skip_locked=True)
    )
    return (
        sa.update(outbox)
        .where(lock_held, outbox.c.id.in_(oldest_unpublished.scalar_subquery()))
        .values(published_at=sa.func.now())
        .returning(
            outbox.c.id,
            outbox.c.event_id,
            outbox.c.topic,
            outbox.c.message_key,
            outbox.c.event_type,
            # The jsonb as text: sent as it is, never parsed and re-encoded in Python.
            sa.cast(outbox.c.payload, sa.Text).label("payload"),
        )
    )


def claim_batch(connection: Connection, outbox: sa.Table, batch_size: int) -> list[OutboxRecord]:
    """Up to ``batch_size`` unpublished rows in ``id`` order, stamped in this transaction;
    none when the outbox is empty or another relay holds its lock."""
    # RETURNING follows no ORDER BY; id order is the per-key event order.
    rows = sorted(connection.execute(claim_statement(outbox, batch_size)).all(), key=lambda row: row.id)
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
