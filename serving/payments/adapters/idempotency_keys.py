"""Idempotency keys in PostgreSQL: a money-moving call claims its caller's key in its
own transaction and stores its answer there, so the effect and the record of it commit
together or not at all."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Connection

from serving.payments.adapters.tables import idempotency_keys


class IdempotencyKeyReused(Exception):
    """The key was used before for a different request."""


# Every answer stored under a key is a created resource (a payment, a refund or a
# top-up); the column records its HTTP status for whoever reads the table.
_STORED_STATUS = 201


def claim_idempotency_key(
    connection: Connection, caller: str, key: str, fingerprint: str, now: datetime
) -> dict[str, Any] | None:
    """None if this transaction now owns the key; else the first request's stored answer (its body).

    The insert waits while another transaction holds the same key uncommitted, so
    concurrent duplicates run one after the other: the second sees the first's
    committed answer (or, if the first rolled back, takes the key itself).
    """
    claimed = connection.execute(
        pg_insert(idempotency_keys)
        .values(
            caller=caller,
            idempotency_key=key,
            request_fingerprint=fingerprint,
            # Placeholders, replaced by store_response before this transaction commits.
            response_status=0,
            response_body={},
            created_at=now,
        )
        .on_conflict_do_nothing()
        .returning(idempotency_keys.c.caller)
    ).first()
    if claimed is not None:
        return None
    row = connection.execute(
        sa.select(idempotency_keys).where(
            idempotency_keys.c.caller == caller, idempotency_keys.c.idempotency_key == key
        )
    ).one()
    if row.request_fingerprint != fingerprint:
        raise IdempotencyKeyReused(key)
    return dict(row.response_body)


def store_response(connection: Connection, caller: str, key: str, body: dict[str, Any]) -> None:
    connection.execute(
        sa.update(idempotency_keys)
        .where(idempotency_keys.c.caller == caller, idempotency_keys.c.idempotency_key == key)
        .values(response_status=_STORED_STATUS, response_body=body)
    )
