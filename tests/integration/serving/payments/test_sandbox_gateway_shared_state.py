"""The sandbox gateway with its state in PostgreSQL: the same answers as in memory, and
one provider for every process of a deployment (each process builds its own gateway
from settings, as ``build_gateway`` does in the API and in ``tiffin consumers``)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from serving.app import create_app
from serving.kernel.auth import Role
from serving.payments.adapters import sandbox_tables
from serving.payments.adapters.sandbox import (
    CARD_DECLINED,
    CARD_SUCCEEDS,
    CARD_TIMES_OUT,
    CARD_TRANSIENT,
    SandboxGateway,
)
from serving.payments.adapters.sandbox_postgres import PostgresSandboxStore
from serving.payments.bootstrap import build_gateway
from serving.payments.domain.gateway import (
    CardDetails,
    ChargeRequest,
    GatewayDeclined,
    GatewayError,
    RefundRequest,
)
from serving.settings import ServingSettings
from tests.utils.threads import at_once

pytestmark = pytest.mark.stack

OTHER_VALID_CARD = "5555555555554444"  # not a test card: succeeds like CARD_SUCCEEDS


def _charge(number: str, key: str, amount: int = 5_000) -> ChargeRequest:
    return ChargeRequest(key, amount, "INR", CardDetails(number, 12, 2030, "123"), "test")


def _outcome(call: Callable[[], object]) -> object:
    """The value, or the error's type and reason: comparable between two gateways."""
    try:
        return call()
    except GatewayError as error:
        return (type(error).__name__, getattr(error, "reason", str(error)))


@pytest.fixture
def processes(settings: ServingSettings) -> Iterator[Callable[[], SandboxGateway]]:
    """``processes()`` -> a gateway built from settings, as one more process would build it."""
    built: list[SandboxGateway] = []

    def build() -> SandboxGateway:
        gateway = build_gateway(settings)
        assert isinstance(gateway, SandboxGateway) and isinstance(gateway.store, PostgresSandboxStore)
        built.append(gateway)
        return gateway

    yield build
    for gateway in built:
        gateway.close()


def _script(gateway: SandboxGateway, number: str, prefix: str) -> list[object]:
    """Every call the tests make of a sandbox, for one card, and what each answered."""
    key = f"{prefix}:charge"
    seen: list[object] = [_outcome(lambda: gateway.charge(_charge(number, key))) for _ in range(4)]
    reference = gateway.charge_reference(key)
    seen += [gateway.attempts[key], gateway.charges_for(key), reference]
    if reference is not None:
        for refund_key, amount in (("r1", 3_000), ("r1", 3_000), ("r2", 2_001), ("r3", 0), ("r4", 2_000)):
            request = RefundRequest(f"{prefix}:{refund_key}", reference, amount, "INR")
            seen.append(_outcome(partial(gateway.refund, request)))
        seen += [gateway.refunded_minor(reference), gateway.attempts[f"{prefix}:r1"]]
    seen.append(_outcome(lambda: gateway.refund(RefundRequest(f"{prefix}:r5", "ch_sandbox_nope", 1, "INR"))))
    seen.append(gateway.refunded_minor("ch_sandbox_nope"))
    return seen


@pytest.mark.parametrize("number", [CARD_SUCCEEDS, CARD_DECLINED, CARD_TRANSIENT, CARD_TIMES_OUT, OTHER_VALID_CARD])
def test_postgresql_state_answers_every_test_card_exactly_like_memory(
    number: str, processes: Callable[[], SandboxGateway]
) -> None:
    in_memory = SandboxGateway(transient_failures=2)
    in_postgres = processes()
    assert in_postgres.transient_failures == 2  # the payments tests' settings
    prefix = f"parity-{uuid.uuid4().hex}"  # the same keys for both: references derive from them
    charges_before = in_postgres.charges_made

    expected = _script(in_memory, number, prefix)
    assert _script(in_postgres, number, prefix) == expected
    assert in_postgres.charges_made - charges_before == in_memory.charges_made
    if number == CARD_TRANSIENT:  # the script did see the sequence it is about
        assert [type(o).__name__ for o in expected[:4]] == ["tuple", "tuple", "Charge", "Charge"]


def test_a_charge_made_by_one_process_is_known_to_another_which_refunds_it(
    processes: Callable[[], SandboxGateway],
) -> None:
    api, consumers = processes(), processes()
    key = f"payment:{uuid.uuid4()}"
    charges_before = api.charges_made

    charge = api.charge(_charge(CARD_SUCCEEDS, key, amount=9_000))
    again = consumers.charge(_charge(CARD_SUCCEEDS, key, amount=9_000))  # a retry landing elsewhere
    assert again == charge
    assert consumers.charges_made == api.charges_made == charges_before + 1
    assert consumers.attempts[key] == api.attempts[key] == 2

    refund = consumers.refund(RefundRequest(f"refund:{uuid.uuid4()}", charge.reference, 9_000, "INR"))
    assert refund.amount_minor == 9_000
    assert api.refunded_minor(charge.reference) == 9_000
    with pytest.raises(GatewayDeclined, match="refund_exceeds_charge"):
        api.refund(RefundRequest(f"refund:{uuid.uuid4()}", charge.reference, 1, "INR"))


