"""The SQLAlchemy metadata every service's tables hang off: one PostgreSQL schema per
service, and one naming convention for constraints and indexes across all of them,
so migrations and the drift tests see the same names everywhere."""

from __future__ import annotations

import sqlalchemy as sa

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def schema_metadata(schema: str) -> sa.MetaData:
    return sa.MetaData(schema=schema, naming_convention=NAMING_CONVENTION)
