"""Every refusal of the orders use cases, by type; none carries an HTTP status.

The router maps each to its problem (``entrypoints/problems.py``); the cart, through
``serving.orders.api``, maps the placement refusals to its own.
"""

from __future__ import annotations

from serving.orders.adapters.stock import OutOfStock
from serving.orders.domain.lifecycle import ActorNotPermitted, IllegalTransition, MissingDetail
from serving.orders.domain.order import OrderRejected

__all__ = [
    "ActorNotPermitted",
    "IdempotencyKeyReused",
    "IllegalTransition",
    "MissingDetail",
    "OrderRejected",
    "OutOfStock",
]


class IdempotencyKeyReused(Exception):
    """The customer used the key before, for a different request body; nothing was written."""
