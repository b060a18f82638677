"""Order use cases: each runs in one database transaction."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Connection, Engine

from contracts.envelope import EventEnvelope
from serving.kernel.auth import Principal, Role
from serving.kernel.clock import utc_now
from serving.kernel.http.keyset_cursor import Cursor, encode_cursor
from serving.orders import domain, idempotency
from serving.orders.adapters import repository
from serving.orders.domain import lifecycle
from serving.orders.domain.events import order_placed_envelope, transition_envelope
from serving.orders.entrypoints.schemas import PlaceOrderRequest
from serving.orders.ports import ClientSentPricing, MenuPricing, NoStock, RestaurantOwnership, StockKeeper


class IdempotencyKeyReused(Exception):
    """The key was used before by this customer, for a different request body (a 409)."""


@dataclass(frozen=True)
class Placement:
    order: domain.Order
    replayed: bool  # True when the key matched an earlier request: nothing new was created


class _KeyTaken(Exception):
    """A concurrent request claimed the key first; roll this placement back."""


def _replay_on(connection: Connection, customer_id: str, key: str, request_hash: str) -> Placement | None:
    stored = repository.find_idempotency_key(connection, customer_id, key)
    if stored is None:
        return None
    if stored.request_hash != request_hash:
        raise IdempotencyKeyReused(key)
    order = repository.find_order(connection, stored.order_id)
    assert order is not None  # the key row cascades with its order
    return Placement(order, replayed=True)


def _replay(engine: Engine, customer_id: str, key: str, request_hash: str) -> Placement | None:
    with engine.connect() as connection:
        return _replay_on(connection, customer_id, key, request_hash)


def placement_hash(request: PlaceOrderRequest) -> str:
    """The request's fingerprint stored with its Idempotency-Key."""
    # Unset optional fields are left out: without an offer the body hashes as before
    # offers existed, so keys stored by earlier versions still replay.
    unset = {name for name in ("offer_code", "city") if getattr(request, name) is None}
    return idempotency.request_hash(request.model_dump(mode="json", exclude=unset))


def build_order(
    connection: Connection,
    request: PlaceOrderRequest,
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
    request: PlaceOrderRequest,
    *,
    pricing: MenuPricing | None = None,
    idempotency_key: str | None = None,
    now: Callable[[], datetime] = utc_now,
    trace_id: str | None = None,
) -> Placement:
    """Price and store a new order with its OrderPlaced event, all or nothing.

    With an ``idempotency_key`` the key is stored in the same transaction: a
    repeat of the same request returns the first order (``replayed``), a different
    request under the same key raises IdempotencyKeyReused. Raises
    domain.OrderRejected on a broken rule (pricing's or the domain's); the
    transaction is then rolled back, so nothing is written.
    """
    request_hash = placement_hash(request)
    placed_at = now()
    try:
        with engine.begin() as connection:
            # The replay check shares the placing transaction: one connection per request.
            if idempotency_key is not None:
                earlier = _replay_on(connection, customer_id, idempotency_key, request_hash)
                if earlier is not None:
                    return earlier
            order = build_order(connection, request, customer_id, pricing or ClientSentPricing(), placed_at)
            event = order_placed_envelope(order, trace_id=trace_id)
            repository.insert_order(connection, order, event)
            if idempotency_key is not None and not repository.claim_idempotency_key(
                connection,
                customer_id=customer_id,
                key=idempotency_key,
                request_hash=request_hash,
                order_id=order.order_id,
                now=order.placed_at,
            ):
                raise _KeyTaken
    except _KeyTaken:
        # Lost the race to a concurrent duplicate, which has committed by now
        # (the insert waited for it): answer with its order.
        assert idempotency_key is not None
        winner = _replay(engine, customer_id, idempotency_key, request_hash)
        assert winner is not None
        return winner
    except domain.OrderRejected:
        # A concurrent duplicate may be why: it used up a once-per-customer offer
        # while this one waited for the redemption lock. Its order is the answer.
        if idempotency_key is not None:
            winner = _replay(engine, customer_id, idempotency_key, request_hash)
            if winner is not None:
                return winner
        raise
    return Placement(order, replayed=False)


def _owns(ownership: RestaurantOwnership, connection: Connection, principal: Principal, order: domain.Order) -> bool:
    return ownership.owns(connection, principal.subject, order.restaurant_id)


