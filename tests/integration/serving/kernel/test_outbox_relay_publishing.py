import threading
import time
from collections import defaultdict
from typing import Any

import pytest
import sqlalchemy as sa

from contracts.envelope import EventEnvelope
from contracts.events.orders import OrderPlaced
from contracts.topics import ORDERS
from serving.kernel.messaging.backoff import ExponentialBackoff
from serving.kernel.messaging.relay import OutboxPublishError, relay_lock_key
from serving.kernel.messaging.running import drain

pytestmark = pytest.mark.stack


class Acked:
    def get(self, timeout: float | None = None) -> str:
        return "acked"


class Failed:
    def get(self, timeout: float | None = None) -> str:
        raise TimeoutError("no ack from the broker")


class FakeProducer:
    """Acks the first ``ack_first`` sends of its life, fails the rest."""

    def __init__(self, sent: list[tuple[str, bytes]], ack_first: int = 10**9) -> None:
        self.sent = sent
        self.ack_first = ack_first
        self.aborted = False
        self.closed = False

    def send(self, topic: str, value: bytes | None = None, key: bytes | None = None, headers: Any = None) -> Any:
        assert key is not None and value is not None
        self.sent.append((topic, key))
        return Acked() if len(self.sent) <= self.ack_first else Failed()

    def flush(self, timeout: float | None = None) -> None:
        pass

    def close(self, timeout: float | None = None) -> None:
        self.closed = True

    def abort(self) -> None:
        self.aborted = True


def test_the_relay_publishes_each_order_once_keyed_by_order_id_in_outbox_order(
    fresh_orders: Any, topic_window: Any
) -> None:
    window = topic_window(ORDERS.name)
    order_ids = [fresh_orders.place()["order_id"] for _ in range(7)]
    relay = fresh_orders.relay(batch_size=3)

    assert [relay.relay_once() for _ in range(4)] == [3, 3, 1, 0]

    records = [r for r in window.records_since() if r.key in order_ids]
    assert sorted(r.key for r in records) == sorted(order_ids)  # every order, none twice
    for record in records:
        envelope = EventEnvelope.from_json_bytes(record.value)
        assert envelope.event_type == OrderPlaced.event_type
        assert envelope.aggregate_id == record.key
        assert str(OrderPlaced.model_validate(envelope.payload).order_id) == record.key
    by_partition: dict[int, list[str]] = defaultdict(list)
    for record in records:
        by_partition[record.partition].append(record.key)
    for keys in by_partition.values():  # each partition holds its orders in placement order
        assert keys == [order_id for order_id in order_ids if order_id in keys]
    assert fresh_orders.unpublished() == 0


def test_many_events_of_the_same_key_arrive_in_outbox_order_across_batches(
    fresh_orders: Any, private_topic: str, topic_window: Any
) -> None:
    window = topic_window(private_topic)
    keys = [f"order-{n}" for n in range(4)]
    for sequence in range(5):
        for key in keys:
            fresh_orders.append_probe(private_topic, key, sequence)
    relay = fresh_orders.relay(batch_size=3)

    while relay.relay_once():
        pass

    sequences: dict[str, list[int]] = defaultdict(list)
    for record in window.records_since():
        sequences[record.key].append(EventEnvelope.from_json_bytes(record.value).payload["sequence"])
    assert sequences == {key: [0, 1, 2, 3, 4] for key in keys}


def test_a_publish_failure_mid_batch_rolls_back_so_every_row_is_retried_in_order(fresh_orders: Any) -> None:
    order_ids = [fresh_orders.place()["order_id"] for _ in range(4)]
    sent: list[tuple[str, bytes]] = []
    failing = FakeProducer(sent, ack_first=2)
    relay = fresh_orders.relay(producer_factory=lambda: failing)

    with pytest.raises(OutboxPublishError):
        relay.relay_once()

    assert fresh_orders.unpublished() == 4  # the two acked rows are not marked either
    assert failing.aborted  # its leftovers can never be delivered late

    sent.clear()
    healthy = FakeProducer(sent)
    relay = fresh_orders.relay(producer_factory=lambda: healthy)
    assert relay.relay_once() == 4
    assert [key.decode() for _, key in sent] == order_ids == fresh_orders.outbox_keys_in_id_order()
    assert fresh_orders.unpublished() == 0


def test_rows_claimed_by_a_batch_look_unpublished_to_everyone_else_until_kafka_acked_them(
    fresh_orders: Any,
) -> None:
    for _ in range(3):
        fresh_orders.place()
    seen_while_publishing: list[int] = []

    class Watching(FakeProducer):
        def flush(self, timeout: float | None = None) -> None:
            # The claim stamped published_at in the relay's open transaction only.
            seen_while_publishing.append(fresh_orders.unpublished())

    relay = fresh_orders.relay(producer_factory=lambda: Watching([]))
    assert relay.relay_once() == 3
    assert seen_while_publishing == [3]
    assert fresh_orders.unpublished() == 0


def test_a_second_relay_stays_idle_while_another_one_works_the_outbox(fresh_orders: Any) -> None:
    fresh_orders.place()
    sent: list[tuple[str, bytes]] = []
    relay = fresh_orders.relay(producer_factory=lambda: FakeProducer(sent))
    lock = sa.select(sa.func.pg_advisory_lock(relay_lock_key(relay._outbox)))

    with fresh_orders.engine.connect() as other_relay:
        other_relay.execute(lock)
        assert relay.relay_once() == 0
        other_relay.execute(sa.select(sa.func.pg_advisory_unlock(relay_lock_key(relay._outbox))))

    assert relay.relay_once() == 1
    assert sent and fresh_orders.unpublished() == 0


def test_the_run_loop_backs_off_while_kafka_fails_then_publishes_and_stops_on_request(
    fresh_orders: Any,
) -> None:
    fresh_orders.place()
    fresh_orders.place()
    sent: list[tuple[str, bytes]] = []
    attempts: list[float] = []

    def factory() -> FakeProducer:
        attempts.append(time.monotonic())
        if len(attempts) <= 3:
            raise ConnectionRefusedError("broker down")
        return FakeProducer(sent)

    backoff = ExponentialBackoff(initial=0.05, factor=2, cap=0.15, jitter=0)
    relay = fresh_orders.relay(producer_factory=factory, backoff=backoff, poll_interval_seconds=0.02)
    stop = threading.Event()
    worker = threading.Thread(target=relay.run, args=(stop,))
    worker.start()
    deadline = time.monotonic() + 10
    while fresh_orders.unpublished() and time.monotonic() < deadline:
        time.sleep(0.02)
    stop.set()
    worker.join(timeout=5)

    assert not worker.is_alive()
    assert fresh_orders.unpublished() == 0
    assert len(sent) == 2
    gaps = [later - earlier for earlier, later in zip(attempts, attempts[1:], strict=False)][:3]
    assert gaps[0] >= 0.05 and gaps[1] >= 0.1 and gaps[2] >= 0.15  # 0.05, 0.1, then the 0.15 cap


def test_draining_publishes_everything_pending_across_batches(fresh_orders: Any) -> None:
    for _ in range(5):
        fresh_orders.place()
    sent: list[tuple[str, bytes]] = []
    relay = fresh_orders.relay(batch_size=2, producer_factory=lambda: FakeProducer(sent))

    assert drain(relay) == 5
    assert [key.decode() for _, key in sent] == fresh_orders.outbox_keys_in_id_order()
