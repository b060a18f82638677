"""Opening hours and "is it open now?": pure, so the rule is unit-tested without a clock.

Hours are per weekday in the restaurant's own IANA timezone, as a restaurant states
them ("Fri 18:00-02:00"). An interval whose close is not after its open runs past
midnight into the next day; ``00:00-00:00`` means open all day.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_TIMEZONE = "Asia/Kolkata"

# The zone names of the tz database, read once. Asking ZoneInfo whether a name loads is
# not enough: "Asia" is a directory (IsADirectoryError), "posixrules" or "right/UTC" are
# files that load but are no IANA name. "localtime" is the host's own zone, not a name.
TIMEZONES: frozenset[str] = frozenset(available_timezones() - {"localtime"})


def is_known_timezone(name: str) -> bool:
    """Whether ``name`` is an IANA time-zone name such as ``Asia/Kolkata``."""
    return name in TIMEZONES


@dataclass(frozen=True)
class Interval:
    opens: time
    closes: time

    @property
    def spans_midnight(self) -> bool:
        return self.closes <= self.opens


WeeklyHours = Mapping[str, Sequence[Interval]]


def parse_hhmm(text: str) -> time:
    """``"18:30"`` -> time(18, 30); raises ValueError on anything else."""
    hours, sep, minutes = text.partition(":")
    if not sep or len(hours) != 2 or len(minutes) != 2 or not (hours + minutes).isdigit():
        raise ValueError(f"expected HH:MM, got {text!r}")
    return time(int(hours), int(minutes))


def is_open_at(hours: WeeklyHours, timezone: str, status: str, at: datetime) -> bool:
    """Whether a restaurant with these hours and status takes orders at ``at`` (tz-aware).

    Only ACTIVE restaurants are ever open. Yesterday's intervals count too: a Friday
    18:00-02:00 shift is open at 01:00 on Saturday.
    """
    if status != "ACTIVE":
        return False
    if at.tzinfo is None:
        raise ValueError("at must be timezone-aware")
    local = at.astimezone(ZoneInfo(timezone))
    today = WEEKDAYS[local.weekday()]
    yesterday = WEEKDAYS[(local - timedelta(days=1)).weekday()]
    now = local.time().replace(tzinfo=None)
    for interval in hours.get(today, ()):
        if interval.spans_midnight:
            if now >= interval.opens:
                return True
        elif interval.opens <= now < interval.closes:
            return True
    # Only the part after midnight of yesterday's late shifts is left to check.
    return any(interval.spans_midnight and now < interval.closes for interval in hours.get(yesterday, ()))


def hours_from_json(raw: Mapping[str, Sequence[Mapping[str, str]]]) -> dict[str, list[Interval]]:
    """The stored/API form ``{"mon": [{"open": "11:00", "close": "23:00"}]}`` as intervals."""
    return {
        day: [Interval(parse_hhmm(i["open"]), parse_hhmm(i["close"])) for i in intervals]
        for day, intervals in raw.items()
    }