def order_visible_to(
    order: domain.Order,
    principal: Principal,
    *,
    owns_restaurant: Callable[[], bool] = lambda: False,
) -> bool:
    """Customers see their own orders, restaurants their restaurants' orders, admins all."""
    if principal.role is Role.ADMIN:
        return True
    if principal.role is Role.CUSTOMER:
        return order.customer_id == principal.subject
    if principal.role is Role.RESTAURANT:
        return owns_restaurant()
    return False


def get_order(
    engine: Engine,
    order_id: uuid.UUID,
    principal: Principal,
    ownership: RestaurantOwnership | None = None,
) -> domain.Order | None:
    """The order if it exists and the principal may see it; otherwise None (a 404)."""
    with engine.connect() as connection:
        order = repository.find_order(connection, order_id)
        if order is None:
            return None
        visible = order_visible_to(
            order,
            principal,
            owns_restaurant=lambda: ownership is not None and _owns(ownership, connection, principal, order),
        )
    return order if visible else None


_ACTOR_BY_ROLE = {
    Role.CUSTOMER: lifecycle.Actor.CUSTOMER,
    Role.RESTAURANT: lifecycle.Actor.RESTAURANT,
    Role.COURIER: lifecycle.Actor.COURIER,
    Role.ADMIN: lifecycle.Actor.ADMIN,
}


def change_status(
    engine: Engine,
    order_id: uuid.UUID,
    principal: Principal,
    target: domain.OrderStatus,
    *,
    ownership: RestaurantOwnership,
    reason: lifecycle.CancelReason | None = None,
    prep_time_minutes: int | None = None,
    rejection_reason: lifecycle.RejectionReason | None = None,
    now: Callable[[], datetime] = utc_now,
    trace_id: str | None = None,
    stock: StockKeeper | None = None,
    after_commit: Callable[[EventEnvelope], object] = lambda _envelope: None,
) -> domain.Order | None:
    """Apply one lifecycle move with the order row locked; None if not visible (a 404).

    Raises lifecycle.IllegalTransition (409), lifecycle.ActorNotPermitted (403),
    ValueError (422) or stock.OutOfStock (409, from ``stock`` on an accept) and
    then writes nothing. ``after_commit`` gets each stock event once the move is
    committed (the cache invalidation).
    """
    stock_events: list[EventEnvelope] = []
    with engine.begin() as connection:
        order = repository.find_order(connection, order_id, for_update=True)
        if order is None or not order_visible_to(
            order, principal, owns_restaurant=lambda: _owns(ownership, connection, principal, order)
        ):
            return None
        change = lifecycle.apply(
            order,
            target,
            actor=_ACTOR_BY_ROLE[principal.role],
            actor_id=principal.subject,
            now=now(),
            reason=reason,
            prep_time_minutes=prep_time_minutes,
            rejection_reason=rejection_reason,
        )
        stock_events = (stock or NoStock()).on_transition(connection, change, trace_id=trace_id)
        repository.save_transition(connection, change, transition_envelope(change, trace_id=trace_id))
    for envelope in stock_events:
        after_commit(envelope)
    return change.after


@dataclass(frozen=True)
class HistoryPage:
    orders: list[domain.Order]
    next_cursor: str | None


def order_history(
    engine: Engine,
    principal: Principal,
    *,
    ownership: RestaurantOwnership,
    limit: int,
    after: Cursor | None = None,
    statuses: Sequence[domain.OrderStatus] = (),
    placed_from: datetime | None = None,
    placed_to: datetime | None = None,
    restaurant_id: str | None = None,
) -> HistoryPage:
    """One page of the caller's orders, newest first; ``next_cursor`` None on the last page."""
    with engine.connect() as connection:
        customer_id: str | None = None
        restaurant_ids: list[str] | None = [restaurant_id] if restaurant_id else None
        if principal.role is Role.CUSTOMER:
            customer_id = principal.subject
        elif principal.role is Role.RESTAURANT:
            owned = ownership.restaurants_of(connection, principal.subject)
            restaurant_ids = [r for r in owned if restaurant_id in (None, r)]
        elif principal.role is not Role.ADMIN:
            raise AssertionError("the router admits customers, restaurants and admins only")
        where = repository.HistoryFilter(
            customer_id=customer_id,
            restaurant_ids=restaurant_ids,
            statuses=statuses,
            placed_from=placed_from,
            placed_to=placed_to,
        )
        # One extra row tells whether another page exists without a COUNT.
        rows = repository.list_orders(connection, where, after, limit + 1)
    page, more = rows[:limit], len(rows) > limit
    next_cursor = encode_cursor(Cursor(page[-1].placed_at, page[-1].order_id)) if more else None
    return HistoryPage(page, next_cursor)
