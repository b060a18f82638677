"""Orders price breakdown: discount, tax, packaging and the offer code of each order.

Revision ID: orders_0003_price_breakdown
Revises: orders_0002_lifecycle
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "orders_0003_price_breakdown"
down_revision: str | None = "orders_0002_lifecycle"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "orders"


def upgrade() -> None:
    # DEFAULT 0: every existing order was priced as items + delivery, which the
    # relaxed total CHECK below still accepts with no discount, tax or packaging.
    for column in ("discount_minor", "tax_minor", "packaging_minor"):
        op.add_column(
            "orders",
            sa.Column(column, sa.BigInteger, nullable=False, server_default=sa.text("0")),
            schema=SCHEMA,
        )
    op.add_column("orders", sa.Column("offer_code", sa.Text, nullable=True), schema=SCHEMA)
    op.create_check_constraint(
        "ck_orders_charges",
        "orders",
        "discount_minor >= 0 AND tax_minor >= 0 AND packaging_minor >= 0 AND discount_minor <= subtotal_minor",
        schema=SCHEMA,
    )
    op.drop_constraint("ck_orders_total", "orders", schema=SCHEMA, type_="check")
    op.create_check_constraint(
        "ck_orders_total",
        "orders",
        "total_minor = subtotal_minor - discount_minor + tax_minor + packaging_minor + delivery_fee_minor",
        schema=SCHEMA,
    )


def downgrade() -> None:
    # Only possible while no order has a discount, tax or packaging (the old CHECK).
    op.drop_constraint("ck_orders_total", "orders", schema=SCHEMA, type_="check")
    op.create_check_constraint(
        "ck_orders_total", "orders", "total_minor = subtotal_minor + delivery_fee_minor", schema=SCHEMA
    )
    op.drop_constraint("ck_orders_charges", "orders", schema=SCHEMA, type_="check")
    for column in ("offer_code", "packaging_minor", "tax_minor", "discount_minor"):
        op.drop_column("orders", column, schema=SCHEMA)
