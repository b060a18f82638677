"""The Idempotency-Keys of POST /orders (and the cart's checkout), per customer, in PostgreSQL."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Connection

from serving.orders.adapters.tables import idempotency_keys


@dataclass(frozen=True)
class StoredKey:
    request_hash: str
    order_id: uuid.UUID


# Built once (every keyed placement runs both): no statement or cache key to build per call.
_FIND = sa.select(idempotency_keys.c.request_hash, idempotency_keys.c.order_id).where(
    idempotency_keys.c.customer_id == sa.bindparam("customer_id"),
    idempotency_keys.c.idempotency_key == sa.bindparam("key"),
)
_CLAIM = (
    pg_insert(idempotency_keys)
    .values(
        customer_id=sa.bindparam("customer_id"),
        idempotency_key=sa.bindparam("key"),
        request_hash=sa.bindparam("request_hash"),
        order_id=sa.bindparam("order_id"),
        created_at=sa.bindparam("now"),
    )
    .on_conflict_do_nothing()
    .returning(idempotency_keys.c.order_id)
)


def find(connection: Connection, customer_id: str, key: str) -> StoredKey | None:
    row = connection.execute(_FIND, {"customer_id": customer_id, "key": key}).first()
    return StoredKey(row.request_hash, row.order_id) if row else None


def claim(
    connection: Connection,
    *,
    customer_id: str,
    key: str,
    request_hash: str,
    order_id: uuid.UUID,
    now: datetime,
) -> bool:
    """Record the key for ``order_id``; False if another request holds it already.

    ON CONFLICT DO NOTHING waits for a concurrent transaction inserting the same key
    and then reports the conflict, so of two racing duplicates exactly one wins.
    """
    values = {"customer_id": customer_id, "key": key, "request_hash": request_hash, "order_id": order_id, "now": now}
    return connection.execute(_CLAIM, values).first() is not None
