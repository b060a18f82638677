"""Fixtures for the saga tests: the orders and payments services on one migrated
database, their outbox relays, and saga consumers in private consumer groups that
start at the topics' current end (so earlier records of other runs are not replayed).

Everything runs in the test's thread: ``SagaRig.pump`` relays the outboxes and polls
the consumers until a condition holds, so a test decides exactly when a consumer
"crashes" and when a new one takes over.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from kafka import KafkaConsumer, TopicPartition
from kafka.structs import OffsetAndMetadata
from sqlalchemy.engine import Engine

from contracts.envelope import EventEnvelope
from contracts.topics import ORDERS, PAYMENTS
from serving.kernel.auth import Principal, Role
from serving.kernel.messaging.consumer import IdempotentConsumer, kafka_consumer
from serving.kernel.messaging.kafka_producer import kafka_producer_factory
from serving.kernel.messaging.relay import OutboxRelay
from serving.kernel.messaging.running import drain
from serving.orders import domain
from serving.orders.adapters import repository as orders_repository
from serving.orders.adapters.tables import outbox as orders_outbox
from serving.orders.adapters.tables import processed_events as orders_processed
from serving.orders.domain import OrderStatus
from serving.orders.domain.events import order_placed_envelope
from serving.orders.domain.lifecycle import CancelReason, RejectionReason
from serving.orders.entrypoints import consumers as orders_side
from serving.orders.ports import RestaurantsApiOwnership
from serving.orders.use_cases import transitions as orders_transitions
from serving.payments.adapters.retry import RetryPolicy
from serving.payments.adapters.sandbox import SandboxGateway
from serving.payments.adapters.tables import outbox as payments_outbox
from serving.payments.adapters.tables import processed_events as payments_processed
from serving.payments.entrypoints import consumers as payments_consumers
from serving.payments.entrypoints.schemas import CreatePaymentRequest, TopUpRequest
from serving.payments.service import Payments
from serving.settings import ServingSettings

CARD = {"expiry_month": 12, "expiry_year": 2030, "cvc": "123"}
ADMIN = Principal(subject="admin-1", role=Role.ADMIN)


def start_group_at_end(bootstrap: str, topic: str, group_id: str) -> None:
    """Commit the topic's end offsets for a new group, so it reads only what comes next."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group_id, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        assert partitions, f"topic {topic} does not exist"
        consumer.assign(partitions)
        end = consumer.end_offsets(partitions)
        consumer.commit({tp: OffsetAndMetadata(end[tp], "", -1) for tp in partitions})
    finally:
        consumer.close(autocommit=False)


