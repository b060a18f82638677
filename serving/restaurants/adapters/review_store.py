"""Reviews in PostgreSQL (``restaurants.reviews``), on a connection the caller controls."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Connection, Row

from serving.kernel.http.keyset_cursor import Cursor
from serving.restaurants.adapters.tables import reviews
from serving.restaurants.domain.reviews import Review


def _review(row: Row[Any]) -> Review:
    return Review(**dict(row._mapping))


def insert_review(connection: Connection, values: Mapping[str, Any]) -> Review | None:
    """The stored review, or None if the order already has one.

    ON CONFLICT DO NOTHING waits for a concurrent transaction inserting a review of the
    same order and then reports the conflict, so of two racing submits exactly one wins
    and the other is a clean "already reviewed" rather than a unique violation.
    """
    row = connection.execute(
        pg_insert(reviews)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[reviews.c.order_id])
        .returning(reviews)
    ).first()
    return None if row is None else _review(row)


def list_reviews(connection: Connection, restaurant_id: uuid.UUID, after: Cursor | None, limit: int) -> list[Review]:
    """Up to ``limit`` reviews of the restaurant, newest first, strictly after ``after``."""
    query = sa.select(reviews).where(reviews.c.restaurant_id == restaurant_id)
    if after is not None:
        query = query.where(sa.tuple_(reviews.c.created_at, reviews.c.review_id) < (after.at, after.row_id))
    query = query.order_by(reviews.c.created_at.desc(), reviews.c.review_id.desc()).limit(limit)
    return [_review(row) for row in connection.execute(query)]
