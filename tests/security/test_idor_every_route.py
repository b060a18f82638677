"""Insecure direct object references, route by route.

The routes come from the app itself (``app.routes``), so a route added later is
either probed here or fails ``test_every_route_of_the_app_is_classified``. Each route
is one of:

- ``OWNED``: it takes the id of someone's order, payment, restaurant (and its menu,
  offers), address, user or cart line. Another customer, another restaurant owner and
  a courier try it with a valid body; each gets the documented refusal (404 where the
  docs say ids must not leak, 403 where the role alone rules the caller out), and the
  resource, read back by its rightful party, is unchanged.
- ``PUBLIC_READS``: it takes a restaurant id but is readable by any signed-in user; it
  must leak nothing private (owner ids, reviewers, other customers' order ids,
  inactive offers).
- ``CALLER_SCOPED``: it addresses only the caller's own data; the ids it takes in a
  body or query are probed by the tests after the route table.

The world is built through the public API: registered users, restaurants created by
their owners, catalog-priced orders, sandbox card and cash payments.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.routing import APIRoute, iter_route_contexts

from serving.app import create_app
from serving.kernel.auth import Role
from serving.settings import ServingSettings

pytestmark = pytest.mark.stack

BUILD_ONLY_SECRET = "a-secret-for-building-the-app-to-read-its-routes-" + "x" * 16  # signs nothing


def app_routes() -> list[str]:
    """``"METHOD /path"`` of every API route, read from a freshly built app (opens nothing)."""
    app = create_app(ServingSettings.of(jwt_secret=BUILD_ONLY_SECRET))
    routes: set[str] = set()
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute):
            routes.update(f"{method} {context.path}" for method in context.methods or ())
    return sorted(routes)


@dataclass
class World:
    kit: Any
    alice: Any  # the victim: a customer
    owner: Any  # the owner of alice's restaurant
    attackers: dict[str, Any]  # "customer", "owner", "courier": each registered, none involved
    kitchen: Any
    their_kitchen: Any  # the attacking owner's own restaurant
    category_id: str
    pending: dict[str, Any]  # alice's PENDING order at kitchen
    delivered: dict[str, Any]  # delivered, not yet reviewed
    reviewed: dict[str, Any]  # delivered and reviewed by alice
    card_payment: dict[str, Any]
    cod_payment: dict[str, Any]
    address_id: str

    @property
    def rid(self) -> str:
        return str(self.kitchen.rid)

    @property
    def item_id(self) -> str:
        return str(self.kitchen.item_id("Dal"))

    def as_admin(self, method: str, path: str) -> Any:
        response = self.kit.http.request(method, path, headers=self.kit.admin().headers())
        assert response.status_code == 200, response.text
        return response.json()

    def as_(self, actor: Any, path: str) -> Any:
        response = self.kit.http.get(path, headers=actor.headers())
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture(scope="module")
def world(kit: Any) -> World:
    alice, owner = kit.register(Role.CUSTOMER), kit.register(Role.RESTAURANT)
    attackers = {"customer": kit.register(Role.CUSTOMER), "owner": kit.register(Role.RESTAURANT),
                 "courier": kit.register(Role.COURIER)}  # fmt: skip
    kitchen = kit.kitchen(owner, Dal={"stock": 50}, Naan={"price_minor": 4_000})
    their_kitchen = kit.kitchen(attackers["owner"])
    category = kit.http.post(
        f"/api/v1/restaurants/{kitchen.rid}/menu/categories", json={"name": "Mains"}, headers=owner.headers()
    )
    assert category.status_code == 201, category.text
    kit.offer(kitchen, "ALICE10")
    kit.offer(kitchen, "GONE5")
    gone = kit.http.delete(f"/api/v1/restaurants/{kitchen.rid}/offers/GONE5", headers=owner.headers())
    assert gone.status_code == 204, gone.text
    kit.offer(kitchen, "LATER", valid_from="2098-01-01T00:00:00Z")

    pending = kit.order(alice, kitchen)
    delivered, reviewed = kit.order(alice, kitchen), kit.order(alice, kitchen)
    kit.walk(delivered["order_id"], "DELIVERED")
    kit.walk(reviewed["order_id"], "DELIVERED")
    review = kit.http.post(
        f"/api/v1/restaurants/{kitchen.rid}/reviews",
        json={"order_id": reviewed["order_id"], "rating": 4, "comment": "Good dal"},
        headers=alice.headers(),
    )
    assert review.status_code == 201, review.text
    card_payment = kit.pay(alice, kit.order(alice, kitchen))
    cod_payment = kit.pay(alice, kit.order(alice, kitchen), method="cod")
    kit.top_up(alice, 5_000)
    kit.top_up(alice, 2_500)
    address = kit.http.post(
        "/api/v1/users/me/addresses",
        json={"label": "Home", "line": "7 Residency Rd", "city": "Pune", "lat": 18.5, "lon": 73.8},
        headers=alice.headers(),
    )
    assert address.status_code == 201, address.text
    cart = kit.http.put(
        "/api/v1/cart",
        json={"restaurant_id": kitchen.rid, "items": [{"item_id": kitchen.item_id("Dal"), "quantity": 2}]},
        headers=alice.headers(),
    )
    assert cart.status_code == 200, cart.text
    return World(kit, alice, owner, attackers, kitchen, their_kitchen, category.json()["category_id"], pending,
                 delivered, reviewed, card_payment, cod_payment, address.json()["address_id"])  # fmt: skip


@dataclass(frozen=True)
class Owned:
    """How to aim a route at the victim's resource, what each attacker gets, and the
    state (read by the rightful party) that must not change."""

    path: Callable[[World], str]
    refused: dict[str, int]  # attacker -> status
    state: Callable[[World], Any]
    body: Callable[[World], Any] | None = None
    field: str | None = None  # the field a 404 names, where the docs say which


def _order(w: World) -> Any:
    return w.as_admin("GET", f"/api/v1/orders/{w.pending['order_id']}")


def _restaurant(w: World) -> Any:
    base = f"/api/v1/restaurants/{w.rid}"
    return (w.as_(w.owner, base), w.as_(w.owner, f"{base}/menu"), w.as_(w.owner, f"{base}/offers"))


def _reviews(w: World) -> Any:
    return w.as_(w.alice, f"/api/v1/restaurants/{w.rid}/reviews")


def _payment(payment: str) -> Callable[[World], Any]:
    def state(w: World) -> Any:
        found = getattr(w, payment)
        return (w.as_admin("GET", f"/api/v1/payments/{found['payment_id']}"), w.kit.balance(w.alice))

    return state


def _address(w: World) -> Any:
    return w.as_(w.alice, "/api/v1/users/me/addresses")


def _cart(w: World) -> Any:
    return w.as_(w.alice, "/api/v1/cart")


ROLE_GATED = {"customer": 403, "owner": 404, "courier": 403}  # a restaurant's write: the owner only
EVERYONE_404 = {"customer": 404, "owner": 404, "courier": 404}
ADMIN_ONLY = {"customer": 403, "owner": 403, "courier": 403}
CUSTOMER_ONLY = {"customer": 404, "owner": 403, "courier": 403}
ORDER = "/api/v1/orders/{}"
RESTAURANT = "/api/v1/restaurants/{}"

OWNED: dict[str, Owned] = {
    "GET /api/v1/orders/{order_id}": Owned(
        lambda w: ORDER.format(w.pending["order_id"]), EVERYONE_404, _order),
    "POST /api/v1/orders/{order_id}/accept": Owned(
        lambda w: ORDER.format(w.pending["order_id"]) + "/accept", ROLE_GATED, _order,
        body=lambda w: {"prep_time_minutes": 10}),
    "POST /api/v1/orders/{order_id}/reject": Owned(
        lambda w: ORDER.format(w.pending["order_id"]) + "/reject", ROLE_GATED, _order,
        body=lambda w: {"reason": "too_busy"}),
    "POST /api/v1/orders/{order_id}/preparing": Owned(
        lambda w: ORDER.format(w.pending["order_id"]) + "/preparing", ROLE_GATED, _order),
    "POST /api/v1/orders/{order_id}/ready": Owned(
        lambda w: ORDER.format(w.pending["order_id"]) + "/ready", ROLE_GATED, _order),
    "POST /api/v1/orders/{order_id}/cancel": Owned(
        lambda w: ORDER.format(w.pending["order_id"]) + "/cancel", CUSTOMER_ONLY, _order),
    "POST /api/v1/orders/{order_id}/status": Owned(
        lambda w: ORDER.format(w.pending["order_id"]) + "/status", ADMIN_ONLY, _order,
        body=lambda w: {"status": "CANCELLED", "reason": "payment_failed"}),
    "GET /api/v1/payments/{payment_id}": Owned(
        lambda w: f"/api/v1/payments/{w.card_payment['payment_id']}", EVERYONE_404, _payment("card_payment")),
    "POST /api/v1/payments/{payment_id}/refund": Owned(
        lambda w: f"/api/v1/payments/{w.card_payment['payment_id']}/refund", ADMIN_ONLY, _payment("card_payment"),
        body=lambda w: {"destination": "wallet"}),
    "POST /api/v1/payments/cod/{order_id}/settle": Owned(
        lambda w: f"/api/v1/payments/cod/{w.cod_payment['order_id']}/settle", ADMIN_ONLY, _payment("cod_payment")),
    "PATCH /api/v1/restaurants/{restaurant_id}": Owned(
        lambda w: RESTAURANT.format(w.rid), ROLE_GATED, _restaurant,
        body=lambda w: {"name": "Pwned", "status": "CLOSED"}),
    "POST /api/v1/restaurants/{restaurant_id}/menu/categories": Owned(
        lambda w: RESTAURANT.format(w.rid) + "/menu/categories", ROLE_GATED, _restaurant,
        body=lambda w: {"name": "Injected"}),
    "PATCH /api/v1/restaurants/{restaurant_id}/menu/categories/{category_id}": Owned(
        lambda w: RESTAURANT.format(w.rid) + f"/menu/categories/{w.category_id}", ROLE_GATED, _restaurant,
        body=lambda w: {"name": "Renamed"}),
    "DELETE /api/v1/restaurants/{restaurant_id}/menu/categories/{category_id}": Owned(
        lambda w: RESTAURANT.format(w.rid) + f"/menu/categories/{w.category_id}", ROLE_GATED, _restaurant),
    "POST /api/v1/restaurants/{restaurant_id}/menu/items": Owned(
        lambda w: RESTAURANT.format(w.rid) + "/menu/items", ROLE_GATED, _restaurant,
        body=lambda w: {"name": "Free food", "price_minor": 0, "is_veg": True}),
    "PATCH /api/v1/restaurants/{restaurant_id}/menu/items/{item_id}": Owned(
        lambda w: RESTAURANT.format(w.rid) + f"/menu/items/{w.item_id}", ROLE_GATED, _restaurant,
        body=lambda w: {"price_minor": 1, "stock": 0}),
    "DELETE /api/v1/restaurants/{restaurant_id}/menu/items/{item_id}": Owned(
        lambda w: RESTAURANT.format(w.rid) + f"/menu/items/{w.item_id}", ROLE_GATED, _restaurant),
    "POST /api/v1/restaurants/{restaurant_id}/offers": Owned(
        lambda w: RESTAURANT.format(w.rid) + "/offers", ROLE_GATED, _restaurant,
        body=lambda w: {"code": "FREE100", "kind": "PERCENTAGE", "value": 10_000,
                        "valid_until": "2099-01-01T00:00:00Z"}),
    "DELETE /api/v1/restaurants/{restaurant_id}/offers/{code}": Owned(
        lambda w: RESTAURANT.format(w.rid) + "/offers/ALICE10", ROLE_GATED, _restaurant),
    # Reviewing alice's delivered order: another customer gets the 404 of a missing order.
    "POST /api/v1/restaurants/{restaurant_id}/reviews": Owned(
        lambda w: RESTAURANT.format(w.rid) + "/reviews", CUSTOMER_ONLY, _reviews,
        body=lambda w: {"order_id": w.delivered["order_id"], "rating": 1, "comment": "fake"}, field="order_id"),
    "GET /api/v1/users/me/addresses/{address_id}": Owned(
        lambda w: f"/api/v1/users/me/addresses/{w.address_id}", EVERYONE_404, _address),
    "PATCH /api/v1/users/me/addresses/{address_id}": Owned(
        lambda w: f"/api/v1/users/me/addresses/{w.address_id}", EVERYONE_404, _address,
        body=lambda w: {"line": "Attacker's drop point", "is_default": True}),
    "DELETE /api/v1/users/me/addresses/{address_id}": Owned(
        lambda w: f"/api/v1/users/me/addresses/{w.address_id}", EVERYONE_404, _address),
    "GET /api/v1/users/{user_id}": Owned(
        lambda w: f"/api/v1/users/{w.alice.subject}", EVERYONE_404, lambda w: w.as_(w.alice, "/api/v1/users/me")),
    # A cart line is addressed within the caller's own cart: alice's line is not in theirs.
    "PATCH /api/v1/cart/items/{item_id}": Owned(
        lambda w: f"/api/v1/cart/items/{w.item_id}", CUSTOMER_ONLY, _cart, body=lambda w: {"quantity": 99}),
    "DELETE /api/v1/cart/items/{item_id}": Owned(
        lambda w: f"/api/v1/cart/items/{w.item_id}", CUSTOMER_ONLY, _cart),
}  # fmt: skip

PUBLIC_READS = {
    "GET /api/v1/restaurants/{restaurant_id}",
    "GET /api/v1/restaurants/{restaurant_id}/menu",
    "GET /api/v1/restaurants/{restaurant_id}/reviews",
    "GET /api/v1/restaurants/{restaurant_id}/offers",
}

# The caller's own data only; the ids some of them take in a body or query are probed below.
CALLER_SCOPED = {
    "POST /api/v1/orders", "GET /api/v1/orders",
    "GET /api/v1/cart", "PUT /api/v1/cart", "DELETE /api/v1/cart", "POST /api/v1/cart/items",
    "POST /api/v1/cart/checkout",
    "POST /api/v1/payments", "GET /api/v1/payments/transactions", "POST /api/v1/wallet/topups", "GET /api/v1/wallet",
    "POST /api/v1/restaurants",
    "GET /api/v1/search/restaurants", "GET /api/v1/search/items", "GET /api/v1/search/suggest",
    "GET /api/v1/search/popular",
    "POST /api/v1/auth/register", "POST /api/v1/auth/login", "POST /api/v1/auth/refresh", "POST /api/v1/auth/logout",
    "GET /api/v1/users/me", "PATCH /api/v1/users/me", "GET /api/v1/users/me/addresses",
    "POST /api/v1/users/me/addresses",
    "GET /healthz",
}  # fmt: skip

ROUTES = app_routes()


def test_every_route_of_the_app_is_classified() -> None:
    classified = set(OWNED) | PUBLIC_READS | CALLER_SCOPED
    assert set(ROUTES) - classified == set(), "new routes: decide who may reach them and add them here"
    assert classified - set(ROUTES) == set(), "routes that no longer exist"
    assert len(classified) == len(OWNED) + len(PUBLIC_READS) + len(CALLER_SCOPED)  # each in one class


@pytest.mark.parametrize("route", [r for r in ROUTES if r in OWNED])
def test_nobody_else_reads_or_changes_an_owned_resource(world: World, route: str) -> None:
    probe = OWNED[route]
    method = route.split(" ")[0]
    path = probe.path(world)
    before = probe.state(world)
    answers = {}
    for name, attacker in world.attackers.items():
        body = probe.body(world) if probe.body else None
        response = world.kit.http.request(
            method, path, json=body, headers=attacker.headers(key=f"key-{uuid.uuid4().hex}")
        )
        answers[name] = response.status_code
        assert response.headers.get("content-type") == "application/problem+json", (name, response.text[:200])
        if response.status_code == 404 and probe.field is not None:
            assert [e["field"] for e in response.json()["errors"]] == [probe.field], (name, response.text)
    assert answers == probe.refused
    assert probe.state(world) == before


def test_the_rightful_party_can_reach_what_the_attackers_could_not(world: World) -> None:
    """So the refusals above are about the caller, not a broken fixture."""
    kit, alice, owner = world.kit, world.alice, world.owner
    assert kit.http.get(ORDER.format(world.pending["order_id"]), headers=alice.headers()).status_code == 200
    assert kit.http.get(ORDER.format(world.pending["order_id"]), headers=owner.headers()).status_code == 200
    assert (
        kit.http.get(f"/api/v1/payments/{world.card_payment['payment_id']}", headers=alice.headers()).status_code == 200
    )
    assert kit.http.get(f"/api/v1/users/me/addresses/{world.address_id}", headers=alice.headers()).status_code == 200
    assert kit.http.get(f"/api/v1/users/{alice.subject}", headers=kit.admin().headers()).status_code == 200
    assert _cart(world)["items"] == [{"item_id": world.item_id, "quantity": 2}]


# --- public reads leak nothing private ------------------------------------------------


def _private_strings(w: World) -> list[str]:
    """What a stranger must never see: who alice and the owner are, alice's order ids."""
    orders = (w.pending, w.delivered, w.reviewed)
    return [w.alice.subject, str(w.alice.email), w.owner.subject, str(w.owner.email)] + [o["order_id"] for o in orders]


