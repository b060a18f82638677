"""The city-order-metrics PyFlink job against the test stack's Kafka.

One job for the module (a local PyFlink job takes 15-25 s to start), reading and
writing the module's own copies of the registry topics: ``orders.v1.it-<hex>`` and
``metrics.city_orders_1m.v1.it-<hex>``, with the registry's partition counts. Event
time makes a shared topic unusable for this: a watermark is one number per job, so
any other test (or session) writing current-time orders into ``orders.v1`` while this
module runs moves the watermark past these tests' minutes and turns their orders into
late data. Unique city names cannot protect against that; unique topics do. (The
registry topic names themselves are the job's defaults, covered by the unit tests and
by ``tiffin demo``.)

Each test writes OrderPlaced envelopes for its own random cities into a past minute,
all to partition 0 (the other two partitions stay empty: the job must mark them idle
to close a window), then one later event to move the watermark past the minute's end,
and reads the metrics topic. The expected records come from the Python statement of
the rules (streaming/transforms/order_metrics.py), so the SQL job and the rules cannot
drift apart.
"""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from kafka import KafkaAdminClient, KafkaProducer

from contracts.envelope import EventEnvelope
from contracts.events.orders import OrderLine, OrderPlaced
from contracts.metrics import CityOrderMinute
from contracts.topics import CITY_ORDER_METRICS, ORDERS, Topic
from ops.kafka_reader import read_from
from ops.stack.config import StackConfig
from ops.stack.topics import ensure_topics
from streaming.launcher import JobProcess, start_job, stop_job, wait_until_running
from streaming.transforms.order_metrics import aggregate

pytestmark = [pytest.mark.stack, pytest.mark.flink, pytest.mark.timeout(180)]

WINDOW = timedelta(minutes=1)
OUT_OF_ORDERNESS = timedelta(seconds=2)


@dataclass(frozen=True)
class Topics:
    orders: Topic
    metrics: Topic


@pytest.fixture(scope="module")
def topics(stack: StackConfig) -> Iterator[Topics]:
    suffix = f"it-{uuid.uuid4().hex[:8]}"
    mine = Topics(
        orders=replace(ORDERS, name=f"{ORDERS.name}.{suffix}"),
        metrics=replace(CITY_ORDER_METRICS, name=f"{CITY_ORDER_METRICS.name}.{suffix}"),
    )
    ensure_topics(stack.kafka_bootstrap, [mine.orders, mine.metrics])
    yield mine
    admin = KafkaAdminClient(bootstrap_servers=stack.kafka_bootstrap)
    try:
        admin.delete_topics([mine.orders.name, mine.metrics.name])
    finally:
        admin.close()


@pytest.fixture(scope="module")
def metrics_job(stack: StackConfig, topics: Topics, tmp_path_factory: pytest.TempPathFactory) -> Iterator[JobProcess]:
    proc = start_job(
        "city_order_metrics",
        stack.env(),
        [
            "--source-topic",
            topics.orders.name,
            "--sink-topic",
            topics.metrics.name,
            "--group-id",
            f"tests.city-order-metrics.{uuid.uuid4().hex[:8]}",
            "--starting-offsets",
            "earliest",
            "--window",
            f"{int(WINDOW.total_seconds())}s",
            "--max-out-of-orderness",
            f"{int(OUT_OF_ORDERNESS.total_seconds())}s",
            "--idle-timeout",
            "1s",
            "--checkpoint-interval",
            "1s",
        ],  # fmt: skip
        log_path=tmp_path_factory.mktemp("flink") / "city_order_metrics.log",
        python=stack.streaming_python,
        connector_jar=stack.flink_connector_jar,
    )
    try:
        wait_until_running(proc, timeout=120)
        yield proc
    finally:
        stop_job(proc)


_minutes = itertools.count()


