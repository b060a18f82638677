"""Placing an order: priced, checked and stored with its OrderPlaced event, all or nothing.

With an Idempotency-Key the key is stored in the same transaction: a repeat of the
same request answers with the first order (``replayed``), another request under the
same key is IdempotencyKeyReused.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection, Engine

from serving.kernel.clock import utc_now
from serving.kernel.http.idempotency import request_hash
from serving.orders import domain
from serving.orders.adapters import idempotency_keys, repository
from serving.orders.domain.events import order_placed_envelope
from serving.orders.errors import IdempotencyKeyReused
from serving.orders.ports import Location, MenuPricing, PriceQuery, RequestedLine


@dataclass(frozen=True)
class PlacementRequest:
    """What a customer asks to order (the body of POST /orders, or a cart at checkout)."""

    restaurant_id: str
    lines: tuple[RequestedLine, ...]
    currency: str = "INR"
    delivery_location: Location | None = None
    offer_code: str | None = None

    def price_query(self, customer_id: str, now: datetime) -> PriceQuery:
        """What the pricing is asked for this request, by this customer, at ``now``."""
        return PriceQuery(
            restaurant_id=self.restaurant_id,
            requested=self.lines,
            customer_id=customer_id,
            now=now,
            offer_code=self.offer_code,
            delivery_location=self.delivery_location,
        )

    def fingerprint(self) -> str:
        """The hash stored with the request's Idempotency-Key.

        It hashes the request as POST /orders parsed it while the body still had a line
        ``name``, ``delivery_fee_minor`` and ``city``: the first two as the nulls they
        were when not sent, ``city`` left out as it was when unset (like an unset
        ``offer_code``), so keys stored by earlier versions still replay.
        """
        where = self.delivery_location
        body: dict[str, Any] = {
            "restaurant_id": self.restaurant_id,
            "lines": [
                {
                    "item_id": line.item_id,
                    "name": None,
                    "quantity": line.quantity,
                    "unit_price_minor": line.unit_price_minor,
                }
                for line in self.lines
            ],
            "delivery_fee_minor": None,
            "delivery_location": None if where is None else {"lat": where.lat, "lon": where.lon},
            "currency": self.currency,
        }
        if self.offer_code is not None:
            body["offer_code"] = self.offer_code
        return request_hash(body)


@dataclass(frozen=True)
class Placement:
    order: domain.Order
    replayed: bool  # True when the key matched an earlier request: nothing new was created


class _KeyTaken(Exception):
    """A concurrent request claimed the key first; roll this placement back."""


def _replay_on(connection: Connection, customer_id: str, key: str, fingerprint: str) -> Placement | None:
    stored = idempotency_keys.find(connection, customer_id, key)
    if stored is None:
        return None
    if stored.request_hash != fingerprint:
        raise IdempotencyKeyReused(key)
    order = repository.find_order(connection, stored.order_id)
    assert order is not None  # the key row cascades with its order
    return Placement(order, replayed=True)


def _replay(engine: Engine, customer_id: str, key: str, fingerprint: str) -> Placement | None:
    with engine.connect() as connection:
        return _replay_on(connection, customer_id, key, fingerprint)


def placement_for_key(connection: Connection, customer_id: str, key: str) -> Placement | None:
    """The order the customer placed under ``key``, whatever the request was; None if none."""
    stored = idempotency_keys.find(connection, customer_id, key)
    order = repository.find_order(connection, stored.order_id) if stored is not None else None
    return Placement(order, replayed=True) if order is not None else None


def build_order(
    connection: Connection,
    request: PlacementRequest,
    customer_id: str,
    pricing: MenuPricing,
    placed_at: datetime,
) -> domain.Order:
    """The new order a request makes, priced on ``connection``: run it inside the placing
    transaction, so the stored order has the prices it was checked against (and an
    offer's per-customer limit holds until it commits). OrderRejected if it cannot be."""
    priced = pricing.price(connection, request.price_query(customer_id, placed_at))
    return domain.place_order(
        order_id=uuid.uuid4(),
        customer_id=customer_id,
        restaurant_id=priced.restaurant_id or request.restaurant_id,
        city=priced.city,
        currency=request.currency,
        lines=priced.lines,
        delivery_fee_minor=priced.delivery_fee_minor,
        placed_at=placed_at,
        discount_minor=priced.discount_minor,
        tax_minor=priced.tax_minor,
        packaging_minor=priced.packaging_minor,
        offer_code=priced.offer_code,
    )


def place_order(
    engine: Engine,
    customer_id: str,
    request: PlacementRequest,
    *,
    pricing: MenuPricing,
    idempotency_key: str | None = None,
    now: Callable[[], datetime] = utc_now,
    trace_id: str | None = None,
) -> Placement:
    """Price and store a new order with its OrderPlaced event, all or nothing.

    Raises OrderRejected on a broken rule (pricing's or the domain's) and
    IdempotencyKeyReused; the transaction is then rolled back, so nothing is written.
    """
    fingerprint = request.fingerprint()
    placed_at = now()
    try:
        with engine.begin() as connection:
            # The replay check shares the placing transaction: one connection per request.
            if idempotency_key is not None:
                earlier = _replay_on(connection, customer_id, idempotency_key, fingerprint)
                if earlier is not None:
                    return earlier
            order = build_order(connection, request, customer_id, pricing, placed_at)
            repository.insert_order(connection, order, order_placed_envelope(order, trace_id=trace_id))
            if idempotency_key is not None and not idempotency_keys.claim(
                connection,
                customer_id=customer_id,
                key=idempotency_key,
                request_hash=fingerprint,
                order_id=order.order_id,
                now=order.placed_at,
            ):
                raise _KeyTaken
    except _KeyTaken:
        # Lost the race to a concurrent duplicate, which has committed by now
        # (the insert waited for it): answer with its order.
        assert idempotency_key is not None
        winner = _replay(engine, customer_id, idempotency_key, fingerprint)
        assert winner is not None
        return winner
    except domain.OrderRejected:
        # A concurrent duplicate may be why: it used up a once-per-customer offer
        # while this one waited for the redemption lock. Its order is the answer.
        if idempotency_key is not None:
            winner = _replay(engine, customer_id, idempotency_key, fingerprint)
            if winner is not None:
                return winner
        raise
    return Placement(order, replayed=False)
