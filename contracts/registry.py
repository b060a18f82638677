"""Which event type travels on which topic, with which payload schema."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from contracts.events.orders import ORDER_LIFECYCLE_EVENTS, OrderPlaced
from contracts.events.payments import PaymentFailed, PaymentPending, PaymentRefunded, PaymentSucceeded
from contracts.events.restaurants import MenuItemChanged, RestaurantChanged, RestaurantReviewed
from contracts.topics import ORDERS, PAYMENTS, RESTAURANTS, Topic


@dataclass(frozen=True)
class EventSpec:
    event_type: str
    schema_version: int
    payload: type[BaseModel]
    topic: Topic


EVENT_SPECS: dict[str, EventSpec] = {
    spec.event_type: spec
    for spec in (
        EventSpec(OrderPlaced.event_type, OrderPlaced.schema_version, OrderPlaced, ORDERS),
        *(EventSpec(event.event_type, event.schema_version, event, ORDERS) for event in ORDER_LIFECYCLE_EVENTS),
        EventSpec(RestaurantChanged.event_type, RestaurantChanged.schema_version, RestaurantChanged, RESTAURANTS),
        EventSpec(MenuItemChanged.event_type, MenuItemChanged.schema_version, MenuItemChanged, RESTAURANTS),
        EventSpec(RestaurantReviewed.event_type, RestaurantReviewed.schema_version, RestaurantReviewed, RESTAURANTS),
        *(
            EventSpec(event.event_type, event.schema_version, event, PAYMENTS)
            for event in (PaymentPending, PaymentSucceeded, PaymentFailed, PaymentRefunded)
        ),
    )
}


def spec_for(event_type: str) -> EventSpec:
    try:
        return EVENT_SPECS[event_type]
    except KeyError:
        raise KeyError(f"unregistered event type {event_type!r}") from None
