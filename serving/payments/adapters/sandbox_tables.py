"""The sandbox gateway's tables, in the PostgreSQL schema ``sandbox_gateway``.

This is the fake card provider's own state, not the payments service's: nothing in
``payments`` references it, and the service never reads it. It shares the database
only so that every process of a local deployment (API, consumers) sees the same
provider. No card number is stored, only what a real provider would hand back.
The migration sandbox_gateway_0001_schema creates exactly these (a test compares them).
"""

from __future__ import annotations

import sqlalchemy as sa

from serving.kernel.schema import schema_metadata

SCHEMA = "sandbox_gateway"

metadata = schema_metadata(SCHEMA)

charges = sa.Table(
    "charges",
    metadata,
    # The primary key is what makes a concurrent duplicate charge impossible.
    sa.Column("idempotency_key", sa.Text, primary_key=True),
    sa.Column("reference", sa.Text, nullable=False, unique=True),
    sa.Column("card_token", sa.Text, nullable=False),
    sa.Column("card_last4", sa.Text, nullable=False),
    sa.Column("card_brand", sa.Text, nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.Text, nullable=False),
    sa.Column("refunded_minor", sa.BigInteger, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    # The store's locked check already refuses an excess refund; this catches a bug in it.
    sa.CheckConstraint("refunded_minor >= 0 AND refunded_minor <= amount_minor", name="refunded_within_amount"),
)

refunds = sa.Table(
    "refunds",
    metadata,
    sa.Column("idempotency_key", sa.Text, primary_key=True),
    sa.Column("reference", sa.Text, nullable=False, unique=True),
    sa.Column("charge_reference", sa.Text, sa.ForeignKey(charges.c.reference), nullable=False, index=True),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.CheckConstraint("amount_minor > 0", name="amount_positive"),
)

# Calls per idempotency key (charges and refunds share the key space, as in memory):
# the transient test card fails N times per key across every process, not per process.
attempts = sa.Table(
    "attempts",
    metadata,
    sa.Column("idempotency_key", sa.Text, primary_key=True),
    sa.Column("attempt_count", sa.Integer, nullable=False),
    sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)
