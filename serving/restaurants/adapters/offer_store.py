"""Offers in PostgreSQL (``restaurants.offers``), on a connection the caller controls.

``find_offer`` is also how ``api.quote`` answers the orders service's pricing, inside
the placing transaction (same database in the embedded deployment).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Connection, Row

from serving.restaurants.adapters.tables import offers
from serving.restaurants.domain.offers import Offer, OfferKind, normalise_code


@dataclass(frozen=True)
class StoredOffer:
    """An offer as the restaurant keeps it: the pure rule plus its bookkeeping."""

    offer: Offer
    restaurant_id: uuid.UUID
    active: bool
    created_at: datetime


def _stored(row: Row[Any]) -> StoredOffer:
    return StoredOffer(
        offer=Offer(
            code=row.code,
            kind=OfferKind(row.kind),
            value=row.value,
            valid_from=row.valid_from,
            valid_until=row.valid_until,
            min_order_minor=row.min_order_minor,
            max_discount_minor=row.max_discount_minor,
            per_user_limit=row.per_user_limit,
            restaurant_id=str(row.restaurant_id),
        ),
        restaurant_id=row.restaurant_id,
        active=row.active,
        created_at=row.created_at,
    )


def insert_offer(connection: Connection, values: Mapping[str, Any]) -> StoredOffer | None:
    """The new offer, or None if the restaurant has one with that code already.

    ON CONFLICT DO NOTHING waits for a concurrent insert of the same code, so of two
    racing creations exactly one wins and the other is a clean "taken".
    """
    row = (connection.execute(pg_insert(offers).values(**values).on_conflict_do_nothing().returning(*offers.c))).first()
    return None if row is None else _stored(row)


def find_offer(connection: Connection, restaurant_id: uuid.UUID, code: str) -> StoredOffer | None:
    """The restaurant's offer with this code (any case), active or not."""
    row = connection.execute(
        sa.select(offers).where(offers.c.restaurant_id == restaurant_id, offers.c.code == normalise_code(code))
    ).first()
    return None if row is None else _stored(row)


def list_offers(
    connection: Connection, restaurant_id: uuid.UUID, *, usable_at: datetime | None = None
) -> list[StoredOffer]:
    """The restaurant's offers by code; with ``usable_at`` only the active ones valid then."""
    query = sa.select(offers).where(offers.c.restaurant_id == restaurant_id)
    if usable_at is not None:
        query = query.where(offers.c.active, offers.c.valid_from <= usable_at, offers.c.valid_until > usable_at)
    return [_stored(row) for row in connection.execute(query.order_by(offers.c.code))]


def deactivate_offer(connection: Connection, restaurant_id: uuid.UUID, code: str) -> bool:
    """False if there is no such offer; deactivating an inactive one changes nothing."""
    row = connection.execute(
        sa.update(offers)
        .where(offers.c.restaurant_id == restaurant_id, offers.c.code == normalise_code(code))
        .values(active=False)
        .returning(offers.c.code)
    ).first()
    return row is not None
