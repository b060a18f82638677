"""The restaurants service's tables, in the PostgreSQL schema ``restaurants``.

Money is BIGINT minor units, times TIMESTAMPTZ. ``search_text`` (name, cuisines and
dish names) is maintained by the repository whenever a restaurant or its items change;
its tsvector and trigram indexes serve search. Migrations create exactly these.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from serving.kernel.messaging.outbox_table import define_outbox_table
from serving.kernel.schema import schema_metadata

SCHEMA = "restaurants"

metadata = schema_metadata(SCHEMA)

restaurants = sa.Table(
    "restaurants",
    metadata,
    sa.Column("restaurant_id", pg.UUID(as_uuid=True), primary_key=True),
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
    sa.CheckConstraint("status IN ('ACTIVE', 'INACTIVE', 'CLOSED')", name="status"),
    sa.CheckConstraint("lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180", name="coordinates"),
    sa.CheckConstraint("rating_avg BETWEEN 0 AND 5 AND rating_count >= 0 AND popularity >= 0", name="rating"),
)
# "My restaurants" for an owner; the bounding-box prefilter of radius search.
sa.Index(None, restaurants.c.owner_id)
sa.Index(None, restaurants.c.lat, restaurants.c.lon)
sa.Index("ix_restaurants_search_vector", restaurants.c.search_vector, postgresql_using="gin")
sa.Index(
    "ix_restaurants_search_text_trgm",
    restaurants.c.search_text,
    postgresql_using="gin",
    postgresql_ops={"search_text": "gin_trgm_ops"},
)

menu_categories = sa.Table(
    "menu_categories",
    metadata,
    sa.Column("category_id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column(
        "restaurant_id",
        pg.UUID(as_uuid=True),
        sa.ForeignKey(restaurants.c.restaurant_id, ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.UniqueConstraint("restaurant_id", "name"),
)

menu_items = sa.Table(
    "menu_items",
    metadata,
    sa.Column("item_id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column(
        "restaurant_id",
        pg.UUID(as_uuid=True),
        sa.ForeignKey(restaurants.c.restaurant_id, ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column(
        "category_id",
        pg.UUID(as_uuid=True),
        sa.ForeignKey(menu_categories.c.category_id, ondelete="SET NULL"),
        nullable=True,
    ),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("price_minor", sa.BigInteger, nullable=False),
    sa.Column("is_veg", sa.Boolean, nullable=False),
    sa.Column("photo_url", sa.Text, nullable=True),
    sa.Column("available", sa.Boolean, nullable=False),
    # NULL: not stock-tracked (made to order); otherwise portions left, never negative.
    sa.Column("stock", sa.Integer, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("price_minor >= 0", name="price"),
    sa.CheckConstraint("stock IS NULL OR stock >= 0", name="stock"),
)
sa.Index(None, menu_items.c.restaurant_id)
sa.Index(
    "ix_menu_items_name_trgm",
    menu_items.c.name,
    postgresql_using="gin",
    postgresql_ops={"name": "gin_trgm_ops"},
)

# Ratings and reviews: one per delivered order (the unique order_id is what makes a
# concurrent double submit store one review). ``restaurants.rating_avg``/``rating_count``
# are kept in step with this table by the same transaction.
REVIEW_COMMENT_MAX_LENGTH = 1000

reviews = sa.Table(
    "reviews",
    metadata,
    sa.Column("review_id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column(
        "restaurant_id",
        pg.UUID(as_uuid=True),
        sa.ForeignKey(restaurants.c.restaurant_id, ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("order_id", pg.UUID(as_uuid=True), nullable=False, unique=True),
    sa.Column("customer_id", sa.Text, nullable=False),
    sa.Column("rating", sa.SmallInteger, nullable=False),
    sa.Column("comment", sa.Text, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),
    sa.CheckConstraint(f"char_length(comment) <= {REVIEW_COMMENT_MAX_LENGTH}", name="comment_length"),
)
# A restaurant's reviews, newest first, are keyset pages over (created_at, review_id).
sa.Index(None, reviews.c.restaurant_id, reviews.c.created_at, reviews.c.review_id)


# Discount codes of one restaurant (restaurants_0003_offers). Codes are stored upper
# case (the CHECK), so the primary key makes them unique per restaurant regardless of
# case. Deactivating keeps the row: past orders still name the code they used.
offers = sa.Table(
    "offers",
    metadata,
    sa.Column(
        "restaurant_id",
        pg.UUID(as_uuid=True),
        sa.ForeignKey(restaurants.c.restaurant_id, ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("code", sa.Text, primary_key=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("value", sa.BigInteger, nullable=False),
    sa.Column("min_order_minor", sa.BigInteger, nullable=False),
    sa.Column("max_discount_minor", sa.BigInteger, nullable=True),
    sa.Column("per_user_limit", sa.Integer, nullable=True),
    sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
    sa.Column("valid_until", sa.DateTime(timezone=True), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("code = upper(code)", name="code_upper"),
    sa.CheckConstraint(
        "kind IN ('PERCENTAGE', 'FLAT') AND value > 0 AND (kind = 'FLAT' OR value <= 10000)", name="value"
    ),
    sa.CheckConstraint(
        "min_order_minor >= 0 AND (max_discount_minor IS NULL OR max_discount_minor > 0)"
        " AND (per_user_limit IS NULL OR per_user_limit >= 1)",
        name="limits",
    ),
    sa.CheckConstraint("valid_until > valid_from", name="window"),
)

outbox = define_outbox_table(metadata)
