"""Idempotent placement and order history over real HTTP (uvicorn) on a real PostgreSQL."""

import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
import uvicorn
from sqlalchemy.engine import Engine

from serving.app import create_app
from serving.kernel.auth import Role, issue_access_token
from serving.orders.adapters.pricing_catalog import CatalogPricing
from serving.orders.adapters.tables import idempotency_keys, orders, outbox
from serving.orders.entrypoints.schemas import PlaceOrderRequest
from serving.orders.use_cases import placement
from serving.settings import ServingSettings
from tests.utils.catalogue import Kitchen
from tests.utils.ports import free_port

pytestmark = pytest.mark.stack


class Api:
    """A real uvicorn server in a thread, and a restaurant its orders come from by default."""

    def __init__(self, base_url: str, settings: ServingSettings, engine: Engine) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=30)
        self.settings = settings
        self.engine = engine
        self.kitchen = self.new_kitchen()

    def new_kitchen(self, owner: str | None = None) -> Kitchen:
        return Kitchen(self.http, self.settings, menu={"Idli": 4550}, owner=owner)

    def headers(self, subject: str, role: Role = Role.CUSTOMER, key: str | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {issue_access_token(subject, role, self.settings)}"}
        if key is not None:
            headers["Idempotency-Key"] = key
        return headers

    def body(self, kitchen: Kitchen | None = None, quantity: int = 3) -> dict[str, Any]:
        """``quantity`` idlis at ``kitchen``, at the price the customer saw on its menu."""
        kitchen = kitchen or self.kitchen
        lines = [{**line, "unit_price_minor": 4550} for line in kitchen.lines({"Idli": quantity})]
        return kitchen.order_body(lines=lines)

    def place(
        self, customer: str, key: str | None = None, kitchen: Kitchen | None = None, quantity: int = 3
    ) -> httpx.Response:
        body = self.body(kitchen, quantity)
        return self.http.post("/api/v1/orders", json=body, headers=self.headers(customer, key=key))

    def history(self, subject: str, role: Role = Role.CUSTOMER, **params: Any) -> httpx.Response:
        return self.http.get("/api/v1/orders", params=params, headers=self.headers(subject, role))

    def all_pages(self, subject: str, role: Role = Role.CUSTOMER, **params: Any) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        cursor = None
        for _ in range(100):
            response = self.history(subject, role, **params, **({"cursor": cursor} if cursor else {}))
            assert response.status_code == 200, response.text
            page = response.json()
            assert len(page["items"]) <= params.get("limit", 20)
            items += page["items"]
            cursor = page["next_cursor"]
            if cursor is None:
                return items
        raise AssertionError("pagination did not end")

    def count(self, table: sa.Table, *where: Any) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar_one())


@pytest.fixture(scope="module")
def api(settings: ServingSettings, engine: Engine) -> Iterator[Api]:
    app = create_app(settings)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    client = Api(f"http://127.0.0.1:{port}", settings, engine)
    try:
        yield client
    finally:
        client.http.close()
        server.should_exit = True
        thread.join(timeout=10)


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


# --- Idempotency-Key --------------------------------------------------------------


def test_repeating_a_request_with_the_same_key_returns_the_first_order_with_200(api: Api) -> None:
    customer, key = new_id("cust"), str(uuid.uuid4())

    first = api.place(customer, key)
    again = api.place(customer, key)
    reordered = api.http.post(  # same JSON, other key order and spacing
        "/api/v1/orders",
        content=f'{{"currency":"INR",  "restaurant_id":"{api.kitchen.rid}",'
        f' "lines":[{{"unit_price_minor":4550,"quantity":3,"item_id":"{api.kitchen.ids["Idli"]}"}}]}}',
        headers={**api.headers(customer, key=key), "Content-Type": "application/json"},
    )

    assert first.status_code == 201 and first.headers["Idempotent-Replayed"] == "false"
    for replay in (again, reordered):
        assert replay.status_code == 200, replay.text
        assert replay.headers["Idempotent-Replayed"] == "true"
        assert replay.headers["Location"] == first.headers["Location"]
        assert replay.json() == first.json()
    assert api.count(orders, orders.c.customer_id == customer) == 1
    assert api.count(outbox, outbox.c.message_key == first.json()["order_id"]) == 1


def test_reusing_a_key_for_a_different_body_is_a_409_naming_the_header_and_creates_nothing(api: Api) -> None:
    customer, key = new_id("cust"), str(uuid.uuid4())
    assert api.place(customer, key).status_code == 201

    response = api.place(customer, key, quantity=4)

    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert api.count(orders, orders.c.customer_id == customer) == 1


