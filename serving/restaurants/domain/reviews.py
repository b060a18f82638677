"""Pure rules of ratings and reviews: which order may be reviewed by whom, how one rating
moves a restaurant's average, and who counts as the author.

No I/O: the orders service's answer arrives as ``OrderFacts`` (through
``adapters.orders_port.ReviewableOrders``), the restaurant's current rating as ``Rating``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from serving.kernel.auth import Principal, Role
from serving.kernel.field_errors import FieldError

# DELIVERED moves only to COMPLETED, and both are final for reviewing: once an order is
# reviewable it stays so, which is why the review never needs to lock the order row.
REVIEWABLE_STATUSES = frozenset({"DELIVERED", "COMPLETED"})
MIN_RATING, MAX_RATING = 1, 5


@dataclass(frozen=True)
class OrderFacts:
    """What a review needs to know about an order, as the orders service stores it."""

    order_id: uuid.UUID
    customer_id: str
    restaurant_id: str  # text in the orders schema; restaurants use UUIDs
    status: str


@dataclass(frozen=True)
class Review:
    review_id: uuid.UUID
    restaurant_id: uuid.UUID
    order_id: uuid.UUID
    customer_id: str
    rating: int
    comment: str | None
    created_at: datetime


class ReviewRefused(Exception):
    """A well-formed review the order does not allow: the order is in the wrong state for it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.error = FieldError("order_id", message)


class OrderNotFound(ReviewRefused):
    """No such order of the customer at this restaurant (the router's 404, not a 409).

    One answer for "no such order", "another customer's" and "another restaurant's",
    so probing order ids tells nothing about other people's orders.
    """

    def __init__(self) -> None:
        super().__init__("No such order of yours from this restaurant.")


class OrderNotDelivered(ReviewRefused):
    def __init__(self, status: str) -> None:
        super().__init__(f"The order is {status}; it can be reviewed once it is delivered.")


class AlreadyReviewed(ReviewRefused):
    def __init__(self) -> None:
        super().__init__("This order has already been reviewed.")


def same_restaurant(order_restaurant_id: str, restaurant_id: uuid.UUID) -> bool:
    """Orders keep the restaurant id as the text the client sent; compare it as a UUID."""
    try:
        return uuid.UUID(order_restaurant_id) == restaurant_id
    except ValueError:
        return False


def check_reviewable(order: OrderFacts | None, customer_id: str, restaurant_id: uuid.UUID) -> None:
    """Raise why ``customer_id`` may not review ``order`` at ``restaurant_id``; return if they may.

    Whether the order already has a review is not decided here: the unique order_id of
    the reviews table decides it, also for two submits racing each other.
    """
    if order is None or order.customer_id != customer_id or not same_restaurant(order.restaurant_id, restaurant_id):
        raise OrderNotFound()
    if order.status not in REVIEWABLE_STATUSES:
        raise OrderNotDelivered(order.status)


@dataclass(frozen=True)
class Rating:
    average: float
    count: int


def add_rating(current: Rating, stars: int) -> Rating:
    """The rating after one more review: the seeded count and average weigh as they are.

    Not rounded: rounding at every step would let the stored average drift away from the
    true mean as reviews accumulate; clients round for display.
    """
    if not MIN_RATING <= stars <= MAX_RATING:
        raise ValueError(f"a rating is {MIN_RATING}..{MAX_RATING}, not {stars}")
    if current.count < 0:
        raise ValueError("a rating count is never negative")
    count = current.count + 1
    average = (current.average * current.count + stars) / count
    # Float rounding must never break the table's 0..5 check constraint.
    return Rating(min(float(MAX_RATING), max(0.0, average)), count)


def is_author(review: Review, viewer: Principal) -> bool:
    """Only the customer who wrote a review sees it as theirs (with its order id)."""
    return viewer.role is Role.CUSTOMER and viewer.subject == review.customer_id
