"""Fixtures for the serving integration tests: a migrated database per test, an app
client, tokens, a restaurant to order from, and a reader that returns exactly the
Kafka records written in a window of offsets."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import redis
import sqlalchemy as sa
from fastapi.testclient import TestClient
from kafka import KafkaConsumer, TopicPartition
from sqlalchemy.engine import Engine

from contracts.envelope import EventEnvelope
from ops.stack.config import StackConfig
from serving.app import create_app
from serving.kernel.auth import Role, issue_access_token
from serving.kernel.db import create_engine
from serving.kernel.messaging.kafka_producer import kafka_producer_factory
from serving.kernel.messaging.relay import OutboxRelay
from serving.migrations.registry import migrate
from serving.orders import domain
from serving.orders.adapters import repository as orders_repository
from serving.orders.adapters.tables import order_lines, orders, outbox
from serving.orders.domain.events import order_placed_envelope
from serving.settings import ServingSettings
from tests.utils.catalogue import Kitchen
from tests.utils.people import auth_for
from tests.utils.rows import row_counts
from tests.utils.topics import temporary_topic

# One migrated database per test module keeps the run fast (creating and dropping a
# PostgreSQL database costs a checkpoint each); tests that need an empty outbox ask
# for `fresh_database_url`. Row checks compare counts before and after.


@pytest.fixture(scope="module")
def database_url(make_database: Callable[[], str]) -> str:
    url = make_database()
    migrate(url)
    return url


@pytest.fixture
def fresh_database_url(make_database: Callable[[], str]) -> str:
    url = make_database()
    migrate(url)
    return url


@pytest.fixture(scope="module")
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def settings(database_url: str, stack: StackConfig) -> ServingSettings:
    return ServingSettings.of(
        database_url=database_url,
        kafka_bootstrap=stack.kafka_bootstrap,
        jwt_secret=f"test-secret-{uuid.uuid4().hex}{uuid.uuid4().hex}",
        service_name=f"serving-test-{uuid.uuid4().hex[:6]}",
        redis_url=stack.redis_url,
        kafka_timeout_ms=3000,
        rate_limit_enabled=False,  # these tests fire many requests as a handful of users
    )


@pytest.fixture(scope="module")
def client(settings: ServingSettings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def redis_client(stack: StackConfig) -> Iterator[redis.Redis[bytes]]:
    """A client of the test stack's Redis, for checking what the services keep there."""
    client: redis.Redis[bytes] = redis.Redis.from_url(stack.redis_url)
    yield client
    client.close()


@pytest.fixture(scope="module")
def auth(settings: ServingSettings) -> Callable[..., dict[str, str]]:
    """``auth(subject, role)`` -> an Authorization header."""

    return auth_for(settings)


def _new_customer() -> str:
    return f"cust-{uuid.uuid4().hex[:10]}"


# What ``order_body`` orders by default: two dosas and a coffee, 28,500 before tax.
MENU = {"Masala dosa": 12000, "Filter coffee": 4500}
USUAL = {"Masala dosa": 2, "Filter coffee": 1}


def usual_order(kitchen: Kitchen, **overrides: Any) -> dict[str, Any]:
    return kitchen.order_body(USUAL, **overrides)


@pytest.fixture(scope="module")
def kitchen(client: TestClient, settings: ServingSettings) -> Kitchen:
    """The module's restaurant, open all day, selling ``MENU``; ``order_body`` orders from it."""
    return Kitchen(client, settings, menu=MENU)


@pytest.fixture(scope="module")
def new_customer() -> Callable[[], str]:
    """A random customer id, so tests never share customers."""
    return _new_customer


@pytest.fixture(scope="module")
def order_body(kitchen: Kitchen) -> Callable[..., dict[str, Any]]:
    """``order_body(**overrides)`` -> a valid POST /api/v1/orders body: ``USUAL`` at the ``kitchen``."""
    return lambda **overrides: usual_order(kitchen, **overrides)


