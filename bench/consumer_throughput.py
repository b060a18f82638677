"""Saga consumer throughput and lag, compared with a pass-through kafka-python consumer in the same run.

    .venv/bin/python -m bench.consumer_throughput --flows 1500 --extra-placed 18000

The events are real: ``--flows`` order-and-pay flows run through the orders and
payments services on a scratch database (an order placed; paid by wallet, card or
cash on delivery; some cards declined, some paid orders rejected by the restaurant),
and their outbox rows are copied, as the relay sends them, to two scratch topics of
3 partitions like ``orders.v1`` and ``payments.v1``. ``--extra-placed`` adds more
``OrderPlaced`` events (the bulk of what the payments saga reads and ignores).

Then, per topic, in the same run and on the same records:

1. the real saga consumer (``IdempotentConsumer`` with the service's handler, handled
   event types and ``processed_events`` table, as its bootstrap builds it) drains the
   topic from the start; its group's committed lag is sampled every ``--sample-seconds``;
2. a pass-through consumer: kafka-python with the same consumer settings, polling and
   committing each poll, doing nothing with the records: the client's own ceiling.

Reported: events/s of each, the ratio, the lag over time, the effects checked
(refunds and cancellations), and the load average. Only the draining is timed.
"""

from __future__ import annotations

import argparse
import os
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from sqlalchemy.engine import Engine

from bench.common import drop_database, drop_topics, running_stack, save_result, scratch_database, scratch_topic
from bench.outbox_relay import envelopes
from serving.kernel.auth import Principal, Role
from serving.kernel.db import create_engine
from serving.kernel.messaging.consumer import IdempotentConsumer, kafka_consumer
from serving.kernel.messaging.kafka_consumer import consumer_config
from serving.kernel.messaging.outbox_message import OutboxRecord, kafka_message
from serving.kernel.messaging.outbox_writer import outbox_row
from serving.migrations.registry import migrate
from serving.orders import domain
from serving.orders.adapters import repository as orders_repository
from serving.orders.adapters.tables import outbox as orders_outbox
from serving.orders.adapters.tables import processed_events as orders_processed
from serving.orders.domain import OrderStatus
from serving.orders.domain.events import order_placed_envelope
from serving.orders.domain.lifecycle import CancelReason, RejectionReason
from serving.orders.entrypoints import consumers as orders_side
from serving.orders.ports import RestaurantsApiOwnership
from serving.orders.use_cases import transitions
from serving.payments.adapters.sandbox import CARD_DECLINED, CARD_SUCCEEDS
from serving.payments.adapters.tables import outbox as payments_outbox
from serving.payments.adapters.tables import processed_events as payments_processed
from serving.payments.bootstrap import build_gateway, retry_policy
from serving.payments.entrypoints import consumers as payments_side
from serving.payments.entrypoints.schemas import CreatePaymentRequest, TopUpRequest
from serving.payments.service import Payments
from serving.settings import ServingSettings

ADMIN = Principal(subject="bench-admin", role=Role.ADMIN)
CARD = {"expiry_month": 12, "expiry_year": 2030, "cvc": "123"}


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def run_flows(engine: Engine, payments: Payments, flows: int) -> dict[str, int]:
    """Order-and-pay flows through the services; every 10th paid order is rejected
    (a refund for the payments saga), every 20th card is declined (a cancellation for
    the orders saga). Returns how many of each."""
    counts = {"flows": flows, "rejected_paid": 0, "declined": 0}
    customers = [f"bench-{index}" for index in range(50)]
    for customer in customers:
        top_up = {"amount_minor": 10**8, "currency": "INR", "card": {"number": CARD_SUCCEEDS, **CARD}}
        payments.top_up(customer, TopUpRequest.model_validate(top_up), f"topup-{uuid.uuid4().hex}")
    for index in range(flows):
        customer = customers[index % len(customers)]
        order = domain.place_order(
            order_id=uuid.uuid4(),
            customer_id=customer,
            restaurant_id=f"rest-{index % 150}",
            city="Bengaluru",
            currency="INR",
            lines=[domain.LineItem(item_id="idli", name="Idli", quantity=2, unit_price_minor=4500)],
            delivery_fee_minor=3000,
            placed_at=datetime.now(UTC),
        )
        with engine.begin() as connection:
            orders_repository.insert_order(connection, order, order_placed_envelope(order))
        declined = index % 20 == 7
        method = "card" if declined or index % 3 == 1 else ("cod" if index % 10 == 9 else "wallet")
        body: dict[str, Any] = {
            "order_id": str(order.order_id),
            "method": method,
            "amount_minor": order.totals.total_minor,
            "currency": "INR",
        }
        if method == "card":
            body["card"] = {"number": CARD_DECLINED if declined else CARD_SUCCEEDS, **CARD}
        payments.create_payment(customer, CreatePaymentRequest.model_validate(body), f"pay-{order.order_id}")
        counts["declined"] += declined
        if not declined and method != "cod" and index % 10 == 3:
            transitions.change_status(
                engine,
                order.order_id,
                ADMIN,
                OrderStatus.CANCELLED,
                ownership=RestaurantsApiOwnership(),
                reason=CancelReason.RESTAURANT_REJECTED,
                rejection_reason=RejectionReason.OUT_OF_STOCK,
            )
            counts["rejected_paid"] += 1
    return counts


