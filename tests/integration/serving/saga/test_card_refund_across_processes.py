"""A card refund by the payments-saga consumer as a deployment runs it: the API and
``tiffin consumers`` each build their own sandbox gateway from settings, and the
consumer still refunds the card the API charged (the sandbox's state is in PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest

from serving import consumers as registry
from serving.payments.adapters.sandbox import CARD_SUCCEEDS, SandboxGateway
from serving.payments.bootstrap import build_gateway
from serving.payments.entrypoints import consumers as payments_consumers
from serving.payments.entrypoints.schemas import CreatePaymentRequest
from serving.payments.service import Payments

pytestmark = pytest.mark.stack

# The rig (conftest.SagaRig); conftest modules are not importable under importlib mode.
SagaRig = Any


def test_a_restaurant_rejection_refunds_the_card_from_the_consumers_own_gateway(saga: SagaRig, customer: str) -> None:
    api_gateway = build_gateway(saga.settings)  # the API process's
    assert isinstance(api_gateway, SandboxGateway)
    api = Payments(saga.engine, api_gateway, saga.retry)
    # The rig's member (which shares the rig's in-memory gateway) leaves the group; the
    # member built like `tiffin consumers` builds it takes over its partitions.
    saga.kill(payments_consumers.CONSUMER)
    saga.consumers[payments_consumers.CONSUMER] = registry.payments_saga(
        saga.settings, saga.engine, group=saga.groups[payments_consumers.CONSUMER]
    )
    try:
        order_id, total = saga.place_order(customer)
        body = {
            "order_id": str(order_id),
            "method": "card",
            "amount_minor": total,
            "currency": "INR",
            "card": {"number": CARD_SUCCEEDS, "expiry_month": 12, "expiry_year": 2030, "cvc": "123"},
        }
        paid = api.create_payment(customer, CreatePaymentRequest.model_validate(body), f"pay-{order_id}")
        assert (paid.replayed, paid.body["status"]) == (False, "SUCCEEDED")

        saga.reject(order_id)
        saga.pump(until=lambda: saga.refunds_of(order_id) == 1)

        assert saga.outcomes_of(order_id, "payments")["OrderRejected"] == "refunded"
        assert (
            saga.count(
                "SELECT count(*) FROM payments.refunds r JOIN payments.payments p USING (payment_id)"
                " WHERE p.order_id = :id AND r.destination = 'original' AND r.amount_minor = :total"
                " AND r.gateway_reference LIKE 'rf_sandbox_%'",
                id=order_id,
                total=total,
            )
            == 1
        )
        assert saga.refund_events_of(order_id) == 1
        reference = api_gateway.charge_reference(f"payment:{paid.body['payment_id']}")
        assert reference is not None and api_gateway.refunded_minor(reference) == total
        assert saga.gateway.charges_made == 0  # the rig's in-memory sandbox played no part
    finally:
        api_gateway.close()
