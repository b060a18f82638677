"""Which event type travels on which topic, with which payload schema."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from contracts.events.orders import OrderPlaced
from contracts.topics import ORDERS, Topic


@dataclass(frozen=True)
class EventSpec:
    event_type: str
    schema_version: int
    payload: type[BaseModel]
    topic: Topic


EVENT_SPECS: dict[str, EventSpec] = {
    spec.event_type: spec
    for spec in (EventSpec(OrderPlaced.event_type, OrderPlaced.schema_version, OrderPlaced, ORDERS),)
}


def spec_for(event_type: str) -> EventSpec:
    try:
        return EVENT_SPECS[event_type]
    except KeyError:
        raise KeyError(f"unregistered event type {event_type!r}") from None