@pytest.fixture
def minute() -> datetime:
    """A past minute, later than any earlier test's in this module (watermarks only rise)."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    return now - timedelta(minutes=30) + 4 * WINDOW * next(_minutes)


@pytest.fixture(scope="module")
def producer(stack: StackConfig) -> Iterator[KafkaProducer]:
    producer = KafkaProducer(bootstrap_servers=stack.kafka_bootstrap, acks="all")
    yield producer
    producer.close()


Send = Callable[..., bytes]


@pytest.fixture
def send(producer: KafkaProducer, topics: Topics) -> Iterator[Send]:
    """send(city, total_minor, occurred_at) -> the envelope bytes; or send(raw=b"...")."""

    def _send(
        city: str = "", total: int = 0, at: datetime | None = None, *, event_type: str = "OrderPlaced",
        raw: bytes | None = None,
    ) -> bytes:  # fmt: skip
        if raw is None:
            assert at is not None
            raw = order_placed(city, total, at, event_type).to_json_bytes()
        producer.send(topics.orders.name, key=uuid.uuid4().bytes, value=raw, partition=0)
        producer.flush()  # in order, and on the broker before the test starts reading
        return raw

    yield _send


def order_placed(city: str, total: int, at: datetime, event_type: str = "OrderPlaced") -> EventEnvelope:
    placed = OrderPlaced(
        order_id=uuid.uuid4(),
        customer_id="tests-customer",
        restaurant_id="tests-restaurant",
        city=city,
        lines=[OrderLine(item_id="i-1", name="Idli", quantity=1, unit_price_minor=total)],
        subtotal_minor=total,
        delivery_fee_minor=0,
        total_minor=total,
        currency="INR",
        placed_at=at,
    )
    return EventEnvelope(
        event_type=event_type,
        schema_version=1,
        occurred_at=at,
        producer="tests.streaming",
        aggregate_id=str(placed.order_id),
        payload=placed.model_dump(mode="json"),
    )


def city() -> str:
    return f"it-{uuid.uuid4().hex[:10]}"


def read_metrics(
    stack: StackConfig, topics: Topics, cities: set[str], done: Callable[[list[CityOrderMinute]], bool]
) -> list[tuple[bytes, CityOrderMinute]]:
    """(key, record) of the given cities from the metrics topic, once done(records) or after 60 s."""

    def ours(records: list[Any]) -> list[tuple[bytes, CityOrderMinute]]:
        found = []
        for record in records:
            if json.loads(record.value).get("city") in cities:
                found.append((record.key, CityOrderMinute.model_validate_json(record.value)))
        return found

    records = read_from(
        stack.kafka_bootstrap,
        topics.metrics.name,
        dict.fromkeys(range(topics.metrics.partitions), 0),
        lambda records: done([minute for _, minute in ours(records)]),
        timeout_s=60,
    )
    return ours(records)


def test_each_minute_gets_the_order_count_and_gmv_of_each_city(
    stack: StackConfig, metrics_job: JobProcess, topics: Topics, minute: datetime, send: Send
) -> None:
    pune, goa, clock = city(), city(), city()
    sent = [
        send(pune, 10000, minute + timedelta(seconds=5)),
        send(pune, 25050, minute + timedelta(seconds=30, microseconds=123456)),
        send(goa, 4000, minute + timedelta(seconds=59, microseconds=999999)),
        send(pune, 700, minute + timedelta(seconds=61)),  # next minute
        # out of order, but within the allowed 2 s behind the newest event: still counts
        send(pune, 6000, minute + timedelta(seconds=59, microseconds=500000)),
    ]
    sent.append(send(raw=sent[0]))  # redelivered: counts once
    sent.append(send(pune, 99999, minute + timedelta(seconds=6), event_type="OrderAccepted"))
    sent.append(send(raw=b"{not json"))
    sent.append(send(raw=json.dumps({"event_type": "OrderPlaced", "payload": {"city": pune}}).encode()))
    bad_time = json.loads(order_placed(pune, 55555, minute + timedelta(seconds=7)).to_json_bytes())
    bad_time["occurred_at"] = "last tuesday"
    sent.append(send(raw=json.dumps(bad_time).encode()))
    # the watermark passes the minute's end (+ out-of-orderness): the minute is emitted
    sent.append(send(clock, 1, minute + WINDOW + OUT_OF_ORDERNESS + timedelta(seconds=5)))

    expected = [m for m in aggregate(sent, int(WINDOW.total_seconds() * 1000)) if m.window_start == minute]
    assert {(m.city, m.order_count, m.gmv_minor) for m in expected} == {
        (pune, 3, 41050),
        (goa, 1, 4000),
    }
    got = read_metrics(stack, topics, {pune, goa}, lambda found: len(found) >= 2)

    assert sorted((m for _, m in got), key=lambda m: m.city) == sorted(expected, key=lambda m: m.city)
    assert {key for key, _ in got} == {pune.encode(), goa.encode()}  # Kafka key = city
    record = next(m for _, m in got if m.city == goa)
    assert record.window_start == minute
    assert record.window_end == minute + WINDOW
    assert record.window_start.utcoffset() == timedelta(0)


def test_a_late_order_is_dropped_and_never_reopens_an_emitted_minute(
    stack: StackConfig, metrics_job: JobProcess, topics: Topics, minute: datetime, send: Send
) -> None:
    kochi, clock = city(), city()
    next_minute = minute + WINDOW
    send(kochi, 5000, minute + timedelta(seconds=10))
    send(clock, 1, next_minute + OUT_OF_ORDERNESS + timedelta(seconds=5))
    # Watermarks are emitted periodically, so "late" means: after `minute` was emitted.
    read_metrics(stack, topics, {kochi}, lambda found: len(found) >= 1)
    send(kochi, 300, next_minute + timedelta(seconds=20))
    send(kochi, 99999, minute + timedelta(seconds=20))  # too late for `minute`: dropped
    send(clock, 1, next_minute + WINDOW + OUT_OF_ORDERNESS + timedelta(seconds=5))  # emits next_minute

    got = read_metrics(stack, topics, {kochi}, lambda found: any(m.window_start == next_minute for m in found))

    # One partition, one writer: a revision of `minute` would arrive before next_minute's record.
    assert [(m.window_start, m.order_count, m.gmv_minor) for _, m in got] == [
        (minute, 1, 5000),
        (next_minute, 1, 300),
    ]
