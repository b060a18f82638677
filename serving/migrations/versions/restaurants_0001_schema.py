"""Restaurants schema: restaurants, menu categories and items, the restaurants outbox.

Revision ID: restaurants_0001_schema
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision: str = "restaurants_0001_schema"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("restaurants",)
depends_on: str | Sequence[str] | None = None

SCHEMA = "restaurants"


def upgrade() -> None:
    # Trigram similarity is what makes typo-tolerant search work ("biriyani").
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(sa.schema.CreateSchema(SCHEMA, if_not_exists=True))

    op.create_table(
        "restaurants",
        sa.Column("restaurant_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("owner_id", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("address", sa.Text, nullable=False),
        sa.Column("city", sa.Text, nullable=False),
        sa.Column("lat", sa.Float, nullable=False),
        sa.Column("lon", sa.Float, nullable=False),
        sa.Column("cuisines", pg.ARRAY(sa.Text), nullable=False),
        sa.Column("timezone", sa.Text, nullable=False),
        sa.Column("opening_hours", pg.JSONB, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("rating_avg", sa.Float, nullable=False),
        sa.Column("rating_count", sa.Integer, nullable=False),
        sa.Column("popularity", sa.Integer, nullable=False),
        sa.Column("search_text", sa.Text, nullable=False),
        sa.Column(
            "search_vector",
            pg.TSVECTOR,
            sa.Computed("to_tsvector('simple'::regconfig, search_text)", persisted=True),
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("restaurant_id", name="pk_restaurants"),
        sa.CheckConstraint("status IN ('ACTIVE', 'INACTIVE', 'CLOSED')", name="ck_restaurants_status"),
        sa.CheckConstraint("lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180", name="ck_restaurants_coordinates"),
        sa.CheckConstraint(
            "rating_avg BETWEEN 0 AND 5 AND rating_count >= 0 AND popularity >= 0",
            name="ck_restaurants_rating",
        ),
        schema=SCHEMA,
    )
    op.create_index("ix_restaurants_owner_id", "restaurants", ["owner_id"], schema=SCHEMA)
    op.create_index("ix_restaurants_lat_lon", "restaurants", ["lat", "lon"], schema=SCHEMA)
    op.create_index(
        "ix_restaurants_search_vector", "restaurants", ["search_vector"], schema=SCHEMA, postgresql_using="gin"
    )
    op.create_index(
        "ix_restaurants_search_text_trgm",
        "restaurants",
        ["search_text"],
        schema=SCHEMA,
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
    )

    op.create_table(
        "menu_categories",
        sa.Column("category_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("restaurant_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("category_id", name="pk_menu_categories"),
        sa.ForeignKeyConstraint(
            ["restaurant_id"],
            [f"{SCHEMA}.restaurants.restaurant_id"],
            name="fk_menu_categories_restaurant_id_restaurants",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("restaurant_id", "name", name="uq_menu_categories_restaurant_id_name"),
        schema=SCHEMA,
    )

    op.create_table(
        "menu_items",
        sa.Column("item_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("restaurant_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("category_id", pg.UUID(as_uuid=True), nullable=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("price_minor", sa.BigInteger, nullable=False),
        sa.Column("is_veg", sa.Boolean, nullable=False),
        sa.Column("photo_url", sa.Text, nullable=True),
        sa.Column("available", sa.Boolean, nullable=False),
        sa.Column("stock", sa.Integer, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("item_id", name="pk_menu_items"),
        sa.ForeignKeyConstraint(
            ["restaurant_id"],
            [f"{SCHEMA}.restaurants.restaurant_id"],
            name="fk_menu_items_restaurant_id_restaurants",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            [f"{SCHEMA}.menu_categories.category_id"],
            name="fk_menu_items_category_id_menu_categories",
            ondelete="SET NULL",
        ),
        sa.CheckConstraint("price_minor >= 0", name="ck_menu_items_price"),
        sa.CheckConstraint("stock IS NULL OR stock >= 0", name="ck_menu_items_stock"),
        schema=SCHEMA,
    )
    op.create_index("ix_menu_items_restaurant_id", "menu_items", ["restaurant_id"], schema=SCHEMA)
    op.create_index(
        "ix_menu_items_name_trgm",
        "menu_items",
        ["name"],
        schema=SCHEMA,
        postgresql_using="gin",
        postgresql_ops={"name": "gin_trgm_ops"},
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
    op.drop_table("menu_items", schema=SCHEMA)
    op.drop_table("menu_categories", schema=SCHEMA)
    op.drop_table("restaurants", schema=SCHEMA)
    op.execute(sa.schema.DropSchema(SCHEMA, if_exists=True))