@pytest.mark.parametrize("route", sorted(PUBLIC_READS))
def test_a_public_read_of_someone_elses_restaurant_leaks_nothing_private(world: World, route: str) -> None:
    path = route.split(" ")[1].replace("{restaurant_id}", world.rid)
    for name, attacker in world.attackers.items():
        response = world.kit.http.get(path, headers=attacker.headers())
        assert response.status_code == 200, (name, response.text)
        leaked = [s for s in _private_strings(world) if s in response.text]
        assert leaked == [], (name, route, leaked)
        body = response.json()
        if route.endswith("{restaurant_id}"):
            assert body["owner_id"] is None
        if route.endswith("/reviews"):
            assert [(r["mine"], r["order_id"]) for r in body["items"]] == [(False, None)]
            assert all("customer_id" not in r for r in body["items"])
        if route.endswith("/offers"):
            assert [o["code"] for o in body] == ["ALICE10"]  # not the deactivated one, not the future one
    owners_view = world.kit.http.get(path, headers=world.owner.headers()).json()
    if route.endswith("{restaurant_id}"):
        assert owners_view["owner_id"] == world.owner.subject  # the owner does see it: the check is per caller
    if route.endswith("/offers"):
        assert sorted(o["code"] for o in owners_view) == ["ALICE10", "GONE5", "LATER"]


