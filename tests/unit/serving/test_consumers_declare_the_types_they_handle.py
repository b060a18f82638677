"""Each saga consumer declares the event types its handler acts on; the framework stores
every other type as ``ignored`` without calling the handler. The declaration must match
what the handler does: for every other registered type of its topic, the handler itself
answers ``ignored`` (and never needs the database to decide it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from contracts.envelope import EventEnvelope
from contracts.registry import EVENT_SPECS
from contracts.topics import ORDERS, PAYMENTS
from serving.orders.adapters.stock import CatalogStock
from serving.orders.entrypoints import consumers as orders_side
from serving.payments.adapters.sandbox import SandboxGateway
from serving.payments.entrypoints import consumers as payments_side

SAGAS: dict[str, tuple[str, frozenset[str], Callable[[Any, EventEnvelope], str]]] = {
    orders_side.CONSUMER: (
        PAYMENTS.name,
        orders_side.HANDLED_TYPES,
        orders_side.payment_event_handler(stock=CatalogStock()),
    ),
    payments_side.CONSUMER: (
        ORDERS.name,
        payments_side.HANDLED_TYPES,
        payments_side.order_event_handler(SandboxGateway(transient_failures=0)),
    ),
}


def types_on(topic: str) -> set[str]:
    return {event_type for event_type, spec in EVENT_SPECS.items() if spec.topic.name == topic}


@pytest.mark.parametrize("consumer", sorted(SAGAS))
def test_the_handled_types_are_events_of_the_consumers_topic(consumer: str) -> None:
    topic, handled, _ = SAGAS[consumer]
    assert handled and handled <= types_on(topic)


@pytest.mark.parametrize("consumer", sorted(SAGAS))
def test_the_handler_ignores_every_other_type_of_its_topic_without_the_database(consumer: str) -> None:
    topic, handled, handle = SAGAS[consumer]
    others = sorted(types_on(topic) - handled)
    assert others  # else the declaration saves nothing
    for event_type in others:
        envelope = EventEnvelope(
            event_type=event_type, schema_version=1, producer="tests", aggregate_id="k", payload={}
        )
        assert handle(None, envelope) == "ignored", event_type
