from itertools import islice

from serving.orders.domain.pricing import haversine_km
from simulation.order_requests import MAX_LINES, Dish, Restaurant, order_requests

CATALOGUE = [
    Restaurant("r-delhi", 28.63, 77.21, tuple(Dish(f"d{n}", 10000 + n) for n in range(8))),
    Restaurant("r-pune", 18.52, 73.85, (Dish("p1", 4550), Dish("p2", 12000))),
    Restaurant("r-chai", 12.97, 77.59, (Dish("c1", 2000),)),
]


def test_requests_are_reproducible_and_each_orders_one_restaurants_dishes_at_menu_prices() -> None:
    first = list(islice(order_requests(CATALOGUE, seed=3), 200))
    assert first == list(islice(order_requests(CATALOGUE, seed=3), 200))
    assert first != list(islice(order_requests(CATALOGUE, seed=4), 200))
    menus = {r.restaurant_id: {d.item_id: d.price_minor for d in r.dishes} for r in CATALOGUE}
    for request in first:
        menu = menus[request["restaurant_id"]]
        assert set(request) == {"restaurant_id", "lines", "delivery_location", "currency"}
        assert 1 <= len(request["lines"]) <= MAX_LINES
        assert len({line["item_id"] for line in request["lines"]}) == len(request["lines"])
        for line in request["lines"]:
            assert line["unit_price_minor"] == menu[line["item_id"]]
            assert 1 <= line["quantity"] <= 3
    assert {request["restaurant_id"] for request in first} == set(menus)


def test_every_order_is_delivered_half_a_kilometre_to_six_away_from_its_restaurant() -> None:
    places = {r.restaurant_id: r for r in CATALOGUE}
    for request in islice(order_requests(CATALOGUE, seed=8), 200):
        place, drop = places[request["restaurant_id"]], request["delivery_location"]
        assert 0.45 <= haversine_km(place.lat, place.lon, drop["lat"], drop["lon"]) <= 6.05
