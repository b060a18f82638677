"""The payments consumer of orders.v1 tells a refund to retry from one refused for good
by the refusal's type: an unreachable gateway rolls the event back (the consumer
retries it), a gateway that refuses the refund is recorded and skipped. Real
PostgreSQL; the handler runs on one transaction as IdempotentConsumer runs it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from contracts.envelope import EventEnvelope
from contracts.events.orders import OrderRejected
from serving.payments.adapters import tables
from serving.payments.adapters.retry import RetryPolicy
from serving.payments.adapters.sandbox import SandboxGateway
from serving.payments.adapters.sandbox_postgres import PostgresSandboxStore
from serving.payments.entrypoints.consumers import order_event_handler
from serving.payments.errors import GatewayStillUnavailable

pytestmark = pytest.mark.stack

FAST = RetryPolicy(max_attempts=2, initial_seconds=0.001, cap_seconds=0.005)
# Nothing listens on port 9: the sandbox's storage, hence the gateway, is unavailable.
UNREACHABLE_DATABASE = "postgresql+psycopg://nobody@127.0.0.1:9/nowhere"


def _rejected(order_id: str, customer: str) -> EventEnvelope:
    event = OrderRejected(
        order_id=uuid.UUID(order_id),
        customer_id=customer,
        restaurant_id="rest-1",
        city="Bengaluru",
        from_status="PENDING",
        to_status="CANCELLED",
        actor="restaurant",
        changed_at=datetime.now(UTC),
        rejection_reason="out_of_stock",
    )
    return EventEnvelope(
        event_type=OrderRejected.event_type,
        schema_version=OrderRejected.schema_version,
        producer="orders",
        aggregate_id=order_id,
        payload=event.model_dump(mode="json"),
    )


def _refunds(db: Engine, payment_id: str) -> int:
    with db.connect() as connection:
        return int(
            connection.execute(
                sa.select(sa.func.count()).select_from(tables.refunds).where(tables.refunds.c.payment_id == payment_id)
            ).scalar_one()
        )


def test_an_unavailable_gateway_is_retried_and_a_refused_refund_is_recorded_by_type(
    pay: Callable[..., dict[str, Any]], gateway: SandboxGateway, db: Engine, new_customer: Callable[[], str]
) -> None:
    buyer = new_customer()
    payment = pay(buyer, method="card")
    assert payment["status"] == "SUCCEEDED"
    envelope = _rejected(payment["order_id"], buyer)

    down = SandboxGateway(transient_failures=0, store=PostgresSandboxStore(UNREACHABLE_DATABASE))
    try:
        with pytest.raises(GatewayStillUnavailable), db.begin() as connection:
            order_event_handler(down, FAST)(connection, envelope)
    finally:
        down.close()
    assert _refunds(db, payment["payment_id"]) == 0

    # A gateway that never saw the charge refuses to refund it, for good.
    with db.begin() as connection:
        outcome = order_event_handler(SandboxGateway(), FAST)(connection, envelope)
    assert outcome == "refund_refused_refund_declined"
    assert _refunds(db, payment["payment_id"]) == 0

    with db.begin() as connection:
        assert order_event_handler(gateway, FAST)(connection, envelope) == "refunded"
    assert _refunds(db, payment["payment_id"]) == 1
