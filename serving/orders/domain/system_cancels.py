"""When the platform cancels an order by itself (the system actor): pure, no I/O, no clock.

A failed payment cancels an order the lifecycle still lets go; an order no restaurant
accepted by its deadline is cancelled by the accept-timeout sweeper.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from contracts.events.payments import PaymentFailed
from serving.orders.domain.lifecycle import Actor, CancelReason, IllegalTransition, decide
from serving.orders.domain.order import OrderStatus


def cancels_for_failed_payment(event_type: str, status: OrderStatus) -> bool:
    """A failed payment cancels the order while the lifecycle still allows it.

    Later statuses (or an order already cancelled) are left alone: redelivery or a
    late failure event must not fight the lifecycle.
    """
    if event_type != PaymentFailed.event_type:
        return False
    try:
        decide(status, OrderStatus.CANCELLED, Actor.SYSTEM, CancelReason.PAYMENT_FAILED)
    except IllegalTransition:
        return False
    return True


def accept_deadline(now: datetime, timeout: timedelta) -> datetime:
    """Orders placed before this and still PENDING have waited too long for the restaurant."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now - timeout
