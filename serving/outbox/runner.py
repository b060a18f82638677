"""Building and running an outbox relay from settings (used by ``python -m
serving.outbox``, the ``tiffin`` CLI and the demo)."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

from serving.db import create_engine
from serving.outbox.kafka_producer import kafka_producer_factory
from serving.outbox.relay import OutboxRelay
from serving.settings import ServingSettings

log = logging.getLogger(__name__)


def build_relay(settings: ServingSettings) -> OutboxRelay:
    """The orders outbox relay, publishing to ``settings.kafka_bootstrap``."""
    return OutboxRelay(
        create_engine(settings.database_url),
        kafka_producer_factory(settings),
        settings.outbox_batch_size,
        publish_timeout_seconds=settings.kafka_timeout_ms / 1000,
        poll_interval_seconds=settings.outbox_poll_interval_seconds,
    )


def drain(relay: OutboxRelay) -> int:
    """Publish everything pending now; return how many rows went out.

    Raises OutboxPublishError if Kafka fails (nothing is lost; run it again).
    """
    total = 0
    while published := relay.relay_once():
        total += published
    return total


def run_until_signalled(relay: OutboxRelay) -> None:
    """Relay until SIGINT or SIGTERM, finishing the batch in hand. Main thread only."""
    stop = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %d: stopping after the current batch", signum)
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    relay.run(stop)
