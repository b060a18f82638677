import subprocess
import sys
import threading
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine

from serving.kernel.db import create_engine
from serving.migrations.registry import ALL_METADATA, VERSION_TABLE, migrate
from serving.orders.adapters.tables import SCHEMA as ORDERS_SCHEMA

pytestmark = pytest.mark.stack


# One case per schema the registry manages: each service's tables (and the sandbox
# gateway's) against what its Alembic branch created, nothing missing, nothing extra.
@pytest.mark.parametrize("metadata", ALL_METADATA, ids=lambda metadata: metadata.schema)
def test_the_migrations_create_exactly_the_tables_the_code_uses(engine: Engine, metadata: sa.MetaData) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "include_schemas": True,
                "include_name": lambda name, type_, _: type_ != "schema" or name == metadata.schema,
                "version_table": VERSION_TABLE,
            },
        )
        assert compare_metadata(context, metadata) == []


def test_migrating_again_or_from_several_threads_and_processes_at_once_is_harmless(
    make_database: Callable[[], str],
) -> None:
    url = make_database()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            migrate(url)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    script = "import sys; from serving.migrations.registry import migrate; migrate(sys.argv[1])"
    processes = [subprocess.Popen([sys.executable, "-c", script, url]) for _ in range(2)]
    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    exit_codes = [process.wait(timeout=60) for process in processes]
    migrate(url)

    assert errors == []
    assert exit_codes == [0, 0]
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            tables = sa.inspect(connection).get_table_names(schema=ORDERS_SCHEMA)
            # One row per service branch head; the orders branch is at its newest.
            versions = set(connection.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars())
    finally:
        engine.dispose()
    assert sorted(tables) == [
        "idempotency_keys",
        "order_lines",
        "order_status_history",
        "orders",
        "outbox",
        "processed_events",  # the orders saga consumer's dedupe table (saga branch)
    ]
    assert "orders_0003_price_breakdown" in versions and "orders_0002_lifecycle" not in versions
