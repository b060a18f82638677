import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine

from serving.migrations.registry import VERSION_TABLE
from serving.payments.adapters.tables import SCHEMA, metadata

pytestmark = pytest.mark.stack


def test_the_payments_migration_creates_exactly_the_tables_the_code_uses(db: Engine) -> None:
    with db.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "include_schemas": True,
                "include_name": lambda name, type_, _: type_ != "schema" or name == SCHEMA,
                "version_table": VERSION_TABLE,
            },
        )
        assert compare_metadata(context, metadata) == []
