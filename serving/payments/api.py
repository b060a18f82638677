"""The payments service's public API: the only module another service may import.

Today other services need one fact of payments: the largest amount a payment (any
method) accepts, so an order above it is refused before it is placed rather than
left unpayable. It is ``contracts.money.MAX_PAYMENT_MINOR`` (one source of truth).
"""

from __future__ import annotations

from serving.payments.domain.payment import MAX_AMOUNT_MINOR

__all__ = ["MAX_AMOUNT_MINOR", "max_payment_minor"]


def max_payment_minor() -> int:
    """The largest amount, in minor units, one payment may move (any method, INR)."""
    return MAX_AMOUNT_MINOR
