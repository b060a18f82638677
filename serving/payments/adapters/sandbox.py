"""A local card gateway with deterministic test cards, for development and tests.

It honours idempotency keys like a real provider: a repeated key returns the first
result and moves no money, which the tests use to prove that retries and duplicate
requests charge a card once.

What the fake provider *remembers* (charges, refunds, calls per key) lives behind
``SandboxStore``: ``InMemorySandboxStore`` for unit tests and injected test gateways,
``serving.payments.sandbox_postgres.PostgresSandboxStore`` for a deployment, where the
API and the consumers are separate processes that must all see the same provider.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from typing import Protocol

from serving.payments.domain.gateway import (
    Charge,
    ChargeRequest,
    GatewayDeclined,
    GatewayRefund,
    GatewayTimeout,
    GatewayUnavailable,
    RefundRequest,
    card_brand,
)

# All pass the Luhn check, so they also pass the API's validation.
CARD_SUCCEEDS = "4242424242424242"
CARD_DECLINED = "4000000000000002"
CARD_TRANSIENT = "4000000000000119"  # fails `transient_failures` times per key, then succeeds
CARD_TIMES_OUT = "4000000000000259"  # never answers in time

SANDBOX_CARDS = {
    CARD_SUCCEEDS: "succeeds",
    CARD_DECLINED: "declined (permanent)",
    CARD_TRANSIENT: "fails transiently N times, then succeeds",
    CARD_TIMES_OUT: "times out",
}

UNKNOWN_CHARGE = "unknown_charge"
REFUND_EXCEEDS_CHARGE = "refund_exceeds_charge"


@dataclass(frozen=True)
class RefundRefusal:
    """A refund the store would not record; the gateway turns it into GatewayDeclined."""

    reason: str


class SandboxStore(Protocol):
    """The sandbox provider's memory.

    Each method is atomic on its own, and a store shared by several gateways (or
    processes) must keep two promises under concurrency: one charge per idempotency
    key (the first kept wins), and refunds of a charge never summing past its amount.
    """

    def begin_charge(self, idempotency_key: str) -> tuple[int, Charge | None]:
        """Count one more call with this key; return the count so far and the key's charge, if any."""
        ...

    def keep_charge(self, idempotency_key: str, charge: Charge, currency: str) -> Charge:
        """Record the charge unless the key already has one; return the one recorded."""
        ...

    def refund(self, request: RefundRequest, reference: str) -> GatewayRefund | RefundRefusal:
        """Count one more call with the request's key; return the key's earlier refund if
        any, else record a new one under ``reference`` unless it is refused."""
        ...

    def attempts(self, idempotency_key: str) -> int: ...

    def charge_count(self) -> int: ...

    def find_charge(self, idempotency_key: str) -> Charge | None: ...

    def refunded_minor(self, charge_reference: str) -> int: ...

    def close(self) -> None: ...


@dataclass
class _ChargeRecord:
    charge: Charge
    currency: str
    refunded_minor: int = 0


