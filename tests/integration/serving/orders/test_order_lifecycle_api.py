"""The order lifecycle over HTTP on a real PostgreSQL: transitions, events, access."""

import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from contracts.envelope import EventEnvelope
from contracts.registry import spec_for
from serving.app import create_app
from serving.kernel.auth import Role, issue_access_token
from serving.orders.adapters.tables import order_status_history, orders, outbox
from serving.orders.ports import RestaurantsApiOwnership
from serving.restaurants.adapters.tables import restaurants
from serving.settings import ServingSettings
from tests.utils.catalogue import Kitchen

pytestmark = pytest.mark.stack

LATER = ["ACCEPTED", "PREPARING", "READY", "ASSIGNED", "PICKED", "OUT_FOR_DELIVERY", "DELIVERED", "COMPLETED"]


class Kit:
    """An orders app with two restaurants of different owners, each selling a thali."""

    def __init__(self, client: TestClient, settings: ServingSettings, engine: Engine) -> None:
        self.client = client
        self.settings = settings
        self.engine = engine
        self.kitchen = Kitchen(client, settings, menu={"Thali": 15000})
        self.elsewhere = Kitchen(client, settings, menu={"Thali": 15000})  # another owner's

    def headers(self, subject: str, role: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {issue_access_token(subject, role, self.settings)}"}

    def place(self, customer: str | None = None) -> dict[str, Any]:
        customer = customer or f"cust-{uuid.uuid4().hex[:8]}"
        body = self.kitchen.order_body({"Thali": 2})
        response = self.client.post("/api/v1/orders", json=body, headers=self.headers(customer, Role.CUSTOMER))
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def owned_order(self) -> tuple[dict[str, Any], str]:
        """A new PENDING order and the subject of its restaurant's owner."""
        return self.place(), self.kitchen.owner

    def post(self, order_id: str, action: str, subject: str, role: Role, body: Any = None) -> Any:
        return self.client.post(f"/api/v1/orders/{order_id}/{action}", json=body, headers=self.headers(subject, role))

    def admin_to(self, order_id: str, status: str) -> None:
        """Walk the order forward through the main line up to ``status``, as an admin."""
        current = self.client.get(f"/api/v1/orders/{order_id}", headers=self.headers("ops", Role.ADMIN)).json()
        if current["status"] == status:
            return
        for step in LATER[LATER.index(current["status"]) + 1 if current["status"] in LATER else 0 :]:
            body: dict[str, Any] = {"status": step}
            if step == "ACCEPTED":
                body["prep_time_minutes"] = 10
            response = self.post(order_id, "status", "ops", Role.ADMIN, body)
            assert response.status_code == 200, response.text
            if step == status:
                return

    def events(self, order_id: str) -> list[EventEnvelope]:
        with self.engine.connect() as connection:
            payloads = connection.execute(
                sa.select(outbox.c.payload).where(outbox.c.message_key == order_id).order_by(outbox.c.id)
            ).scalars()
            return [EventEnvelope.model_validate(p) for p in payloads]

    def history(self, order_id: str) -> list[tuple[Any, ...]]:
        h = order_status_history.c
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(h.from_status, h.to_status, h.reason, h.actor, h.actor_id)
                .where(h.order_id == uuid.UUID(order_id))
                .order_by(h.id)
            ).all()
        return [tuple(row) for row in rows]


@pytest.fixture(scope="module")
def kit(settings: ServingSettings, engine: Engine) -> Iterator[Kit]:
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield Kit(client, settings, engine)


def test_an_order_walks_the_whole_lifecycle_with_one_history_row_and_one_event_per_step(kit: Kit) -> None:
    order, owner = kit.owned_order()
    oid = order["order_id"]

    accepted = kit.post(oid, "accept", owner, Role.RESTAURANT, {"prep_time_minutes": 20})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "ACCEPTED"
    assert accepted.json()["estimated_ready_at"] is not None
    assert kit.post(oid, "preparing", owner, Role.RESTAURANT).json()["status"] == "PREPARING"
    assert kit.post(oid, "ready", owner, Role.RESTAURANT).json()["status"] == "READY"
    for step in ["ASSIGNED", "PICKED", "OUT_FOR_DELIVERY", "DELIVERED", "COMPLETED"]:
        response = kit.post(oid, "status", "ops-1", Role.ADMIN, {"status": step})
        assert response.status_code == 200 and response.json()["status"] == step

    got = kit.client.get(f"/api/v1/orders/{oid}", headers=kit.headers(order["customer_id"], Role.CUSTOMER))
    assert got.json()["status"] == "COMPLETED"
    assert [row[:2] for row in kit.history(oid)] == list(
        zip([None, "PENDING", *LATER[:-1]], ["PENDING", *LATER], strict=True)
    )
    assert kit.history(oid)[1][3:] == ("restaurant", owner)
    assert kit.history(oid)[-1][3:] == ("admin", "ops-1")
    events = kit.events(oid)
    assert [e.event_type for e in events] == [
        "OrderPlaced", "OrderAccepted", "OrderPreparing", "OrderReady", "OrderAssigned",
        "OrderPickedUp", "OrderDispatched", "OrderDelivered", "OrderCompleted",
    ]  # fmt: skip
    for envelope in events:
        assert envelope.aggregate_id == oid
        spec_for(envelope.event_type).payload.model_validate(envelope.payload)
    assert events[1].payload["prep_time_minutes"] == 20