def test_the_transient_card_fails_n_times_per_key_counted_across_processes(
    processes: Callable[[], SandboxGateway],
) -> None:
    first, second = processes(), processes()
    key = f"payment:{uuid.uuid4()}"
    answers = [_outcome(partial(g.charge, _charge(CARD_TRANSIENT, key))) for g in (first, second, first)]
    assert answers[:2] == [("GatewayUnavailable", "sandbox processing error, try again")] * 2
    assert answers[2] == second.charge(_charge(CARD_TRANSIENT, key))
    assert first.attempts[key] == 4


def _race(calls: list[Callable[[], object]]) -> list[object]:
    """The calls released together; each one's ``_outcome``."""
    return at_once([partial(_outcome, call) for call in calls])


def test_concurrent_duplicate_charges_from_two_processes_charge_once(processes: Callable[[], SandboxGateway]) -> None:
    gateways = (processes(), processes())
    key = f"payment:{uuid.uuid4()}"
    charges_before = gateways[0].charges_made

    results = _race([partial(gateways[i % 2].charge, _charge(CARD_SUCCEEDS, key)) for i in range(16)])

    assert len({repr(result) for result in results}) == 1 and type(results[0]).__name__ == "Charge"
    assert gateways[1].charges_made == charges_before + 1
    assert gateways[0].attempts[key] == 16


def test_concurrent_refunds_from_two_processes_never_exceed_the_charge(
    processes: Callable[[], SandboxGateway], db: Engine
) -> None:
    gateways = (processes(), processes())
    charge = gateways[0].charge(_charge(CARD_SUCCEEDS, f"payment:{uuid.uuid4()}", amount=10_000))

    results = _race(
        [
            partial(gateways[i % 2].refund, RefundRequest(f"refund:{uuid.uuid4()}", charge.reference, 1_000, "INR"))
            for i in range(24)
        ]
    )

    refused = [result for result in results if isinstance(result, tuple)]
    assert len(results) - len(refused) == 10
    assert set(refused) == {("GatewayDeclined", "refund_exceeds_charge")}
    assert gateways[0].refunded_minor(charge.reference) == gateways[1].refunded_minor(charge.reference) == 10_000
    refunds = sandbox_tables.refunds
    with db.connect() as connection:
        recorded: int = connection.execute(
            sa.select(sa.func.sum(refunds.c.amount_minor)).where(refunds.c.charge_reference == charge.reference)
        ).scalar_one()
    assert recorded == 10_000


def test_concurrent_refunds_with_one_key_from_two_processes_refund_once(
    processes: Callable[[], SandboxGateway],
) -> None:
    gateways = (processes(), processes())
    charge = gateways[0].charge(_charge(CARD_SUCCEEDS, f"payment:{uuid.uuid4()}", amount=10_000))
    request = RefundRequest(f"refund:{uuid.uuid4()}", charge.reference, 3_000, "INR")

    results = _race([partial(gateways[i % 2].refund, request) for i in range(8)])

    assert len({repr(result) for result in results}) == 1 and type(results[0]).__name__ == "GatewayRefund"
    assert gateways[1].refunded_minor(charge.reference) == 3_000


def test_the_sandbox_commits_on_its_own_not_in_the_callers_transaction(
    processes: Callable[[], SandboxGateway], db: Engine
) -> None:
    gateway = processes()
    key = f"payment:{uuid.uuid4()}"
    charges = sandbox_tables.charges
    count = sa.select(sa.func.count()).select_from(charges).where(charges.c.idempotency_key == key)

    with db.connect() as caller, caller.begin() as transaction:
        gateway.charge(_charge(CARD_SUCCEEDS, key))
        with db.connect() as onlooker:  # another session sees it while the caller's is still open
            assert onlooker.execute(count).scalar_one() == 1
        transaction.rollback()

    # Like a real provider, the charge stays made; a retry with the key finds it.
    assert gateway.charges_for(key) == 1


def test_a_card_payment_made_before_an_api_restart_is_refunded_after_it(
    settings: ServingSettings,
    auth: Callable[..., dict[str, str]],
    new_customer: Callable[[], str],
    new_idempotency_key: Callable[[], str],
    make_payment_body: Callable[..., dict[str, Any]],
    processes: Callable[[], SandboxGateway],
) -> None:
    buyer = new_customer()
    with TestClient(create_app(settings)) as before_restart:  # the gateway it builds from settings
        paid = before_restart.post(
            "/api/v1/payments",
            json=make_payment_body(buyer, amount_minor=9_000),
            headers=auth(buyer, key=new_idempotency_key()),
        )
    assert paid.status_code == 201 and paid.json()["status"] == "SUCCEEDED", paid.text
    payment_id = paid.json()["payment_id"]

    with TestClient(create_app(settings)) as after_restart:
        refunded = after_restart.post(
            f"/api/v1/payments/{payment_id}/refund",
            json={},
            headers=auth("ops-refunds", Role.ADMIN, key=new_idempotency_key()),
        )
    assert refunded.status_code == 201, refunded.text
    assert (refunded.json()["destination"], refunded.json()["amount_minor"]) == ("original", 9_000)
    provider = processes()
    assert provider.refunded_minor(provider.charge_reference(f"payment:{payment_id}") or "") == 9_000