def test_keys_belong_to_a_customer_so_two_customers_may_use_the_same_key(api: Api) -> None:
    key = str(uuid.uuid4())
    first, second = api.place(new_id("cust"), key), api.place(new_id("cust"), key)
    assert first.status_code == second.status_code == 201
    assert first.json()["order_id"] != second.json()["order_id"]


def test_without_a_key_every_request_is_a_new_order_as_before(api: Api) -> None:
    customer = new_id("cust")
    answers = [api.place(customer), api.place(customer)]
    assert [(a.status_code, a.headers["Idempotent-Replayed"]) for a in answers] == [(201, "false")] * 2
    assert api.count(orders, orders.c.customer_id == customer) == 2
    assert api.count(idempotency_keys, idempotency_keys.c.customer_id == customer) == 0


# The one Idempotency-Key rule (serving/kernel/http/idempotency.py): 8-128 of A-Z a-z 0-9 . _ : -
@pytest.mark.parametrize("key", ["has space", "x" * 256, "ключ", "short", "x" * 129, "a/b=c+d~e"])
def test_a_malformed_key_is_a_422_naming_the_header_and_writes_nothing(api: Api, key: str) -> None:
    customer = new_id("cust")
    response = api.http.post(
        "/api/v1/orders",
        json=api.body(),
        headers=[*api.headers(customer).items(), ("Idempotency-Key", key.encode())],
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert api.count(orders, orders.c.customer_id == customer) == 0


@pytest.mark.parametrize("key", ["x" * 8, "y" * 128, "01JD2Z3Q:order.7_of-9"])
def test_keys_of_8_to_128_letters_digits_and_dot_underscore_colon_dash_are_taken(api: Api, key: str) -> None:
    customer = new_id("cust")
    first, again = api.place(customer, key), api.place(customer, key)
    assert (first.status_code, first.headers["Idempotent-Replayed"]) == (201, "false")
    assert (again.status_code, again.headers["Idempotent-Replayed"]) == (200, "true")


def test_a_replay_after_the_order_moved_on_returns_the_order_as_it_is_now(api: Api) -> None:
    customer, key = new_id("cust"), str(uuid.uuid4())
    order = api.place(customer, key).json()
    cancel = api.http.post(f"/api/v1/orders/{order['order_id']}/cancel", headers=api.headers(customer))
    assert cancel.status_code == 200

    replay = api.place(customer, key)

    assert replay.status_code == 200
    assert replay.json()["order_id"] == order["order_id"] and replay.json()["status"] == "CANCELLED"


@pytest.mark.parametrize("same_body", [True, False])
def test_concurrent_duplicates_with_one_key_create_exactly_one_order(api: Api, same_body: bool) -> None:
    customer, key = new_id("cust"), str(uuid.uuid4())
    barrier = threading.Barrier(8)
    responses: list[httpx.Response] = []

    def send(n: int) -> None:
        quantity = 3 if same_body or n == 0 else 3 + n
        barrier.wait()
        responses.append(api.place(customer, key, quantity=quantity))

    threads = [threading.Thread(target=send, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert api.count(orders, orders.c.customer_id == customer) == 1
    created = [r for r in responses if r.status_code == 201]
    assert len(created) == 1
    order_id = created[0].json()["order_id"]
    assert api.count(outbox, outbox.c.message_key == order_id) == 1
    for response in responses:
        assert response.status_code in (200, 201, 409), response.text
        if response.status_code == 200:
            assert response.json()["order_id"] == order_id
    if same_body:
        assert sorted(r.status_code for r in responses) == [200] * 7 + [201]


# --- History -------------------------------------------------------------------------


def test_a_customer_pages_through_exactly_their_own_orders_newest_first(api: Api) -> None:
    customer, kitchens = new_id("cust"), (api.kitchen, api.new_kitchen())
    placed = [api.place(customer, kitchen=kitchens[n % 2]).json()["order_id"] for n in range(9)]
    api.place(new_id("cust"))  # someone else's

    items = api.all_pages(customer, limit=4)

    assert [item["order_id"] for item in items] == placed[::-1]
    first = api.history(customer, limit=4).json()
    assert len(first["items"]) == 4 and first["next_cursor"]
    assert api.history(customer, limit=9).json()["next_cursor"] is None


def test_orders_placed_at_the_same_instant_are_each_listed_once_across_pages(api: Api, engine: Engine) -> None:
    customer = new_id("cust")
    instant = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    request = PlaceOrderRequest.model_validate(api.body()).to_placement()
    placed = [
        placement.place_order(engine, customer, request, pricing=CatalogPricing(), now=lambda: instant)
        for _ in range(5)
    ]
    ids = {str(one.order.order_id) for one in placed}

    items = api.all_pages(customer, limit=2)

    assert sorted(item["order_id"] for item in items) == sorted(ids)
    assert len(items) == 5


def test_a_restaurant_sees_only_the_orders_of_restaurants_it_owns(api: Api) -> None:
    owner = new_id("owner")
    mine, also_mine, theirs = api.new_kitchen(owner), api.new_kitchen(owner), api.new_kitchen()
    expected = [api.place(new_id("cust"), kitchen=k).json()["order_id"] for k in (mine, theirs, also_mine)]

    everything = api.all_pages(owner, Role.RESTAURANT, limit=1)
    only_one = api.all_pages(owner, Role.RESTAURANT, restaurant_id=mine.rid)
    not_mine = api.all_pages(owner, Role.RESTAURANT, restaurant_id=theirs.rid)
    owns_nothing = api.all_pages(new_id("owner"), Role.RESTAURANT)

    assert [i["order_id"] for i in everything] == [expected[2], expected[0]]
    assert [i["order_id"] for i in only_one] == [expected[0]]
    assert not_mine == owns_nothing == []


def test_an_admin_sees_every_order_and_filters_by_restaurant_status_and_time(api: Api) -> None:
    kitchen = api.new_kitchen()
    placed = [api.place(new_id("cust"), kitchen=kitchen).json() for _ in range(4)]
    cancel = api.http.post(
        f"/api/v1/orders/{placed[1]['order_id']}/cancel", headers=api.headers(placed[1]["customer_id"])
    )
    assert cancel.status_code == 200

    def ids(**params: Any) -> list[str]:
        return [i["order_id"] for i in api.all_pages("ops", Role.ADMIN, restaurant_id=kitchen.rid, **params)]

    assert ids() == [o["order_id"] for o in placed[::-1]]
    assert ids(status="CANCELLED") == [placed[1]["order_id"]]
    assert ids(status=["CANCELLED", "PENDING"]) == ids()
    assert ids(status="PENDING", limit=1) == [o["order_id"] for o in placed[::-1] if o is not placed[1]]
    # from is inclusive, to exclusive
    assert ids(**{"from": placed[1]["placed_at"], "to": placed[3]["placed_at"]}) == [
        placed[2]["order_id"],
        placed[1]["order_id"],
    ]
    later = (datetime.fromisoformat(placed[3]["placed_at"]) + timedelta(seconds=1)).isoformat()
    assert ids(**{"from": later}) == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"cursor": "bm90LWEtY3Vyc29y"}, "cursor"),
        ({"cursor": "!!!"}, "cursor"),
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"status": "LOST"}, "status"),
        ({"from": "2026-01-01T00:00:00"}, "from"),  # no offset: ambiguous
        ({"from": "yesterday"}, "from"),
        ({"from": "2026-01-02T00:00:00Z", "to": "2026-01-01T00:00:00Z"}, "to"),
        ({"restaurant_id": "no spaces"}, "restaurant_id"),
    ],
)
def test_bad_history_parameters_are_a_422_naming_the_parameter(api: Api, params: dict[str, Any], field: str) -> None:
    response = api.history(new_id("cust"), **params)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    # A repeated parameter is named with its position, e.g. status[0].
    assert any(e["field"].split("[")[0] == field for e in response.json()["errors"]), response.text


def test_couriers_have_no_order_history_and_strangers_need_a_token(api: Api) -> None:
    assert api.history(new_id("courier"), Role.COURIER).status_code == 403
    assert api.http.get("/api/v1/orders").status_code == 401


def test_a_restaurant_owner_can_read_an_order_of_its_restaurant_but_not_another(api: Api) -> None:
    kitchen = api.new_kitchen()
    owner = kitchen.owner
    mine = api.place(new_id("cust"), kitchen=kitchen).json()
    other = api.place(new_id("cust")).json()  # at the module's kitchen, someone else's

    def get(order: dict[str, Any]) -> int:
        return api.http.get(
            f"/api/v1/orders/{order['order_id']}", headers=api.headers(owner, Role.RESTAURANT)
        ).status_code

    assert (get(mine), get(other)) == (200, 404)
