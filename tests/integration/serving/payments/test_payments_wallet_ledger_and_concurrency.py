import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from serving.payments.adapters import tables
from serving.payments.domain import ledger
from serving.payments.domain.payment import Method
from serving.payments.entrypoints.schemas import CreatePaymentRequest
from serving.payments.errors import PaymentError
from serving.payments.service import Payments

pytestmark = pytest.mark.stack


def _wallet_request(order_id: uuid.UUID, amount_minor: int) -> CreatePaymentRequest:
    return CreatePaymentRequest(order_id=order_id, method=Method.WALLET, amount_minor=amount_minor, currency="INR")


def test_twenty_concurrent_wallet_debits_never_overdraw_the_wallet(
    payments: Payments,
    top_up: Callable[[str, int], dict[str, Any]],
    db: Engine,
    new_customer: Callable[[], str],
    store_order: Callable[..., uuid.UUID],
) -> None:
    buyer = new_customer()
    top_up(buyer, 10_000)
    orders = [store_order(buyer, 1_000) for _ in range(20)]
    start = threading.Barrier(20)
    outcomes: list[str] = []
    lock = threading.Lock()

    def debit(order_id: uuid.UUID) -> None:
        start.wait()
        try:
            payments.create_payment(buyer, _wallet_request(order_id, 1_000), f"key-{uuid.uuid4().hex}")
            result = "paid"
        except PaymentError as refused:
            result = f"rejected:{type(refused).__name__}:{refused.errors[0].field}"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=debit, args=(order_id,)) for order_id in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["paid"] * 10 + ["rejected:InsufficientFunds:amount_minor"] * 10
    assert payments.wallet_balance(buyer) == 0
    with db.connect() as connection:
        wallet_lines = connection.execute(
            sa.select(sa.func.sum(tables.journal_lines.c.amount_minor)).where(
                tables.journal_lines.c.account_id == ledger.wallet_account(buyer)
            )
        ).scalar_one()
        all_lines = connection.execute(sa.select(sa.func.sum(tables.journal_lines.c.amount_minor))).scalar_one()
        all_balances = connection.execute(sa.select(sa.func.sum(tables.accounts.c.balance_minor))).scalar_one()
    assert wallet_lines == 0  # 10,000 in, 10 × 1,000 out
    assert all_lines == all_balances == 0  # double entry: money only moves


def test_a_wallet_that_cannot_cover_the_amount_is_a_409_naming_amount_minor_and_writes_nothing(
    client: TestClient,
    auth: Callable[..., dict[str, str]],
    top_up: Callable[[str, int], dict[str, Any]],
    count_rows: Callable[[], dict[str, int]],
    new_customer: Callable[[], str],
    store_order: Callable[..., uuid.UUID],
) -> None:
    buyer = new_customer()
    top_up(buyer, 500)
    order_id = store_order(buyer, 501)
    before = count_rows()
    response = client.post(
        "/api/v1/payments",
        json={"order_id": str(order_id), "method": "wallet", "amount_minor": 501, "currency": "INR"},
        headers=auth(buyer, key=f"key-{uuid.uuid4().hex}"),
    )
    assert response.status_code == 409
    assert response.json()["type"] == "urn:tiffin:problem:insufficient-funds"
    assert [e["field"] for e in response.json()["errors"]] == ["amount_minor"]
    assert count_rows() == before


def test_the_database_refuses_a_negative_wallet_even_if_the_service_had_a_bug(
    top_up: Callable[[str, int], dict[str, Any]], db: Engine, new_customer: Callable[[], str]
) -> None:
    buyer = new_customer()
    top_up(buyer, 100)
    with pytest.raises(IntegrityError, match="wallet_not_negative"), db.begin() as connection:
        connection.execute(
            sa.update(tables.accounts)
            .where(tables.accounts.c.account_id == ledger.wallet_account(buyer))
            .values(balance_minor=-1)
        )


def test_top_ups_and_wallet_payments_show_in_the_balance_and_the_paginated_history(
    client: TestClient,
    auth: Callable[..., dict[str, str]],
    top_up: Callable[[str, int], dict[str, Any]],
    pay: Callable[..., dict[str, Any]],
    new_customer: Callable[[], str],
) -> None:
    buyer = new_customer()
    assert client.get("/api/v1/wallet", headers=auth(buyer)).json()["balance_minor"] == 0
    assert top_up(buyer, 5_000)["balance_minor"] == 5_000
    top_up(buyer, 2_000)
    paid = pay(buyer, method="wallet", amount_minor=1_500)
    assert paid["status"] == "SUCCEEDED"

    wallet = client.get("/api/v1/wallet", headers=auth(buyer)).json()
    assert wallet == {"customer_id": buyer, "balance_minor": 5_500, "currency": "INR"}

    first = client.get("/api/v1/payments/transactions?limit=2", headers=auth(buyer)).json()
    assert [(t["kind"], t["amount_minor"], t["balance_after_minor"]) for t in first["items"]] == [
        ("WALLET_PAYMENT", -1_500, 5_500),
        ("WALLET_TOPUP", 2_000, 7_000),
    ]
    assert first["items"][0]["payment_id"] == paid["payment_id"]
    second = client.get(
        f"/api/v1/payments/transactions?limit=2&cursor={first['next_cursor']}", headers=auth(buyer)
    ).json()
    assert [(t["kind"], t["amount_minor"]) for t in second["items"]] == [("WALLET_TOPUP", 5_000)]
    assert second["next_cursor"] is None
    # Someone else's history is their own: empty for a new customer.
    assert client.get("/api/v1/payments/transactions", headers=auth(new_customer())).json()["items"] == []
