"""Running long-lived workers (relays, consumers, sweepers) in threads until a signal."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Sequence
from types import FrameType
from typing import Protocol

log = logging.getLogger(__name__)


class Runnable(Protocol):
    """A worker loop that returns soon after ``stop`` is set."""

    @property
    def name(self) -> str: ...

    def run(self, stop: threading.Event) -> None: ...


class Drainable(Protocol):
    def relay_once(self) -> int: ...


def drain(relay: Drainable) -> int:
    """Publish everything pending now; return how many rows went out.

    Raises OutboxPublishError if Kafka fails (nothing is lost; run it again).
    """
    total = 0
    while published := relay.relay_once():
        total += published
    return total


def run_until_signalled(runnables: Sequence[Runnable]) -> None:
    """Run each worker in its own thread until SIGINT or SIGTERM; each finishes the batch in hand.

    One thread per worker: a slow or failing one never holds up another. Main thread only.
    """
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
