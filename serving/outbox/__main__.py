"""``python -m serving.outbox``: run the outbox relay until SIGINT/SIGTERM.

Settings come from TIFFIN_* variables (serving/settings.py). ``--once`` publishes
what is pending and exits; ``--migrate`` upgrades the schema first.
"""

from __future__ import annotations

import argparse
import logging

from serving.db import migrate
from serving.outbox.runner import build_relays, drain, run_until_signalled
from serving.settings import ServingSettings

log = logging.getLogger("serving.outbox")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m serving.outbox", description=__doc__)
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
        run_until_signalled(*relays)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