@pytest.mark.parametrize(
    ("status", "action", "body"),
    [
        ("ACCEPTED", "accept", {"prep_time_minutes": 5}),
        ("PENDING", "preparing", None),
        ("PENDING", "ready", None),
        ("ACCEPTED", "ready", None),
        ("READY", "reject", {"reason": "too_busy"}),
        ("READY", "preparing", None),
    ],
)
def test_an_illegal_move_is_a_409_naming_status_and_changes_nothing(
    kit: Kit, status: str, action: str, body: Any
) -> None:
    order, owner = kit.owned_order()
    kit.admin_to(order["order_id"], status)
    before = (kit.history(order["order_id"]), len(kit.events(order["order_id"])))

    response = kit.post(order["order_id"], action, owner, Role.RESTAURANT, body)

    assert response.status_code == 409, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:tiffin:problem:conflict"
    assert [e["field"] for e in response.json()["errors"]] == ["status"]
    assert (kit.history(order["order_id"]), len(kit.events(order["order_id"]))) == before


def test_a_restaurant_rejects_a_pending_order_which_ends_cancelled_with_one_order_rejected_event(kit: Kit) -> None:
    order, owner = kit.owned_order()
    response = kit.post(order["order_id"], "reject", owner, Role.RESTAURANT, {"reason": "out_of_stock"})

    assert response.status_code == 200
    assert response.json()["status"] == "CANCELLED"
    assert response.json()["cancellation_reason"] == "restaurant_rejected"
    last = kit.events(order["order_id"])[-1]
    assert last.event_type == "OrderRejected" and last.payload["rejection_reason"] == "out_of_stock"
    assert kit.history(order["order_id"])[-1][:3] == ("PENDING", "CANCELLED", "restaurant_rejected")


# Once cooking, the food as charged: two thalis and their 5 % GST (the delivery fee is returned).
@pytest.mark.parametrize(("status", "fee"), [("PENDING", 0), ("ACCEPTED", 0), ("PREPARING", 2 * 15000 + 1500)])
def test_a_customer_cancels_free_before_cooking_and_pays_for_food_being_cooked(kit: Kit, status: str, fee: int) -> None:
    order, _ = kit.owned_order()
    kit.admin_to(order["order_id"], status)

    response = kit.post(order["order_id"], "cancel", order["customer_id"], Role.CUSTOMER)

    assert response.status_code == 200, response.text
    assert response.json()["cancellation_reason"] == "customer_cancelled"
    cancelled = kit.events(order["order_id"])[-1]
    assert cancelled.event_type == "OrderCancelled"
    assert cancelled.payload["cancellation_fee_minor"] == fee
    assert cancelled.payload["refund_due_minor"] == order["total_minor"] - fee


@pytest.mark.parametrize("status", ["READY", "ASSIGNED", "PICKED", "DELIVERED", "COMPLETED"])
def test_a_customer_cannot_cancel_once_the_food_is_ready_or_picked_up(kit: Kit, status: str) -> None:
    order, _ = kit.owned_order()
    kit.admin_to(order["order_id"], status)
    response = kit.post(order["order_id"], "cancel", order["customer_id"], Role.CUSTOMER)
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "status"


