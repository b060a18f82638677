"""Ratings and reviews over HTTP on a real PostgreSQL: only a delivered order's customer
reviews it, once; the restaurant's rating moves with it; everyone reads, no one is named."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import redis
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from contracts.envelope import EventEnvelope
from serving.kernel.auth import Role
from serving.restaurants.adapters.cache.restaurant_cache import info_key
from serving.restaurants.adapters.tables import outbox, restaurants, reviews

pytestmark = pytest.mark.stack


def new_customer() -> str:
    return f"cust-{uuid.uuid4().hex[:10]}"


class Reviews:
    """Drives one restaurant's reviews through the API."""

    def __init__(self, client: TestClient, auth: Callable[..., dict[str, str]], rid: str) -> None:
        self.client = client
        self.auth = auth
        self.rid = rid
        self.url = f"/api/v1/restaurants/{rid}/reviews"

    def post(
        self, customer: str, body: Any, role: Role = Role.CUSTOMER, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        response: httpx.Response = self.client.post(
            self.url, json=body, headers={**self.auth(customer, role), **(headers or {})}
        )
        return response

    def restaurant(self, reader: str = "reader") -> dict[str, Any]:
        response = self.client.get(f"/api/v1/restaurants/{self.rid}", headers=self.auth(reader))
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def page(self, reader: str, role: Role = Role.CUSTOMER, **params: Any) -> httpx.Response:
        response: httpx.Response = self.client.get(self.url, params=params, headers=self.auth(reader, role))
        return response


@pytest.fixture
def place(
    client: TestClient, auth: Callable[..., dict[str, str]], new_owner: Callable[..., Any]
) -> Callable[[], Reviews]:
    return lambda: Reviews(client, auth, new_owner().rid)


def set_rating(engine: Engine, rid: str, average: float, count: int) -> None:
    """What seeding from real data leaves: a rating the reviews have to add to."""
    with engine.begin() as connection:
        connection.execute(
            sa.update(restaurants)
            .where(restaurants.c.restaurant_id == uuid.UUID(rid))
            .values(rating_avg=average, rating_count=count)
        )


def events(engine: Engine, rid: str, event_type: str = "RestaurantReviewed") -> list[EventEnvelope]:
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(outbox.c.payload, outbox.c.topic).where(outbox.c.message_key == rid).order_by(outbox.c.id)
        ).all()
    assert all(row.topic == "restaurants.v1" for row in rows)
    found = [EventEnvelope.model_validate(row.payload) for row in rows]
    return [e for e in found if e.event_type == event_type]


def review_rows(engine: Engine, order_id: str) -> int:
    with engine.connect() as connection:
        query = sa.select(sa.func.count()).select_from(reviews).where(reviews.c.order_id == uuid.UUID(order_id))
        return int(connection.execute(query).scalar_one())


def field_errors(response: httpx.Response) -> list[str]:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    return [e["field"] for e in response.json()["errors"]]


# --- reviewing ------------------------------------------------------------------------------


def test_a_delivered_orders_customer_reviews_it_and_the_rating_adds_to_the_seeded_one(
    place: Callable[[], Reviews],
    order_at: Callable[..., str],
    engine: Engine,
    redis_client: redis.Redis[bytes],
) -> None:
    r = place()
    set_rating(engine, r.rid, 4.3, 7)
    assert r.restaurant()["rating_count"] == 7  # and the cache now holds the old rating
    assert redis_client.exists(info_key(r.rid)) == 1
    customer = new_customer()
    delivered, completed = order_at(r.rid, customer), order_at(r.rid, customer, "COMPLETED")

    body = {"order_id": delivered, "rating": 5, "comment": "  Crisp dosa,\nhot sambar.  "}
    first = r.post(customer, body, headers={"X-Request-ID": "review-trace-0001"})

    assert first.status_code == 201, first.text
    review = first.json()
    assert review["rating"] == 5 and review["comment"] == "Crisp dosa,\nhot sambar."
    assert review["restaurant_id"] == r.rid and review["order_id"] == delivered and review["mine"] is True
    assert "customer_id" not in review
    rated = r.restaurant()  # the review invalidated the cached restaurant
    assert rated["rating_count"] == 8
    assert rated["rating_avg"] == pytest.approx((4.3 * 7 + 5) / 8)  # 4.3875

    second = r.post(customer, {"order_id": completed, "rating": 1})
    assert second.status_code == 201, second.text
    assert second.json()["comment"] is None
    rated = r.restaurant()
    assert rated["rating_count"] == 9
    assert rated["rating_avg"] == pytest.approx((4.3 * 7 + 5 + 1) / 9)  # 3.9

    reviewed = events(engine, r.rid)
    assert [e.payload["order_id"] for e in reviewed] == [delivered, completed]
    assert reviewed[0].producer == "restaurants" and reviewed[0].aggregate_id == r.rid
    assert reviewed[0].trace_id == "review-trace-0001"
    assert reviewed[0].payload["review_id"] == review["review_id"] and reviewed[0].payload["rating"] == 5
    assert reviewed[0].payload["rating_count"] == 8
    assert reviewed[0].payload["rating_avg"] == pytest.approx(4.3875)
    assert reviewed[1].payload["rating_count"] == 9
    assert "customer_id" not in reviewed[0].payload


