import json
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from contracts.envelope import EventEnvelope
from contracts.topics import PAYMENTS
from ops.stack.config import StackConfig
from ops.stack.topics import ensure_topics
from serving.kernel.messaging.kafka_producer import kafka_producer_factory
from serving.kernel.messaging.relay import OutboxRelay
from serving.payments.adapters import tables
from serving.relay import OUTBOX_TABLES
from serving.settings import ServingSettings

pytestmark = pytest.mark.stack


def test_the_relay_publishes_payment_events_to_payments_v1_keyed_by_order_in_order(
    pay: Callable[..., dict[str, Any]],
    new_customer: Callable[[], str],
    settings: ServingSettings,
    stack: StackConfig,
    db: Engine,
    topic_window: Callable[[str], Any],
) -> None:
    assert tables.outbox in OUTBOX_TABLES  # the relay process publishes the payments outbox
    ensure_topics(stack.kafka_bootstrap, [PAYMENTS])  # a broker started before the topic existed
    window = topic_window(PAYMENTS.name)
    payment = pay(new_customer(), method="cod", amount_minor=1_200)
    relay = OutboxRelay(
        db,
        kafka_producer_factory(settings),
        outbox=tables.outbox,
        publish_timeout_seconds=settings.kafka_timeout_ms / 1000,
    )
    try:
        while relay.relay_once():
            pass
    finally:
        relay.close()

    mine = [r for r in window.records_since() if r.key == payment["order_id"]]
    assert [EventEnvelope.from_json_bytes(r.value).event_type for r in mine] == ["PaymentPending"]
    assert json.loads(mine[0].value)["payload"]["payment_id"] == payment["payment_id"]
    with db.connect() as connection:
        unpublished = connection.execute(
            sa.select(sa.func.count()).select_from(tables.outbox).where(tables.outbox.c.published_at.is_(None))
        ).scalar_one()
    assert unpublished == 0
