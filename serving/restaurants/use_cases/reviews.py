"""Review use cases: a delivered order's customer rates the restaurant once; anyone reads.

The orders service answers through ``adapters.orders_port.ReviewableOrders``; whether
the order may be reviewed is the pure rule ``domain.reviews.check_reviewable``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from serving.kernel.clock import Clock, utc_now
from serving.kernel.http.keyset_cursor import Cursor, encode_cursor
from serving.restaurants.adapters import events, repository, review_store
from serving.restaurants.adapters.cache.restaurant_cache import RestaurantCache, handle_change_event
from serving.restaurants.adapters.orders_port import ReviewableOrders
from serving.restaurants.domain import reviews
from serving.restaurants.entrypoints.review_schemas import ReviewCreate


def review_restaurant(
    engine: Engine,
    cache: RestaurantCache,
    orders: ReviewableOrders,
    customer_id: str,
    restaurant_id: uuid.UUID,
    body: ReviewCreate,
    *,
    now: Clock = utc_now,
    trace_id: str | None = None,
) -> reviews.Review | None:
    """Store the review and move the restaurant's rating, in one transaction with its event.

    None if the restaurant does not exist; ``reviews.ReviewRefused`` (rolled back,
    nothing written) if the order may not be reviewed or already was.
    """
    at = now()
    with engine.begin() as connection:
        # The lock makes the read-modify-write of rating_avg/rating_count safe against
        # concurrent reviews, and keeps the restaurant's events in outbox-id order.
        restaurant = repository.find_restaurant(connection, restaurant_id, lock=True)
        if restaurant is None:
            return None
        reviews.check_reviewable(orders.find(connection, body.order_id), customer_id, restaurant_id)
        review = review_store.insert_review(
            connection,
            {
                "review_id": uuid.uuid4(),
                "restaurant_id": restaurant_id,
                "order_id": body.order_id,
                "customer_id": customer_id,
                "rating": body.rating,
                "comment": body.comment,
                "created_at": at,
            },
        )
        if review is None:
            raise reviews.AlreadyReviewed()
        rating = reviews.add_rating(reviews.Rating(restaurant.rating_avg, restaurant.rating_count), body.rating)
        rated = repository.update_restaurant(
            connection, restaurant_id, {"rating_avg": rating.average, "rating_count": rating.count, "updated_at": at}
        )
        envelope = events.restaurant_reviewed(review, rated, trace_id=trace_id)
        repository.append_event(connection, envelope)
    handle_change_event(cache, envelope)
    return review


@dataclass(frozen=True)
class ReviewPage:
    reviews: list[reviews.Review]
    next_cursor: str | None


def list_reviews(
    engine: Engine, restaurant_id: uuid.UUID, *, limit: int, after: Cursor | None = None
) -> ReviewPage | None:
    """One page of the restaurant's reviews, newest first; None if there is no such restaurant."""
    with engine.connect() as connection:
        if not repository.restaurant_exists(connection, restaurant_id):
            return None
        # One extra row tells whether another page exists without a COUNT.
        rows = review_store.list_reviews(connection, restaurant_id, after, limit + 1)
    page, more = rows[:limit], len(rows) > limit
    next_cursor = encode_cursor(Cursor(page[-1].created_at, page[-1].review_id)) if more else None
    return ReviewPage(page, next_cursor)
