"""is_open_at: weekly hours in the restaurant's timezone, midnight-spanning shifts, status."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from serving.restaurants.domain.hours import Interval, hours_from_json, is_known_timezone, is_open_at, parse_hhmm
from serving.restaurants.entrypoints.schemas import OpeningHours

EVERY_DAY_11_23 = OpeningHours.every_day("11:00", "23:00").intervals()
LATE_NIGHT = OpeningHours.every_day("18:00", "02:00").intervals()
KOLKATA = "Asia/Kolkata"


def ist(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A UTC instant given as Indian local time (UTC+05:30)."""
    from zoneinfo import ZoneInfo

    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(KOLKATA)).astimezone(UTC)


def test_a_restaurant_is_open_inside_its_hours_in_its_own_timezone() -> None:
    # 12:00 IST is 06:30 UTC: open by local time, although 06:30 is outside 11-23.
    assert is_open_at(EVERY_DAY_11_23, KOLKATA, "ACTIVE", ist(2026, 11, 25, 12))
    assert not is_open_at(EVERY_DAY_11_23, KOLKATA, "ACTIVE", ist(2026, 11, 25, 10, 59))


def test_opening_is_inclusive_and_closing_exclusive() -> None:
    assert is_open_at(EVERY_DAY_11_23, KOLKATA, "ACTIVE", ist(2026, 11, 25, 11))
    assert not is_open_at(EVERY_DAY_11_23, KOLKATA, "ACTIVE", ist(2026, 11, 25, 23))


def test_a_shift_past_midnight_is_open_before_and_after_midnight() -> None:
    assert is_open_at(LATE_NIGHT, KOLKATA, "ACTIVE", ist(2026, 11, 25, 23, 30))
    assert is_open_at(LATE_NIGHT, KOLKATA, "ACTIVE", ist(2026, 11, 26, 1, 59))
    assert not is_open_at(LATE_NIGHT, KOLKATA, "ACTIVE", ist(2026, 11, 26, 2))
    assert not is_open_at(LATE_NIGHT, KOLKATA, "ACTIVE", ist(2026, 11, 26, 12))


def test_after_midnight_only_yesterdays_late_shift_counts() -> None:
    # Friday 18:00-02:00 only: open at Saturday 01:00, closed at Friday 01:00.
    friday_only = hours_from_json({"fri": [{"open": "18:00", "close": "02:00"}]})
    saturday_1am = ist(2026, 11, 28, 1)  # 2026-11-28 is a Saturday
    friday_1am = ist(2026, 11, 27, 1)
    assert is_open_at(friday_only, KOLKATA, "ACTIVE", saturday_1am)
    assert not is_open_at(friday_only, KOLKATA, "ACTIVE", friday_1am)


def test_equal_open_and_close_means_open_all_day() -> None:
    all_day = OpeningHours.every_day("00:00", "00:00").intervals()
    for hour in (0, 6, 12, 23):
        assert is_open_at(all_day, KOLKATA, "ACTIVE", ist(2026, 11, 25, hour))


def test_a_day_without_intervals_is_closed() -> None:
    closed_monday = hours_from_json({"tue": [{"open": "11:00", "close": "23:00"}]})
    assert not is_open_at(closed_monday, KOLKATA, "ACTIVE", ist(2026, 11, 23, 12))  # a Monday


@pytest.mark.parametrize("status", ["INACTIVE", "CLOSED"])
def test_only_an_active_restaurant_is_ever_open(status: str) -> None:
    assert not is_open_at(EVERY_DAY_11_23, KOLKATA, status, ist(2026, 11, 25, 12))


def test_the_same_instant_depends_on_the_restaurants_timezone() -> None:
    at = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # 17:30 in Kolkata, 07:00 in New York
    assert is_open_at(EVERY_DAY_11_23, KOLKATA, "ACTIVE", at)
    assert not is_open_at(EVERY_DAY_11_23, "America/New_York", "ACTIVE", at)


def test_a_naive_instant_is_refused() -> None:
    with pytest.raises(ValueError):
        is_open_at(EVERY_DAY_11_23, KOLKATA, "ACTIVE", datetime(2026, 11, 25, 12))


def test_times_are_parsed_strictly() -> None:
    assert parse_hhmm("09:05") == time(9, 5)
    assert Interval(time(18), time(2)).spans_midnight
    for bad in ("9:05", "0905", "ab:cd", "09:5"):
        with pytest.raises(ValueError):
            parse_hhmm(bad)


@pytest.mark.parametrize("name", ["Asia/Kolkata", "UTC", "Etc/GMT+5", "America/Argentina/Buenos_Aires", "Factory"])
def test_names_of_the_tz_database_are_known_timezones(name: str) -> None:
    assert is_known_timezone(name)


@pytest.mark.parametrize(
    "name",
    ["Asia", "Etc", "Etc/", "../x", "", "/etc/localtime", "localtime", "posixrules", "right/UTC", "asia/kolkata"],
)
def test_directories_paths_and_other_files_are_not_timezones(name: str) -> None:
    assert not is_known_timezone(name)
