"""The order lifecycle as one explicit transition table, and the rules around it.

Pure: no I/O, no clock. ``decide`` is the only way a status changes, so the table
below is the whole truth about who may move an order where, and why. Anything not
in the table is refused (``IllegalTransition``, a 409); a row the caller's actor may
not use is refused too (``ActorNotPermitted``, a 403).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from serving.orders.domain.order import Order, OrderStatus

S = OrderStatus

MIN_PREP_MINUTES = 1
MAX_PREP_MINUTES = 180


class Actor(StrEnum):
    """Who triggers a transition. ``SYSTEM`` is the platform itself (timeouts, payments)."""

    CUSTOMER = "customer"
    RESTAURANT = "restaurant"
    COURIER = "courier"
    ADMIN = "admin"
    SYSTEM = "system"


class CancelReason(StrEnum):
    """Why an order ended CANCELLED; every cancellation carries exactly one."""

    PAYMENT_FAILED = "payment_failed"
    RESTAURANT_REJECTED = "restaurant_rejected"
    CUSTOMER_CANCELLED = "customer_cancelled"
    ACCEPT_TIMEOUT = "accept_timeout"


@dataclass(frozen=True)
class Rule:
    """One row of the table: ``source -> target`` (for ``reason``) by one of ``actors``."""

    source: OrderStatus
    target: OrderStatus
    actors: frozenset[Actor]
    reason: CancelReason | None = None


def _rule(source: S, target: S, *actors: Actor, reason: CancelReason | None = None) -> Rule:
    # Admins can do everything anyone can: they unblock stuck orders by hand.
    return Rule(source, target, frozenset((*actors, Actor.ADMIN)), reason)


A, R = Actor, CancelReason
# The lifecycle. Cancellation is only possible before the food is ready: after
# that the order is someone's dinner in progress and gets resolved by refunds.
TRANSITIONS: tuple[Rule, ...] = (
    _rule(S.PENDING, S.ACCEPTED, A.RESTAURANT),
    _rule(S.ACCEPTED, S.PREPARING, A.RESTAURANT),
    _rule(S.PREPARING, S.READY, A.RESTAURANT),
    _rule(S.READY, S.ASSIGNED, A.SYSTEM),
    _rule(S.ASSIGNED, S.PICKED, A.COURIER),
    _rule(S.PICKED, S.OUT_FOR_DELIVERY, A.COURIER),
    _rule(S.OUT_FOR_DELIVERY, S.DELIVERED, A.COURIER),
    _rule(S.DELIVERED, S.COMPLETED, A.SYSTEM),
    _rule(S.PENDING, S.CANCELLED, A.CUSTOMER, reason=R.CUSTOMER_CANCELLED),
    _rule(S.ACCEPTED, S.CANCELLED, A.CUSTOMER, reason=R.CUSTOMER_CANCELLED),
    _rule(S.PREPARING, S.CANCELLED, A.CUSTOMER, reason=R.CUSTOMER_CANCELLED),
    _rule(S.PENDING, S.CANCELLED, A.RESTAURANT, reason=R.RESTAURANT_REJECTED),
    _rule(S.ACCEPTED, S.CANCELLED, A.RESTAURANT, reason=R.RESTAURANT_REJECTED),
    _rule(S.PENDING, S.CANCELLED, A.SYSTEM, reason=R.PAYMENT_FAILED),
    _rule(S.ACCEPTED, S.CANCELLED, A.SYSTEM, reason=R.PAYMENT_FAILED),
    _rule(S.PENDING, S.CANCELLED, A.SYSTEM, reason=R.ACCEPT_TIMEOUT),
)
del A, R

_BY_KEY: dict[tuple[OrderStatus, OrderStatus, CancelReason | None], Rule] = {
    (rule.source, rule.target, rule.reason): rule for rule in TRANSITIONS
}
assert len(_BY_KEY) == len(TRANSITIONS), "the transition table has a duplicate row"

TERMINAL: frozenset[OrderStatus] = frozenset(
    status for status in OrderStatus if not any(rule.source is status for rule in TRANSITIONS)
)


class IllegalTransition(Exception):
    """The table has no such move from the order's current status (a 409)."""

    def __init__(self, source: OrderStatus, target: OrderStatus, reason: CancelReason | None) -> None:
        why = f" ({reason.value})" if reason else ""
        super().__init__(f"An order cannot go from {source.value} to {target.value}{why}.")
        self.source = source
        self.target = target
        self.reason = reason


