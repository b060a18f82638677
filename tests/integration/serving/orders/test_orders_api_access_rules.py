import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from serving.kernel.auth import Role, issue_access_token
from serving.settings import ServingSettings

pytestmark = pytest.mark.stack


def test_another_customer_cannot_read_an_order_and_cannot_tell_it_exists(
    client: TestClient, auth: Callable[..., dict[str, str]], place_order: Callable[..., dict[str, Any]]
) -> None:
    order = place_order(customer="cust-owner-" + uuid.uuid4().hex[:6])
    intruder = auth("cust-intruder-" + uuid.uuid4().hex[:6])

    someone_elses = client.get(f"/api/v1/orders/{order['order_id']}", headers=intruder)
    missing = client.get(f"/api/v1/orders/{uuid.uuid4()}", headers=intruder)

    assert someone_elses.status_code == missing.status_code == 404
    assert someone_elses.headers["content-type"] == "application/problem+json"
    assert order["customer_id"] not in someone_elses.text
    # Same shape for both, so the answer does not reveal which orders exist.
    assert {k for k in someone_elses.json() if k not in ("detail", "instance")} == {
        k for k in missing.json() if k not in ("detail", "instance")
    }


def test_an_admin_can_read_any_order(
    client: TestClient, auth: Callable[..., dict[str, str]], place_order: Callable[..., dict[str, Any]]
) -> None:
    order = place_order()
    response = client.get(f"/api/v1/orders/{order['order_id']}", headers=auth("ops-1", Role.ADMIN))
    assert response.status_code == 200
    assert response.json() == order


@pytest.mark.parametrize("role", [Role.COURIER, Role.RESTAURANT])
def test_other_roles_get_a_404_even_with_the_customers_subject(
    client: TestClient,
    auth: Callable[..., dict[str, str]],
    place_order: Callable[..., dict[str, Any]],
    role: Role,
) -> None:
    customer = f"cust-{uuid.uuid4().hex[:8]}"
    order = place_order(customer=customer)
    response = client.get(f"/api/v1/orders/{order['order_id']}", headers=auth(customer, role))
    assert response.status_code == 404


def test_reading_without_a_token_or_with_an_expired_one_is_401(
    client: TestClient, settings: ServingSettings, place_order: Callable[..., dict[str, Any]]
) -> None:
    order = place_order()
    expired = issue_access_token(
        order["customer_id"], Role.CUSTOMER, settings, now=datetime.now(UTC) - timedelta(hours=1)
    )
    url = f"/api/v1/orders/{order['order_id']}"

    for headers in ({}, {"Authorization": f"Bearer {expired}"}, {"Authorization": "Basic dXNlcjpwYXNz"}):
        response = client.get(url, headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"][0]["field"] == "Authorization"
