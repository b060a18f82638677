"""Per-city order count and GMV per event-time window: the semantics, in plain Python.

The Flink job (streaming/jobs/city_order_metrics.py) runs the same rules as SQL
(streaming/transforms/order_metrics_sql.py) so it needs no Python workers. This module
is the executable statement of those rules: the unit tests pin it down, and the
integration test checks the job's output against ``aggregate`` for the records it sent.

Rules (both implementations):

* a record counts when it is a JSON object with ``event_type == "OrderPlaced"``, a
  non-empty string ``event_id``, an ``occurred_at`` in UTC ISO-8601 form
  (``YYYY-MM-DDTHH:MM:SS[.fraction](Z|+00:00|-00:00)``, what EventEnvelope writes),
  and a payload with a non-empty string ``city`` and an integer ``total_minor >= 0``;
  anything else is skipped, never an error;
* event time is ``occurred_at``; windows are tumbling, aligned to the epoch
  (``[start, start + size)``), so a 60 s window is a UTC calendar minute;
* the same ``event_id`` delivered twice (at-least-once upstream) counts once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from contracts.events.orders import OrderPlaced
from contracts.metrics import CityOrderMinute

ORDER_PLACED = OrderPlaced.event_type
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# UTC only: EventEnvelope normalises occurred_at to UTC and serialises it with "Z".
# Kept identical to the SQL check (order_metrics_sql.OCCURRED_AT_REGEX).
OCCURRED_AT_PATTERN = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]{1,9})?(Z|[+-]00:00)$"
)


@dataclass(frozen=True)
class OrderMetricEvent:
    """What the metrics job keeps of one OrderPlaced envelope."""

    event_id: str
    city: str
    gmv_minor: int
    event_time_ms: int


def parse_utc_timestamp_ms(value: object) -> int | None:
    """Epoch milliseconds of a UTC ISO-8601 timestamp string, None if it is not one."""
    if not isinstance(value, str) or not OCCURRED_AT_PATTERN.match(value):
        return None
    text = value[:-1] + "+00:00" if value.endswith("Z") else value
    head, _, fraction_and_zone = text.partition(".")
    if fraction_and_zone:  # datetime takes at most 6 fractional digits: keep milliseconds
        digits = fraction_and_zone[:-6]
        text = f"{head}.{digits[:3].ljust(3, '0')}{fraction_and_zone[-6:]}"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return (moment - EPOCH) // timedelta(milliseconds=1)


def parse_order_placed(raw: bytes | str | None) -> OrderMetricEvent | None:
    """The metrics-relevant fields of an OrderPlaced envelope, or None to skip the record."""
    if raw is None:
        return None
    try:
        envelope = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(envelope, dict) or envelope.get("event_type") != ORDER_PLACED:
        return None
    event_id = envelope.get("event_id")
    payload = envelope.get("payload")
    if not isinstance(event_id, str) or not event_id or not isinstance(payload, dict):
        return None
    city = payload.get("city")
    total = payload.get("total_minor")
    if not isinstance(city, str) or not city:
        return None
    if not isinstance(total, int) or isinstance(total, bool) or total < 0:
        return None
    event_time_ms = parse_utc_timestamp_ms(envelope.get("occurred_at"))
    if event_time_ms is None:
        return None
    return OrderMetricEvent(event_id, city, total, event_time_ms)


def window_start_ms(event_time_ms: int, window_ms: int) -> int:
    """Start of the tumbling window (aligned to the epoch) holding event_time_ms."""
    if window_ms <= 0:
        raise ValueError(f"window size must be positive, got {window_ms} ms")
    return event_time_ms - event_time_ms % window_ms


def ms_to_utc(epoch_ms: int) -> datetime:
    return EPOCH + timedelta(milliseconds=epoch_ms)


def city_order_minute(
    city: str, window_start: int, window_ms: int, order_count: int, gmv_minor: int
) -> CityOrderMinute:
    """The record published for one city and one window (times as epoch ms)."""
    return CityOrderMinute(
        city=city,
        window_start=ms_to_utc(window_start),
        window_end=ms_to_utc(window_start + window_ms),
        order_count=order_count,
        gmv_minor=gmv_minor,
    )


def aggregate(raw_records: Iterable[bytes | str | None], window_ms: int) -> list[CityOrderMinute]:
    """Every window's record for these records, as the job emits them when none is late.

    Sorted by (window_start, city). Duplicated event_ids count once per window.
    """
    seen: set[tuple[int, str]] = set()
    totals: dict[tuple[int, str], tuple[int, int]] = {}
    for raw in raw_records:
        event = parse_order_placed(raw)
        if event is None:
            continue
        start = window_start_ms(event.event_time_ms, window_ms)
        if (start, event.event_id) in seen:
            continue
        seen.add((start, event.event_id))
        count, gmv = totals.get((start, event.city), (0, 0))
        totals[(start, event.city)] = (count + 1, gmv + event.gmv_minor)
    return [
        city_order_minute(city, start, window_ms, count, gmv) for (start, city), (count, gmv) in sorted(totals.items())
    ]
