"""Restaurants offers: discount codes per restaurant (percentage or flat, window, limits).

Revision ID: restaurants_0003_offers
Revises: restaurants_0002_reviews
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision: str = "restaurants_0003_offers"
down_revision: str | None = "restaurants_0002_reviews"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "restaurants"


def upgrade() -> None:
    op.create_table(
        "offers",
        sa.Column("restaurant_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("value", sa.BigInteger, nullable=False),
        sa.Column("min_order_minor", sa.BigInteger, nullable=False),
        sa.Column("max_discount_minor", sa.BigInteger, nullable=True),
        sa.Column("per_user_limit", sa.Integer, nullable=True),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("restaurant_id", "code", name="pk_offers"),
        sa.ForeignKeyConstraint(
            ["restaurant_id"],
            [f"{SCHEMA}.restaurants.restaurant_id"],
            name="fk_offers_restaurant_id_restaurants",
            ondelete="CASCADE",
        ),
        # Stored upper case, so the primary key is a case-insensitive uniqueness.
        sa.CheckConstraint("code = upper(code)", name="ck_offers_code_upper"),
        sa.CheckConstraint(
            "kind IN ('PERCENTAGE', 'FLAT') AND value > 0 AND (kind = 'FLAT' OR value <= 10000)",
            name="ck_offers_value",
        ),
        sa.CheckConstraint(
            "min_order_minor >= 0 AND (max_discount_minor IS NULL OR max_discount_minor > 0)"
            " AND (per_user_limit IS NULL OR per_user_limit >= 1)",
            name="ck_offers_limits",
        ),
        sa.CheckConstraint("valid_until > valid_from", name="ck_offers_window"),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("offers", schema=SCHEMA)
