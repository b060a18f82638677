"""Pure bookkeeping for the demo: what was sent, what each layer should then hold."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass(frozen=True)
class PlacedOrder:
    order_id: str
    city: str
    total_minor: int
    placed_at: datetime


@dataclass
class Check:
    layer: str
    what: str
    expected: str
    got: str
    ok: bool
    seconds: float = 0.0


@dataclass
class Ledger:
    """Everything the demo placed, indexed for the per-layer comparisons."""

    orders: list[PlacedOrder] = field(default_factory=list)

    @property
    def ids(self) -> set[str]:
        return {o.order_id for o in self.orders}

    @property
    def gmv_minor(self) -> int:
        return sum(o.total_minor for o in self.orders)

    def last_placed_at(self) -> datetime:
        return max(o.placed_at for o in self.orders)

    def by_city_minute(
        self, window: timedelta = timedelta(minutes=1)
    ) -> dict[tuple[str, datetime], tuple[int, int]]:
        """(city, window start) -> (order count, GMV) for tumbling windows of `window`."""
        buckets: dict[tuple[str, datetime], list[int]] = defaultdict(lambda: [0, 0])
        for order in self.orders:
            bucket = buckets[(order.city, window_start(order.placed_at, window))]
            bucket[0] += 1
            bucket[1] += order.total_minor
        return {key: (count, gmv) for key, (count, gmv) in buckets.items()}


def window_start(moment: datetime, window: timedelta = timedelta(minutes=1)) -> datetime:
    epoch = datetime(1970, 1, 1, tzinfo=moment.tzinfo)
    return moment - (moment - epoch) % window


def duplicates(ids: list[str]) -> int:
    return sum(count - 1 for count in Counter(ids).values() if count > 1)


def compare_windows(
    expected: dict[tuple[str, datetime], tuple[int, int]],
    emitted: dict[tuple[str, datetime], tuple[int, int]],
) -> tuple[int, list[str]]:
    """How many of the emitted windows match the ledger, and what differs."""
    matched, problems = 0, []
    for key, got in sorted(emitted.items()):
        want = expected.get(key)
        if want == got:
            matched += 1
        else:
            problems.append(f"{key[0]} {key[1]:%H:%M}: expected {want}, Flink said {got}")
    return matched, problems
