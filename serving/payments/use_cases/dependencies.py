"""What every use case runs on, and the Idempotency-Key claim the money-moving ones share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection, Engine

from serving.kernel.clock import utc_now
from serving.kernel.field_errors import FieldError
from serving.payments.adapters import idempotency_keys
from serving.payments.adapters.orders_port import OrdersApi, PayableOrders
from serving.payments.adapters.retry import RetryPolicy
from serving.payments.domain.gateway import PaymentGateway
from serving.payments.errors import IdempotencyConflict

GATEWAY_UNAVAILABLE = "The card gateway is unavailable; retry with the same Idempotency-Key."


@dataclass(frozen=True)
class Outcome:
    """A money-moving call's answer: the JSON body, replayed verbatim for a repeated key."""

    body: dict[str, Any]
    replayed: bool = False


@dataclass(frozen=True)
class Dependencies:
    """The database, the card gateway and its retries, the clock and the orders peer."""

    engine: Engine
    gateway: PaymentGateway
    retry_policy: RetryPolicy = RetryPolicy()
    now: Callable[[], datetime] = utc_now
    orders: PayableOrders = OrdersApi()


def claim_key(deps: Dependencies, connection: Connection, caller: str, key: str, fingerprint: str) -> Outcome | None:
    """None if this transaction now owns the key; else the first answer, to replay.

    IdempotencyConflict if the key was used for a different request.
    """
    try:
        stored = idempotency_keys.claim_idempotency_key(connection, caller, key, fingerprint, deps.now())
    except idempotency_keys.IdempotencyKeyReused:
        raise IdempotencyConflict(
            "This Idempotency-Key was already used for a different request.",
            [FieldError("Idempotency-Key", "Already used for a different request; use a new key.")],
        ) from None
    return None if stored is None else Outcome(stored, replayed=True)