class InMemorySandboxStore:
    """Implements SandboxStore in this process's memory: gone on restart, unseen by other processes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._charges: dict[str, _ChargeRecord] = {}  # by idempotency key
        self._by_reference: dict[str, _ChargeRecord] = {}
        self._refunds: dict[str, GatewayRefund] = {}  # by idempotency key
        self._attempts: dict[str, int] = {}

    def begin_charge(self, idempotency_key: str) -> tuple[int, Charge | None]:
        with self._lock:
            count = self._count(idempotency_key)
            record = self._charges.get(idempotency_key)
            return count, record.charge if record else None

    def keep_charge(self, idempotency_key: str, charge: Charge, currency: str) -> Charge:
        with self._lock:
            known = self._charges.get(idempotency_key)
            if known is not None:
                return known.charge
            record = _ChargeRecord(charge, currency)
            self._charges[idempotency_key] = record
            self._by_reference[charge.reference] = record
            return charge

    def refund(self, request: RefundRequest, reference: str) -> GatewayRefund | RefundRefusal:
        with self._lock:
            self._count(request.idempotency_key)
            known = self._refunds.get(request.idempotency_key)
            if known is not None:
                return known
            record = self._by_reference.get(request.charge_reference)
            if record is None:
                return RefundRefusal(UNKNOWN_CHARGE)
            if request.amount_minor <= 0 or record.refunded_minor + request.amount_minor > record.charge.amount_minor:
                return RefundRefusal(REFUND_EXCEEDS_CHARGE)
            record.refunded_minor += request.amount_minor
            refund = GatewayRefund(reference=reference, amount_minor=request.amount_minor)
            self._refunds[request.idempotency_key] = refund
            return refund

    def attempts(self, idempotency_key: str) -> int:
        with self._lock:
            return self._attempts.get(idempotency_key, 0)

    def charge_count(self) -> int:
        with self._lock:
            return len(self._charges)

    def find_charge(self, idempotency_key: str) -> Charge | None:
        with self._lock:
            record = self._charges.get(idempotency_key)
            return record.charge if record else None

    def refunded_minor(self, charge_reference: str) -> int:
        with self._lock:
            record = self._by_reference.get(charge_reference)
            return record.refunded_minor if record else 0

    def close(self) -> None:
        pass

    def _count(self, idempotency_key: str) -> int:
        self._attempts[idempotency_key] = self._attempts.get(idempotency_key, 0) + 1
        return self._attempts[idempotency_key]


class AttemptCounts:
    """``gateway.attempts[key]``: calls per idempotency key, retries included (0 if never called)."""

    def __init__(self, store: SandboxStore) -> None:
        self._store = store

    def __getitem__(self, idempotency_key: str) -> int:
        return self._store.attempts(idempotency_key)


def _reference(prefix: str, idempotency_key: str) -> str:
    # Derived from the key, so every process (and every retry) names a charge alike.
    return f"{prefix}_sandbox_{hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]}"


class SandboxGateway:
    """Implements PaymentGateway. Any other Luhn-valid card succeeds, like CARD_SUCCEEDS."""

    def __init__(self, transient_failures: int = 2, store: SandboxStore | None = None) -> None:
        self.transient_failures = transient_failures
        self.store: SandboxStore = store if store is not None else InMemorySandboxStore()
        self.attempts = AttemptCounts(self.store)

    @property
    def charges_made(self) -> int:
        """Distinct charges that moved money (repeated keys do not count)."""
        return self.store.charge_count()

    def charges_for(self, idempotency_key: str) -> int:
        return 1 if self.store.find_charge(idempotency_key) is not None else 0

    def charge_reference(self, idempotency_key: str) -> str | None:
        charge = self.store.find_charge(idempotency_key)
        return charge.reference if charge else None

    def refunded_minor(self, charge_reference: str) -> int:
        return self.store.refunded_minor(charge_reference)

    def charge(self, request: ChargeRequest) -> Charge:
        attempt, known = self.store.begin_charge(request.idempotency_key)
        if known is not None:
            return known
        number = request.card.number
        if number == CARD_DECLINED:
            raise GatewayDeclined("card_declined")
        if number == CARD_TIMES_OUT:
            raise GatewayTimeout("the sandbox gateway did not answer in time")
        if number == CARD_TRANSIENT and attempt <= self.transient_failures:
            raise GatewayUnavailable("sandbox processing error, try again")
        charge = Charge(
            reference=_reference("ch", request.idempotency_key),
            card_token=f"tok_sandbox_{hashlib.sha256(number.encode()).hexdigest()[:24]}",
            card_last4=request.card.last4,
            card_brand=card_brand(number),
            amount_minor=request.amount_minor,
        )
        # A concurrent duplicate may have recorded the key's charge meanwhile: theirs wins.
        return self.store.keep_charge(request.idempotency_key, charge, request.currency)

    def refund(self, request: RefundRequest) -> GatewayRefund:
        outcome = self.store.refund(request, _reference("rf", request.idempotency_key))
        if isinstance(outcome, RefundRefusal):
            raise GatewayDeclined(outcome.reason)
        return outcome

    def close(self) -> None:
        self.store.close()