@pytest.fixture(scope="module")
def place_order(
    client: TestClient, auth: Callable[..., dict[str, str]], kitchen: Kitchen
) -> Callable[..., dict[str, Any]]:
    """``place_order(customer=None, **body_overrides)`` -> the 201 response body."""

    def place(customer: str | None = None, **overrides: Any) -> dict[str, Any]:
        response = client.post(
            "/api/v1/orders", json=usual_order(kitchen, **overrides), headers=auth(customer or _new_customer())
        )
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    return place


@pytest.fixture(scope="module")
def store_order(engine: Engine) -> Callable[..., uuid.UUID]:
    """``store_order(customer, total_minor=27500)`` -> the id of a stored PENDING order of
    that customer costing exactly that (the orders service's own domain and repository:
    for tests of what happens to an order, not of how it is priced)."""

    def store(customer: str, total_minor: int = 27500) -> uuid.UUID:
        order = domain.place_order(
            order_id=uuid.uuid4(),
            customer_id=customer,
            restaurant_id=f"rest-{uuid.uuid4().hex[:8]}",
            city="Bengaluru",
            currency="INR",
            lines=[domain.LineItem(item_id="thali", name="Thali", quantity=1, unit_price_minor=total_minor)],
            delivery_fee_minor=0,
            placed_at=datetime.now(UTC),
        )
        with engine.begin() as connection:
            orders_repository.insert_order(connection, order, order_placed_envelope(order))
        return order.order_id

    return store


@pytest.fixture
def count_rows(engine: Engine) -> Callable[[], dict[str, int]]:
    """Rows in the orders tables now; compare before and after a request."""
    return lambda: row_counts(engine, (orders, order_lines, outbox))


@dataclass(frozen=True)
class Record:
    partition: int
    offset: int
    key: str
    value: bytes


class TopicWindow:
    """A topic's end offsets now, to read back exactly the records written after.

    Each read uses a fresh consumer, so a window opened before a broker restart
    still reads promptly afterwards (no reconnect backoff carried over).
    """

    def __init__(self, bootstrap: str, topic: str) -> None:
        self._bootstrap = bootstrap
        self._topic = topic
        with self._consumer() as consumer:
            deadline = time.monotonic() + 15
            while not (partitions := consumer.partitions_for_topic(topic)) and time.monotonic() < deadline:
                time.sleep(0.2)  # a topic created a moment ago may not be in metadata yet
                consumer.topics()  # refreshes the metadata
            assert partitions, f"topic {topic} does not exist"
            self._partitions = [TopicPartition(topic, p) for p in sorted(partitions)]
            self._start: dict[TopicPartition, int] = consumer.end_offsets(self._partitions)

    def _consumer(self) -> KafkaConsumer:
        return KafkaConsumer(
            bootstrap_servers=self._bootstrap,
            enable_auto_commit=False,
            group_id=None,
            request_timeout_ms=10_000,
            reconnect_backoff_max_ms=500,
        )

    def records_since(self) -> list[Record]:
        """Every record written since the window opened, in (partition, offset) order."""
        with self._consumer() as consumer:
            end = consumer.end_offsets(self._partitions)
            consumer.assign(self._partitions)
            for tp in self._partitions:
                consumer.seek(tp, self._start[tp])
            records: list[Record] = []
            pending = {tp for tp in self._partitions if end[tp] > self._start[tp]}
            while pending:
                batches = consumer.poll(timeout_ms=5000)
                if not batches:
                    raise AssertionError(f"timed out reading {self._topic}; still waiting for {pending}")
                for tp, messages in batches.items():
                    for message in messages:
                        if message.offset < end[tp]:
                            key = message.key.decode() if message.key is not None else ""
                            records.append(Record(tp.partition, message.offset, key, message.value))
                    if consumer.position(tp) >= end[tp]:
                        pending.discard(tp)
        return sorted(records, key=lambda r: (r.partition, r.offset))