# --- ids carried in bodies and queries --------------------------------------------------


def test_paying_for_someone_elses_order_is_the_404_of_a_missing_one_and_charges_nothing(
    world: World, engine: Any
) -> None:
    kit, mallory = world.kit, world.attackers["customer"]
    victims = kit.order(world.alice, world.kitchen)
    kit.top_up(mallory, victims["total_minor"])
    charges = _count(engine, "SELECT count(*) FROM sandbox_gateway.charges")
    shapes = set()
    for method in ("wallet", "card", "cod"):
        for order_id in (victims["order_id"], str(uuid.uuid4())):  # alice's, and one that exists nowhere
            body = {**kit.pay_body(victims, method), "order_id": order_id}
            response = kit.http.post("/api/v1/payments", json=body, headers=mallory.headers(f"key-{uuid.uuid4().hex}"))
            problem = response.json()
            shapes.add((response.status_code, problem["type"], tuple(e["field"] for e in problem["errors"])))
    assert shapes == {(404, "urn:tiffin:problem:not-found", ("order_id",))}
    assert kit.balance(mallory) == victims["total_minor"]
    assert _count(engine, "SELECT count(*) FROM sandbox_gateway.charges") == charges
    payments = "SELECT count(*) FROM payments.payments WHERE order_id = :o"
    assert _count(engine, payments, o=victims["order_id"]) == 0
    assert kit.pay(world.alice, victims)["status"] == "SUCCEEDED"  # nobody's attempt took it