def test_the_first_review_of_a_new_restaurant_is_its_rating(
    place: Callable[[], Reviews], order_at: Callable[..., str]
) -> None:
    r = place()
    assert (r.restaurant()["rating_avg"], r.restaurant()["rating_count"]) == (0.0, 0)
    customer = new_customer()
    assert r.post(customer, {"order_id": order_at(r.rid, customer), "rating": 4}).status_code == 201
    assert (r.restaurant()["rating_avg"], r.restaurant()["rating_count"]) == (4.0, 1)


def test_a_second_review_of_the_same_order_is_a_conflict_and_changes_nothing(
    place: Callable[[], Reviews],
    order_at: Callable[..., str],
    engine: Engine,
    count_rows: Callable[[], dict[str, int]],
) -> None:
    r = place()
    customer = new_customer()
    order_id = order_at(r.rid, customer)
    assert r.post(customer, {"order_id": order_id, "rating": 4}).status_code == 201
    before, rating = count_rows(), r.restaurant()

    again = r.post(customer, {"order_id": order_id, "rating": 1, "comment": "changed my mind"})

    assert again.status_code == 409, again.text
    assert again.json()["type"] == "urn:tiffin:problem:conflict"
    assert field_errors(again) == ["order_id"]
    assert count_rows() == before
    assert r.restaurant()["rating_count"] == rating["rating_count"] == 1
    assert review_rows(engine, order_id) == 1


@pytest.mark.parametrize("status", ["PENDING", "ACCEPTED", "OUT_FOR_DELIVERY", "CANCELLED"])
def test_an_order_that_was_not_delivered_is_a_conflict_naming_order_id(
    place: Callable[[], Reviews],
    order_at: Callable[..., str],
    count_rows: Callable[[], dict[str, int]],
    status: str,
) -> None:
    r = place()
    customer = new_customer()
    order_id = order_at(r.rid, customer, status)
    before = count_rows()

    response = r.post(customer, {"order_id": order_id, "rating": 5})

    assert response.status_code == 409, response.text
    assert field_errors(response) == ["order_id"]
    assert status in response.json()["detail"]
    assert count_rows() == before
    assert r.restaurant()["rating_count"] == 0


def test_another_customers_order_another_restaurants_order_and_an_unknown_order_are_all_not_found(
    place: Callable[[], Reviews],
    order_at: Callable[..., str],
    count_rows: Callable[[], dict[str, int]],
) -> None:
    r, elsewhere = place(), place()
    me, someone = new_customer(), new_customer()
    theirs = order_at(r.rid, someone)  # delivered, here, but not mine
    mine_elsewhere = order_at(elsewhere.rid, me)  # delivered, mine, but from another restaurant
    before = count_rows()

    answers = [
        r.post(me, {"order_id": theirs, "rating": 5}),
        r.post(me, {"order_id": mine_elsewhere, "rating": 5}),
        r.post(me, {"order_id": str(uuid.uuid4()), "rating": 5}),
    ]

    for response in answers:
        assert response.status_code == 404, response.text
        assert field_errors(response) == ["order_id"]
    # Nothing tells the three apart, so probing reveals nobody's orders.
    assert len({(a.json()["detail"], str(a.json()["errors"])) for a in answers}) == 1
    assert count_rows() == before
    # The rightful reviewers still can.
    assert r.post(someone, {"order_id": theirs, "rating": 3}).status_code == 201
    assert elsewhere.post(me, {"order_id": mine_elsewhere, "rating": 3}).status_code == 201


@pytest.mark.parametrize("role", [Role.RESTAURANT, Role.COURIER, Role.ADMIN])
def test_only_customers_may_review(
    client: TestClient,
    auth: Callable[..., dict[str, str]],
    new_owner: Callable[..., Any],
    order_at: Callable[..., str],
    count_rows: Callable[[], dict[str, int]],
    role: Role,
) -> None:
    owner = new_owner()
    r = Reviews(client, auth, owner.rid)
    customer = new_customer()
    order_id = order_at(owner.rid, customer)
    before = count_rows()

    # Even with the customer's subject (or, for RESTAURANT, as the owner rating itself).
    subjects = [customer, owner.id] if role is Role.RESTAURANT else [customer]
    for subject in subjects:
        response = r.post(subject, {"order_id": order_id, "rating": 5}, role=role)
        assert response.status_code == 403, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
    # The role is checked before the body: a bad body does not tell them more.
    assert r.post(customer, {"rating": 99}, role=role).status_code == 403
    assert client.post(r.url, json={"order_id": order_id, "rating": 5}).status_code == 401
    assert count_rows() == before