def test_cancelling_twice_is_a_409_the_second_time(kit: Kit) -> None:
    order, _ = kit.owned_order()
    assert kit.post(order["order_id"], "cancel", order["customer_id"], Role.CUSTOMER).status_code == 200
    assert kit.post(order["order_id"], "cancel", order["customer_id"], Role.CUSTOMER).status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "prep_time_minutes"),
        ({"prep_time_minutes": 0}, "prep_time_minutes"),
        ({"prep_time_minutes": 181}, "prep_time_minutes"),
        ({"prep_time_minutes": "20"}, "prep_time_minutes"),
        ({"prep_time_minutes": 20.0}, "prep_time_minutes"),
        ({"prep_time_minutes": 20, "extra": 1}, "extra"),
        (None, "body"),
    ],
)
def test_accepting_with_a_bad_prep_time_is_a_422_naming_the_field(kit: Kit, body: Any, field: str) -> None:
    order, owner = kit.owned_order()
    response = kit.post(order["order_id"], "accept", owner, Role.RESTAURANT, body)
    assert response.status_code == 422, response.text
    assert field in {e["field"] for e in response.json()["errors"]}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reason": "bored"}, "reason"),
        ({}, "reason"),
    ],
)
def test_rejecting_without_a_known_reason_is_a_422(kit: Kit, body: Any, field: str) -> None:
    order, owner = kit.owned_order()
    response = kit.post(order["order_id"], "reject", owner, Role.RESTAURANT, body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"status": "CANCELLED"}, 422, "reason"),
        ({"status": "ACCEPTED", "reason": "payment_failed"}, 422, "reason"),
        ({"status": "ACCEPTED"}, 422, "prep_time_minutes"),
        ({"status": "SHIPPED"}, 422, "status"),
        ({"status": "READY"}, 409, "status"),
        ({"status": "CANCELLED", "reason": "nope"}, 422, "reason"),
    ],
)
def test_the_admin_status_route_checks_its_body_and_the_table(kit: Kit, body: Any, status: int, field: str) -> None:
    order, _ = kit.owned_order()
    response = kit.post(order["order_id"], "status", "ops", Role.ADMIN, body)
    assert response.status_code == status, response.text
    assert response.json()["errors"][0]["field"] == field


@pytest.mark.parametrize("reason", ["payment_failed", "accept_timeout", "restaurant_rejected", "customer_cancelled"])
def test_an_admin_cancels_a_pending_order_for_any_reason_and_the_event_says_why(kit: Kit, reason: str) -> None:
    order, _ = kit.owned_order()
    response = kit.post(order["order_id"], "status", "ops", Role.ADMIN, {"status": "CANCELLED", "reason": reason})
    assert response.status_code == 200
    last = kit.events(order["order_id"])[-1]
    expected = "OrderRejected" if reason == "restaurant_rejected" else "OrderCancelled"
    assert last.event_type == expected and last.payload["actor"] == "admin"


