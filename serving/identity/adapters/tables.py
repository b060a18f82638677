"""The identity service's tables, in the PostgreSQL schema ``identity``.

Migrations in serving/migrations/versions/identity_*.py create exactly these (a
test compares them).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from serving.kernel.schema import schema_metadata

SCHEMA = "identity"

metadata = schema_metadata(SCHEMA)

users = sa.Table(
    "users",
    metadata,
    sa.Column("user_id", pg.UUID(as_uuid=True), primary_key=True),
    # Stored lower-cased (domain.accounts.normalize_email), so a plain unique constraint is
    # case-insensitive uniqueness.
    sa.Column("email", sa.Text, nullable=False, unique=True),
    sa.Column("phone", sa.Text, nullable=True, unique=True),  # E.164
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    # Set by an operator (python -m serving.identity suspend): no login, no refresh.
    sa.Column("suspended_at", sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("role IN ('CUSTOMER', 'RESTAURANT', 'COURIER', 'ADMIN')", name="role"),
    sa.CheckConstraint("email = lower(email)", name="email_lower"),
)

addresses = sa.Table(
    "addresses",
    metadata,
    sa.Column("address_id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("user_id", pg.UUID(as_uuid=True), sa.ForeignKey(users.c.user_id, ondelete="CASCADE"), nullable=False),
    sa.Column("label", sa.Text, nullable=False),
    sa.Column("line", sa.Text, nullable=False),
    sa.Column("city", sa.Text, nullable=False),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("is_default", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180", name="coordinates"),
)
sa.Index(None, addresses.c.user_id)
# At most one default address per user, enforced by the database.
sa.Index("uq_addresses_one_default", addresses.c.user_id, unique=True, postgresql_where=addresses.c.is_default)

refresh_tokens = sa.Table(
    "refresh_tokens",
    metadata,
    sa.Column("token_hash", sa.Text, primary_key=True),  # SHA-256 hex; the token itself is never stored
    sa.Column("family_id", pg.UUID(as_uuid=True), nullable=False),
    sa.Column("user_id", pg.UUID(as_uuid=True), sa.ForeignKey(users.c.user_id, ondelete="CASCADE"), nullable=False),
    sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
)
sa.Index(None, refresh_tokens.c.family_id)
sa.Index(None, refresh_tokens.c.user_id)
