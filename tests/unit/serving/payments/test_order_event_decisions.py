"""What payments does about an order event (the saga's payments side): which events
refund, how much, where to, under which key, and when cash on delivery is settled."""

from __future__ import annotations

import uuid
from typing import Any

from serving.orders.domain.lifecycle import CancelReason
from serving.payments.domain import order_events
from serving.payments.domain.order_events import (
    RefundPlan,
    cod_to_settle,
    refund_amount,
    refund_destination,
    refund_idempotency_key,
    refund_plan,
)
from serving.payments.domain.payment import Method, RefundDestination

ORDER = uuid.uuid4()


def _change(event_fields: dict[str, Any]) -> dict[str, Any]:
    return {
        "order_id": str(ORDER),
        "customer_id": "cust-1",
        "restaurant_id": "rest-1",
        "city": "Pune",
        "from_status": "PENDING",
        "to_status": "CANCELLED",
        "actor": "system",
        "changed_at": "2026-11-25T06:10:00Z",
        **event_fields,
    }


def _cancelled(reason: str, refund_due_minor: int) -> dict[str, Any]:
    return _change(
        {"reason": reason, "cancellation_fee_minor": 0, "refund_due_minor": refund_due_minor, "currency": "INR"}
    )


def test_a_restaurant_rejection_refunds_everything() -> None:
    plan = refund_plan("OrderRejected", _change({"rejection_reason": "out_of_stock"}))
    assert plan == RefundPlan(ORDER, None, "restaurant_rejected")


def test_an_accept_timeout_refunds_everything() -> None:
    assert refund_plan("OrderCancelled", _cancelled("accept_timeout", 15650)) == RefundPlan(
        ORDER, None, "accept_timeout"
    )


def test_a_customer_cancellation_refunds_what_is_due_and_nothing_when_nothing_is_due() -> None:
    assert refund_plan("OrderCancelled", _cancelled("customer_cancelled", 2000)) == RefundPlan(
        ORDER, 2000, "customer_cancelled"
    )
    assert refund_plan("OrderCancelled", _cancelled("customer_cancelled", 0)) is None


def test_a_cancellation_for_a_failed_payment_or_any_other_event_refunds_nothing() -> None:
    assert refund_plan("OrderCancelled", _cancelled("payment_failed", 15650)) is None
    assert refund_plan("OrderPlaced", {}) is None


def test_the_refund_never_exceeds_what_is_left_of_the_payment() -> None:
    assert refund_amount(RefundPlan(ORDER, None, "x"), 10_000, 0) == 10_000
    assert refund_amount(RefundPlan(ORDER, None, "x"), 10_000, 4_000) == 6_000
    assert refund_amount(RefundPlan(ORDER, 2_000, "x"), 10_000, 0) == 2_000
    assert refund_amount(RefundPlan(ORDER, 9_000, "x"), 10_000, 4_000) == 6_000
    assert refund_amount(RefundPlan(ORDER, None, "x"), 10_000, 10_000) == 0


def test_refunds_go_back_the_way_the_money_came() -> None:
    assert refund_destination(Method.CARD) is RefundDestination.ORIGINAL
    assert refund_destination(Method.WALLET) is RefundDestination.WALLET
    assert refund_destination(Method.COD) is RefundDestination.WALLET


def test_the_refund_key_is_derived_from_the_triggering_event() -> None:
    event_id = uuid.uuid4()
    assert refund_idempotency_key(event_id) == f"refund:{event_id}"


def test_only_a_delivery_settles_cash_on_delivery() -> None:
    delivered = _change({"from_status": "OUT_FOR_DELIVERY", "to_status": "DELIVERED", "actor": "courier"})
    assert cod_to_settle("OrderDelivered", delivered) == ORDER
    assert cod_to_settle("OrderCompleted", delivered) is None
    assert cod_to_settle("OrderCancelled", _cancelled("customer_cancelled", 0)) is None


def test_the_cancel_reasons_payments_acts_on_are_the_orders_services_own() -> None:
    # Payments reads them off the event; orders owns them (serving.orders.domain.lifecycle).
    assert order_events.RESTAURANT_REJECTED == CancelReason.RESTAURANT_REJECTED.value
    assert order_events.ACCEPT_TIMEOUT == CancelReason.ACCEPT_TIMEOUT.value
    assert order_events.CUSTOMER_CANCELLED == CancelReason.CUSTOMER_CANCELLED.value
