"""Hostile input in every field of every JSON request body.

The operations and their fields are read from the app's own OpenAPI document
(``create_app(...).openapi()``), so a new body or field is covered as soon as it
exists — and fails until ``build_targets`` below gives it a valid value. For each
operation a valid body is sent
once (it must succeed: the refusals below are then about the hostile value), then
each field in turn gets each hostile value with the rest of the body valid:

- strings: 10,000 characters, a NUL byte, a lone surrogate (the JSON escape
  ``\\ud800``), a right-to-left override, SQL and script injection;
- numbers: -1, 2**63, 1e308, "NaN"/"Infinity"/"-inf" as strings, the non-standard
  ``NaN``/``Infinity``/``1e999`` tokens, and 1.5 and 2.0 where an integer is expected.

The answer must never be a 5xx. A 4xx must be an RFC 9457 problem; a validation
problem (422) must name the field. A 2xx must have stored the value unchanged, read
back through the API — or, where a field is not stored as sent, ``NOT_ECHOED`` says
what happens to it instead. Then the body as a whole: nesting 10,000 levels deep,
duplicate keys, wrong content types, not an object, not UTF-8, truncated.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from serving.app import create_app
from serving.kernel.auth import Role
from serving.settings import ServingSettings
from tests.utils.people import PASSWORD  # the one every test account has

pytestmark = pytest.mark.stack

BUILD_ONLY_SECRET = "a-secret-for-building-the-app-to-read-its-routes-" + "x" * 16  # signs nothing

Path = tuple[str | int, ...]
SPEC = create_app(ServingSettings.of(jwt_secret=BUILD_ONLY_SECRET)).openapi()
VALIDATION = "urn:tiffin:problem:validation"


# --- the fields, from the OpenAPI document ---------------------------------------------


@dataclass(frozen=True)
class Leaf:
    path: Path
    kind: str  # string, integer, number, boolean

    @property
    def name(self) -> str:
        """As problems name fields: ``lines[0].quantity``."""
        text = ""
        for part in self.path:
            text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
        return text


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = SPEC["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _leaves(schema: dict[str, Any], path: Path = ()) -> Iterator[Leaf]:
    schema = _resolve(schema)
    for option in schema.get("anyOf", []):
        if _resolve(option).get("type") != "null":
            yield from _leaves(option, path)
    kind = schema.get("type")
    if kind == "object":
        for name, child in schema.get("properties", {}).items():
            yield from _leaves(child, (*path, name))
    elif kind == "array":
        yield from _leaves(schema["items"], (*path, 0))
    elif kind is not None:
        yield Leaf(path, kind)


def body_operations() -> dict[str, list[Leaf]]:
    operations = {}
    for path, methods in SPEC["paths"].items():
        for method, operation in methods.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                operations[f"{method.upper()} {path}"] = list(_leaves(content["application/json"]["schema"]))
    return operations


OPERATIONS = body_operations()
# Operations whose body may be left out: for them JSON null or no body at all is "no body".
OPTIONAL_BODY = {
    f"{method.upper()} {path}"
    for path, methods in SPEC["paths"].items()
    for method, operation in methods.items()
    if "requestBody" in operation and not operation["requestBody"].get("required", False)
}


# --- the hostile values -------------------------------------------------------------------


class Raw(str):
    """A JSON token written as it is (``NaN``, ``1e999``), not as a string."""


STRINGS: dict[str, Any] = {
    "10k chars": "x" * 10_000,
    "NUL byte": "abcd\x00efgh",
    "lone surrogate": "abcd\ud800efgh",
    "RTL override": "abcd\u202eefgh",
    "SQL injection": "x' OR '1'='1'; DROP TABLE orders.orders; --",
    "script injection": "<script>alert(document.cookie)</script>",
}
NUMBERS: dict[str, Any] = {
    "-1": -1,
    "2**63": 2**63,
    "1e308": 1e308,
    '"NaN"': "NaN",
    '"Infinity"': "Infinity",
    '"-inf"': "-inf",
    "NaN token": Raw("NaN"),
    "Infinity token": Raw("Infinity"),
    "1e999 token": Raw("1e999"),
}
FLOATS_FOR_INTEGERS: dict[str, Any] = {"1.5": 1.5, "2.0": 2.0}


def hostile_values(leaf: Leaf) -> dict[str, Any]:
    if leaf.kind == "string":
        return STRINGS
    if leaf.kind == "integer":
        return {**NUMBERS, **FLOATS_FOR_INTEGERS}
    if leaf.kind == "number":
        return NUMBERS
    return {}  # booleans: not in this suite's brief (strictness is tested per service)


def encode(body: Any) -> bytes:
    """ASCII JSON (a lone surrogate travels as its escape), with Raw values as bare tokens."""
    markers: dict[str, str] = {}

    def mark(value: Any) -> Any:
        if isinstance(value, Raw):
            marker = f"__raw_{len(markers)}__"
            markers[marker] = str(value)
            return marker
        if isinstance(value, dict):
            return {k: mark(v) for k, v in value.items()}
        if isinstance(value, list):
            return [mark(v) for v in value]
        return value

    text = json.dumps(mark(body))
    for marker, token in markers.items():
        text = text.replace(json.dumps(marker), token)
    return text.encode()


def dig(document: Any, path: Path) -> Any:
    for part in path:
        document = document[part]
    return document


def with_value(body: Any, path: Path, value: Any) -> Any:
    copy = json.loads(json.dumps(body))
    dig(copy, path[:-1])[path[-1]] = value
    return copy


def has(body: Any, path: Path) -> bool:
    try:
        dig(body, path)
    except (KeyError, IndexError, TypeError):
        return False
    return True


# --- valid bodies and how to read what they stored ------------------------------------------


@dataclass
class Target:
    """Where one operation is sent: valid bodies (fresh per call where values must be
    unique), headers (fresh Idempotency-Keys), and how to read back what a 2xx stored."""

    path: str
    bodies: Callable[[], list[dict[str, Any]]]
    headers: Callable[[], dict[str, str]]
    read: Callable[[httpx.Response, dict[str, Any]], Any] | None = None
    spent_by_success: bool = False  # a 2xx uses it up (an order accepted, a token rotated, ...)


@dataclass
class Shared:
    kit: Any
    owner: Any
    kitchen: Any
    customer: Any
    user: Any  # registered, with a phone: for /users/me, addresses, login
    user_phone: str
    category_id: str
    spare_item_id: str
    spare_restaurant_id: str
    address_id: str
    payment_id: str
    builders: dict[str, Callable[[], Target]] = field(default_factory=dict)


def _key() -> str:
    return f"key-{uuid.uuid4().hex}"


def _phone() -> str:
    return f"+91{uuid.uuid4().int % 10**10:010d}"


def _email() -> str:
    return f"hostile-{uuid.uuid4().hex[:10]}@example.com"


def _found(items: list[dict[str, Any]], key: str, value: Any) -> dict[str, Any]:
    return next(item for item in items if item[key] == value)


def _menu_entry(s: Shared, restaurant_id: str, kind: str, entry_id: str) -> dict[str, Any]:
    menu = s.kit.http.get(f"/api/v1/restaurants/{restaurant_id}/menu", headers=s.owner.headers()).json()
    if kind == "category":
        return _found(menu["categories"], "category_id", entry_id)
    items = [i for c in menu["categories"] for i in c["items"]] + menu["uncategorised"]
    return _found(items, "item_id", entry_id)


def _get(s: Shared, actor: Any, path: str) -> Any:
    response = s.kit.http.get(path, headers=actor.headers())
    assert response.status_code == 200, response.text
    return response.json()


def build_targets(s: Shared) -> dict[str, Callable[[], Target]]:
    kit, k, owner, customer, user = s.kit, s.kitchen, s.owner, s.customer, s.user
    dal = k.item_id("Dal")
    admin = kit.admin()
    hours = {day: [{"open": "00:00", "close": "00:00"}] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    restaurant = {
        "name": "Hostile Dhaba",
        "address": "2 MG Road",
        "city": "Pune",
        "lat": 18.5,
        "lon": 73.8,
        "cuisines": ["Mughlai"],
        "timezone": "Asia/Kolkata",
        "opening_hours": hours,
        "status": "ACTIVE",
    }
    card = {"number": "4242424242424242", "expiry_month": 12, "expiry_year": 2030, "cvc": "123"}
    address = {"label": "Home", "line": "3 MG Road", "city": "Pune", "lat": 18.5, "lon": 73.8, "is_default": False}

    def order_of(customer_: Any) -> dict[str, Any]:
        return kit.order(customer_, k)  # type: ignore[no-any-return]

    def pending_for_owner(path: str, bodies: list[dict[str, Any]], actor: Any) -> Callable[[], Target]:
        def build() -> Target:
            order_id = order_of(kit.dev())["order_id"]
            return Target(f"/api/v1/orders/{order_id}/{path}", lambda: bodies, actor.headers, spent_by_success=True)

        return build

    def review_target() -> Target:
        reviewer = kit.dev()
        order = order_of(reviewer)
        kit.walk(order["order_id"], "DELIVERED")
        body = {"order_id": order["order_id"], "rating": 4, "comment": "Good"}

        def read(response: httpx.Response, _: dict[str, Any]) -> Any:
            reviews = _get(s, reviewer, f"/api/v1/restaurants/{k.rid}/reviews?limit=100")["items"]
            return _found(reviews, "review_id", response.json()["review_id"])

        return Target(f"/api/v1/restaurants/{k.rid}/reviews", lambda: [body], reviewer.headers, read, True)

    def checkout_target() -> Target:
        buyer = kit.dev()
        cart = {"restaurant_id": k.rid, "items": [{"item_id": dal, "quantity": 1}]}

        def bodies() -> list[dict[str, Any]]:
            assert kit.http.put("/api/v1/cart", json=cart, headers=buyer.headers()).status_code == 200
            return [{"delivery_location": {"lat": 18.53, "lon": 73.86}, "offer_code": "HOSTILE10"}]

        def read(response: httpx.Response, _: dict[str, Any]) -> Any:
            return kit.get_order(response.json()["order_id"])

        return Target("/api/v1/cart/checkout", bodies, lambda: buyer.headers(_key()), read)

    def payment_target() -> Target:
        order = order_of(customer)
        return Target(
            "/api/v1/payments", lambda: [kit.pay_body(order)], lambda: customer.headers(_key()), spent_by_success=True
        )

    def refresh_target() -> Target:
        login = kit.http.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
        assert login.status_code == 200, login.text
        token = login.json()["refresh_token"]
        return Target("/api/v1/auth/refresh", lambda: [{"refresh_token": token}], dict, spent_by_success=True)

    def cart_line_target() -> Target:
        cart = {"restaurant_id": k.rid, "items": [{"item_id": dal, "quantity": 1}]}
        assert kit.http.put("/api/v1/cart", json=cart, headers=customer.headers()).status_code == 200
        return Target(f"/api/v1/cart/items/{dal}", lambda: [{"quantity": 2}], customer.headers)

    def me_target() -> Target:
        me = kit.register()  # its own account: the login and refresh targets keep theirs

        def bodies() -> list[dict[str, Any]]:
            return [{"name": "Still Me", "email": _email(), "phone": _phone()}]

        return Target("/api/v1/users/me", bodies, me.headers, lambda r, _: _get(s, me, "/api/v1/users/me"))

    def register_read(response: httpx.Response, sent: dict[str, Any]) -> Any:
        user_id = response.json()["user_id"]
        stored = _get(s, admin, f"/api/v1/users/{user_id}")
        if sent["password"] != PASSWORD:  # the password is read back the only way it can be: it logs in
            login = kit.http.post("/api/v1/auth/login", json={"email": sent["email"], "password": sent["password"]})
            stored["password"] = sent["password"] if login.status_code == 200 else f"login: {login.status_code}"
        return stored

    def fixed(
        path: str,
        bodies: list[dict[str, Any]],
        headers: Callable[[], dict[str, str]],
        read: Callable[[httpx.Response, dict[str, Any]], Any] | None = None,
    ) -> Callable[[], Target]:
        return lambda: Target(path, lambda: bodies, headers, read)

    rid, spare = s.spare_restaurant_id, s.spare_item_id
    order_body = {**kit.order_body(k), "delivery_location": {"lat": 18.53, "lon": 73.86}, "offer_code": "HOSTILE10"}
    order_body["lines"][0] |= {"unit_price_minor": 10_000}  # the menu's: another is a 422 "price changed"
    return {
        "POST /api/v1/orders": fixed(
            "/api/v1/orders", [order_body], customer.headers, lambda r, _: kit.get_order(r.json()["order_id"])
        ),
        "POST /api/v1/orders/{order_id}/accept": pending_for_owner("accept", [{"prep_time_minutes": 10}], owner),
        "POST /api/v1/orders/{order_id}/reject": pending_for_owner("reject", [{"reason": "too_busy"}], owner),
        "POST /api/v1/orders/{order_id}/status": pending_for_owner(
            "status",
            [
                {"status": "ACCEPTED", "prep_time_minutes": 10},
                {"status": "CANCELLED", "reason": "restaurant_rejected", "rejection_reason": "too_busy"},
            ],
            admin,
        ),
        "PUT /api/v1/cart": fixed(
            "/api/v1/cart", [{"restaurant_id": k.rid, "items": [{"item_id": dal, "quantity": 1}]}], customer.headers
        ),
        "POST /api/v1/cart/items": fixed(
            "/api/v1/cart/items",
            [{"restaurant_id": k.rid, "item_id": dal, "quantity": 1, "replace": True}],
            customer.headers,
        ),
        "PATCH /api/v1/cart/items/{item_id}": cart_line_target,
        "POST /api/v1/cart/checkout": checkout_target,
        "POST /api/v1/payments": payment_target,
        "POST /api/v1/payments/{payment_id}/refund": fixed(
            f"/api/v1/payments/{s.payment_id}/refund",
            [{"amount_minor": 100, "destination": "wallet"}],
            lambda: admin.headers(_key()),
        ),
        "POST /api/v1/wallet/topups": fixed(
            "/api/v1/wallet/topups",
            [{"amount_minor": 1000, "currency": "INR", "card": card}],
            lambda: customer.headers(_key()),
        ),
        "POST /api/v1/restaurants": fixed(
            "/api/v1/restaurants",
            [restaurant],
            owner.headers,
            lambda r, _: _get(s, owner, f"/api/v1/restaurants/{r.json()['restaurant_id']}"),
        ),
        "PATCH /api/v1/restaurants/{restaurant_id}": fixed(
            f"/api/v1/restaurants/{rid}",
            [restaurant],
            owner.headers,
            lambda r, _: _get(s, owner, f"/api/v1/restaurants/{rid}"),
        ),
        "POST /api/v1/restaurants/{restaurant_id}/menu/categories": fixed(
            f"/api/v1/restaurants/{k.rid}/menu/categories",
            [{"name": "Sides", "position": 3}],
            owner.headers,
            lambda r, _: _menu_entry(s, k.rid, "category", r.json()["category_id"]),
        ),
        "PATCH /api/v1/restaurants/{restaurant_id}/menu/categories/{category_id}": fixed(
            f"/api/v1/restaurants/{k.rid}/menu/categories/{s.category_id}",
            [{"name": "Mains", "position": 1}],
            owner.headers,
            lambda r, _: _menu_entry(s, k.rid, "category", s.category_id),
        ),
        "POST /api/v1/restaurants/{restaurant_id}/menu/items": fixed(
            f"/api/v1/restaurants/{k.rid}/menu/items",
            [
                {
                    "name": "Kheer",
                    "description": "Rice pudding",
                    "price_minor": 6000,
                    "is_veg": True,
                    "photo_url": "https://img.example.com/kheer.jpg",
                    "available": True,
                    "stock": 20,
                    "category_id": s.category_id,
                }
            ],
            owner.headers,
            lambda r, _: _menu_entry(s, k.rid, "item", r.json()["item_id"]),
        ),
        "PATCH /api/v1/restaurants/{restaurant_id}/menu/items/{item_id}": fixed(
            f"/api/v1/restaurants/{k.rid}/menu/items/{spare}",
            [
                {
                    "name": "Spare",
                    "description": "Kept aside",
                    "price_minor": 5000,
                    "is_veg": False,
                    "photo_url": "http://img.example.com/spare.png",
                    "available": True,
                    "stock": 7,
                    "category_id": s.category_id,
                }
            ],
            owner.headers,
            lambda r, _: _menu_entry(s, k.rid, "item", spare),
        ),
        "POST /api/v1/restaurants/{restaurant_id}/reviews": review_target,
        "POST /api/v1/restaurants/{restaurant_id}/offers": lambda: Target(
            f"/api/v1/restaurants/{k.rid}/offers",
            lambda: [
                {
                    "code": f"H{uuid.uuid4().hex[:8].upper()}",
                    "kind": "PERCENTAGE",
                    "value": 1000,
                    "min_order_minor": 0,
                    "max_discount_minor": 500,
                    "per_user_limit": 3,
                    "valid_from": "2026-01-01T00:00:00Z",
                    "valid_until": "2099-01-01T00:00:00Z",
                }
            ],
            owner.headers,
            lambda r, _: _found(_get(s, owner, f"/api/v1/restaurants/{k.rid}/offers"), "code", r.json()["code"]),
        ),
        "POST /api/v1/auth/register": lambda: Target(
            "/api/v1/auth/register",
            lambda: [
                {"email": _email(), "phone": _phone(), "password": PASSWORD, "name": "Hostile", "role": "CUSTOMER"}
            ],
            dict,
            register_read,
        ),
        "POST /api/v1/auth/login": fixed(
            "/api/v1/auth/login",
            [{"email": user.email, "password": PASSWORD}, {"phone": s.user_phone, "password": PASSWORD}],
            dict,
        ),
        "POST /api/v1/auth/refresh": refresh_target,
        "PATCH /api/v1/users/me": me_target,
        "POST /api/v1/users/me/addresses": fixed(
            "/api/v1/users/me/addresses",
            [address],
            user.headers,
            lambda r, _: _get(s, user, f"/api/v1/users/me/addresses/{r.json()['address_id']}"),
        ),
        "PATCH /api/v1/users/me/addresses/{address_id}": fixed(
            f"/api/v1/users/me/addresses/{s.address_id}",
            [address],
            user.headers,
            lambda r, _: _get(s, user, f"/api/v1/users/me/addresses/{s.address_id}"),
        ),
    }


# Fields a 2xx does not store as sent, and what becomes of them instead (None: nothing
# to compare; a function: the value expected in the read-back given the sent one).
NOT_ECHOED: dict[tuple[str, str], Callable[[Any], Any] | None] = {
    # The drop point only prices the delivery.
    ("POST /api/v1/orders", "delivery_location.lat"): None,
    ("POST /api/v1/orders", "delivery_location.lon"): None,
    ("POST /api/v1/cart/checkout", "delivery_location.lat"): None,
    ("POST /api/v1/cart/checkout", "delivery_location.lon"): None,
}


@pytest.fixture(scope="module")
def shared(kit: Any) -> Shared:
    owner = kit.dev(Role.RESTAURANT)
    kitchen = kit.kitchen(owner, Dal={}, Spare={"price_minor": 5000})
    category = kit.http.post(
        f"/api/v1/restaurants/{kitchen.rid}/menu/categories", json={"name": "Mains"}, headers=owner.headers()
    )
    assert category.status_code == 201, category.text
    kit.offer(kitchen, "HOSTILE10")
    spare_restaurant = kit.kitchen(owner)
    customer = kit.dev()
    phone = _phone()
    user = kit.register(Role.CUSTOMER, phone=phone)
    address = kit.http.post(
        "/api/v1/users/me/addresses",
        json={"label": "Work", "line": "4 MG Road", "city": "Pune", "lat": 18.5, "lon": 73.8},
        headers=user.headers(),
    )
    assert address.status_code == 201, address.text
    payment = kit.pay(customer, kit.order(customer, kitchen))
    s = Shared(
        kit,
        owner,
        kitchen,
        customer,
        user,
        phone,
        category.json()["category_id"],
        kitchen.item_id("Spare"),
        spare_restaurant.rid,
        address.json()["address_id"],
        payment["payment_id"],
    )
    s.builders = build_targets(s)
    return s


class Pool:
    """One target per operation, rebuilt only when a success used it up."""

    def __init__(self, build: Callable[[], Target]) -> None:
        self._build = build
        self._target: Target | None = None

    def get(self) -> Target:
        if self._target is None:
            self._target = self._build()
        return self._target

    def answered(self, response: httpx.Response) -> None:
        if response.is_success and self._target is not None and self._target.spent_by_success:
            self._target = None


def send(s: Shared, method: str, target: Target, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    content = body if isinstance(body, bytes) else encode(body)
    return s.kit.http.request(  # type: ignore[no-any-return]
        method,
        target.path,
        content=content,
        headers={"Content-Type": "application/json", **(headers or target.headers())},
    )


def test_every_operation_with_a_json_body_has_a_valid_body_to_start_from(shared: Shared) -> None:
    assert set(shared.builders) == set(OPERATIONS), "operations with a JSON body and no valid body here"


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_hostile_values_in_every_field_are_refused_by_name_or_stored_unchanged(shared: Shared, operation: str) -> None:
    method = operation.split(" ")[0]
    pool = Pool(shared.builders[operation])
    target = pool.get()
    missing = [leaf.name for leaf in OPERATIONS[operation] if not any(has(b, leaf.path) for b in target.bodies())]
    assert missing == [], "fields without a valid value in the bodies above: give them one"
    for body in target.bodies():  # the valid bodies succeed, so refusals below are the values' doing
        response = send(shared, method, target, body)
        assert response.is_success, (operation, body, response.text)
        pool.answered(response)
        target = pool.get()

    problems: list[str] = []
    for leaf in OPERATIONS[operation]:
        for label, value in hostile_values(leaf).items():
            target = pool.get()
            base = next(b for b in target.bodies() if has(b, leaf.path))
            sent = with_value(base, leaf.path, value)
            response = send(shared, method, target, sent)
            pool.answered(response)
            verdict = judge(operation, leaf, value, response, target, sent)
            if verdict:
                problems.append(f"{leaf.name} = {label}: {verdict}")
    assert problems == []


def judge(operation: str, leaf: Leaf, value: Any, response: httpx.Response, target: Target, sent: Any) -> str | None:
    """What is wrong with the answer to a hostile value, or None."""
    status = response.status_code
    if status >= 500:
        return f"{status} {response.text[:200]}"
    if status >= 400:
        if response.headers.get("content-type") != "application/problem+json":
            return f"{status} is not a problem: {response.headers.get('content-type')} {response.text[:200]}"
        problem = response.json()
        if problem["status"] != status:
            return f"problem status {problem['status']} on a {status}"
        named = [error["field"] for error in problem["errors"]]
        if problem["type"] == VALIDATION and leaf.name not in named:
            return f"422 names {named}, not {leaf.name}"
        return None
    # Accepted: it must be stored as sent (or as NOT_ECHOED says).
    if target.read is None:
        return f"{status} accepted, and nothing reads it back: decide where it goes"
    stored = target.read(response, sent)
    key = (operation, leaf.name)
    if key in NOT_ECHOED:
        expect = NOT_ECHOED[key]
        return (
            None if expect is None or dig(stored, leaf.path) == expect(value) else f"stored {dig(stored, leaf.path)!r}"
        )
    actual = dig(stored, leaf.path)
    if isinstance(value, Raw) or actual != value:
        return f"{status} but stored {str(actual)[:80]!r} instead of {str(value)[:80]!r}"
    return None


# --- the body as a whole ----------------------------------------------------------------------


def _duplicated_first_key(body: dict[str, Any]) -> tuple[bytes, str, Any]:
    """The body with its first key twice: a NUL-laden string first, the valid value last."""
    name, valid = next(iter(body.items()))
    rest = encode(body)[1:]  # '"name": valid, ...}'
    return b'{"' + name.encode() + b'": "abcd\\u0000efgh", ' + rest, name, valid


WHOLE_BODIES: dict[str, Callable[[dict[str, Any]], bytes]] = {
    "nested 10k arrays": lambda body: b"[" * 10_000 + b"]" * 10_000,
    "nested 10k objects": lambda body: b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
    "nested 10k in a field": lambda body: encode(body)[:-1] + b', "x": ' + b"[" * 10_000 + b"]" * 10_000 + b"}",
    "a JSON array": lambda body: encode([body]),
    "a JSON string": lambda body: b'"hello"',
    "JSON null": lambda body: b"null",
    "empty": lambda body: b"",
    "truncated": lambda body: encode(body)[:-2],
    "not UTF-8": lambda body: encode(body).replace(b'"', b'"\xff', 1),
    "UTF-16": lambda body: json.dumps(body).encode("utf-16"),
    "a BOM first": lambda body: b"\xef\xbb\xbf" + encode(body),
}


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_a_hostile_body_as_a_whole_is_a_problem_naming_the_body(shared: Shared, operation: str) -> None:
    method = operation.split(" ")[0]
    pool = Pool(shared.builders[operation])
    problems = []
    for label, make in WHOLE_BODIES.items():
        target = pool.get()
        response = send(shared, method, target, make(target.bodies()[0]))
        pool.answered(response)
        if label in ("a BOM first", "UTF-16") and (response.is_success or _problem_fields(response) is not None):
            # RFC 8259 §8.1 lets a parser ignore a BOM, and Python's json reads UTF-16: then it
            # is the valid body, answered as such (a repeat of it may be refused as a repeat).
            continue
        if label in ("JSON null", "empty") and operation in OPTIONAL_BODY and response.is_success:
            continue
        fields = _problem_fields(response)
        if fields is None or (response.status_code == 422 and fields != ["body"] and label != "nested 10k in a field"):
            problems.append(f"{label}: {response.status_code} {response.text[:160]}")
        elif label == "nested 10k in a field" and fields not in (["body"], ["x"]):
            problems.append(f"{label}: names {fields}")
    for content_type in ("text/plain", "application/x-www-form-urlencoded", ""):
        target = pool.get()
        response = send(shared, method, target, target.bodies()[0], {**target.headers(), "Content-Type": content_type})
        pool.answered(response)
        if response.status_code not in (415, 422) or _problem_fields(response) is None:
            problems.append(f"content type {content_type!r}: {response.status_code} {response.text[:160]}")
    assert problems == []


def _problem_fields(response: httpx.Response) -> list[str] | None:
    """The fields a 4xx problem names; None if the answer is not a 4xx problem."""
    if not 400 <= response.status_code < 500 or response.headers.get("content-type") != "application/problem+json":
        return None
    return [error["field"] for error in response.json()["errors"]]


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_a_duplicated_key_is_read_as_its_last_value_or_refused_by_name(shared: Shared, operation: str) -> None:
    method = operation.split(" ")[0]
    pool = Pool(shared.builders[operation])
    target = pool.get()
    raw, name, valid = _duplicated_first_key(target.bodies()[0])
    response = send(shared, method, target, raw)
    pool.answered(response)
    assert response.status_code < 500, response.text
    if response.is_success:
        if target.read is not None and (operation, name) not in NOT_ECHOED and isinstance(valid, str):
            assert target.read(response, json.loads(raw))[name] == valid  # the last value, not the NUL one
    else:
        assert _problem_fields(response) == [name], response.text
