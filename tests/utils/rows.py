"""Row counts, to compare before and after a request (what it wrote, or that it wrote nothing)."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Engine


def row_counts(engine: Engine, tables: Iterable[sa.Table]) -> dict[str, int]:
    """Rows in each table now, by table name."""
    with engine.connect() as connection:
        return {
            table.name: connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for table in tables
        }
