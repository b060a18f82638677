"""The shape of a service's outbox table (one per service schema).

A service appends an event row in the same transaction as its state change; the
relay publishes rows in ``id`` order and stamps ``published_at``. Rows are kept
after publishing (for audit and replay); a housekeeping job may delete old ones.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg


def define_outbox_table(metadata: sa.MetaData, name: str = "outbox") -> sa.Table:
    table = sa.Table(
        name,
        metadata,
        # bigserial: commit order can differ from id order across transactions, but
        # one aggregate's events are written by transactions that lock the aggregate
        # row first, so per-key id order is the per-key event order.
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("event_id", pg.UUID(as_uuid=True), nullable=False, unique=True),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("message_key", sa.Text, nullable=False),
        sa.Column("event_type", sa.Text, nullable=False),
        # The whole EventEnvelope as JSON; jsonb so operators can query it.
        sa.Column("payload", pg.JSONB, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
    )
    # Partial index: the relay's scan touches only the (few) unpublished rows, however
    # long the published history grows.
    sa.Index(
        f"ix_{name}_unpublished",
        table.c.id,
        postgresql_where=table.c.published_at.is_(None),
    )
    return table
