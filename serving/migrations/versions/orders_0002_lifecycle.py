"""Orders lifecycle: status history, idempotency keys, lifecycle columns, history indexes.

Revision ID: orders_0002_lifecycle
Revises: 0001_orders_schema
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision: str = "orders_0002_lifecycle"
down_revision: str | None = "0001_orders_schema"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "orders"


def upgrade() -> None:
    # Nullable: existing orders have no estimate and were never cancelled.
    op.add_column("orders", sa.Column("estimated_ready_at", sa.DateTime(timezone=True)), schema=SCHEMA)
    op.add_column("orders", sa.Column("cancellation_reason", sa.Text), schema=SCHEMA)
    op.create_index(
        "ix_orders_restaurant_id_placed_at_order_id",
        "orders",
        ["restaurant_id", "placed_at", "order_id"],
        schema=SCHEMA,
    )
    op.create_index("ix_orders_placed_at_order_id", "orders", ["placed_at", "order_id"], schema=SCHEMA)

    op.create_table(
        "order_status_history",
        sa.Column("id", sa.BigInteger, autoincrement=True, nullable=False),  # bigserial
        sa.Column("order_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("from_status", sa.Text, nullable=True),
        sa.Column("to_status", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("actor_id", sa.Text, nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_order_status_history"),
        sa.ForeignKeyConstraint(
            ["order_id"],
            [f"{SCHEMA}.orders.order_id"],
            name="fk_order_status_history_order_id_orders",
            ondelete="CASCADE",
        ),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_order_status_history_order_id_id",
        "order_status_history",
        ["order_id", "id"],
        schema=SCHEMA,
    )
    # Orders placed before this migration get their placement row, so every order's
    # history starts at PENDING.
    op.execute(
        f"INSERT INTO {SCHEMA}.order_status_history "
        "(order_id, from_status, to_status, reason, actor, actor_id, changed_at) "
        f"SELECT order_id, NULL, 'PENDING', NULL, 'customer', customer_id, placed_at FROM {SCHEMA}.orders"
    )

    op.create_table(
        "idempotency_keys",
        sa.Column("customer_id", sa.Text, nullable=False),
        sa.Column("idempotency_key", sa.Text, nullable=False),
        sa.Column("request_hash", sa.Text, nullable=False),
        sa.Column("order_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", "idempotency_key", name="pk_idempotency_keys"),
        sa.ForeignKeyConstraint(
            ["order_id"],
            [f"{SCHEMA}.orders.order_id"],
            name="fk_idempotency_keys_order_id_orders",
            ondelete="CASCADE",
        ),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("idempotency_keys", schema=SCHEMA)
    op.drop_table("order_status_history", schema=SCHEMA)
    op.drop_index("ix_orders_placed_at_order_id", "orders", schema=SCHEMA)
    op.drop_index("ix_orders_restaurant_id_placed_at_order_id", "orders", schema=SCHEMA)
    op.drop_column("orders", "cancellation_reason", schema=SCHEMA)
    op.drop_column("orders", "estimated_ready_at", schema=SCHEMA)