def copy_outbox(engine: Engine, outbox: sa.Table, bootstrap: str, topic: str, extra: list[dict[str, Any]]) -> int:
    """Publish the outbox's rows (then ``extra`` rows) to ``topic`` as the relay would, keyed alike."""
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(
                outbox.c.event_id, outbox.c.message_key, outbox.c.event_type, sa.cast(outbox.c.payload, sa.Text)
            ).order_by(outbox.c.id)
        ).all()
    records = [OutboxRecord(0, str(r[0]), topic, r[1], r[2], r[3]) for r in rows]
    records += [
        OutboxRecord(0, str(r["event_id"]), topic, r["message_key"], r["event_type"], r["payload"]) for r in extra
    ]
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5, batch_size=512 * 1024)
    for record in records:
        message = kafka_message(record)
        producer.send(topic, key=message.key, value=message.value, headers=list(message.headers))
    producer.flush(timeout=120)
    producer.close()
    return len(records)


class LagSampler(threading.Thread):
    """Every ``interval`` seconds: the group's committed lag on the topic (end offsets −
    committed offsets), with the seconds since start."""

    def __init__(self, bootstrap: str, topic: str, group: str, interval: float) -> None:
        super().__init__(daemon=True)
        self.samples: list[tuple[float, int]] = []
        self._servers, self._topic, self._group, self._interval = bootstrap, topic, group, interval
        self._stop_event = threading.Event()

    def run(self) -> None:
        # A client of the group that never joins it: it only reads offsets.
        offsets = KafkaConsumer(bootstrap_servers=self._servers, group_id=self._group, enable_auto_commit=False)
        partitions = [TopicPartition(self._topic, p) for p in sorted(offsets.partitions_for_topic(self._topic) or ())]
        started = time.perf_counter()
        try:
            while True:
                end = offsets.end_offsets(partitions)
                lag = sum(end[tp] - (offsets.committed(tp) or 0) for tp in partitions)
                self.samples.append((round(time.perf_counter() - started, 1), lag))
                if self._stop_event.wait(self._interval):
                    break
        finally:
            offsets.close(autocommit=False)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=30)


def drain_with(poll: Callable[[], int], total: int, timeout: float) -> float:
    """Seconds until ``poll`` (returning records per call) has seen ``total`` records."""
    seen = 0
    started = time.perf_counter()
    while seen < total:
        if time.perf_counter() - started > timeout:
            raise RuntimeError(f"only {seen} of {total} records after {timeout}s")
        seen += poll()
    return time.perf_counter() - started


def pass_through(bootstrap: str, topic: str, total: int, max_poll_records: int) -> float:
    """Events/s of a kafka-python group member that only polls and commits."""
    config = consumer_config(bootstrap, f"bench-pass-through-{uuid.uuid4().hex[:8]}", "bench", max_poll_records)
    consumer = KafkaConsumer(**config)
    consumer.subscribe([topic])

    def poll() -> int:
        batches = consumer.poll(timeout_ms=1000)
        if batches:
            consumer.commit()
        return sum(len(records) for records in batches.values())

    try:
        return total / drain_with(poll, total, timeout=600)
    finally:
        consumer.close(autocommit=False)


def saga_consumer(
    name: str, build: Callable[[str], IdempotentConsumer], bootstrap: str, topic: str, total: int, sample: float
) -> dict[str, Any]:
    group = f"bench-{name}-{uuid.uuid4().hex[:8]}"
    consumer = build(group)
    sampler = LagSampler(bootstrap, topic, group, sample)
    sampler.start()
    try:
        seconds = drain_with(lambda: consumer.poll_once(timeout_ms=1000), total, timeout=1800)
    finally:
        consumer.close()
        time.sleep(sample)  # one more sample after the last commit
        sampler.stop()
    return {
        "events_per_second": round(total / seconds, 1),
        "seconds": round(seconds, 2),
        "skipped_duplicates": consumer.skipped_duplicates,
        "lag_samples_seconds_events": sampler.samples,
        "max_lag": max((lag for _, lag in sampler.samples), default=None),
        "final_lag": sampler.samples[-1][1] if sampler.samples else None,
    }


