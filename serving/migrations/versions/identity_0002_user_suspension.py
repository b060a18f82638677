"""Identity: users.suspended_at (an operator's suspension: no login, no refresh).

Revision ID: identity_0002
Revises: identity_0001
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "identity_0002"
down_revision: str | None = "identity_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "identity"


def upgrade() -> None:
    # Nullable, no default: adding it rewrites nothing, and every existing user is active.
    op.add_column("users", sa.Column("suspended_at", sa.DateTime(timezone=True), nullable=True), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("users", "suspended_at", schema=SCHEMA)