class MissingDetail(ValueError):
    """The move needs a detail the request did not give (a 422 naming ``field``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class ActorNotPermitted(Exception):
    """The move exists but this kind of caller may not make it (a 403)."""

    def __init__(self, rule: Rule, actor: Actor) -> None:
        allowed = ", ".join(sorted(a.value for a in rule.actors))
        super().__init__(
            f"A {actor.value} cannot move an order from {rule.source.value} to {rule.target.value}; allowed: {allowed}."
        )
        self.rule = rule
        self.actor = actor


def allowed_targets(source: OrderStatus) -> frozenset[OrderStatus]:
    return frozenset(rule.target for rule in TRANSITIONS if rule.source is source)


def decide(
    source: OrderStatus,
    target: OrderStatus,
    actor: Actor,
    reason: CancelReason | None = None,
) -> Rule:
    """The table row that allows this move, or IllegalTransition / ActorNotPermitted.

    A cancellation must say why (``reason``); any other move must not.
    """
    rule = _BY_KEY.get((source, target, reason))
    if rule is None:
        raise IllegalTransition(source, target, reason)
    if actor not in rule.actors:
        raise ActorNotPermitted(rule, actor)
    return rule


def customer_cancellation_fee_minor(status: OrderStatus, food_minor: int) -> int:
    """What a customer forfeits when cancelling in ``status`` (the cancel rule).

    Free until the kitchen starts (PENDING, ACCEPTED); once PREPARING, the food is
    being cooked and the customer pays for it as charged (``OrderTotals.food_minor``:
    items after the discount, with tax and packaging; the delivery fee is returned).
    Never the undiscounted subtotal: that could exceed what was paid. From READY on
    a customer cannot cancel at all: ``decide`` refuses.
    """
    return food_minor if status is OrderStatus.PREPARING else 0


def estimated_ready_at(accepted_at: datetime, prep_time_minutes: int) -> datetime:
    if accepted_at.tzinfo is None:
        raise ValueError("accepted_at must be timezone-aware")
    if not MIN_PREP_MINUTES <= prep_time_minutes <= MAX_PREP_MINUTES:
        raise ValueError(f"prep time must be {MIN_PREP_MINUTES}-{MAX_PREP_MINUTES} minutes")
    return accepted_at + timedelta(minutes=prep_time_minutes)


class RejectionReason(StrEnum):
    """Why a restaurant turned an order down (the detail behind restaurant_rejected)."""

    OUT_OF_STOCK = "out_of_stock"
    KITCHEN_CLOSED = "kitchen_closed"
    TOO_BUSY = "too_busy"
    OTHER = "other"


@dataclass(frozen=True)
class Transitioned:
    """The outcome of one allowed move: the order after it and what the event needs."""

    before: Order
    after: Order
    actor: Actor
    actor_id: str
    changed_at: datetime
    reason: CancelReason | None = None
    prep_time_minutes: int | None = None
    rejection_reason: RejectionReason | None = None
    cancellation_fee_minor: int = 0


def apply(
    order: Order,
    target: OrderStatus,
    *,
    actor: Actor,
    actor_id: str,
    now: datetime,
    reason: CancelReason | None = None,
    prep_time_minutes: int | None = None,
    rejection_reason: RejectionReason | None = None,
) -> Transitioned:
    """Move ``order`` to ``target`` if the table allows it (else raises, see ``decide``).

    Accepting needs ``prep_time_minutes``; a restaurant rejection needs
    ``rejection_reason``. Those are request errors (MissingDetail), checked after the
    table so an illegal move is always reported as such.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    decide(order.status, target, actor, reason)
    after = replace(order, status=target)
    fee = 0
    if target is OrderStatus.ACCEPTED:
        if prep_time_minutes is None:
            raise MissingDetail("prep_time_minutes", "Accepting an order needs prep_time_minutes.")
        after = replace(after, estimated_ready_at=estimated_ready_at(now, prep_time_minutes))
    if target is OrderStatus.CANCELLED:
        assert reason is not None  # the table has no reasonless cancellation
        if reason is CancelReason.RESTAURANT_REJECTED and rejection_reason is None:
            raise MissingDetail("rejection_reason", "A restaurant rejection needs rejection_reason.")
        if reason is CancelReason.CUSTOMER_CANCELLED:
            fee = customer_cancellation_fee_minor(order.status, order.totals.food_minor)
        after = replace(after, cancellation_reason=reason.value)
    return Transitioned(
        before=order,
        after=after,
        actor=actor,
        actor_id=actor_id,
        changed_at=now,
        reason=reason,
        prep_time_minutes=prep_time_minutes if target is OrderStatus.ACCEPTED else None,
        rejection_reason=rejection_reason if reason is CancelReason.RESTAURANT_REJECTED else None,
        cancellation_fee_minor=fee,
    )
