"""The orders service's public API: the only module another service may import.

Functions take the caller's ``Connection``: in the embedded deployment every schema
lives in one database, so a peer's question is answered inside the peer's own
transaction (ADR 0004). Placing an order takes the ``Engine``: it runs its own
transaction, and a second one when it loses an Idempotency-Key race. A split
deployment replaces these functions' bodies with calls to the orders service;
callers do not change.

Payments ask ``order_to_pay``, restaurants ``order_facts``; the cart checks out with
``place_order`` (and ``placement_for_key``), priced by the ``Pricing`` the
composition root hands it (``bootstrap.Orders.pricing``), and answers with
``OrderResponse``. The request-body types a peer's HTTP bodies share with orders
(``Identifier``, ``Quantity``, ``OfferCode``, ``DeliveryLocation``) are here too.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from serving.orders.adapters.tables import orders
from serving.orders.domain.order import MAX_LINES, MAX_QUANTITY, OrderRejected
from serving.orders.entrypoints.schemas import DeliveryLocation, Identifier, OfferCode, Quantity
from serving.orders.entrypoints.schemas import OrderOut as OrderResponse
from serving.orders.errors import IdempotencyKeyReused
from serving.orders.ports import Location, RequestedLine
from serving.orders.ports import MenuPricing as Pricing
from serving.orders.use_cases import placement
from serving.orders.use_cases.placement import PlacementRequest

__all__ = [
    "MAX_LINES",
    "MAX_QUANTITY",
    "DeliveryLocation",
    "IdempotencyKeyReused",
    "Identifier",
    "Location",
    "OfferCode",
    "OrderFacts",
    "OrderRejected",
    "OrderResponse",
    "OrderToPay",
    "Placement",
    "PlacementRequest",
    "Pricing",
    "Quantity",
    "RequestedLine",
    "order_facts",
    "order_to_pay",
    "place_order",
    "placement_for_key",
]


@dataclass(frozen=True)
class OrderToPay:
    """What a payment needs of an order: whose it is, its state and what it costs."""

    order_id: uuid.UUID
    customer_id: str
    status: str
    total_minor: int
    currency: str


@dataclass(frozen=True)
class OrderFacts:
    """Who ordered from which restaurant, and where the order stands."""

    order_id: uuid.UUID
    customer_id: str
    restaurant_id: str
    status: str


def order_to_pay(connection: Connection, order_id: uuid.UUID) -> OrderToPay | None:
    """The order, locked ``FOR SHARE`` until the caller commits.

    A cancellation locks the row ``FOR UPDATE``, so it is ordered before or after the
    payment that asked, never across it.
    """
    row = connection.execute(
        sa.select(orders.c.order_id, orders.c.customer_id, orders.c.status, orders.c.total_minor, orders.c.currency)
        .where(orders.c.order_id == order_id)
        .with_for_update(read=True)
    ).first()
    if row is None:
        return None
    return OrderToPay(row.order_id, row.customer_id, row.status, row.total_minor, row.currency)


def order_facts(connection: Connection, order_id: uuid.UUID) -> OrderFacts | None:
    """The order's customer, restaurant and status; no lock."""
    row = connection.execute(
        sa.select(orders.c.order_id, orders.c.customer_id, orders.c.restaurant_id, orders.c.status).where(
            orders.c.order_id == order_id
        )
    ).first()
    if row is None:
        return None
    return OrderFacts(row.order_id, row.customer_id, row.restaurant_id, row.status)


@dataclass(frozen=True)
class Placement:
    """A placed order as the customer sees it; ``replayed``: an earlier placement under the key."""

    order_id: uuid.UUID
    order: OrderResponse
    replayed: bool


def _public(placed: placement.Placement) -> Placement:
    return Placement(placed.order.order_id, OrderResponse.from_order(placed.order), placed.replayed)


def place_order(
    engine: Engine,
    customer_id: str,
    request: PlacementRequest,
    idempotency_key: str | None,
    *,
    pricing: Pricing,
    trace_id: str | None = None,
) -> Placement:
    """Price and place an order for ``customer_id``, once per Idempotency-Key.

    Raises OrderRejected (``errors`` name the fields) and IdempotencyKeyReused; then
    nothing was written.
    """
    placed = placement.place_order(
        engine, customer_id, request, pricing=pricing, idempotency_key=idempotency_key, trace_id=trace_id
    )
    return _public(placed)


def placement_for_key(connection: Connection, customer_id: str, idempotency_key: str) -> Placement | None:
    """The order ``customer_id`` placed under ``idempotency_key``, as a replay; None if none."""
    placed = placement.placement_for_key(connection, customer_id, idempotency_key)
    return _public(placed) if placed is not None else None
