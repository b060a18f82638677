"""Exponential backoff with a cap and jitter, for retrying an unavailable broker."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class ExponentialBackoff:
    """Delays ``initial * factor**n`` seconds, never above ``cap``.

    ``jitter`` (0..1) takes up to that fraction off each delay at random, so many
    relays that failed together do not retry in lockstep.
    """

    initial: float = 0.2
    factor: float = 2.0
    cap: float = 30.0
    jitter: float = 0.2
    random_fraction: Callable[[], float] = random.random
    failures: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        if not (0 < self.initial <= self.cap and self.factor >= 1 and 0 <= self.jitter <= 1):
            raise ValueError("need 0 < initial <= cap, factor >= 1 and 0 <= jitter <= 1")

    def next_delay(self) -> float:
        """The pause after one more consecutive failure."""
        # The exponent stops growing so factor**exponent cannot overflow a float
        # during a days-long outage; the cap has long been reached by then.
        exponent = min(self.failures, 64)
        self.failures += 1
        delay = min(self.cap, self.initial * self.factor**exponent)
        return delay * (1 - self.jitter * self.random_fraction())

    def reset(self) -> None:
        """After a success the next failure starts again from ``initial``."""
        self.failures = 0
