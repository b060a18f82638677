"""Composition root of the event consumers: every consumer by name, built from settings.

``python -m serving.consumers <name>…|all`` (``tiffin consumers``) runs them until
SIGINT/SIGTERM, each in its own thread; on a signal each finishes the batch in hand,
commits and closes. ``--migrate`` upgrades the schema first.
"""

from __future__ import annotations

import argparse
import logging
import threading
from collections.abc import Callable, Sequence
from typing import Protocol

from sqlalchemy.engine import Engine

from serving.kernel.db import create_engine
from serving.kernel.messaging.consumer import IdempotentConsumer
from serving.kernel.messaging.running import run_until_signalled
from serving.migrations.registry import migrate
from serving.orders import bootstrap as orders_bootstrap
from serving.orders.entrypoints import consumers as orders_consumers
from serving.orders.entrypoints.sweeper import AcceptTimeoutSweeper
from serving.payments import bootstrap as payments_bootstrap
from serving.payments.entrypoints import consumers as payments_consumers
from serving.restaurants import bootstrap as restaurants_bootstrap
from serving.restaurants.entrypoints.consumers import CacheInvalidator
from serving.settings import ServingSettings

log = logging.getLogger("serving.consumers")


class Runnable(Protocol):
    name: str

    def run(self, stop: threading.Event) -> None: ...

    def close(self) -> None: ...


def _group(name: str) -> str:
    return f"tiffin-{name}"


def orders_saga(settings: ServingSettings, engine: Engine, group: str | None = None) -> IdempotentConsumer:
    """The orders service's consumer of payments.v1 (PaymentFailed -> CANCELLED). ``group``
    replaces the deployment's consumer group (tests use private ones)."""
    return orders_bootstrap.payment_events_consumer(settings, engine, group or _group(orders_consumers.CONSUMER))


def payments_saga(settings: ServingSettings, engine: Engine, group: str | None = None) -> IdempotentConsumer:
    """The payments service's consumer of orders.v1 (rejections and cancellations -> refunds,
    deliveries -> COD settled). ``group`` replaces the deployment's consumer group (tests
    use private ones)."""
    return payments_bootstrap.order_events_consumer(settings, engine, group or _group(payments_consumers.CONSUMER))


def accept_timeout(settings: ServingSettings, engine: Engine) -> AcceptTimeoutSweeper:
    return orders_bootstrap.accept_timeout_sweeper(settings.orders, engine)


def restaurant_cache(settings: ServingSettings, _engine: Engine) -> CacheInvalidator:
    """The restaurants service's consumer of restaurants.v1: drops cached restaurants and menus
    that changed where the API process could not see it (e.g. stock taken by the saga)."""
    return restaurants_bootstrap.cache_invalidator(settings, settings.restaurants)


CONSUMERS: dict[str, Callable[[ServingSettings, Engine], Runnable]] = {
    orders_consumers.CONSUMER: orders_saga,
    payments_consumers.CONSUMER: payments_saga,
    AcceptTimeoutSweeper.name: accept_timeout,
    CacheInvalidator.name: restaurant_cache,
}


def chosen(names: Sequence[str]) -> list[str]:
    """The consumers to run: every one for ``all`` (or no name), else those named, once each."""
    return list(CONSUMERS) if not names or "all" in names else list(dict.fromkeys(names))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m serving.consumers", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="name", help=f"one or more of {', '.join(CONSUMERS)}, or all")
    parser.add_argument("--migrate", action="store_true", help="upgrade the schema first")
    args = parser.parse_args(argv)
    unknown = set(args.names) - {*CONSUMERS, "all"}
    if unknown:
        parser.error(f"unknown consumer(s) {', '.join(sorted(unknown))}; known: {', '.join(CONSUMERS)}, all")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")

    settings = ServingSettings()
    if args.migrate:
        migrate(settings.database_url)
    names = chosen(args.names)
    engine = create_engine(settings.database_url)
    runnables = [CONSUMERS[name](settings, engine) for name in names]
    try:
        run_until_signalled(runnables)  # each closes itself when it stops
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
