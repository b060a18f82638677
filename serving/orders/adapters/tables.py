"""The orders service's tables, in the PostgreSQL schema ``orders``.

Money is BIGINT minor units, times are TIMESTAMPTZ. Migrations in
serving/migrations create exactly these (a test compares them).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from serving.kernel.messaging.outbox_table import define_outbox_table
from serving.kernel.messaging.processed_events import define_processed_events_table
from serving.kernel.schema import schema_metadata

SCHEMA = "orders"

metadata = schema_metadata(SCHEMA)

orders = sa.Table(
    "orders",
    metadata,
    sa.Column("order_id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("customer_id", sa.Text, nullable=False),
    sa.Column("restaurant_id", sa.Text, nullable=False),
    sa.Column("city", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("currency", sa.Text, nullable=False),
    sa.Column("subtotal_minor", sa.BigInteger, nullable=False),
    sa.Column("delivery_fee_minor", sa.BigInteger, nullable=False),
    sa.Column("total_minor", sa.BigInteger, nullable=False),
    sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
    # Lifecycle (orders_0002): when the restaurant expects the food to be ready, and
    # why a CANCELLED order was cancelled.
    sa.Column("estimated_ready_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("cancellation_reason", sa.Text, nullable=True),
    # Price breakdown (orders_0003): subtotal_minor is the items' sum before the
    # discount; total_minor stays "what the customer pays" (GMV downstream).
    sa.Column("discount_minor", sa.BigInteger, nullable=False, server_default=sa.text("0")),
    sa.Column("tax_minor", sa.BigInteger, nullable=False, server_default=sa.text("0")),
    sa.Column("packaging_minor", sa.BigInteger, nullable=False, server_default=sa.text("0")),
    sa.Column("offer_code", sa.Text, nullable=True),
    sa.CheckConstraint("subtotal_minor >= 0 AND delivery_fee_minor >= 0", name="amounts"),
    sa.CheckConstraint(
        "discount_minor >= 0 AND tax_minor >= 0 AND packaging_minor >= 0 AND discount_minor <= subtotal_minor",
        name="charges",
    ),
    sa.CheckConstraint(
        "total_minor = subtotal_minor - discount_minor + tax_minor + packaging_minor + delivery_fee_minor",
        name="total",
    ),
)
# "My orders, newest first" is the customer's main read.
sa.Index(None, orders.c.customer_id, orders.c.placed_at)
# History pages are keyset scans over (placed_at, order_id) per restaurant and overall.
sa.Index(None, orders.c.restaurant_id, orders.c.placed_at, orders.c.order_id)
sa.Index(None, orders.c.placed_at, orders.c.order_id)

order_lines = sa.Table(
    "order_lines",
    metadata,
    sa.Column(
        "order_id",
        pg.UUID(as_uuid=True),
        sa.ForeignKey(orders.c.order_id, ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("line_no", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("item_id", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("unit_price_minor", sa.BigInteger, nullable=False),
    sa.Column("line_total_minor", sa.BigInteger, nullable=False),
    sa.CheckConstraint("quantity >= 1 AND unit_price_minor >= 0", name="amounts"),
    sa.CheckConstraint("line_total_minor = quantity * unit_price_minor", name="line_total"),
)

# Every status an order has been in, oldest first (placement is the first row):
# the audit trail behind the single ``orders.status`` column.
order_status_history = sa.Table(
    "order_status_history",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
    sa.Column(
        "order_id",
        pg.UUID(as_uuid=True),
        sa.ForeignKey(orders.c.order_id, ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("from_status", sa.Text, nullable=True),  # NULL for placement
    sa.Column("to_status", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("actor_id", sa.Text, nullable=False),
    sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
)
sa.Index(None, order_status_history.c.order_id, order_status_history.c.id)

# Idempotency-Key of POST /orders, per customer. The primary key is what makes
# concurrent duplicates create one order: the second insert waits for the first
# transaction and then conflicts.
idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    sa.Column("customer_id", sa.Text, primary_key=True),
    sa.Column("idempotency_key", sa.Text, primary_key=True),
    sa.Column("request_hash", sa.Text, nullable=False),
    sa.Column(
        "order_id",
        pg.UUID(as_uuid=True),
        sa.ForeignKey(orders.c.order_id, ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

outbox = define_outbox_table(metadata)
# Events the service's saga consumer has applied (serving/kernel/messaging/processed_events.py).
processed_events = define_processed_events_table(metadata)
