"""The order saga end to end: real PostgreSQL, real Kafka, the outbox relays and the
two saga consumers (orders-saga on payments.v1, payments-saga on orders.v1)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from kafka import KafkaProducer

from contracts.envelope import EventEnvelope
from contracts.topics import ORDERS
from serving.app import create_app
from serving.kernel.auth import Role, issue_access_token
from serving.orders.entrypoints import consumers as orders_side
from serving.orders.use_cases.system_cancel import sweep_accept_timeouts
from serving.payments.adapters.sandbox import CARD_DECLINED, CARD_SUCCEEDS
from serving.payments.entrypoints import consumers as payments_consumers
from serving.restaurants.adapters.tables import menu_items
from tests.utils.catalogue import Kitchen

pytestmark = pytest.mark.stack

# The rig (conftest.SagaRig); conftest modules are not importable under importlib mode.
SagaRig = Any


class Crash(BaseException):
    """A process dying between its database commit and its Kafka commit."""


def test_a_declined_card_cancels_the_order_with_reason_payment_failed(saga: SagaRig, customer: str) -> None:
    order_id, total = saga.place_order(customer)
    assert saga.pay(customer, order_id, total, "card", CARD_DECLINED) == "FAILED"

    saga.pump(until=lambda: saga.order_status(order_id)[0] == "CANCELLED")

    assert saga.order_status(order_id) == ("CANCELLED", "payment_failed")
    assert (
        saga.count(
            "SELECT count(*) FROM orders.order_status_history WHERE order_id = :id AND actor = 'system'"
            " AND reason = 'payment_failed'",
            id=order_id,
        )
        == 1
    )
    # The payments consumer sees the OrderCancelled too, and has nothing to refund.
    nothing_to_do = {"OrderPlaced": "ignored", "OrderCancelled": "ignored"}
    saga.pump(until=lambda: saga.outcomes_of(order_id, "payments") == nothing_to_do)
    assert saga.refunds_of(order_id) == 0


def test_a_declined_card_on_an_accepted_order_gives_its_reserved_portions_back(saga: SagaRig, customer: str) -> None:
    with TestClient(create_app(saga.settings)) as client:
        kitchen = Kitchen(client, saga.settings)
        thali = kitchen.item("Thali", 15000, stock=5)
        headers = {"Authorization": f"Bearer {issue_access_token(customer, Role.CUSTOMER, saga.settings)}"}
        placed = client.post("/api/v1/orders", json=kitchen.order_body({"Thali": 2}), headers=headers)
        assert placed.status_code == 201, placed.text
        order_id, total = uuid.UUID(placed.json()["order_id"]), placed.json()["total_minor"]
        accepted = client.post(f"/api/v1/orders/{order_id}/accept", json={"prep_time_minutes": 10},
                               headers=kitchen.headers)  # fmt: skip
        assert accepted.status_code == 200, accepted.text

    def stock() -> object:
        return saga.scalar(sa.select(menu_items.c.stock).where(menu_items.c.item_id == uuid.UUID(thali)))

    assert stock() == 3
    assert saga.pay(customer, order_id, total, "card", CARD_DECLINED) == "FAILED"
    saga.pump(until=lambda: saga.order_status(order_id)[0] == "CANCELLED")

    assert saga.order_status(order_id) == ("CANCELLED", "payment_failed")
    assert stock() == 5


def test_a_restaurant_rejection_puts_a_wallet_payment_back_in_the_wallet(saga: SagaRig, customer: str) -> None:
    saga.top_up(customer, 50_000)
    order_id, total = saga.place_order(customer)
    assert saga.pay(customer, order_id, total, "wallet") == "SUCCEEDED"
    assert saga.payments.wallet_balance(customer) == 50_000 - total

    saga.reject(order_id)
    saga.pump(until=lambda: saga.refunds_of(order_id) == 1)

    assert saga.payments.wallet_balance(customer) == 50_000
    assert (
        saga.count(
            "SELECT count(*) FROM payments.refunds r JOIN payments.payments p USING (payment_id)"
            " WHERE p.order_id = :id AND r.destination = 'wallet' AND r.amount_minor = :total",
            id=order_id,
            total=total,
        )
        == 1
    )
    assert saga.refund_events_of(order_id) == 1


def test_consumers_killed_after_their_effect_but_before_the_kafka_commit_finish_the_saga_exactly_once(
    saga: SagaRig, customer: str
) -> None:
    saga.top_up(customer, 50_000)
    declined, declined_total = saga.place_order(customer)
    rejected, rejected_total = saga.place_order(customer)
    assert saga.pay(customer, rejected, rejected_total, "wallet") == "SUCCEEDED"

    def crash_on(order_id: uuid.UUID, event_type: str) -> Callable[[EventEnvelope], None]:
        def after_commit(envelope: EventEnvelope) -> None:
            if envelope.event_type == event_type and envelope.aggregate_id == str(order_id):
                raise Crash

        return after_commit

    # Replace both consumers with members that die right after applying the event.
    for name in (orders_side.CONSUMER, payments_consumers.CONSUMER):
        saga.kill(name)
    saga.start(orders_side.CONSUMER, after_commit=crash_on(declined, "PaymentFailed"))
    saga.start(payments_consumers.CONSUMER, after_commit=crash_on(rejected, "OrderRejected"))

    assert saga.pay(customer, declined, declined_total, "card", CARD_DECLINED) == "FAILED"
    saga.reject(rejected)
    crashed: set[str] = set()

    def both_crashed() -> bool:
        return crashed == {orders_side.CONSUMER, payments_consumers.CONSUMER}

    while not both_crashed():
        try:
            saga.pump(until=both_crashed, timeout=30)
        except Crash:
            for name in list(saga.consumers):
                if name not in crashed and _effect_done(saga, name, declined, rejected):
                    crashed.add(name)
                    saga.kill(name)  # its offsets for the event were never committed

    # The effects are in, the offsets are not: restarted members get the events again.
    assert saga.order_status(declined) == ("CANCELLED", "payment_failed")
    assert saga.refunds_of(rejected) == 1
    restarted = {name: saga.start(name) for name in (orders_side.CONSUMER, payments_consumers.CONSUMER)}
    saga.pump(until=lambda: all(consumer.skipped_duplicates >= 1 for consumer in restarted.values()))

    assert saga.cancellations_of(declined) == 1
    assert saga.cancellations_of(rejected) == 1
    assert saga.refunds_of(rejected) == 1
    assert saga.refund_events_of(rejected) == 1
    assert saga.payments.wallet_balance(customer) == 50_000


def _effect_done(saga: SagaRig, name: str, declined: uuid.UUID, rejected: uuid.UUID) -> bool:
    if name == orders_side.CONSUMER:
        return bool(saga.order_status(declined)[0] == "CANCELLED")
    return bool(saga.refunds_of(rejected) == 1)


def test_an_event_delivered_again_changes_nothing(saga: SagaRig, customer: str) -> None:
    saga.top_up(customer, 50_000)
    order_id, total = saga.place_order(customer)
    saga.pay(customer, order_id, total, "wallet")
    saga.reject(order_id)
    saga.pump(until=lambda: saga.refunds_of(order_id) == 1)
    with saga.engine.connect() as connection:
        payload = connection.exec_driver_sql(
            "SELECT payload FROM orders.outbox WHERE event_type = 'OrderRejected' AND message_key = %(id)s",
            {"id": str(order_id)},
        ).scalar_one()
    consumer = saga.consumers[payments_consumers.CONSUMER]
    before = consumer.skipped_duplicates

    # The same record published again, as a relay that crashed before marking it would.
    producer = KafkaProducer(bootstrap_servers=saga.settings.kafka_bootstrap)
    envelope = EventEnvelope.model_validate(payload)
    producer.send(ORDERS.name, key=str(order_id).encode(), value=envelope.to_json_bytes()).get(timeout=10)
    producer.close()
    saga.pump(until=lambda: consumer.skipped_duplicates > before)

    assert saga.refunds_of(order_id) == 1
    assert saga.refund_events_of(order_id) == 1
    assert saga.payments.wallet_balance(customer) == 50_000


def test_the_accept_timeout_sweeper_cancels_stale_orders_once_and_the_card_is_refunded(
    saga: SagaRig, customer: str
) -> None:
    now = datetime.now(UTC)
    stale, total = saga.place_order(customer, placed_at=now - timedelta(minutes=20))
    fresh, _ = saga.place_order(customer, placed_at=now - timedelta(minutes=1))
    assert saga.pay(customer, stale, total, "card", CARD_SUCCEEDS) == "SUCCEEDED"

    assert stale in sweep_accept_timeouts(saga.engine, timedelta(minutes=10), now=lambda: now)
    assert sweep_accept_timeouts(saga.engine, timedelta(minutes=10), now=lambda: now) == []

    assert saga.order_status(stale) == ("CANCELLED", "accept_timeout")
    assert saga.order_status(fresh) == ("PENDING", None)
    saga.pump(until=lambda: saga.refunds_of(stale) == 1)
    reference = saga.gateway.charge_reference(f"payment:{_payment_id(saga, stale)}")
    assert reference is not None and saga.gateway.refunded_minor(reference) == total
    assert saga.cancellations_of(stale) == 1
    assert saga.refund_events_of(stale) == 1


def _payment_id(saga: SagaRig, order_id: uuid.UUID) -> str:
    with saga.engine.connect() as connection:
        return str(
            connection.exec_driver_sql(
                "SELECT payment_id FROM payments.payments WHERE order_id = %(id)s", {"id": order_id}
            ).scalar_one()
        )


def test_cash_on_delivery_is_settled_once_when_the_order_is_delivered(saga: SagaRig, customer: str) -> None:
    order_id, total = saga.place_order(customer)
    assert saga.pay(customer, order_id, total, "cod") == "PENDING"

    saga.deliver(order_id)
    saga.pump(until=lambda: saga.payment_status(order_id) == "SUCCEEDED")

    assert saga.outcomes_of(order_id, "payments")["OrderDelivered"] == "cod_settled"
    settlements = (
        "SELECT count(*) FROM payments.journal_entries e JOIN payments.payments p USING (payment_id)"
        " WHERE p.order_id = :id AND e.kind = 'COD_SETTLEMENT'"
    )
    assert saga.count(settlements, id=order_id) == 1
    succeeded = "SELECT count(*) FROM payments.outbox WHERE event_type = 'PaymentSucceeded' AND message_key = :id"
    assert saga.count(succeeded, id=str(order_id)) == 1


def test_a_delivered_card_order_needs_no_settlement(saga: SagaRig, customer: str) -> None:
    order_id, total = saga.place_order(customer)
    assert saga.pay(customer, order_id, total, "card", CARD_SUCCEEDS) == "SUCCEEDED"

    saga.deliver(order_id)
    saga.pump(until=lambda: "OrderDelivered" in saga.outcomes_of(order_id, "payments"))

    assert saga.outcomes_of(order_id, "payments")["OrderDelivered"] == "no_cod_payment"
