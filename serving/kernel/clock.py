"""The serving code's clock: now, timezone-aware, in UTC.

Use cases take ``now: Clock = utc_now`` so tests can pin time instead of mocking it;
this is the one place that reads the system clock for them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)