class SagaRig:
    def __init__(self, engine: Engine, settings: ServingSettings) -> None:
        self.engine = engine
        self.settings = settings
        self.gateway = SandboxGateway(transient_failures=0)
        self.retry = RetryPolicy(max_attempts=2, initial_seconds=0.001, cap_seconds=0.005)
        self.payments = Payments(engine, self.gateway, self.retry)
        self.relays = [
            OutboxRelay(engine, kafka_producer_factory(settings), outbox=table, publish_timeout_seconds=10)
            for table in (orders_outbox, payments_outbox)
        ]
        suffix = uuid.uuid4().hex[:10]
        self.groups = {
            orders_side.CONSUMER: f"test-orders-saga-{suffix}",
            payments_consumers.CONSUMER: f"test-payments-saga-{suffix}",
        }
        start_group_at_end(settings.kafka_bootstrap, PAYMENTS.name, self.groups[orders_side.CONSUMER])
        start_group_at_end(settings.kafka_bootstrap, ORDERS.name, self.groups[payments_consumers.CONSUMER])
        self.consumers: dict[str, IdempotentConsumer] = {}
        self.start(orders_side.CONSUMER)
        self.start(payments_consumers.CONSUMER)

    def start(self, name: str, after_commit: Callable[[EventEnvelope], None] | None = None) -> IdempotentConsumer:
        """A new member of the consumer's group, like a restarted process."""
        topic, processed, handler = (
            (PAYMENTS.name, orders_processed, orders_side.payment_event_handler())
            if name == orders_side.CONSUMER
            else (ORDERS.name, payments_processed, payments_consumers.order_event_handler(self.gateway, self.retry))
        )
        kafka = kafka_consumer(self.settings.kafka_bootstrap, topic, self.groups[name], f"saga-test-{name}")
        consumer = IdempotentConsumer(name, kafka, self.engine, processed, handler, after_commit=after_commit)
        self.consumers[name] = consumer
        return consumer

    def kill(self, name: str) -> None:
        """Gone without committing anything more (the Kafka commit had not happened)."""
        self.consumers.pop(name).close()

    def pump(self, until: Callable[[], bool], timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not until():
            assert time.monotonic() < deadline, "the saga did not get there in time"
            for relay in self.relays:
                drain(relay)
            for consumer in list(self.consumers.values()):
                consumer.poll_once(timeout_ms=100)

    # --- the customer's and restaurant's side -------------------------------------

    def place_order(self, customer: str, placed_at: datetime | None = None) -> tuple[uuid.UUID, int]:
        """A stored PENDING order with its OrderPlaced event (the orders service's own
        domain and repository; pricing is not what these tests are about)."""
        order = domain.place_order(
            order_id=uuid.uuid4(),
            customer_id=customer,
            restaurant_id=f"rest-{uuid.uuid4().hex[:8]}",
            city="Bengaluru",
            currency="INR",
            lines=[domain.LineItem(item_id="idli", name="Idli", quantity=2, unit_price_minor=4500)],
            delivery_fee_minor=3000,
            placed_at=placed_at or datetime.now(UTC),
        )
        with self.engine.begin() as connection:
            orders_repository.insert_order(connection, order, order_placed_envelope(order))
        return order.order_id, order.totals.total_minor

    def pay(self, customer: str, order_id: uuid.UUID, amount: int, method: str, card: str | None = None) -> str:
        body: dict[str, object] = {
            "order_id": str(order_id),
            "method": method,
            "amount_minor": amount,
            "currency": "INR",
        }
        if card is not None:
            body["card"] = {"number": card, **CARD}
        outcome = self.payments.create_payment(customer, CreatePaymentRequest.model_validate(body), f"pay-{order_id}")
        return str(outcome.body["status"])

    def top_up(self, customer: str, amount: int) -> None:
        request = TopUpRequest.model_validate(
            {"amount_minor": amount, "currency": "INR", "card": {"number": "4242424242424242", **CARD}}
        )
        self.payments.top_up(customer, request, f"topup-{uuid.uuid4().hex}")

    def reject(self, order_id: uuid.UUID) -> None:
        orders_transitions.change_status(
            self.engine,
            order_id,
            ADMIN,
            OrderStatus.CANCELLED,
            ownership=RestaurantsApiOwnership(),
            reason=CancelReason.RESTAURANT_REJECTED,
            rejection_reason=RejectionReason.OUT_OF_STOCK,
        )

    def deliver(self, order_id: uuid.UUID) -> None:
        """Walk the order to DELIVERED as an admin would (one lifecycle event per step)."""
        steps = ("ACCEPTED", "PREPARING", "READY", "ASSIGNED", "PICKED", "OUT_FOR_DELIVERY", "DELIVERED")
        for step in steps:
            orders_transitions.change_status(
                self.engine,
                order_id,
                ADMIN,
                OrderStatus(step),
                ownership=RestaurantsApiOwnership(),
                prep_time_minutes=15 if step == "ACCEPTED" else None,
            )

    def payment_status(self, order_id: uuid.UUID) -> str | None:
        with self.engine.connect() as connection:
            status: str | None = connection.execute(
                sa.text("SELECT status FROM payments.payments WHERE order_id = :id"), {"id": order_id}
            ).scalar_one_or_none()
        return status

    # --- reading the outcome -----------------------------------------------------------

    def scalar(self, query: sa.Select[tuple[object]]) -> object:
        with self.engine.connect() as connection:
            return connection.execute(query).scalar_one_or_none()

    def order_status(self, order_id: uuid.UUID) -> tuple[str, str | None]:
        with self.engine.connect() as connection:
            row = connection.execute(
                sa.text("SELECT status, cancellation_reason FROM orders.orders WHERE order_id = :id"), {"id": order_id}
            ).one()
        return row.status, row.cancellation_reason

    def count(self, sql: str, **params: object) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(sa.text(sql), params).scalar_one())

    def refunds_of(self, order_id: uuid.UUID) -> int:
        return self.count(
            "SELECT count(*) FROM payments.refunds r JOIN payments.payments p USING (payment_id)"
            " WHERE p.order_id = :id",
            id=order_id,
        )

    def refund_events_of(self, order_id: uuid.UUID) -> int:
        return self.count(
            "SELECT count(*) FROM payments.outbox WHERE event_type = 'PaymentRefunded' AND message_key = :id",
            id=str(order_id),
        )

    def outcomes_of(self, order_id: uuid.UUID, schema: str) -> dict[str, str]:
        """What the consumer in ``schema`` did with each of the order's events, by type."""
        events = "orders.outbox" if schema == "payments" else "payments.outbox"
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.text(
                    f"SELECT p.event_type, p.outcome FROM {schema}.processed_events p"  # noqa: S608 (fixed names)
                    f" JOIN {events} e ON e.event_id = p.event_id WHERE e.message_key = :id"
                ),
                {"id": str(order_id)},
            ).all()
        return {row.event_type: row.outcome for row in rows}

    def cancellations_of(self, order_id: uuid.UUID) -> int:
        """OrderCancelled/OrderRejected events and CANCELLED history rows of the order, together."""
        events = self.count(
            "SELECT count(*) FROM orders.outbox WHERE event_type IN ('OrderCancelled', 'OrderRejected')"
            " AND message_key = :id",
            id=str(order_id),
        )
        history = self.count(
            "SELECT count(*) FROM orders.order_status_history WHERE order_id = :id AND to_status = 'CANCELLED'",
            id=order_id,
        )
        assert events == history
        return events

    def close(self) -> None:
        for name in list(self.consumers):
            self.kill(name)
        for relay in self.relays:
            relay.close()


@pytest.fixture(scope="module")
def saga(engine: Engine, settings: ServingSettings) -> Iterator[SagaRig]:
    rig = SagaRig(engine, settings)
    try:
        yield rig
    finally:
        rig.close()


@pytest.fixture
def customer() -> str:
    return f"cust-{uuid.uuid4().hex[:10]}"
