"""Composition root of the outbox relay: every service's outbox, published to Kafka.

``python -m serving.relay`` runs it until SIGINT/SIGTERM (settings from TIFFIN_*
variables); ``--once`` publishes what is pending and exits; ``--migrate`` upgrades
the schema first. A new service with an outbox adds its table to ``OUTBOX_TABLES``.
"""

from __future__ import annotations

import argparse
import logging

import sqlalchemy as sa

from serving.kernel.db import create_engine
from serving.kernel.messaging.kafka_producer import kafka_producer_factory
from serving.kernel.messaging.relay import OutboxRelay
from serving.kernel.messaging.running import drain, run_until_signalled
from serving.migrations.registry import migrate
from serving.orders.adapters.tables import outbox as orders_outbox
from serving.payments.adapters.tables import outbox as payments_outbox
from serving.restaurants.adapters.tables import outbox as restaurants_outbox
from serving.settings import ServingSettings

log = logging.getLogger("serving.relay")

OUTBOX_TABLES: tuple[sa.Table, ...] = (orders_outbox, restaurants_outbox, payments_outbox)


def build_relay(settings: ServingSettings, outbox: sa.Table) -> OutboxRelay:
    """The relay of one outbox, publishing to ``settings.kafka_bootstrap``."""
    return OutboxRelay(
        create_engine(settings.database_url),
        kafka_producer_factory(settings),
        settings.outbox_batch_size,
        outbox=outbox,
        publish_timeout_seconds=settings.kafka_timeout_ms / 1000,
        poll_interval_seconds=settings.outbox_poll_interval_seconds,
    )


def build_relays(settings: ServingSettings) -> list[OutboxRelay]:
    """One relay per service outbox, each in its own thread when run."""
    return [build_relay(settings, table) for table in OUTBOX_TABLES]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m serving.relay", description=__doc__)
    parser.add_argument("--once", action="store_true", help="drain the outbox, then exit")
    parser.add_argument("--migrate", action="store_true", help="upgrade the schema first")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")

    settings = ServingSettings()
    if args.migrate:
        migrate(settings.database_url)
    relays = build_relays(settings)
    if args.once:
        try:
            log.info("published %d outbox rows", sum(drain(relay) for relay in relays))
        finally:
            for relay in relays:
                relay.close()
    else:
        run_until_signalled(relays)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
