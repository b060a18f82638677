"""Saga: processed_events in the orders and payments schemas (idempotent consumers).

Its own branch: the consumers' dedupe tables change with the consumer framework,
not with either service's domain tables.

Revision ID: saga_0001_processed_events
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision: str = "saga_0001_processed_events"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("saga",)
# The schemas must exist first.
depends_on: str | Sequence[str] | None = ("0001_orders_schema", "payments_0001_schema")

SCHEMAS = ("orders", "payments")


def upgrade() -> None:
    for schema in SCHEMAS:
        op.create_table(
            "processed_events",
            sa.Column("consumer", sa.Text, nullable=False),
            sa.Column("event_id", pg.UUID(as_uuid=True), nullable=False),
            sa.Column("event_type", sa.Text, nullable=True),
            sa.Column("outcome", sa.Text, nullable=False),
            sa.Column("detail", sa.Text, nullable=True),
            sa.Column("topic", sa.Text, nullable=False),
            sa.Column("partition", sa.Integer, nullable=False),
            sa.Column("offset", sa.BigInteger, nullable=False),
            sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("consumer", "event_id", name="pk_processed_events"),
            schema=schema,
        )


def downgrade() -> None:
    for schema in SCHEMAS:
        op.drop_table("processed_events", schema=schema)
