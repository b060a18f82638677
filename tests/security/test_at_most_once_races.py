"""Every "at most once" rule of the API, raced with real concurrent requests.

Each race sends its requests from their own threads and connections to the app
served by a real uvicorn server, released together by a barrier, and then checks
the rule both in the answers and in what was stored (rows, sandbox charges, ledger
balances). Races that an existing test under tests/integration/serving already runs
in exactly this form are not repeated here: one review per order (restaurants/
test_reviews_api.py), one order per placement Idempotency-Key (test_order_idempotency_
and_history_api.py, through uvicorn), one order per cart under different keys
(test_cart_api.py), refresh-token rotation (identity/test_rate_limit_script_and_
refresh_races.py), popular-search counting (search/) and two accepts of one order
(test_order_lifecycle_api.py). Where an existing race covers a rule in a narrower form
(one card payment key on an in-memory gateway, eight partial refunds, wallet debits
through the Python API, four placements against a once-per-customer offer, two orders
for the last portion), the race here takes the rule through another path: the
PostgreSQL sandbox over HTTP, "everything left" refunds, checkout beside direct
orders, two items locked in opposite orders.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from serving.kernel.auth import Role
from tests.utils.payments import new_key

pytestmark = pytest.mark.stack

Send = Callable[[httpx.Client], httpx.Response]
Race = Callable[[list[Send]], list[httpx.Response]]


def scalar(engine: Engine, sql: str, **params: Any) -> Any:
    with engine.connect() as connection:
        return connection.execute(sa.text(sql), params).scalar_one()


def fields(response: httpx.Response) -> list[str]:
    assert response.headers["content-type"] == "application/problem+json", response.text
    return [error["field"] for error in response.json()["errors"]]


def statuses(responses: list[httpx.Response]) -> list[int]:
    return sorted(r.status_code for r in responses)


# --- payments --------------------------------------------------------------------------


def test_one_idempotency_key_charges_a_card_once_however_many_requests_race(
    live_kit: Any, race: Race, engine: Engine
) -> None:
    customer, kitchen = live_kit.dev(), live_kit.kitchen()
    order = live_kit.order(customer, kitchen)
    body, headers = live_kit.pay_body(order), customer.headers(new_key())
    charges = scalar(engine, "SELECT count(*) FROM sandbox_gateway.charges")

    answers = race([lambda http: http.post("/api/v1/payments", json=body, headers=headers)] * 8)

    assert statuses(answers) == [201] * 8, [a.text for a in answers]
    assert len({a.json()["payment_id"] for a in answers}) == 1
    assert {a.json()["status"] for a in answers} == {"SUCCEEDED"}
    assert sorted(a.headers["Idempotent-Replayed"] for a in answers) == ["false"] + ["true"] * 7
    assert scalar(engine, "SELECT count(*) FROM sandbox_gateway.charges") == charges + 1
    assert scalar(engine, "SELECT count(*) FROM payments.payments WHERE order_id = :o", o=order["order_id"]) == 1


def test_one_order_is_paid_once_when_payments_with_different_keys_race(
    live_kit: Any, race: Race, engine: Engine
) -> None:
    customer, kitchen = live_kit.dev(), live_kit.kitchen()
    order = live_kit.order(customer, kitchen)
    body = live_kit.pay_body(order)
    charges = scalar(engine, "SELECT count(*) FROM sandbox_gateway.charges")

    answers = race([lambda http: http.post("/api/v1/payments", json=body, headers=customer.headers(new_key()))] * 6)

    assert statuses(answers) == [201] + [409] * 5, [a.text for a in answers]
    assert all(fields(a) == ["order_id"] for a in answers if a.status_code == 409)
    assert scalar(engine, "SELECT count(*) FROM sandbox_gateway.charges") == charges + 1
    live = "SELECT count(*) FROM payments.payments WHERE order_id = :o AND status IN ('SUCCEEDED', 'PENDING')"
    assert scalar(engine, live, o=order["order_id"]) == 1


def test_a_wallet_never_goes_negative_when_payments_from_it_race(live_kit: Any, race: Race, engine: Engine) -> None:
    customer, kitchen = live_kit.dev(), live_kit.kitchen()
    orders = [live_kit.order(customer, kitchen) for _ in range(8)]
    total = orders[0]["total_minor"]
    assert {o["total_minor"] for o in orders} == {total}
    live_kit.top_up(customer, 3 * total)

    def pay(order: dict[str, Any]) -> Callable[[httpx.Client], httpx.Response]:
        body = live_kit.pay_body(order, "wallet")
        return lambda http: http.post("/api/v1/payments", json=body, headers=customer.headers(new_key()))

    answers = race([pay(order) for order in orders])

    assert statuses(answers) == [201] * 3 + [409] * 5, [a.text for a in answers]
    assert all(fields(a) == ["amount_minor"] for a in answers if a.status_code == 409)
    assert live_kit.balance(customer) == 0
    wallet = "SELECT balance_minor FROM payments.accounts WHERE account_id = :a"
    assert scalar(engine, wallet, a=f"wallet:{customer.subject}") == 0
    lines = "SELECT coalesce(sum(amount_minor), 0) FROM payments.journal_lines WHERE account_id = :a"
    assert scalar(engine, lines, a=f"wallet:{customer.subject}") == 0


def test_racing_refunds_of_everything_left_refund_it_once(live_kit: Any, race: Race, engine: Engine) -> None:
    customer, kitchen = live_kit.dev(), live_kit.kitchen()
    order = live_kit.order(customer, kitchen)
    payment = live_kit.pay(customer, order)
    admin = live_kit.admin()
    url = f"/api/v1/payments/{payment['payment_id']}/refund"
    first = live_kit.http.post(url, json={"amount_minor": 1_000}, headers=admin.headers(new_key()))
    assert first.status_code == 201, first.text
    left = order["total_minor"] - 1_000

    def refund(destination: str) -> Callable[[httpx.Client], httpx.Response]:
        return lambda http: http.post(url, json={"destination": destination}, headers=admin.headers(new_key()))

    answers = race([refund(d) for d in ("original", "wallet") * 3])

    assert statuses(answers) == [201] + [409] * 5, [a.text for a in answers]
    won = next(a.json() for a in answers if a.status_code == 201)
    assert won["amount_minor"] == left
    refunded = "SELECT refunded_minor FROM payments.payments WHERE payment_id = :p"
    assert scalar(engine, refunded, p=payment["payment_id"]) == order["total_minor"]
    assert live_kit.balance(customer) == (left if won["destination"] == "wallet" else 0)
    charge = "SELECT refunded_minor FROM sandbox_gateway.charges WHERE idempotency_key = :k"
    assert scalar(engine, charge, k=f"payment:{payment['payment_id']}") == (
        order["total_minor"] if won["destination"] == "original" else 1_000
    )


def test_one_refund_key_refunds_once_however_many_requests_race(live_kit: Any, race: Race, engine: Engine) -> None:
    customer, kitchen = live_kit.dev(), live_kit.kitchen()
    payment = live_kit.pay(customer, live_kit.order(customer, kitchen))
    headers = live_kit.admin().headers(new_key())
    url = f"/api/v1/payments/{payment['payment_id']}/refund"

    answers = race([lambda http: http.post(url, json={"amount_minor": 500}, headers=headers)] * 6)

    assert statuses(answers) == [201] * 6, [a.text for a in answers]
    assert len({a.json()["refund_id"] for a in answers}) == 1
    assert scalar(engine, "SELECT count(*) FROM payments.refunds WHERE payment_id = :p", p=payment["payment_id"]) == 1
    assert scalar(engine, "SELECT refunded_minor FROM payments.payments WHERE payment_id = :p",
                  p=payment["payment_id"]) == 500  # fmt: skip


def test_one_top_up_key_credits_the_wallet_once(live_kit: Any, race: Race, engine: Engine) -> None:
    customer = live_kit.dev()
    body = {"amount_minor": 7_000, "currency": "INR", "card": {"number": "4242424242424242", "expiry_month": 12,
                                                              "expiry_year": 2030, "cvc": "123"}}  # fmt: skip
    headers = customer.headers(new_key())
    charges = scalar(engine, "SELECT count(*) FROM sandbox_gateway.charges")

    answers = race([lambda http: http.post("/api/v1/wallet/topups", json=body, headers=headers)] * 6)

    assert statuses(answers) == [201] * 6, [a.text for a in answers]
    assert len({a.json()["topup_id"] for a in answers}) == 1
    assert live_kit.balance(customer) == 7_000
    assert scalar(engine, "SELECT count(*) FROM sandbox_gateway.charges") == charges + 1


def test_settling_a_cash_payment_many_times_at_once_settles_it_once(live_kit: Any, race: Race, engine: Engine) -> None:
    customer, kitchen = live_kit.dev(), live_kit.kitchen()
    order = live_kit.order(customer, kitchen)
    payment = live_kit.pay(customer, order, method="cod")
    admin = live_kit.admin()
    url = f"/api/v1/payments/cod/{order['order_id']}/settle"

    answers = race([lambda http: http.post(url, headers=admin.headers())] * 6)

    assert statuses(answers) == [200] * 6, [a.text for a in answers]
    assert {a.json()["status"] for a in answers} == {"SUCCEEDED"}
    settlements = "SELECT count(*) FROM payments.journal_entries WHERE payment_id = :p AND kind = 'COD_SETTLEMENT'"
    assert scalar(engine, settlements, p=payment["payment_id"]) == 1
    events = "SELECT count(*) FROM payments.outbox WHERE message_key = :o AND event_type = 'PaymentSucceeded'"
    assert scalar(engine, events, o=order["order_id"]) == 1


# --- orders, carts, offers, stock -----------------------------------------------------------


def test_one_checkout_key_makes_one_order_from_a_cart(live_kit: Any, race: Race, engine: Engine) -> None:
    customer, kitchen = live_kit.dev(), live_kit.kitchen()
    cart = {"restaurant_id": kitchen.rid, "items": [{"item_id": kitchen.item_id("Dal"), "quantity": 2}]}
    assert live_kit.http.put("/api/v1/cart", json=cart, headers=customer.headers()).status_code == 200
    headers = customer.headers(new_key())

    answers = race([lambda http: http.post("/api/v1/cart/checkout", json={}, headers=headers)] * 6)

    assert statuses(answers) == [200] * 5 + [201], [a.text for a in answers]
    assert len({a.json()["order_id"] for a in answers}) == 1
    assert scalar(engine, "SELECT count(*) FROM orders.orders WHERE customer_id = :c", c=customer.subject) == 1


def test_an_offers_per_customer_limit_holds_when_cart_checkout_and_direct_orders_race(
    live_kit: Any, race: Race, engine: Engine
) -> None:
    """Two placement paths share one limit: five direct orders and a checkout, limit 2."""
    customer, kitchen = live_kit.dev(), live_kit.kitchen()
    live_kit.offer(kitchen, "TWICE", value=500, per_user_limit=2)
    cart = {"restaurant_id": kitchen.rid, "items": [{"item_id": kitchen.item_id("Dal"), "quantity": 1}]}
    assert live_kit.http.put("/api/v1/cart", json=cart, headers=customer.headers()).status_code == 200
    body = live_kit.order_body(kitchen, offer_code="TWICE")

    def direct(http: httpx.Client) -> httpx.Response:
        return http.post("/api/v1/orders", json=body, headers=customer.headers())

    def checkout(http: httpx.Client) -> httpx.Response:
        return http.post("/api/v1/cart/checkout", json={"offer_code": "TWICE"}, headers=customer.headers(new_key()))

    answers = race([*[direct] * 5, checkout])

    assert statuses(answers) == [201] * 2 + [422] * 4, [a.text for a in answers]
    assert all(fields(a) == ["offer_code"] for a in answers if a.status_code == 422)
    assert {a.json()["discount_minor"] for a in answers if a.status_code == 201} == {500}
    used = "SELECT count(*) FROM orders.orders WHERE customer_id = :c AND offer_code = 'TWICE'"
    assert scalar(engine, used, c=customer.subject) == 2


def test_stock_never_goes_negative_when_accepts_of_orders_sharing_two_items_race(live_kit: Any, race: Race) -> None:
    """Six orders want two portions of each of two items, five in stock of each; half of
    them list the items the other way round, so a lock taken in line order would deadlock."""
    kitchen = live_kit.kitchen(Dal={"stock": 5}, Naan={"stock": 5})
    orders = [
        live_kit.order(live_kit.dev(), kitchen, {"Dal": 2, "Naan": 2} if i % 2 else {"Naan": 2, "Dal": 2})
        for i in range(6)
    ]
    owner = kitchen.owner

    def accept(order: dict[str, Any]) -> Callable[[httpx.Client], httpx.Response]:
        url = f"/api/v1/orders/{order['order_id']}/accept"
        return lambda http: http.post(url, json={"prep_time_minutes": 10}, headers=owner.headers())

    answers = race([accept(order) for order in orders])

    assert statuses(answers) == [200] * 2 + [409] * 4, [a.text for a in answers]
    for loser in (a for a in answers if a.status_code == 409):
        assert set(fields(loser)) <= {"lines[0].item_id", "lines[1].item_id"} and fields(loser)
    menu = live_kit.http.get(f"/api/v1/restaurants/{kitchen.rid}/menu", headers=owner.headers()).json()
    items = [i for c in menu["categories"] for i in c["items"]] + menu["uncategorised"]
    assert {i["name"]: i["stock"] for i in items} == {"Dal": 1, "Naan": 1}
    accepted = [o for o in orders if live_kit.get_order(o["order_id"])["status"] == "ACCEPTED"]
    assert len(accepted) == 2


def test_an_order_is_cancelled_once_and_accepted_at_most_once_when_every_move_races(
    live_kit: Any, race: Race, engine: Engine
) -> None:
    """Two of each move at once: a restaurant's accept and reject, the customer's cancel, an
    admin's cancel. An accept may precede a cancellation (ACCEPTED can still be cancelled),
    so the outcome must be one serial order: at most one accept, exactly one cancellation,
    and one history row and one event per move that answered 200."""
    customer, kitchen = live_kit.dev(), live_kit.kitchen()
    order = live_kit.order(customer, kitchen)
    base, owner, admin = f"/api/v1/orders/{order['order_id']}", kitchen.owner, live_kit.admin()
    moves = {
        "accept": lambda http: http.post(f"{base}/accept", json={"prep_time_minutes": 5}, headers=owner.headers()),
        "reject": lambda http: http.post(f"{base}/reject", json={"reason": "too_busy"}, headers=owner.headers()),
        "cancel": lambda http: http.post(f"{base}/cancel", headers=customer.headers()),
        "admin": lambda http: http.post(
            f"{base}/status", json={"status": "CANCELLED", "reason": "payment_failed"}, headers=admin.headers()
        ),  # fmt: skip
    }
    names = list(moves) * 2

    answers = race([moves[name] for name in names])

    won = Counter(name for name, a in zip(names, answers, strict=True) if a.status_code == 200)
    assert all(a.status_code in (200, 409) for a in answers), [a.text for a in answers]
    assert all(fields(a) == ["status"] for a in answers if a.status_code == 409)
    assert won["accept"] <= 1 and won["reject"] + won["cancel"] + won["admin"] == 1, won
    assert live_kit.get_order(order["order_id"])["status"] == "CANCELLED"
    history = "SELECT count(*) FROM orders.order_status_history WHERE order_id = :o"
    assert scalar(engine, history, o=order["order_id"]) == 1 + sum(won.values())  # placed, then each move
    events = "SELECT count(*) FROM orders.outbox WHERE message_key = :o"
    assert scalar(engine, events, o=order["order_id"]) == 1 + sum(won.values())


def test_one_offer_code_per_restaurant_when_creations_race(live_kit: Any, race: Race, engine: Engine) -> None:
    kitchen = live_kit.kitchen()
    url = f"/api/v1/restaurants/{kitchen.rid}/offers"

    def create(code: str) -> Callable[[httpx.Client], httpx.Response]:
        body = {"code": code, "kind": "FLAT", "value": 100 + len(code), "valid_until": "2099-01-01T00:00:00Z"}
        return lambda http: http.post(url, json=body, headers=kitchen.owner.headers())

    answers = race([create(code) for code in ("Race5", "RACE5", "race5", "RaCe5", "rACE5")])

    assert statuses(answers) == [201] + [409] * 4, [a.text for a in answers]
    assert all(fields(a) == ["code"] for a in answers if a.status_code == 409)
    assert scalar(engine, "SELECT count(*) FROM restaurants.offers WHERE restaurant_id = :r", r=kitchen.rid) == 1


# --- identity ----------------------------------------------------------------------------


def test_one_account_per_email_when_registrations_race(live_kit: Any, race: Race, engine: Engine) -> None:
    local = f"racer-{uuid.uuid4().hex[:10]}"
    # The same address in several spellings: emails are unique regardless of case.
    spellings = [f"{local}@example.com", f"{local.upper()}@EXAMPLE.COM", f"{local}@Example.com", f"{local}@example.COM"]

    def register(email: str) -> Callable[[httpx.Client], httpx.Response]:
        body = {"email": email, "password": "correct horse battery staple", "name": "Racer"}
        return lambda http: http.post("/api/v1/auth/register", json=body)

    answers = race([register(email) for email in spellings])

    assert statuses(answers) == [201] + [409] * 3, [a.text for a in answers]
    assert all(fields(a) == ["email"] for a in answers if a.status_code == 409)
    assert scalar(engine, "SELECT count(*) FROM identity.users WHERE email = :e", e=f"{local}@example.com") == 1


def test_one_default_address_when_default_addresses_are_added_at_once(live_kit: Any, race: Race) -> None:
    user = live_kit.register(Role.CUSTOMER)

    def add(label: str) -> Callable[[httpx.Client], httpx.Response]:
        body = {"label": label, "line": "1 MG Road", "city": "Pune", "lat": 18.5, "lon": 73.8, "is_default": True}
        return lambda http: http.post("/api/v1/users/me/addresses", json=body, headers=user.headers())

    answers = race([add(f"Home {i}") for i in range(6)])

    assert statuses(answers) == [201] * 6, [a.text for a in answers]
    stored = live_kit.http.get("/api/v1/users/me/addresses", headers=user.headers()).json()
    assert len(stored) == 6
    assert Counter(a["is_default"] for a in stored) == Counter({True: 1, False: 5})
