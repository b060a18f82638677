"""The serving code's clock: now, timezone-aware, in UTC.

Use cases take ``now: Callable[[], datetime] = utc_now`` so tests can pin time;
this is the one place that reads the system clock for them.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)
