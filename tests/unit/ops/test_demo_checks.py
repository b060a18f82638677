from datetime import UTC, datetime, timedelta

from ops.demo_checks import Ledger, PlacedOrder, compare_windows, duplicates, window_start


def _at(minute: int, second: int) -> datetime:
    return datetime(2026, 11, 25, 10, minute, second, tzinfo=UTC)


def test_window_start_floors_to_the_minute_in_utc() -> None:
    assert window_start(_at(7, 59)) == _at(7, 0)
    assert window_start(_at(8, 0)) == _at(8, 0)
    assert window_start(_at(8, 0), timedelta(minutes=5)) == _at(5, 0)


def test_ledger_buckets_orders_by_city_and_minute() -> None:
    ledger = Ledger([
        PlacedOrder("a", "Pune", 100, _at(1, 5)),
        PlacedOrder("b", "Pune", 250, _at(1, 59)),
        PlacedOrder("c", "Pune", 300, _at(2, 0)),
        PlacedOrder("d", "Goa", 40, _at(1, 30)),
    ])
    assert ledger.by_city_minute() == {
        ("Pune", _at(1, 0)): (2, 350),
        ("Pune", _at(2, 0)): (1, 300),
        ("Goa", _at(1, 0)): (1, 40),
    }
    assert ledger.gmv_minor == 690 and ledger.last_placed_at() == _at(2, 0)


def test_duplicates_counts_extra_copies() -> None:
    assert duplicates(["a", "b", "a", "a"]) == 2
    assert duplicates([]) == 0


def test_compare_windows_reports_mismatches() -> None:
    expected = {("Pune", _at(1, 0)): (2, 350)}
    matched, problems = compare_windows(expected, {("Pune", _at(1, 0)): (2, 350)})
    assert (matched, problems) == (1, [])
    matched, problems = compare_windows(expected, {("Pune", _at(1, 0)): (3, 400)})
    assert matched == 0 and "expected (2, 350)" in problems[0]