def _count(engine: Any, sql: str, **params: Any) -> int:
    with engine.connect() as connection:
        return int(connection.execute(sa.text(sql), params).scalar_one())


def test_order_history_filtered_by_someone_elses_restaurant_is_empty(world: World) -> None:
    kit = world.kit
    for name in ("customer", "owner"):
        page = kit.http.get("/api/v1/orders", params={"restaurant_id": world.rid},
                            headers=world.attackers[name].headers())  # fmt: skip
        assert page.status_code == 200, page.text
        assert page.json()["items"] == [], name
    courier = kit.http.get("/api/v1/orders", params={"restaurant_id": world.rid},
                           headers=world.attackers["courier"].headers())  # fmt: skip
    assert courier.status_code == 403
    mine = kit.http.get("/api/v1/orders", params={"restaurant_id": world.rid}, headers=world.owner.headers())
    assert world.pending["order_id"] in {o["order_id"] for o in mine.json()["items"]}


def test_a_wallet_ledger_cursor_never_reaches_into_someone_elses_wallet(world: World) -> None:
    kit, mallory = world.kit, world.attackers["customer"]
    alices = kit.http.get("/api/v1/payments/transactions", headers=world.alice.headers()).json()["items"]
    first = kit.http.get("/api/v1/payments/transactions", params={"limit": 1}, headers=world.alice.headers()).json()
    assert len(alices) == 2 and first["next_cursor"] is not None
    alices_entries = {line["entry_id"] for line in alices}
    for cursor in (first["next_cursor"], str(int(first["next_cursor"]) + 1), str(int(first["next_cursor"]) + 50)):
        page = kit.http.get("/api/v1/payments/transactions", params={"cursor": cursor}, headers=mallory.headers())
        assert page.status_code == 200, page.text
        assert {line["entry_id"] for line in page.json()["items"]} & alices_entries == set()