LONG = "x" * 1001

BAD_BODIES = [
    ({"order_id": "ORDER", "rating": 5}, "order_id"),
    ({"rating": 5}, "order_id"),
    ({"order_id": None, "rating": 5}, "order_id"),
    ({"order_id": 12, "rating": 5}, "order_id"),
    ({"order_id": "{order}"}, "rating"),
    ({"order_id": "{order}", "rating": 0}, "rating"),
    ({"order_id": "{order}", "rating": 6}, "rating"),
    ({"order_id": "{order}", "rating": -3}, "rating"),
    ({"order_id": "{order}", "rating": "5"}, "rating"),
    ({"order_id": "{order}", "rating": 4.5}, "rating"),
    ({"order_id": "{order}", "rating": 5.0}, "rating"),
    ({"order_id": "{order}", "rating": True}, "rating"),
    ({"order_id": "{order}", "rating": None}, "rating"),
    ({"order_id": "{order}", "rating": 10**30}, "rating"),
    ({"order_id": "{order}", "rating": 5, "comment": LONG}, "comment"),
    ({"order_id": "{order}", "rating": 5, "comment": "nul \u0000 byte"}, "comment"),
    ({"order_id": "{order}", "rating": 5, "comment": "bell \u0007"}, "comment"),
    ({"order_id": "{order}", "rating": 5, "comment": 42}, "comment"),
    ({"order_id": "{order}", "rating": 5, "comment": ["a"]}, "comment"),
    ({"order_id": "{order}", "rating": 5, "customer_id": "someone-else"}, "customer_id"),
    ({"order_id": "{order}", "rating": 5, "review_id": str(uuid.uuid4())}, "review_id"),
    ([], "body"),
    ("5 stars", "body"),
]


@pytest.mark.parametrize(("body", "field"), BAD_BODIES, ids=[f"{f}-{i}" for i, (_, f) in enumerate(BAD_BODIES)])
def test_a_bad_body_is_a_422_naming_the_field_and_writes_nothing(
    place: Callable[[], Reviews],
    order_at: Callable[..., str],
    count_rows: Callable[[], dict[str, int]],
    body: Any,
    field: str,
) -> None:
    r = place()
    customer = new_customer()
    order_id = order_at(r.rid, customer)
    if isinstance(body, dict):
        body = {k: (order_id if v == "{order}" else v) for k, v in body.items()}
    before = count_rows()

    response = r.post(customer, body)

    assert response.status_code == 422, response.text
    assert field in field_errors(response)
    assert count_rows() == before
    assert r.restaurant()["rating_count"] == 0


def test_a_comment_at_the_limit_or_blank_is_fine(place: Callable[[], Reviews], order_at: Callable[..., str]) -> None:
    r = place()
    customer = new_customer()
    longest = r.post(customer, {"order_id": order_at(r.rid, customer), "rating": 5, "comment": "é" * 1000})
    assert longest.status_code == 201, longest.text
    assert longest.json()["comment"] == "é" * 1000
    blank = r.post(customer, {"order_id": order_at(r.rid, customer), "rating": 5, "comment": " \n\t "})
    assert blank.status_code == 201, blank.text
    assert blank.json()["comment"] is None


def test_an_unknown_or_malformed_restaurant_is_refused(
    client: TestClient,
    auth: Callable[..., dict[str, str]],
    new_owner: Callable[..., Any],
    order_at: Callable[..., str],
    count_rows: Callable[[], dict[str, int]],
) -> None:
    customer = new_customer()
    order_id = order_at(new_owner().rid, customer)
    before = count_rows()
    unknown = Reviews(client, auth, str(uuid.uuid4())).post(customer, {"order_id": order_id, "rating": 5})
    assert unknown.status_code == 404 and field_errors(unknown) == ["restaurant_id"]
    malformed = Reviews(client, auth, "not-a-uuid").post(customer, {"order_id": order_id, "rating": 5})
    assert malformed.status_code == 422 and field_errors(malformed) == ["restaurant_id"]
    assert count_rows() == before


