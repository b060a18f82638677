"""Restaurants reviews: one rating (and optional comment) per delivered order.

Revision ID: restaurants_0002_reviews
Revises: restaurants_0001_schema
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision: str = "restaurants_0002_reviews"
down_revision: str | None = "restaurants_0001_schema"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "restaurants"


def upgrade() -> None:
    # Existing restaurants keep their seeded rating_avg/rating_count: reviews add to them,
    # there is nothing to backfill.
    op.create_table(
        "reviews",
        sa.Column("review_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("restaurant_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("order_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("customer_id", sa.Text, nullable=False),
        sa.Column("rating", sa.SmallInteger, nullable=False),
        sa.Column("comment", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("review_id", name="pk_reviews"),
        sa.ForeignKeyConstraint(
            ["restaurant_id"],
            [f"{SCHEMA}.restaurants.restaurant_id"],
            name="fk_reviews_restaurant_id_restaurants",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("order_id", name="uq_reviews_order_id"),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="ck_reviews_rating"),
        sa.CheckConstraint("char_length(comment) <= 1000", name="ck_reviews_comment_length"),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_reviews_restaurant_id_created_at_review_id",
        "reviews",
        ["restaurant_id", "created_at", "review_id"],
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("reviews", schema=SCHEMA)