def test_an_owner_cannot_reach_another_restaurants_menu_through_its_own_restaurants_path(world: World) -> None:
    """Mixing parent ids: the attacker's own restaurant id with the victim's item, category."""
    kit, mallet, theirs = world.kit, world.attackers["owner"], world.their_kitchen.rid
    before = _restaurant(world)
    attempts = [
        ("PATCH", f"{RESTAURANT.format(theirs)}/menu/items/{world.item_id}", {"price_minor": 1}),
        ("DELETE", f"{RESTAURANT.format(theirs)}/menu/items/{world.item_id}", None),
        ("PATCH", f"{RESTAURANT.format(theirs)}/menu/categories/{world.category_id}", {"name": "Mine now"}),
        ("DELETE", f"{RESTAURANT.format(theirs)}/menu/categories/{world.category_id}", None),
        ("DELETE", f"{RESTAURANT.format(theirs)}/offers/ALICE10", None),  # codes are per restaurant: theirs has none
    ]
    for method, path, body in attempts:
        response = kit.http.request(method, path, json=body, headers=mallet.headers())
        assert response.status_code == 404, (method, path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    # Another restaurant's category in a body is a 422 naming it, on create and on edit.
    item = {"name": "Stray", "price_minor": 100, "is_veg": True, "category_id": world.category_id}
    created = kit.http.post(f"{RESTAURANT.format(theirs)}/menu/items", json=item, headers=mallet.headers())
    assert created.status_code == 422 and [e["field"] for e in created.json()["errors"]] == ["category_id"]
    own_item = world.their_kitchen.item_id("Dal")
    moved = kit.http.patch(f"{RESTAURANT.format(theirs)}/menu/items/{own_item}",
                           json={"category_id": world.category_id}, headers=mallet.headers())  # fmt: skip
    assert moved.status_code == 422 and [e["field"] for e in moved.json()["errors"]] == ["category_id"]
    assert _restaurant(world) == before


def test_reviewing_through_another_restaurant_or_with_someone_elses_order_is_a_404(world: World) -> None:
    kit, mallory = world.kit, world.attackers["customer"]
    # Alice's order, mallory's token, the attacker owner's restaurant: the order is not of it.
    elsewhere = f"{RESTAURANT.format(world.their_kitchen.rid)}/reviews"
    body = {"order_id": world.delivered["order_id"], "rating": 5}
    response = kit.http.post(elsewhere, json=body, headers=mallory.headers())
    assert response.status_code == 404 and [e["field"] for e in response.json()["errors"]] == ["order_id"]
    # Already reviewed by alice: mallory still learns only "not found", not "already reviewed".
    body = {"order_id": world.reviewed["order_id"], "rating": 1}
    again = kit.http.post(f"{RESTAURANT.format(world.rid)}/reviews", json=body, headers=mallory.headers())
    assert again.status_code == 404 and [e["field"] for e in again.json()["errors"]] == ["order_id"]


def test_checking_out_ones_own_empty_cart_never_consumes_someone_elses(world: World) -> None:
    kit, mallory = world.kit, world.attackers["customer"]
    before = _cart(world)
    response = kit.http.post("/api/v1/cart/checkout", json={}, headers=mallory.headers(f"key-{uuid.uuid4().hex}"))
    assert response.status_code == 422 and [e["field"] for e in response.json()["errors"]] == ["cart"]
    assert kit.http.delete("/api/v1/cart", headers=mallory.headers()).status_code == 204
    assert _cart(world) == before


def test_a_refusal_answers_the_same_for_someone_elses_id_and_an_id_that_exists_nowhere(world: World) -> None:
    """Ids do not leak: where an attacker gets a 404, a made-up id gets the same status,
    problem type and fields. (Restaurant ids are public, but an owner's 404 for another
    restaurant must still look like a missing one.)"""
    kit = world.kit
    for route, probe in OWNED.items():
        method = route.split(" ")[0]
        for name, status in probe.refused.items():
            if status != 404:
                continue
            attacker = world.attackers[name]
            real_path, real_body = probe.path(world), probe.body(world) if probe.body else None
            fake_path, fake_body = _with_made_up_ids(real_path, world), real_body
            if route.endswith("/reviews"):  # the private id is the order in the body
                fake_path, fake_body = real_path, {**(real_body or {}), "order_id": str(uuid.uuid4())}
            assert (fake_path, fake_body) != (real_path, real_body)
            answers = [
                kit.http.request(method, path, json=body, headers=attacker.headers(f"key-{uuid.uuid4().hex}"))
                for path, body in ((real_path, real_body), (fake_path, fake_body))
            ]
            shape = [(r.status_code, r.json()["type"], [e["field"] for e in r.json()["errors"]]) for r in answers]
            assert shape[0] == shape[1], (route, name, shape)


def _with_made_up_ids(path: str, w: World) -> str:
    for real in (w.pending["order_id"], w.card_payment["payment_id"], w.cod_payment["order_id"], w.rid,
                 w.item_id, w.category_id, w.address_id, w.alice.subject):  # fmt: skip
        path = path.replace(real, str(uuid.uuid4()))
    return path.replace("/offers/ALICE10", "/offers/NOSUCHCODE")
