"""The orders service's tables, in the PostgreSQL schema ``orders``.

Money is BIGINT minor units, times are TIMESTAMPTZ. Migrations in
serving/migrations create exactly these (a test compares them).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from serving.outbox.table import define_outbox_table

SCHEMA = "orders"

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(schema=SCHEMA, naming_convention=NAMING_CONVENTION)

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
    sa.CheckConstraint("subtotal_minor >= 0 AND delivery_fee_minor >= 0", name="amounts"),
    sa.CheckConstraint("total_minor = subtotal_minor + delivery_fee_minor", name="total"),
)
# "My orders, newest first" is the customer's main read.
sa.Index(None, orders.c.customer_id, orders.c.placed_at)

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

outbox = define_outbox_table(metadata)