@pytest.fixture
def topic_window(stack: StackConfig) -> Callable[[str], TopicWindow]:
    """``topic_window(topic)`` marks the topic's current end; ``.records_since()`` reads after it."""
    return lambda topic: TopicWindow(stack.kafka_bootstrap, topic)


@pytest.fixture
def private_topic(stack: StackConfig) -> Iterator[str]:
    """A throw-away 3-partition topic, for records no other test's consumer expects."""
    with temporary_topic(stack.kafka_bootstrap, "test.serving-relay", partitions=3) as name:
        yield name


@pytest.fixture
def one_partition_topic(stack: StackConfig) -> Iterator[str]:
    """A throw-away topic of one partition: its records reach a consumer in the order sent."""
    with temporary_topic(stack.kafka_bootstrap, "test.saga-consumer", partitions=1) as name:
        yield name


class FreshOrders:
    """The orders service on its own new database: an app client, a restaurant, the outbox, relays."""

    def __init__(self, settings: ServingSettings, client: TestClient) -> None:
        self.settings = settings
        self.client = client
        self.engine = create_engine(settings.database_url)
        self.kitchen = Kitchen(client, settings, menu=MENU)  # its events go to the restaurants' outbox
        self._relays: list[OutboxRelay] = []

    def place(self, customer: str | None = None, **overrides: Any) -> dict[str, Any]:
        token = issue_access_token(customer or _new_customer(), Role.CUSTOMER, self.settings)
        response = self.client.post(
            "/api/v1/orders", json=usual_order(self.kitchen, **overrides), headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def append_probe(self, topic: str, key: str, sequence: int) -> None:
        """An outbox row for a test-only event carrying its per-key sequence number."""
        envelope = EventEnvelope(
            event_type="RelayOrderProbe",
            schema_version=1,
            producer="serving-tests",
            aggregate_id=key,
            payload={"sequence": sequence},
        )
        with self.engine.begin() as connection:
            connection.execute(
                sa.insert(outbox).values(
                    event_id=envelope.event_id,
                    topic=topic,
                    message_key=key,
                    event_type=envelope.event_type,
                    payload=envelope.model_dump(mode="json"),
                    occurred_at=envelope.occurred_at,
                )
            )

    def unpublished(self) -> int:
        with self.engine.connect() as connection:
            query = sa.select(sa.func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
            return int(connection.execute(query).scalar_one())

    def outbox_keys_in_id_order(self) -> list[str]:
        with self.engine.connect() as connection:
            return list(connection.execute(sa.select(outbox.c.message_key).order_by(outbox.c.id)).scalars())

    def relay(
        self, batch_size: int = 100, producer_factory: Callable[[], Any] | None = None, **options: Any
    ) -> OutboxRelay:
        relay = OutboxRelay(
            self.engine,
            producer_factory or kafka_producer_factory(self.settings),
            batch_size,
            publish_timeout_seconds=self.settings.kafka_timeout_ms / 1000,
            **{"outbox": outbox, **options},
        )
        self._relays.append(relay)
        return relay

    def close(self) -> None:
        for relay in self._relays:
            relay.close()
        self.engine.dispose()


@pytest.fixture
def fresh_orders(fresh_database_url: str, stack: StackConfig) -> Iterator[FreshOrders]:
    settings = ServingSettings.of(
        database_url=fresh_database_url,
        kafka_bootstrap=stack.kafka_bootstrap,
        jwt_secret=f"test-secret-{uuid.uuid4().hex}{uuid.uuid4().hex}",
        service_name=f"relay-test-{uuid.uuid4().hex[:6]}",
        redis_url=stack.redis_url,
        kafka_timeout_ms=3000,
        rate_limit_enabled=False,
    )
    with TestClient(create_app(settings)) as client:
        orders_service = FreshOrders(settings, client)
        try:
            yield orders_service
        finally:
            orders_service.close()
