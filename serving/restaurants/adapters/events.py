"""Restaurant and menu changes as contract events: the only place this service builds envelopes."""

from __future__ import annotations

from datetime import datetime

from contracts.envelope import EventEnvelope
from contracts.events.restaurants import Change, MenuItemChanged, RestaurantChanged, RestaurantReviewed
from serving.restaurants.domain.reviews import Review
from serving.restaurants.entrypoints.schemas import MenuItemOut, RestaurantView

PRODUCER = "restaurants"


def _envelope(
    event: RestaurantChanged | MenuItemChanged | RestaurantReviewed,
    aggregate_id: str,
    at: datetime,
    trace_id: str | None,
) -> EventEnvelope:
    fields: dict[str, object] = {
        "event_type": event.event_type,
        "schema_version": event.schema_version,
        "occurred_at": at,
        "producer": PRODUCER,
        "aggregate_id": aggregate_id,
        "payload": event.model_dump(mode="json"),
    }
    if trace_id:
        fields["trace_id"] = trace_id
    return EventEnvelope.model_validate(fields)


def restaurant_changed(
    view: RestaurantView, change: Change, fields: list[str], *, trace_id: str | None = None
) -> EventEnvelope:
    event = RestaurantChanged(
        restaurant_id=view.restaurant_id,
        change=change,
        changed_fields=fields,
        name=view.name,
        city=view.city,
        status=view.status,
        changed_at=view.updated_at,
    )
    return _envelope(event, str(view.restaurant_id), view.updated_at, trace_id)


def menu_item_changed(
    item: MenuItemOut, change: Change, fields: list[str], at: datetime, *, trace_id: str | None = None
) -> EventEnvelope:
    """Keyed by the restaurant, so one restaurant's menu changes stay in order."""
    event = MenuItemChanged(
        restaurant_id=item.restaurant_id,
        item_id=item.item_id,
        change=change,
        changed_fields=fields,
        name=item.name,
        price_minor=item.price_minor,
        available=item.available,
        stock=item.stock,
        changed_at=at,
    )
    return _envelope(event, str(item.restaurant_id), at, trace_id)


def restaurant_reviewed(review: Review, rated: RestaurantView, *, trace_id: str | None = None) -> EventEnvelope:
    """Keyed by the restaurant like its other changes: ``rated`` is the row after the review."""
    event = RestaurantReviewed(
        restaurant_id=review.restaurant_id,
        review_id=review.review_id,
        order_id=review.order_id,
        rating=review.rating,
        rating_avg=rated.rating_avg,
        rating_count=rated.rating_count,
        reviewed_at=review.created_at,
    )
    return _envelope(event, str(review.restaurant_id), review.created_at, trace_id)
