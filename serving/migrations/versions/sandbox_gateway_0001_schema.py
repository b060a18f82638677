"""Sandbox gateway: the fake card provider's charges, refunds and calls per key.

Its own branch: this is a stand-in for a third-party provider, not a service of
ours; nothing references it and it changes with serving/payments/sandbox_postgres.py
only. It lives in the shared database so that the API and the consumers (separate
processes) see one provider.

Revision ID: sandbox_gateway_0001_schema
Revises:
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "sandbox_gateway_0001_schema"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("sandbox_gateway",)
depends_on: str | Sequence[str] | None = None

SCHEMA = "sandbox_gateway"


def upgrade() -> None:
    op.execute(sa.schema.CreateSchema(SCHEMA, if_not_exists=True))

    op.create_table(
        "charges",
        sa.Column("idempotency_key", sa.Text, nullable=False),
        sa.Column("reference", sa.Text, nullable=False),
        sa.Column("card_token", sa.Text, nullable=False),
        sa.Column("card_last4", sa.Text, nullable=False),
        sa.Column("card_brand", sa.Text, nullable=False),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("refunded_minor", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("idempotency_key", name="pk_charges"),
        sa.UniqueConstraint("reference", name="uq_charges_reference"),
        sa.CheckConstraint(
            "refunded_minor >= 0 AND refunded_minor <= amount_minor", name="ck_charges_refunded_within_amount"
        ),
        schema=SCHEMA,
    )

    op.create_table(
        "refunds",
        sa.Column("idempotency_key", sa.Text, nullable=False),
        sa.Column("reference", sa.Text, nullable=False),
        sa.Column("charge_reference", sa.Text, nullable=False),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("idempotency_key", name="pk_refunds"),
        sa.UniqueConstraint("reference", name="uq_refunds_reference"),
        sa.ForeignKeyConstraint(
            ["charge_reference"], [f"{SCHEMA}.charges.reference"], name="fk_refunds_charge_reference_charges"
        ),
        sa.CheckConstraint("amount_minor > 0", name="ck_refunds_amount_positive"),
        schema=SCHEMA,
    )
    op.create_index("ix_refunds_charge_reference", "refunds", ["charge_reference"], schema=SCHEMA)

    op.create_table(
        "attempts",
        sa.Column("idempotency_key", sa.Text, nullable=False),
        sa.Column("attempt_count", sa.Integer, nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("idempotency_key", name="pk_attempts"),
        schema=SCHEMA,
    )


def downgrade() -> None:
    for table in ("attempts", "refunds", "charges"):
        op.drop_table(table, schema=SCHEMA)
    op.execute(sa.schema.DropSchema(SCHEMA, if_exists=True))
