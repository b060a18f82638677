"""Calls released together on threads, for races."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def at_once(calls: list[Callable[[], T]], timeout: float = 60) -> list[T]:
    """Runs each call on a thread of its own, all released by one barrier; their results
    in call order (an exception in a call fails the test with it)."""
    barrier = threading.Barrier(len(calls))
    results: list[T | None] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = calls[index]()
        except BaseException as error:  # re-raised below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), f"a call took longer than {timeout}s"
    if errors:
        raise errors[0]
    return results  # type: ignore[return-value]  # every slot filled: no thread failed or hung
