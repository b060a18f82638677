"""Orders schema: orders, order_lines and the orders outbox.

Revision ID: 0001_orders_schema
Revises:
Create Date: 2025-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision: str = "0001_orders_schema"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("orders",)
depends_on: str | Sequence[str] | None = None

SCHEMA = "orders"


def upgrade() -> None:
    op.execute(sa.schema.CreateSchema(SCHEMA, if_not_exists=True))

    op.create_table(
        "orders",
        sa.Column("order_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("customer_id", sa.Text, nullable=False),
        sa.Column("restaurant_id", sa.Text, nullable=False),
        sa.Column("city", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("subtotal_minor", sa.BigInteger, nullable=False),
        sa.Column("delivery_fee_minor", sa.BigInteger, nullable=False),
        sa.Column("total_minor", sa.BigInteger, nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("order_id", name="pk_orders"),
        sa.CheckConstraint("subtotal_minor >= 0 AND delivery_fee_minor >= 0", name="ck_orders_amounts"),
        sa.CheckConstraint("total_minor = subtotal_minor + delivery_fee_minor", name="ck_orders_total"),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_orders_customer_id_placed_at",
        "orders",
        ["customer_id", "placed_at"],
        schema=SCHEMA,
    )

    op.create_table(
        "order_lines",
        sa.Column("order_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("line_no", sa.Integer, nullable=False),
        sa.Column("item_id", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("unit_price_minor", sa.BigInteger, nullable=False),
        sa.Column("line_total_minor", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("order_id", "line_no", name="pk_order_lines"),
        sa.ForeignKeyConstraint(
            ["order_id"],
            [f"{SCHEMA}.orders.order_id"],
            name="fk_order_lines_order_id_orders",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint("quantity >= 1 AND unit_price_minor >= 0", name="ck_order_lines_amounts"),
        sa.CheckConstraint(
            "line_total_minor = quantity * unit_price_minor", name="ck_order_lines_line_total"
        ),
        schema=SCHEMA,
    )

    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger, autoincrement=True, nullable=False),  # bigserial
        sa.Column("event_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("message_key", sa.Text, nullable=False),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("payload", pg.JSONB, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("event_id", name="uq_outbox_event_id"),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_outbox_unpublished",
        "outbox",
        ["id"],
        schema=SCHEMA,
        postgresql_where=sa.text("published_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_table("outbox", schema=SCHEMA)
    op.drop_table("order_lines", schema=SCHEMA)
    op.drop_table("orders", schema=SCHEMA)
    op.execute(sa.schema.DropSchema(SCHEMA, if_exists=True))
