import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from serving.kernel.auth import Role
from serving.payments.adapters.sandbox import SandboxGateway

pytestmark = pytest.mark.stack


def _charge_reference(gateway: SandboxGateway, payment: dict[str, Any]) -> str | None:
    # The sandbox's charge for this payment, found through its idempotency key.
    return gateway.charge_reference(f"payment:{payment['payment_id']}")


@pytest.fixture
def refund(
    client: TestClient, auth: Callable[..., dict[str, str]], new_idempotency_key: Callable[[], str]
) -> Callable[..., Any]:
    """``refund(payment_id, key=None, **body)`` -> the response (an admin asks)."""

    def send(payment_id: str, key: str | None = None, **body: Any) -> Any:
        headers = auth("ops-refunds", Role.ADMIN, key=key or new_idempotency_key())
        return client.post(f"/api/v1/payments/{payment_id}/refund", json=body, headers=headers)

    return send


def test_partial_then_full_card_refunds_go_back_through_the_gateway_and_never_exceed_the_amount(
    pay: Callable[..., dict[str, Any]],
    refund: Callable[..., Any],
    new_customer: Callable[[], str],
    gateway: SandboxGateway,
    client: TestClient,
    auth: Callable[..., dict[str, str]],
    events_for: Callable[[str], list[dict[str, Any]]],
    count_rows: Callable[[], dict[str, int]],
) -> None:
    buyer = new_customer()
    payment = pay(buyer, amount_minor=10_000)

    partial = refund(payment["payment_id"], amount_minor=4_000)
    assert partial.status_code == 201, partial.text
    assert partial.json()["refunded_total_minor"] == 4_000
    assert partial.json()["destination"] == "original"

    before = count_rows()
    too_much = refund(payment["payment_id"], amount_minor=6_001)
    assert too_much.status_code == 422
    assert [e["field"] for e in too_much.json()["errors"]] == ["amount_minor"]
    assert count_rows() == before

    rest = refund(payment["payment_id"])  # no amount: everything that is left
    assert rest.status_code == 201
    assert (rest.json()["amount_minor"], rest.json()["refunded_total_minor"]) == (6_000, 10_000)

    nothing_left = refund(payment["payment_id"], amount_minor=1)
    assert nothing_left.status_code == 409

    assert gateway.refunded_minor(_charge_reference(gateway, payment)) == 10_000
    seen = client.get(f"/api/v1/payments/{payment['payment_id']}", headers=auth(buyer)).json()
    assert seen["refunded_minor"] == 10_000
    events = events_for(payment["order_id"])
    assert [e["event_type"] for e in events] == ["PaymentSucceeded", "PaymentRefunded", "PaymentRefunded"]
    assert [e["payload"]["refunded_total_minor"] for e in events[1:]] == [4_000, 10_000]


def test_a_refund_to_the_wallet_credits_the_customers_balance(
    pay: Callable[..., dict[str, Any]],
    refund: Callable[..., Any],
    new_customer: Callable[[], str],
    client: TestClient,
    auth: Callable[..., dict[str, str]],
) -> None:
    buyer = new_customer()
    payment = pay(buyer, amount_minor=8_000)
    response = refund(payment["payment_id"], amount_minor=3_000, destination="wallet")
    assert response.status_code == 201
    assert client.get("/api/v1/wallet", headers=auth(buyer)).json()["balance_minor"] == 3_000
    history = client.get("/api/v1/payments/transactions", headers=auth(buyer)).json()["items"]
    assert [(t["kind"], t["amount_minor"]) for t in history] == [("REFUND_TO_WALLET", 3_000)]


def test_a_repeated_refund_request_refunds_once(
    pay: Callable[..., dict[str, Any]],
    refund: Callable[..., Any],
    new_customer: Callable[[], str],
    new_idempotency_key: Callable[[], str],
) -> None:
    payment = pay(new_customer(), amount_minor=5_000)
    key = new_idempotency_key()
    first = refund(payment["payment_id"], key=key, amount_minor=1_000)
    second = refund(payment["payment_id"], key=key, amount_minor=1_000)
    assert first.json() == second.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert refund(payment["payment_id"]).json()["amount_minor"] == 4_000


def test_concurrent_refunds_of_one_payment_never_add_up_to_more_than_it(
    pay: Callable[..., dict[str, Any]],
    refund: Callable[..., Any],
    new_customer: Callable[[], str],
) -> None:
    payment = pay(new_customer(), amount_minor=5_000)
    start = threading.Barrier(8)
    statuses: list[int] = []
    lock = threading.Lock()

    def send() -> None:
        start.wait()
        status = refund(payment["payment_id"], amount_minor=1_000).status_code
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [201] * 5 + [409] * 3


def test_pending_failed_and_unknown_payments_cannot_be_refunded(
    pay: Callable[..., dict[str, Any]],
    make_card: Callable[..., dict[str, Any]],
    refund: Callable[..., Any],
    new_customer: Callable[[], str],
) -> None:
    pending = pay(new_customer(), method="cod")
    failed = pay(new_customer(), card=make_card("4000000000000002"))
    assert refund(pending["payment_id"]).status_code == 409
    assert refund(failed["payment_id"]).status_code == 409
    assert refund(str(uuid.uuid4())).status_code == 404


def test_a_settled_cash_payment_is_refunded_to_the_wallet(
    pay: Callable[..., dict[str, Any]],
    refund: Callable[..., Any],
    new_customer: Callable[[], str],
    client: TestClient,
    auth: Callable[..., dict[str, str]],
) -> None:
    buyer = new_customer()
    payment = pay(buyer, method="cod", amount_minor=2_500)
    client.post(f"/api/v1/payments/cod/{payment['order_id']}/settle", headers=auth("ops-1", Role.ADMIN))
    response = refund(payment["payment_id"])
    assert response.status_code == 201
    assert response.json()["destination"] == "wallet"
    assert client.get("/api/v1/wallet", headers=auth(buyer)).json()["balance_minor"] == 2_500
