"""Retrying transient gateway failures with capped exponential backoff.

The caller passes one closure that always sends the same idempotency key, so a retry
after a timeout (when the first attempt may have succeeded) cannot charge twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from serving.kernel.messaging.backoff import ExponentialBackoff
from serving.payments.domain.gateway import GatewayUnavailable

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """At most ``max_attempts`` calls; pauses grow ``initial * 2**n`` up to ``cap`` seconds.

    Kept short: a customer is waiting on the other end of the request.
    """

    max_attempts: int = 4
    initial_seconds: float = 0.05
    cap_seconds: float = 1.0
    jitter: float = 0.2

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")

    def backoff(self) -> ExponentialBackoff:
        return ExponentialBackoff(initial=self.initial_seconds, cap=self.cap_seconds, jitter=self.jitter)


def call_with_retries(
    call: Callable[[], T],
    policy: RetryPolicy,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """``call()`` until it returns or raises something other than GatewayUnavailable.

    Permanent errors (GatewayDeclined) propagate at once; the last GatewayUnavailable
    propagates once the attempts are used up.
    """
    backoff = policy.backoff()
    for attempt in range(1, policy.max_attempts + 1):
        try:
            return call()
        except GatewayUnavailable as exc:
            if attempt == policy.max_attempts:
                raise
            delay = backoff.next_delay()
            log.warning("gateway attempt %d failed (%s); retrying in %.3fs", attempt, exc, delay)
            sleep(delay)
    raise AssertionError("unreachable: the loop returns or raises")
