"""Building and running an outbox relay from settings (used by ``python -m
serving.outbox``, the ``tiffin`` CLI and the demo)."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

import sqlalchemy as sa

from serving.db import create_engine
from serving.orders.tables import outbox as orders_outbox
from serving.outbox.kafka_producer import kafka_producer_factory
from serving.outbox.registry import OUTBOX_TABLES
from serving.outbox.relay import OutboxRelay
from serving.settings import ServingSettings

log = logging.getLogger(__name__)


def build_relay(settings: ServingSettings, outbox: sa.Table = orders_outbox) -> OutboxRelay:
    """The relay of one outbox (default: orders), publishing to ``settings.kafka_bootstrap``."""
    return OutboxRelay(
        create_engine(settings.database_url),
        kafka_producer_factory(settings),
        settings.outbox_batch_size,
        outbox=outbox,
        publish_timeout_seconds=settings.kafka_timeout_ms / 1000,
        poll_interval_seconds=settings.outbox_poll_interval_seconds,
    )


def build_relays(settings: ServingSettings) -> list[OutboxRelay]:
    """One relay per registered outbox (serving/outbox/registry.py)."""
    return [build_relay(settings, table) for table in OUTBOX_TABLES]


def drain(relay: OutboxRelay) -> int:
    """Publish everything pending now; return how many rows went out.

    Raises OutboxPublishError if Kafka fails (nothing is lost; run it again).
    """
    total = 0
    while published := relay.relay_once():
        total += published
    return total


def run_until_signalled(*relays: OutboxRelay) -> None:
    """Relay every outbox until SIGINT or SIGTERM, finishing the batches in hand. Main thread only.

    Each outbox gets its own thread: one slow or failing outbox never holds up another.
    """
    stop = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %d: stopping after the current batch", signum)
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    threads = [
        threading.Thread(target=relay.run, args=(stop,), name=f"relay-{index}", daemon=True)
        for index, relay in enumerate(relays)
    ]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        for thread in threads:
            thread.join(timeout=0.5)
