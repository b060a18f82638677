"""What the orders service needs from the restaurants service, as narrow protocols.

The restaurants service is being built alongside; until it lands, these have
conservative defaults. ``create_app`` callers (and tests) swap them through
``app.state.menu_pricing`` / ``app.state.restaurant_ownership``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from contracts.envelope import EventEnvelope
from serving.kernel.field_errors import FieldError
from serving.orders.domain import LineItem, OrderRejected
from serving.orders.lifecycle import Transitioned

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RequestedLine:
    """One line as the customer asked for it; ``name`` and price are only a client's claim."""

    item_id: str
    quantity: int
    name: str | None = None
    unit_price_minor: int | None = None


@dataclass(frozen=True)
class Location:
    lat: float
    lon: float


@dataclass(frozen=True)
class PricedOrder:
    """What the pricing decided: the priced lines and every charge besides them.

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
    delivery_fee_minor: int | None = None  # client pricing only
    delivery_location: Location | None = None
    city: str | None = None  # client pricing only: its restaurants are not in the catalogue


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


class ClientSentPricing:
    """The walking skeleton's behaviour: the request's unit prices, delivery fee and city as sent.

    ``TIFFIN_ORDER_PRICING=client``; kept for the demo and load tools that order
    invented items, with no tax, packaging or discount so their totals stay items +
    delivery. Since the fields became optional for catalog pricing, a missing one is
    a 422 naming it here; so is an ``offer_code``, since offers belong to menus.
    """

    def price(
        self,
        connection: Connection,
        query: PriceQuery,
    ) -> PricedOrder:
        errors: list[FieldError] = []
        lines: list[LineItem] = []
        for index, line in enumerate(query.requested):
            if line.name is None:
                errors.append(FieldError(f"lines[{index}].name", "Field required (client pricing)."))
            if line.unit_price_minor is None:
                errors.append(FieldError(f"lines[{index}].unit_price_minor", "Field required (client pricing)."))
            if line.name is not None and line.unit_price_minor is not None:
                lines.append(LineItem(line.item_id, line.name, line.quantity, line.unit_price_minor))
        if query.delivery_fee_minor is None:
            errors.append(FieldError("delivery_fee_minor", "Field required (client pricing)."))
        if query.city is None:
            errors.append(FieldError("city", "Field required (client pricing)."))
        if query.offer_code is not None:
            errors.append(FieldError("offer_code", "Offers need catalog pricing (TIFFIN_ORDER_PRICING=catalog)."))
        if errors:
            raise OrderRejected(errors)
        assert query.delivery_fee_minor is not None and query.city is not None
        return PricedOrder(lines, query.delivery_fee_minor, query.city)


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


class TableRestaurantOwnership:
    """Reads ``<schema>.<table>(<id_column>, owner_id)``; denies everything if it does not exist.

    The default is ``restaurants.restaurants``, owned by the restaurants service.
    Until that schema exists every ownership question is answered "no": denying is
    the safe failure for an authorisation check.
    """

    def __init__(
        self, schema: str = "restaurants", table: str = "restaurants", id_column: str = "restaurant_id"
    ) -> None:
        self._qualified = f"{schema}.{table}"
        self._table = sa.table(table, sa.column(id_column), sa.column("owner_id"), schema=schema)
        self._id = self._table.c[id_column]

    def _exists(self, connection: Connection) -> bool:
        found: object = connection.execute(sa.select(sa.func.to_regclass(self._qualified))).scalar_one()
        return found is not None

    def _query(self, connection: Connection, query: sa.Select[Any]) -> list[str]:
        if not self._exists(connection):
            return []
        try:
            # A savepoint: if the table's shape differs from what we expect, only
            # this query fails, never the caller's transaction.
            with connection.begin_nested():
                values: list[object] = list(connection.execute(query).scalars())
                return [str(value) for value in values]
        except sa.exc.DBAPIError:
            log.exception("cannot read restaurant ownership from %s; denying", self._qualified)
            return []

    def owns(self, connection: Connection, subject: str, restaurant_id: str) -> bool:
        query = sa.select(sa.cast(self._id, sa.Text)).where(
            sa.cast(self._id, sa.Text) == restaurant_id,
            sa.cast(self._table.c.owner_id, sa.Text) == subject,
        )
        return bool(self._query(connection, query))

    def restaurants_of(self, connection: Connection, subject: str) -> list[str]:
        query = sa.select(sa.cast(self._id, sa.Text)).where(sa.cast(self._table.c.owner_id, sa.Text) == subject)
        return sorted(set(self._query(connection, query)))


class StockKeeper(Protocol):
    """Holds the restaurant's stock for an order as its status moves.

    Called inside the transition's transaction, before it is saved; raising there
    (``inventory.InsufficientStock``) rolls the whole move back. Returns the events
    it appended, for the caller to hand to the cache after commit.
    """

    def on_transition(
        self, connection: Connection, change: Transitioned, *, trace_id: str | None
    ) -> list[EventEnvelope]: ...


class NoStock:
    """Client pricing orders invented items: there is no stock to hold."""

    def on_transition(
        self, connection: Connection, change: Transitioned, *, trace_id: str | None
    ) -> list[EventEnvelope]:
        return []
