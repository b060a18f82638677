from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from serving.payments.adapters import tables
from serving.payments.adapters.sandbox import (
    CARD_DECLINED,
    CARD_SUCCEEDS,
    CARD_TIMES_OUT,
    CARD_TRANSIENT,
    SandboxGateway,
)
from serving.payments.domain import ledger

pytestmark = pytest.mark.stack

MAX_ATTEMPTS = 4  # conftest's payments_gateway_max_attempts
TRANSIENT_FAILURES = 2


def _key_of(payment: dict[str, Any]) -> str:
    return f"payment:{payment['payment_id']}"


def test_a_card_payment_succeeds_keeps_only_last4_and_brand_and_emits_payment_succeeded(
    pay: Callable[..., dict[str, Any]],
    new_customer: Callable[[], str],
    events_for: Callable[[str], list[dict[str, Any]]],
    db: Engine,
) -> None:
    buyer = new_customer()
    payment = pay(buyer, amount_minor=27500)

    assert payment["status"] == "SUCCEEDED"
    assert (payment["card_last4"], payment["card_brand"]) == ("4242", "visa")
    events = events_for(payment["order_id"])
    assert [e["event_type"] for e in events] == ["PaymentSucceeded"]
    assert events[0]["payload"]["amount_minor"] == 27500
    assert events[0]["payload"]["customer_id"] == buyer
    with db.connect() as connection:
        lines = connection.execute(
            sa.select(tables.journal_lines.c.account_id, tables.journal_lines.c.amount_minor)
            .join(tables.journal_entries)
            .where(tables.journal_entries.c.payment_id == payment["payment_id"])
        ).all()
    assert sorted(lines) == [(ledger.CARD_CLEARING, -27500), (ledger.ORDER_REVENUE, 27500)]


def test_a_declined_card_makes_a_failed_payment_and_a_payment_failed_event_and_moves_no_money(
    pay: Callable[..., dict[str, Any]],
    make_card: Callable[..., dict[str, Any]],
    new_customer: Callable[[], str],
    events_for: Callable[[str], list[dict[str, Any]]],
    gateway: SandboxGateway,
) -> None:
    payment = pay(new_customer(), card=make_card(CARD_DECLINED))

    assert payment["status"] == "FAILED"
    assert payment["failure_reason"] == "card_declined"
    events = events_for(payment["order_id"])
    assert [e["event_type"] for e in events] == ["PaymentFailed"]
    assert events[0]["payload"]["reason"] == "card_declined"
    assert gateway.attempts[_key_of(payment)] == 1  # a decline is never retried
    assert gateway.charges_for(_key_of(payment)) == 0


def test_after_a_failed_attempt_the_customer_can_pay_the_same_order_again(
    pay: Callable[..., dict[str, Any]],
    make_card: Callable[..., dict[str, Any]],
    new_customer: Callable[[], str],
) -> None:
    buyer = new_customer()
    failed = pay(buyer, card=make_card(CARD_DECLINED))
    retried = pay(buyer, order_id=failed["order_id"], card=make_card(CARD_SUCCEEDS))
    assert retried["status"] == "SUCCEEDED"


def test_a_transient_card_failure_is_retried_then_succeeds_with_one_charge_at_the_gateway(
    pay: Callable[..., dict[str, Any]],
    make_card: Callable[..., dict[str, Any]],
    new_customer: Callable[[], str],
    gateway: SandboxGateway,
) -> None:
    payment = pay(new_customer(), card=make_card(CARD_TRANSIENT))

    assert payment["status"] == "SUCCEEDED"
    assert gateway.attempts[_key_of(payment)] == TRANSIENT_FAILURES + 1  # same key every time
    assert gateway.charges_for(_key_of(payment)) == 1


def test_a_gateway_that_keeps_timing_out_is_retried_up_to_the_cap_then_the_payment_fails(
    pay: Callable[..., dict[str, Any]],
    make_card: Callable[..., dict[str, Any]],
    new_customer: Callable[[], str],
    events_for: Callable[[str], list[dict[str, Any]]],
    gateway: SandboxGateway,
) -> None:
    payment = pay(new_customer(), card=make_card(CARD_TIMES_OUT))

    assert payment["status"] == "FAILED"
    assert payment["failure_reason"] == "gateway_timeout"
    assert gateway.attempts[_key_of(payment)] == MAX_ATTEMPTS
    assert [e["event_type"] for e in events_for(payment["order_id"])] == ["PaymentFailed"]


def test_no_card_number_is_stored_anywhere_in_the_payments_schema(
    client: TestClient,
    auth: Callable[..., dict[str, str]],
    pay: Callable[..., dict[str, Any]],
    make_card: Callable[..., dict[str, Any]],
    new_customer: Callable[[], str],
    top_up: Callable[[str, int], dict[str, Any]],
    db: Engine,
) -> None:
    buyer = new_customer()
    pay(buyer, card=make_card(CARD_SUCCEEDS))
    pay(buyer, card=make_card(CARD_DECLINED))
    top_up(buyer, 100)
    with db.connect() as connection:
        for table in tables.metadata.sorted_tables:
            text = " ".join(str(row) for row in connection.execute(sa.select(table)))
            for number in (CARD_SUCCEEDS, CARD_DECLINED):
                assert number not in text, f"{number} found in payments.{table.name}"


def test_cash_on_delivery_is_pending_until_an_admin_settles_it_and_settling_twice_is_harmless(
    client: TestClient,
    auth: Callable[..., dict[str, str]],
    pay: Callable[..., dict[str, Any]],
    new_customer: Callable[[], str],
    events_for: Callable[[str], list[dict[str, Any]]],
) -> None:
    payment = pay(new_customer(), method="cod", amount_minor=31000)
    assert payment["status"] == "PENDING"
    admin = auth("ops-1", role="ADMIN")

    settled = client.post(f"/api/v1/payments/cod/{payment['order_id']}/settle", headers=admin)
    again = client.post(f"/api/v1/payments/cod/{payment['order_id']}/settle", headers=admin)

    assert settled.status_code == again.status_code == 200
    assert settled.json()["status"] == again.json()["status"] == "SUCCEEDED"
    assert [e["event_type"] for e in events_for(payment["order_id"])] == ["PaymentPending", "PaymentSucceeded"]
