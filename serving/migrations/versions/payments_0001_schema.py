"""Payments schema: ledger accounts and journal, payments, refunds, idempotency keys, outbox.

Revision ID: payments_0001_schema
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision: str = "payments_0001_schema"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("payments",)
depends_on: str | Sequence[str] | None = None

SCHEMA = "payments"
# The counterparties of every wallet movement (serving/payments/ledger.py).
SYSTEM_ACCOUNTS = ("system:card_clearing", "system:cash_collected", "system:order_revenue")


def upgrade() -> None:
    op.execute(sa.schema.CreateSchema(SCHEMA, if_not_exists=True))

    op.create_table(
        "accounts",
        sa.Column("account_id", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("owner_id", sa.Text, nullable=True),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("balance_minor", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("account_id", name="pk_accounts"),
        sa.CheckConstraint("kind IN ('WALLET', 'SYSTEM')", name="ck_accounts_kind"),
        sa.CheckConstraint("kind <> 'WALLET' OR balance_minor >= 0", name="ck_accounts_wallet_not_negative"),
        schema=SCHEMA,
    )
    values = ", ".join(f"('{account}', 'SYSTEM', 'INR', 0, now())" for account in SYSTEM_ACCOUNTS)
    op.execute(
        f"INSERT INTO {SCHEMA}.accounts (account_id, kind, currency, balance_minor, created_at) VALUES {values}"
    )

    op.create_table(
        "journal_entries",
        sa.Column("entry_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("payment_id", pg.UUID(as_uuid=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("entry_id", name="pk_journal_entries"),
        schema=SCHEMA,
    )
    op.create_table(
        "journal_lines",
        sa.Column("line_id", sa.BigInteger, autoincrement=True, nullable=False),  # bigserial
        sa.Column("entry_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("account_id", sa.Text, nullable=False),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.Column("balance_after_minor", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("line_id", name="pk_journal_lines"),
        sa.ForeignKeyConstraint(
            ["entry_id"], [f"{SCHEMA}.journal_entries.entry_id"], name="fk_journal_lines_entry_id_journal_entries"
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], [f"{SCHEMA}.accounts.account_id"], name="fk_journal_lines_account_id_accounts"
        ),
        sa.CheckConstraint("amount_minor <> 0", name="ck_journal_lines_amount"),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_journal_lines_account_id_line_id", "journal_lines", ["account_id", "line_id"], schema=SCHEMA
    )
    op.create_index("ix_journal_lines_entry_id", "journal_lines", ["entry_id"], schema=SCHEMA)

    op.create_table(
        "payments",
        sa.Column("payment_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("order_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("customer_id", sa.Text, nullable=False),
        sa.Column("method", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.Column("refunded_minor", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("card_last4", sa.Text, nullable=True),
        sa.Column("card_brand", sa.Text, nullable=True),
        sa.Column("card_token", sa.Text, nullable=True),
        sa.Column("gateway_reference", sa.Text, nullable=True),
        sa.Column("failure_reason", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("payment_id", name="pk_payments"),
        sa.CheckConstraint("method IN ('card', 'wallet', 'cod')", name="ck_payments_method"),
        sa.CheckConstraint("status IN ('PENDING', 'SUCCEEDED', 'FAILED')", name="ck_payments_status"),
        sa.CheckConstraint("amount_minor > 0", name="ck_payments_amount"),
        sa.CheckConstraint(
            "refunded_minor >= 0 AND refunded_minor <= amount_minor", name="ck_payments_refunded"
        ),
        sa.CheckConstraint("card_last4 IS NULL OR card_last4 ~ '^[0-9]{4}$'", name="ck_payments_card_last4"),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_payments_customer_id_created_at", "payments", ["customer_id", "created_at"], schema=SCHEMA
    )
    op.create_index(
        "uq_payments_live_order",
        "payments",
        ["order_id"],
        unique=True,
        schema=SCHEMA,
        postgresql_where=sa.text("status IN ('PENDING', 'SUCCEEDED')"),
    )

    op.create_table(
        "refunds",
        sa.Column("refund_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("payment_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.Column("destination", sa.Text, nullable=False),
        sa.Column("gateway_reference", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("refund_id", name="pk_refunds"),
        sa.ForeignKeyConstraint(
            ["payment_id"], [f"{SCHEMA}.payments.payment_id"], name="fk_refunds_payment_id_payments"
        ),
        sa.CheckConstraint("amount_minor > 0", name="ck_refunds_amount"),
        sa.CheckConstraint("destination IN ('wallet', 'original')", name="ck_refunds_destination"),
        schema=SCHEMA,
    )
    op.create_index("ix_refunds_payment_id", "refunds", ["payment_id"], schema=SCHEMA)

    op.create_table(
        "idempotency_keys",
        sa.Column("caller", sa.Text, nullable=False),
        sa.Column("idempotency_key", sa.Text, nullable=False),
        sa.Column("request_fingerprint", sa.Text, nullable=False),
        sa.Column("response_status", sa.Integer, nullable=False),
        sa.Column("response_body", pg.JSONB, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("caller", "idempotency_key", name="pk_idempotency_keys"),
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
    for table in ("outbox", "idempotency_keys", "refunds", "payments", "journal_lines", "journal_entries", "accounts"):
        op.drop_table(table, schema=SCHEMA)
    op.execute(sa.schema.DropSchema(SCHEMA, if_exists=True))
