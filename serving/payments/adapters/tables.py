"""The payments service's tables, in the PostgreSQL schema ``payments``.

Money is BIGINT minor units, times are TIMESTAMPTZ. The migration
payments_0001_schema creates exactly these (a test compares them).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from serving.kernel.messaging.outbox_table import define_outbox_table
from serving.kernel.messaging.processed_events import define_processed_events_table
from serving.kernel.schema import schema_metadata

SCHEMA = "payments"

metadata = schema_metadata(SCHEMA)

accounts = sa.Table(
    "accounts",
    metadata,
    sa.Column("account_id", sa.Text, primary_key=True),  # "wallet:<customer>" or "system:<name>"
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("owner_id", sa.Text, nullable=True),  # the customer, for wallets
    sa.Column("currency", sa.Text, nullable=False),
    sa.Column("balance_minor", sa.BigInteger, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('WALLET', 'SYSTEM')", name="kind"),
    # The last line of defence: the service's conditional update already refuses an
    # overdraft, but a bug there must fail the transaction, not overdraw a wallet.
    sa.CheckConstraint("kind <> 'WALLET' OR balance_minor >= 0", name="wallet_not_negative"),
)

journal_entries = sa.Table(
    "journal_entries",
    metadata,
    sa.Column("entry_id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("payment_id", pg.UUID(as_uuid=True), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

journal_lines = sa.Table(
    "journal_lines",
    metadata,
    # bigserial: a wallet's lines are written while its account row is locked, so id
    # order is the order of its balance changes (the history's cursor relies on it).
    sa.Column("line_id", sa.BigInteger, primary_key=True, autoincrement=True),
    sa.Column("entry_id", pg.UUID(as_uuid=True), sa.ForeignKey(journal_entries.c.entry_id), nullable=False),
    sa.Column("account_id", sa.Text, sa.ForeignKey(accounts.c.account_id), nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("balance_after_minor", sa.BigInteger, nullable=False),
    sa.CheckConstraint("amount_minor <> 0", name="amount"),
)
sa.Index(None, journal_lines.c.account_id, journal_lines.c.line_id)
sa.Index(None, journal_lines.c.entry_id)

payments = sa.Table(
    "payments",
    metadata,
    sa.Column("payment_id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("order_id", pg.UUID(as_uuid=True), nullable=False),
    sa.Column("customer_id", sa.Text, nullable=False),
    sa.Column("method", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("refunded_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.Text, nullable=False),
    # Never the card number: only what a receipt shows and the gateway's token.
    sa.Column("card_last4", sa.Text, nullable=True),
    sa.Column("card_brand", sa.Text, nullable=True),
    sa.Column("card_token", sa.Text, nullable=True),
    sa.Column("gateway_reference", sa.Text, nullable=True),
    sa.Column("failure_reason", sa.Text, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("method IN ('card', 'wallet', 'cod')", name="method"),
    sa.CheckConstraint("status IN ('PENDING', 'SUCCEEDED', 'FAILED')", name="status"),
    sa.CheckConstraint("amount_minor > 0", name="amount"),
    sa.CheckConstraint("refunded_minor >= 0 AND refunded_minor <= amount_minor", name="refunded"),
    sa.CheckConstraint("card_last4 IS NULL OR card_last4 ~ '^[0-9]{4}$'", name="card_last4"),
)
sa.Index(None, payments.c.customer_id, payments.c.created_at)
# One live payment per order: a second one (another key, another tab) is a 409, even
# when both arrive at once. Failed attempts do not count, so the customer can retry.
sa.Index(
    "uq_payments_live_order",
    payments.c.order_id,
    unique=True,
    postgresql_where=payments.c.status.in_(["PENDING", "SUCCEEDED"]),
)

refunds = sa.Table(
    "refunds",
    metadata,
    sa.Column("refund_id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("payment_id", pg.UUID(as_uuid=True), sa.ForeignKey(payments.c.payment_id), nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("destination", sa.Text, nullable=False),
    sa.Column("gateway_reference", sa.Text, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("amount_minor > 0", name="amount"),
    sa.CheckConstraint("destination IN ('wallet', 'original')", name="destination"),
)
sa.Index(None, refunds.c.payment_id)

idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    # Keys are scoped to the caller: two customers may pick the same key.
    sa.Column("caller", sa.Text, primary_key=True),
    sa.Column("idempotency_key", sa.Text, primary_key=True),
    sa.Column("request_fingerprint", sa.Text, nullable=False),
    sa.Column("response_status", sa.Integer, nullable=False),
    sa.Column("response_body", pg.JSONB, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

outbox = define_outbox_table(metadata)
# Events the service's saga consumer has applied (serving/kernel/messaging/processed_events.py).
processed_events = define_processed_events_table(metadata)