def test_a_concurrent_double_submit_stores_exactly_one_review(
    place: Callable[[], Reviews], order_at: Callable[..., str], engine: Engine
) -> None:
    for _ in range(3):
        r = place()
        customer = new_customer()
        order_id = order_at(r.rid, customer)
        barrier = threading.Barrier(4)
        statuses: list[int] = []

        def submit(
            stars: int, r: Reviews = r, order_id: str = order_id, barrier: threading.Barrier = barrier,
            customer: str = customer, statuses: list[int] = statuses,
        ) -> None:  # fmt: skip
            barrier.wait()
            statuses.append(r.post(customer, {"order_id": order_id, "rating": stars}).status_code)

        threads = [threading.Thread(target=submit, args=(stars,)) for stars in (2, 3, 4, 5)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert sorted(statuses) == [201, 409, 409, 409]
        assert review_rows(engine, order_id) == 1
        assert r.restaurant()["rating_count"] == 1
        assert len(events(engine, r.rid)) == 1


def test_concurrent_reviews_of_different_orders_all_count(
    place: Callable[[], Reviews], order_at: Callable[..., str]
) -> None:
    r = place()
    orders = [(customer, order_at(r.rid, customer)) for customer in (new_customer() for _ in range(4))]
    barrier = threading.Barrier(len(orders))
    statuses: list[int] = []

    def submit(customer: str, order_id: str, stars: int) -> None:
        barrier.wait()
        statuses.append(r.post(customer, {"order_id": order_id, "rating": stars}).status_code)

    threads = [threading.Thread(target=submit, args=(c, o, s)) for (c, o), s in zip(orders, (1, 2, 4, 5), strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [201] * 4
    rated = r.restaurant()
    assert rated["rating_count"] == 4  # the restaurant row lock: no lost update
    assert rated["rating_avg"] == pytest.approx(3.0)


# --- reading --------------------------------------------------------------------------------


def test_reviews_are_listed_newest_first_a_page_at_a_time(
    place: Callable[[], Reviews], order_at: Callable[..., str]
) -> None:
    r = place()
    written = []
    for stars in (1, 2, 3, 4, 5):
        customer = new_customer()
        response = r.post(customer, {"order_id": order_at(r.rid, customer), "rating": stars, "comment": f"{stars}*"})
        assert response.status_code == 201, response.text
        written.append((customer, response.json()))

    seen: list[dict[str, Any]] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        response = r.page("reader", **params)
        assert response.status_code == 200, response.text
        page = response.json()
        pages += 1
        assert len(page["items"]) <= 2
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert [item["review_id"] for item in seen] == [review["review_id"] for _, review in reversed(written)]
    assert [item["rating"] for item in seen] == [5, 4, 3, 2, 1]
    assert [item["comment"] for item in seen] == ["5*", "4*", "3*", "2*", "1*"]
    created = [item["created_at"] for item in seen]
    assert created == sorted(created, reverse=True)
    assert r.page("reader", limit=100).json() == {"items": seen, "next_cursor": None}


def test_readers_see_no_reviewer_and_only_the_author_sees_their_review_as_theirs(
    client: TestClient,
    auth: Callable[..., dict[str, str]],
    place: Callable[[], Reviews],
    order_at: Callable[..., str],
) -> None:
    r = place()
    author, other = new_customer(), new_customer()
    order_id = order_at(r.rid, author)
    assert r.post(author, {"order_id": order_id, "rating": 4}).status_code == 201

    own = r.page(author).json()["items"]
    assert [(i["mine"], i["order_id"]) for i in own] == [(True, order_id)]
    for reader, role in [(other, Role.CUSTOMER), ("owner-x", Role.RESTAURANT), ("k-1", Role.COURIER),
                         ("ops", Role.ADMIN), (author, Role.ADMIN)]:  # fmt: skip
        response = r.page(reader, role)
        assert response.status_code == 200, response.text
        items = response.json()["items"]
        assert [(i["mine"], i["order_id"], i["rating"]) for i in items] == [(False, None, 4)]
        assert author not in response.text  # no reviewer id anywhere in the answer
    assert client.get(r.url).status_code == 401


def test_listing_an_unknown_restaurant_or_with_a_bad_cursor_or_limit_is_refused(
    client: TestClient, auth: Callable[..., dict[str, str]], place: Callable[[], Reviews]
) -> None:
    r = place()
    assert r.page("reader").json() == {"items": [], "next_cursor": None}
    unknown = Reviews(client, auth, str(uuid.uuid4())).page("reader")
    assert unknown.status_code == 404 and field_errors(unknown) == ["restaurant_id"]
    cases: list[tuple[dict[str, Any], str]] = [
        ({"cursor": "garbage"}, "cursor"), ({"cursor": ""}, "cursor"), ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"), ({"limit": "ten"}, "limit"),
    ]  # fmt: skip
    for params, field in cases:
        response = r.page("reader", **params)
        assert response.status_code == 422, (params, response.text)
        assert field_errors(response) == [field]
