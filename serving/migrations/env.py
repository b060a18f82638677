"""Alembic environment for the serving layer's schemas (orders, ...).

Run through ``serving.migrations.registry.migrate(url)``; plain ``alembic -c`` needs no ini file here
since the URL comes from ``TIFFIN_DATABASE_URL`` when not given programmatically.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from serving.kernel.db import create_engine
from serving.migrations.registry import ALL_METADATA, MANAGED_SCHEMAS, VERSION_TABLE
from serving.settings import ServingSettings

# Any fixed number: the key of the advisory lock that serialises concurrent migrators.
_MIGRATION_LOCK_KEY = 7_402_113_001


def _database_url() -> str:
    url = context.config.attributes.get("database_url")
    return str(url) if url else ServingSettings().database_url


def _include_name(name: str | None, type_: str, _parent_names: object) -> bool:
    # Autogenerate looks only at our schemas, never at other components' tables.
    if type_ == "schema":
        return name in MANAGED_SCHEMAS
    return True


def run_migrations_offline() -> None:
    context.configure(
        url=_database_url(),
        target_metadata=list(ALL_METADATA),
        literal_binds=True,
        version_table=VERSION_TABLE,
        include_schemas=True,
        include_name=_include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = create_engine(_database_url(), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=list(ALL_METADATA),
                version_table=VERSION_TABLE,
                include_schemas=True,
                include_name=_include_name,
                transaction_per_migration=False,
            )
            with context.begin_transaction():
                # Held until commit: a second migrator waits, then finds nothing to do.
                connection.execute(
                    sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY}
                )
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
