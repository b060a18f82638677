"""Search over the seeded Zomato sample: typos, radius, filters, open now, dishes, autocomplete,
popular searches."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import redis
import sqlalchemy as sa
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from serving.kernel.auth import Role
from serving.restaurants.adapters.popular_searches import POPULAR_KEY
from serving.restaurants.domain.ranking import haversine_km

pytestmark = pytest.mark.stack

CONNAUGHT_PLACE = {"lat": 28.6315, "lon": 77.2167}
Auth = Callable[..., dict[str, str]]


def search(client: TestClient, auth: Auth, path: str = "restaurants", **params: Any) -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/search/{path}", params=params, headers=auth())
    assert response.status_code == 200, response.text
    result: list[dict[str, Any]] = response.json()
    return result


def menu_text(engine: Engine, restaurant_id: str) -> str:
    with engine.connect() as connection:
        return str(
            connection.execute(
                sa.text("SELECT lower(search_text) FROM restaurants.restaurants WHERE restaurant_id = :id"),
                {"id": restaurant_id},
            ).scalar_one()
        )


def test_a_misspelt_dish_finds_the_places_that_serve_it(client: TestClient, auth: Auth, seeded: Engine) -> None:
    typo = search(client, auth, q="biriyani", radius_km=10, **CONNAUGHT_PLACE)
    correct = search(client, auth, q="biryani", radius_km=10, **CONNAUGHT_PLACE)
    assert len(typo) >= 3
    for hit in typo:
        assert "biryani" in menu_text(seeded, hit["restaurant_id"])
    assert {h["restaurant_id"] for h in typo[:3]} <= {h["restaurant_id"] for h in correct}


def test_a_misspelt_restaurant_name_finds_that_restaurant_first(client: TestClient, auth: Auth) -> None:
    hits = search(client, auth, q="saravanna bhavan", radius_km=10, **CONNAUGHT_PLACE)
    assert hits and hits[0]["name"] == "Saravana Bhavan"


def test_results_are_sorted_by_the_relevance_score(client: TestClient, auth: Auth) -> None:
    hits = search(client, auth, q="pizza", radius_km=15, **CONNAUGHT_PLACE)
    scores = [h["score"] for h in hits]
    assert len(hits) >= 2 and scores == sorted(scores, reverse=True)


def test_only_restaurants_within_the_radius_are_returned(client: TestClient, auth: Auth, seeded: Engine) -> None:
    near = search(client, auth, radius_km=3, limit=50, **CONNAUGHT_PLACE)
    wide = search(client, auth, radius_km=50, limit=50, **CONNAUGHT_PLACE)
    assert near and all(h["distance_km"] <= 3 for h in near)
    assert any(h["distance_km"] > 3 for h in wide)
    with seeded.connect() as connection:  # a real Gurgaon restaurant, about 25 km away
        gurgaon_id, name = connection.execute(
            sa.text(
                "SELECT restaurant_id::text, name FROM restaurants.restaurants WHERE city = 'Gurgaon'"
                " ORDER BY popularity DESC LIMIT 1"
            )
        ).one()
    wide_ids = [h["restaurant_id"] for h in search(client, auth, q=name, radius_km=50, **CONNAUGHT_PLACE)]
    near_ids = [h["restaurant_id"] for h in search(client, auth, q=name, radius_km=10, **CONNAUGHT_PLACE)]
    assert gurgaon_id in wide_ids and gurgaon_id not in near_ids


def test_the_reported_distance_is_the_great_circle_distance(client: TestClient, auth: Auth, seeded: Engine) -> None:
    hit = search(client, auth, q="saravana", radius_km=10, **CONNAUGHT_PLACE)[0]
    with seeded.connect() as connection:
        lat, lon = connection.execute(
            sa.text("SELECT lat, lon FROM restaurants.restaurants WHERE restaurant_id = :id"),
            {"id": hit["restaurant_id"]},
        ).one()
    expected = haversine_km(CONNAUGHT_PLACE["lat"], CONNAUGHT_PLACE["lon"], lat, lon)
    assert hit["distance_km"] == pytest.approx(expected, abs=0.01)


def test_filters_narrow_by_cuisine_and_rating(client: TestClient, auth: Auth) -> None:
    south = search(client, auth, cuisine="south indian", radius_km=20, **CONNAUGHT_PLACE)
    assert south and all("south indian" in [c.lower() for c in h["cuisines"]] for h in south)
    top = search(client, auth, min_rating=4.5, radius_km=20, limit=50, **CONNAUGHT_PLACE)
    assert top and all(h["rating_avg"] >= 4.5 for h in top)


def create(client: TestClient, auth: Auth, name: str, hours: dict[str, Any], dishes: list[tuple[str, bool]]) -> str:
    headers = auth(f"owner-{name}", Role.RESTAURANT)
    body = {"name": name, "address": "Janpath", "city": "New Delhi", "cuisines": ["Cafe"], "opening_hours": hours,
            **CONNAUGHT_PLACE}  # fmt: skip
    rid: str = client.post("/api/v1/restaurants", json=body, headers=headers).json()["restaurant_id"]
    for dish, veg in dishes:
        item = {"name": dish, "price_minor": 10000, "is_veg": veg}
        assert client.post(f"/api/v1/restaurants/{rid}/menu/items", json=item, headers=headers).status_code == 201
    return rid


def test_open_now_leaves_out_closed_restaurants(client: TestClient, auth: Auth) -> None:
    always = {d: [{"open": "00:00", "close": "00:00"}] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    open_id = create(client, auth, "Zanzibar Always Open", always, [("Masala Chai", True)])
    closed_id = create(client, auth, "Zanzibar Never Open", {}, [("Masala Chai", True)])
    every = search(client, auth, q="zanzibar", radius_km=1, **CONNAUGHT_PLACE)
    only_open = search(client, auth, q="zanzibar", radius_km=1, open_now=True, **CONNAUGHT_PLACE)
    assert {h["restaurant_id"]: h["is_open_now"] for h in every} == {open_id: True, closed_id: False}
    assert [h["restaurant_id"] for h in only_open] == [open_id]


def test_veg_means_restaurants_without_any_non_veg_dish(client: TestClient, auth: Auth) -> None:
    always = {d: [{"open": "00:00", "close": "00:00"}] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    veg_id = create(client, auth, "Quokka Greens", always, [("Paneer Tikka", True)])
    create(client, auth, "Quokka Grill", always, [("Paneer Tikka", True), ("Chicken Tikka", False)])
    hits = search(client, auth, q="quokka", veg=True, radius_km=1, **CONNAUGHT_PLACE)
    assert [h["restaurant_id"] for h in hits] == [veg_id]


def test_dishes_are_found_across_restaurants_and_within_one(client: TestClient, auth: Auth) -> None:
    across = search(client, auth, "items", q="paner tikka", limit=50)
    assert across and all("paneer" in h["name"].lower() or "tikka" in h["name"].lower() for h in across)
    restaurant_id = across[0]["restaurant_id"]
    within = search(client, auth, "items", q="paner tikka", restaurant_id=restaurant_id)
    assert within and {h["restaurant_id"] for h in within} == {restaurant_id}
    veg_only = search(client, auth, "items", q="tikka", veg=True, limit=50)
    assert veg_only and all(h["is_veg"] for h in veg_only)


def test_autocomplete_suggests_cuisines_restaurants_and_dishes(client: TestClient, auth: Auth) -> None:
    suggestions = search(client, auth, "suggest", q="bir")
    assert {"text": "Biryani", "kind": "cuisine"} in suggestions
    assert any(s["kind"] == "dish" and "biryani" in s["text"].lower() for s in suggestions)
    names = search(client, auth, "suggest", q="hauz")
    assert {"text": "Hauz Khas Social", "kind": "restaurant"} in names


def new_user() -> str:
    # Fresh per run: the per-user "already counted" marks outlive a test in the kept stack's Redis.
    return f"searcher-{uuid.uuid4().hex[:10]}"


def search_as(client: TestClient, auth: Auth, user: str, path: str = "restaurants", **params: Any) -> list[Any]:
    response = client.get(f"/api/v1/search/{path}", params=params, headers=auth(user))
    assert response.status_code == 200, response.text
    result: list[Any] = response.json()
    return result


def popular_counts(client: TestClient, auth: Auth) -> dict[str, int]:
    return {row["query"]: row["count"] for row in search(client, auth, "popular", limit=50)}


def test_popular_searches_are_counted_once_per_user_and_served_from_redis(
    client: TestClient, auth: Auth, redis_client: redis.Redis[bytes]
) -> None:
    redis_client.delete(POPULAR_KEY)
    first, second, third, fourth = (new_user() for _ in range(4))
    assert search_as(client, auth, first, q="Butter  Chicken")
    assert search_as(client, auth, second, "items", q="butter chicken")
    assert search_as(client, auth, third, q="BUTTER chicken")
    assert search_as(client, auth, fourth, q="momos")
    popular = search(client, auth, "popular", limit=5)
    assert popular[:2] == [{"query": "butter chicken", "count": 3}, {"query": "momos", "count": 1}]
    assert redis_client.zscore(POPULAR_KEY, "butter chicken") == 3


def test_one_user_repeating_a_search_counts_once_even_when_the_requests_race(
    client: TestClient, auth: Auth, redis_client: redis.Redis[bytes]
) -> None:
    redis_client.delete(POPULAR_KEY)
    stuffer = new_user()
    for _ in range(25):
        assert search_as(client, auth, stuffer, q="paneer tikka")
    barrier = threading.Barrier(25)
    statuses: list[int] = []

    def stuff() -> None:
        barrier.wait()
        statuses.append(client.get("/api/v1/search/items", params={"q": "pizza"}, headers=auth(stuffer)).status_code)

    threads = [threading.Thread(target=stuff) for _ in range(25)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 25
    assert search_as(client, auth, new_user(), q="momos")
    assert search_as(client, auth, new_user(), q="momos")
    assert popular_counts(client, auth) == {"momos": 2, "paneer tikka": 1, "pizza": 1}


# Strings that find nothing (the injection attempts a hostile client put on the list).
FINDS_NOTHING = ["'; DROP TABLE restaurants; --", "<script>alert(1)</script>", "qqxzv wkjhg", "${jndi:ldap://x}"]


def test_a_search_that_finds_nothing_is_never_popular(
    client: TestClient, auth: Auth, redis_client: redis.Redis[bytes]
) -> None:
    redis_client.delete(POPULAR_KEY)
    for text in FINDS_NOTHING:
        for _ in range(3):
            user = new_user()  # many users, so only the "found nothing" rule can keep it off
            assert search_as(client, auth, user, q=text) == []
            assert search_as(client, auth, user, "items", q=text) == []
    assert popular_counts(client, auth) == {}
    assert redis_client.zcard(POPULAR_KEY) == 0


def test_distinct_users_searching_the_same_thing_raise_it(
    client: TestClient, auth: Auth, redis_client: redis.Redis[bytes]
) -> None:
    redis_client.delete(POPULAR_KEY)
    loud = new_user()
    for _ in range(25):  # one user, 25 times
        assert search_as(client, auth, loud, q="biryani")
    for count in range(1, 4):  # three users, once each
        assert search_as(client, auth, new_user(), q="dosa")
        assert popular_counts(client, auth)["dosa"] == count
    assert search(client, auth, "popular", limit=2) == [{"query": "dosa", "count": 3}, {"query": "biryani", "count": 1}]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"lat": 28.6}, "lon"),
        ({"lat": 91, "lon": 77}, "lat"),
        ({"radius_km": 0}, "radius_km"),
        ({"radius_km": "far"}, "radius_km"),
        ({"min_rating": 6}, "min_rating"),
        ({"limit": 0}, "limit"),
        ({"q": "x" * 101}, "q"),
        ({"lat": "nan", "lon": 77}, "lat"),
    ],
)
def test_bad_search_parameters_are_422_naming_the_parameter(
    client: TestClient, auth: Auth, params: dict[str, Any], field: str
) -> None:
    response = client.get("/api/v1/search/restaurants", params=params, headers=auth())
    assert response.status_code == 422, response.text
    assert field in [e["field"] for e in response.json()["errors"]]


def test_search_needs_a_token(client: TestClient) -> None:
    assert client.get("/api/v1/search/restaurants", params={"q": "dosa"}).status_code == 401
    assert client.get("/api/v1/search/items", params={"q": " "}).status_code in (401, 422)


@hyp_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=60))
def test_no_search_text_causes_a_500(client: TestClient, auth: Auth, text: str) -> None:
    for path in ("restaurants", "items", "suggest"):
        response = client.get(f"/api/v1/search/{path}", params={"q": text}, headers=auth())
        assert response.status_code in (200, 422), (path, text, response.text)


@pytest.mark.parametrize("path", ["restaurants", "items", "suggest"])
@pytest.mark.parametrize("text", ["\x00", "biryani\x00", "dosa\n"])
def test_control_characters_in_a_search_are_422_naming_q(client: TestClient, auth: Auth, path: str, text: str) -> None:
    response = client.get(f"/api/v1/search/{path}", params={"q": text}, headers=auth())
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["q"]