def outcomes(engine: Engine, table: sa.Table, consumer: str) -> dict[str, int]:
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(table.c.outcome, sa.func.count()).where(table.c.consumer == consumer).group_by(table.c.outcome)
        ).all()
    return {row[0]: int(row[1]) for row in rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--flows", type=int, default=1500, help="real order-and-pay flows")
    parser.add_argument("--extra-placed", type=int, default=18000, help="more OrderPlaced events on orders.v1")
    parser.add_argument("--max-poll-records", type=int, default=500, help="records per poll and per transaction")
    parser.add_argument("--sample-seconds", type=float, default=1.0)
    parser.add_argument("--save-as", default="consumer_throughput", help="bench/results/<name>.json")
    args = parser.parse_args()

    config = running_stack()
    database = scratch_database(config, "bench_consumers")
    orders_topic, payments_topic = scratch_topic(config, "orders"), scratch_topic(config, "payments")
    try:
        url = config.postgres_url_for(database)
        migrate(url)
        engine = create_engine(url)
        settings = ServingSettings.of(
            database_url=url, kafka_bootstrap=config.kafka_bootstrap, payments_sandbox_transient_failures=0
        )
        gateway = build_gateway(settings)
        started = time.perf_counter()
        flows = run_flows(engine, Payments(engine, gateway, retry_policy(settings)), args.flows)
        setup_seconds = time.perf_counter() - started
        extra = [outbox_row(envelope) for envelope in envelopes(args.extra_placed)]
        orders_events = copy_outbox(engine, orders_outbox, config.kafka_bootstrap, orders_topic, extra)
        payments_events = copy_outbox(engine, payments_outbox, config.kafka_bootstrap, payments_topic, [])
        bootstrap = config.kafka_bootstrap

        def payments_saga(group: str) -> IdempotentConsumer:
            kafka = kafka_consumer(bootstrap, orders_topic, group, "bench", max_poll_records=args.max_poll_records)
            handler = payments_side.order_event_handler(gateway, retry_policy(settings))
            return IdempotentConsumer(
                payments_side.CONSUMER,
                kafka,
                engine,
                payments_processed,
                handler,
                handled_types=payments_side.HANDLED_TYPES,
            )

        def orders_saga(group: str) -> IdempotentConsumer:
            kafka = kafka_consumer(bootstrap, payments_topic, group, "bench", max_poll_records=args.max_poll_records)
            return IdempotentConsumer(
                orders_side.CONSUMER,
                kafka,
                engine,
                orders_processed,
                orders_side.payment_event_handler(),
                handled_types=orders_side.HANDLED_TYPES,
            )

        runs: dict[str, Any] = {}
        for name, build, topic, total in (
            (payments_side.CONSUMER, payments_saga, orders_topic, orders_events),
            (orders_side.CONSUMER, orders_saga, payments_topic, payments_events),
        ):
            load_before = load_average()
            measured = saga_consumer(name, build, bootstrap, topic, total, args.sample_seconds)
            ceiling = pass_through(bootstrap, topic, total, args.max_poll_records)
            measured.update(
                events=total,
                pass_through_events_per_second=round(ceiling, 1),
                ratio_to_pass_through=round(measured["events_per_second"] / ceiling, 3),
                load_average_before_after=[load_before, load_average()],
            )
            runs[name] = measured
            print(
                f"{name}: {measured['events_per_second']:,.0f} events/s ({total} events in {measured['seconds']}s), "
                f"pass-through kafka-python {ceiling:,.0f}/s, ratio {measured['ratio_to_pass_through']}, "
                f"max lag {measured['max_lag']}, final lag {measured['final_lag']}, load {load_before}"
            )
        effects = {
            payments_side.CONSUMER: outcomes(engine, payments_processed, payments_side.CONSUMER),
            orders_side.CONSUMER: outcomes(engine, orders_processed, orders_side.CONSUMER),
        }
        # Every refund and cancellation the flows asked for happened, once.
        assert effects[payments_side.CONSUMER].get("refunded") == flows["rejected_paid"], effects
        assert effects[orders_side.CONSUMER].get("cancelled") == flows["declined"], effects
        result = {
            "flows": flows,
            "flows_setup_seconds": round(setup_seconds, 1),
            "max_poll_records": args.max_poll_records,
            "partitions": 3,
            "consumers": runs,
            "outcomes": effects,
        }
        path = save_result(args.save_as, result)
        print(f"outcomes {effects}  ({path})")
        engine.dispose()
    finally:
        drop_topics(config, [orders_topic, payments_topic])
        drop_database(config, database)


if __name__ == "__main__":
    main()
