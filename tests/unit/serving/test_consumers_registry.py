"""The consumers composition root: which consumers `python -m serving.consumers` (`tiffin consumers`) runs."""

from serving import consumers
from serving.restaurants.entrypoints.consumers import CacheInvalidator


def test_all_runs_every_registered_consumer_and_the_restaurant_cache_is_one_of_them() -> None:
    assert consumers.chosen(["all"]) == consumers.chosen([]) == list(consumers.CONSUMERS)
    assert "restaurant-cache" in consumers.chosen(["all"])
    assert consumers.CONSUMERS["restaurant-cache"] is consumers.restaurant_cache
    assert CacheInvalidator.name == "restaurant-cache"  # its thread and log name match its registry name


def test_named_consumers_run_once_each_in_the_order_given() -> None:
    assert consumers.chosen(["restaurant-cache", "accept-timeout", "restaurant-cache"]) == [
        "restaurant-cache",
        "accept-timeout",
    ]
