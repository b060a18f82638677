from itertools import islice

from simulation.order_requests import order_requests, total_minor
from simulation.sample_data import MenuItem, load_sample, rupees_to_paise, slug


def test_the_committed_sample_holds_real_priced_items_in_several_cities() -> None:
    sample = load_sample()
    assert len(sample) > 100
    assert len({i.city for i in sample}) >= 5
    assert all(isinstance(i.price_minor, int) and i.price_minor > 0 for i in sample)
    assert len({i.item_id for i in sample}) == len(sample)


def test_rupees_become_paise_without_float_error() -> None:
    assert rupees_to_paise(208.57) == 20857
    assert rupees_to_paise("0.95") == 95
    assert rupees_to_paise(249.0) == 24900


def test_slug_is_url_safe() -> None:
    assert slug("  Domino's Pizza, MG Road! ") == "domino-s-pizza-mg-road"


def test_requests_are_reproducible_and_use_one_restaurant_each() -> None:
    sample = load_sample()
    first = list(islice(order_requests(sample, seed=3), 50))
    again = list(islice(order_requests(sample, seed=3), 50))
    assert first == again
    by_item = {i.item_id: i for i in sample}
    for request in first:
        restaurants = {by_item[line["item_id"]].restaurant_id for line in request["lines"]}
        assert restaurants == {request["restaurant_id"]}
        assert 1 <= len(request["lines"]) <= 4


def test_total_is_lines_plus_delivery_fee() -> None:
    item = MenuItem("r", "R", "Pune", "x", "i", "Idli", 4550)
    request = next(order_requests([item]))
    quantity = request["lines"][0]["quantity"]
    assert total_minor(request) == quantity * 4550 + request["delivery_fee_minor"]
