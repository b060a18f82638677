"""``python -m serving.consumers <name>|all``: run consumers until SIGINT/SIGTERM.

Names: ``orders-saga``, ``payments-saga``, ``accept-timeout`` (serving/consumers/registry.py).
Each runs in its own thread; on a signal each finishes the batch in hand, commits
and closes. ``--migrate`` upgrades the schema first.
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from types import FrameType

from serving.consumers.registry import CONSUMERS
from serving.db import create_engine, migrate
from serving.settings import ServingSettings

log = logging.getLogger("serving.consumers")


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
    names = list(CONSUMERS) if not args.names or "all" in args.names else list(dict.fromkeys(args.names))
    engine = create_engine(settings.database_url)
    runnables = [CONSUMERS[name](settings, engine) for name in names]
    stop = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %d: stopping after the current batch", signum)
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    threads = [threading.Thread(target=r.run, args=(stop,), name=r.name, daemon=True) for r in runnables]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        for thread in threads:
            thread.join(timeout=0.5)
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
