"""Which searches may count toward the popular list, and the per-user "already counted" key."""

from __future__ import annotations

from serving.restaurants.adapters.popular_searches import COUNTED_PREFIX, countable, counted_key


def test_only_a_search_that_found_something_counts() -> None:
    assert countable("butter chicken", found_anything=True)
    assert not countable("butter chicken", found_anything=False)
    assert not countable("x", found_anything=True)  # too short to be a useful suggestion


def test_the_counted_mark_is_per_user_and_query_and_does_not_name_the_user() -> None:
    key = counted_key("cust-42", "momos")
    assert key.startswith(f"{COUNTED_PREFIX}:") and "cust-42" not in key
    assert key == counted_key("cust-42", "momos")
    assert len({key, counted_key("cust-43", "momos"), counted_key("cust-42", "dosa")}) == 3
    # The separator keeps ("ab", "c") and ("a", "bc") apart.
    assert counted_key("ab", "c") != counted_key("a", "bc")