def test_two_racing_accepts_of_one_order_let_exactly_one_win(kit: Kit) -> None:
    for _ in range(5):
        order, owner = kit.owned_order()
        results: list[int] = []
        barrier = threading.Barrier(4)

        def accept(
            minutes: int,
            order_id: str = order["order_id"],
            owner: str = owner,
            barrier: threading.Barrier = barrier,
            results: list[int] = results,
        ) -> None:
            barrier.wait()
            response = kit.post(order_id, "accept", owner, Role.RESTAURANT, {"prep_time_minutes": minutes})
            results.append(response.status_code)

        threads = [threading.Thread(target=accept, args=(m,)) for m in (10, 20, 30, 40)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert sorted(results) == [200, 409, 409, 409]
        assert [e.event_type for e in kit.events(order["order_id"])] == ["OrderPlaced", "OrderAccepted"]
        assert len(kit.history(order["order_id"])) == 2


# --- Who may call what: every route x every role, owners and strangers -----------

CALLERS = ["customer", "other customer", "owner", "other restaurant", "courier", "admin"]


def caller(kit: Kit, who: str, order: dict[str, Any], owner: str) -> tuple[str, Role]:
    other_owner = kit.elsewhere.owner  # owns a restaurant, just not this one
    return {
        "customer": (order["customer_id"], Role.CUSTOMER),
        "other customer": (f"cust-{uuid.uuid4().hex[:8]}", Role.CUSTOMER),
        "owner": (owner, Role.RESTAURANT),
        "other restaurant": (other_owner, Role.RESTAURANT),
        # The courier has the customer's subject: roles, not names, decide.
        "courier": (order["customer_id"], Role.COURIER),
        "admin": ("ops-1", Role.ADMIN),
    }[who]


# route -> (status the order is in first, body, expected answer per caller)
MATRIX: dict[str, tuple[str, Any, list[int]]] = {
    "GET": ("PENDING", None, [200, 404, 200, 404, 404, 200]),
    "accept": ("PENDING", {"prep_time_minutes": 15}, [403, 403, 200, 404, 403, 200]),
    "reject": ("PENDING", {"reason": "too_busy"}, [403, 403, 200, 404, 403, 200]),
    "preparing": ("ACCEPTED", None, [403, 403, 200, 404, 403, 200]),
    "ready": ("PREPARING", None, [403, 403, 200, 404, 403, 200]),
    "cancel": ("PENDING", None, [200, 404, 403, 403, 403, 403]),
    "status": ("READY", {"status": "ASSIGNED"}, [403, 403, 403, 403, 403, 200]),
}


@pytest.mark.parametrize("route", list(MATRIX))
@pytest.mark.parametrize("who", CALLERS)
def test_every_route_answers_each_role_and_stranger_as_the_access_matrix_says(kit: Kit, route: str, who: str) -> None:
    status, body, expected = MATRIX[route]
    order, owner = kit.owned_order()
    kit.admin_to(order["order_id"], status)
    subject, role = caller(kit, who, order, owner)

    if route == "GET":
        response = kit.client.get(f"/api/v1/orders/{order['order_id']}", headers=kit.headers(subject, role))
    else:
        response = kit.post(order["order_id"], route, subject, role, body)

    assert response.status_code == expected[CALLERS.index(who)], response.text
    if response.status_code == 404:
        # A stranger cannot tell the order exists: the same answer as a random id.
        assert order["customer_id"] not in response.text and owner not in response.text
    if response.status_code >= 400:
        with kit.engine.connect() as connection:
            stored = connection.execute(
                sa.select(orders.c.status).where(orders.c.order_id == uuid.UUID(order["order_id"]))
            ).scalar_one()
        assert stored == status  # a refused call changes nothing


BODIES: dict[str, Any] = {
    "accept": {"prep_time_minutes": 5},
    "reject": {"reason": "too_busy"},
    "status": {"status": "ASSIGNED"},
}


@pytest.mark.parametrize("action", ["accept", "reject", "preparing", "ready", "cancel", "status"])
def test_every_lifecycle_route_needs_a_token_and_answers_404_for_an_unknown_order(kit: Kit, action: str) -> None:
    order, _ = kit.owned_order()
    role = Role.CUSTOMER if action == "cancel" else Role.ADMIN
    body = BODIES.get(action)

    no_token = kit.client.post(f"/api/v1/orders/{order['order_id']}/{action}", json=body)
    missing = kit.post(str(uuid.uuid4()), action, "someone", role, body)
    bad_id = kit.post("not-a-uuid", action, "someone", role, body)

    assert no_token.status_code == 401
    assert no_token.json()["errors"][0]["field"] == "Authorization"
    assert missing.status_code == 404
    assert bad_id.status_code == 422
    assert "order_id" in {e["field"] for e in bad_id.json()["errors"]}


def test_the_default_ownership_asks_the_restaurants_service_and_denies_without_breaking_the_transaction(
    engine: Engine,
) -> None:
    ownership = RestaurantsApiOwnership()
    rid, owner = uuid.uuid4(), f"owner-{uuid.uuid4().hex[:8]}"
    with engine.begin() as connection:
        connection.execute(
            sa.insert(restaurants).values(
                restaurant_id=rid, owner_id=owner, name="Udupi", address="MG Road", city="Pune", lat=18.5,
                lon=73.8, cuisines=[], timezone="Asia/Kolkata", opening_hours={}, status="ACTIVE",
                rating_avg=0.0, rating_count=0, popularity=0, search_text="Udupi",
                created_at=datetime.now(UTC), updated_at=datetime.now(UTC),
            )
        )  # fmt: skip
    with engine.connect() as connection:
        assert ownership.owns(connection, owner, str(rid))
        assert ownership.restaurants_of(connection, owner) == [str(rid)]
        assert not ownership.owns(connection, "someone-else", str(rid))
        # Orders keep the canonical text; a text id or another spelling is no catalogue restaurant.
        assert not ownership.owns(connection, owner, "rest-1")
        assert not ownership.owns(connection, owner, str(rid).upper())
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            # Without the restaurants' tables (an orders-only database) every answer is "no",
            # from a savepoint: the caller's transaction goes on.
            connection.execute(sa.text("ALTER SCHEMA restaurants RENAME TO restaurants_away"))
            assert not ownership.owns(connection, owner, str(rid))
            assert ownership.restaurants_of(connection, owner) == []
            assert connection.execute(sa.text("SELECT 1")).scalar_one() == 1
        finally:
            transaction.rollback()  # the schema's rename with it
    with engine.connect() as connection:
        assert ownership.owns(connection, owner, str(rid))
