"""Composition root of the schema: every service's tables, and ``migrate``.

A new service adds its ``metadata`` and ``SCHEMA`` here and its migrations under
``versions/`` as an Alembic branch of its own.
"""

from __future__ import annotations

import threading
from pathlib import Path

import sqlalchemy as sa

from serving.identity.adapters import tables as identity_tables
from serving.orders.adapters import tables as order_tables
from serving.payments.adapters import sandbox_tables
from serving.payments.adapters import tables as payment_tables
from serving.restaurants.adapters import tables as restaurant_tables

MIGRATIONS_DIR = Path(__file__).parent
# Alembic's bookkeeping table, named for the serving layer so that other components
# with their own migrations in the same database never share it.
VERSION_TABLE = "serving_alembic_version"

# Everything the migrations must create, for autogenerate and the drift test.
ALL_METADATA: tuple[sa.MetaData, ...] = (
    order_tables.metadata,
    restaurant_tables.metadata,
    identity_tables.metadata,
    payment_tables.metadata,
    sandbox_tables.metadata,  # the local fake card provider's own state
)
MANAGED_SCHEMAS: tuple[str, ...] = (
    order_tables.SCHEMA,
    restaurant_tables.SCHEMA,
    identity_tables.SCHEMA,
    payment_tables.SCHEMA,
    sandbox_tables.SCHEMA,
)

# Alembic keeps its migration context in module globals, so one process runs one
# migration at a time; across processes the PostgreSQL advisory lock in env.py does.
_migrate_lock = threading.Lock()


def migrate(database_url: str, revision: str = "heads") -> None:
    """Bring the database to ``revision`` (default: every service's newest), like ``alembic upgrade``.

    Each service's migrations are their own Alembic branch (``branch_labels`` = the
    service name, first revision with ``down_revision = None``): services own their
    schemas and never reference each other's tables, so their histories are
    independent and ``heads`` upgrades them all.

    Safe to call from several threads or processes at once: the later callers wait,
    then find nothing left to do.
    """
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Passed as an attribute, not an ini option: ini values treat "%" as interpolation
    # and would mangle passwords containing it.
    config.attributes["database_url"] = database_url
    with _migrate_lock:
        command.upgrade(config, revision)
