"""What the orders service needs from the restaurants service, as narrow protocols.

Their adapters cross into the restaurants service through ``serving.restaurants.api``
only (``pricing_catalog``, ``stock``, ``RestaurantsApiOwnership``). ``bootstrap.build``
picks them once per app; tests swap them with ``create_app(overrides=…)`` on
``entrypoints.deps.menu_pricing`` (or ``restaurant_ownership``,
``stock_keeper``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from contracts.envelope import EventEnvelope
from serving.orders.domain import LineItem
from serving.orders.domain.lifecycle import Transitioned
from serving.restaurants import api as restaurants_api

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class RequestedLine:
    """One line as the customer asked for it; a price is only the one the client last saw."""

    item_id: str
    quantity: int
    unit_price_minor: int | None = None


@dataclass(frozen=True)
class Location:
    lat: float
    lon: float


@dataclass(frozen=True)
class PricedOrder:
    """What the pricing decided: the priced lines and every charge besides them.

    Not a price of its own: placing the order makes these into its ``OrderTotals``
    (``domain.price_order``), the one type that carries an order's price and total.
    ``restaurant_id`` is the canonical id to store when the pricing knows one (the
    catalogue's UUID form), so one restaurant is never stored under two spellings.
    ``city`` is the restaurant's, the one the order is stored and published with.
    """

    lines: list[LineItem]
    delivery_fee_minor: int
    city: str
    discount_minor: int = 0
    tax_minor: int = 0
    packaging_minor: int = 0
    offer_code: str | None = None
    restaurant_id: str | None = None


@dataclass(frozen=True)
class PriceQuery:
    """What a placement asks the pricing: the customer's request, as of ``now``."""

    restaurant_id: str
    requested: Sequence[RequestedLine]
    customer_id: str
    now: datetime
    offer_code: str | None = None
    delivery_location: Location | None = None


class MenuPricing(Protocol):
    """Turns what the customer asked for into priced lines, discount, tax, packaging and fee.

    Runs on the placing transaction's connection, so the prices it reads are the
    ones the order is stored with (and a per-customer offer limit it checks holds
    until the order commits). Raises ``domain.OrderRejected`` naming the field
    (``lines[i].item_id``, ``restaurant_id``, ``offer_code``, ...); the total is
    always computed by ``domain.price_order``.
    """

    def price(
        self,
        connection: Connection,
        query: PriceQuery,
    ) -> PricedOrder: ...


class SurgeSource(Protocol):
    """The surge multiplier of a pickup zone, in basis points (10000 = x1.0)."""

    def surge_bp(self, zone: str) -> int: ...


class NoSurge:
    def surge_bp(self, zone: str) -> int:
        return 10_000


class RestaurantOwnership(Protocol):
    """Is the caller (a RESTAURANT principal's subject) the owner of a restaurant?

    Runs on the orders transaction's connection, so the answer is consistent with
    the order row that was just locked.
    """

    def owns(self, connection: Connection, subject: str, restaurant_id: str) -> bool: ...

    def restaurants_of(self, connection: Connection, subject: str) -> list[str]: ...


class RestaurantsApiOwnership:
    """``RestaurantOwnership`` through ``serving.restaurants.api`` on the orders transaction.

    Fails closed: if the restaurants' tables cannot be read (an orders-only database),
    every ownership question is answered "no" (logged), inside a savepoint, so the
    caller's transaction goes on.
    """

    def owns(self, connection: Connection, subject: str, restaurant_id: str) -> bool:
        return bool(self._ask(connection, lambda: restaurants_api.owns_restaurant(connection, subject, restaurant_id)))

    def restaurants_of(self, connection: Connection, subject: str) -> list[str]:
        return self._ask(connection, lambda: restaurants_api.restaurants_owned_by(connection, subject)) or []

    @staticmethod
    def _ask(connection: Connection, question: Callable[[], T]) -> T | None:
        try:
            with connection.begin_nested():
                return question()
        except sa.exc.ProgrammingError:
            log.exception("cannot read restaurant ownership; denying")
            return None


class StockKeeper(Protocol):
    """Holds the restaurant's stock for an order as its status moves.

    Called inside the transition's transaction, before it is saved; raising there
    (``restaurants.api.InsufficientStock``) rolls the whole move back. Returns the events
    it appended, for the caller to hand to the cache after commit.
    """

    def on_transition(
        self, connection: Connection, change: Transitioned, *, trace_id: str | None
    ) -> list[EventEnvelope]: ...
