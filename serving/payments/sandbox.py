"""A local card gateway with deterministic test cards, for development and tests.

It keeps its charges in memory and honours idempotency keys like a real provider:
a repeated key returns the first result and moves no money, which the tests use to
prove that retries and duplicate requests charge a card once.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from dataclasses import dataclass

from serving.payments.gateway import (
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


@dataclass
class _ChargeRecord:
    charge: Charge
    currency: str
    refunded_minor: int = 0


class SandboxGateway:
    """Implements PaymentGateway. Any other Luhn-valid card succeeds, like CARD_SUCCEEDS."""

    def __init__(self, transient_failures: int = 2) -> None:
        self.transient_failures = transient_failures
        self._lock = threading.Lock()
        self._charges: dict[str, _ChargeRecord] = {}  # by idempotency key
        self._by_reference: dict[str, _ChargeRecord] = {}
        self._refunds: dict[str, GatewayRefund] = {}  # by idempotency key
        self.attempts: Counter[str] = Counter()  # calls per idempotency key, retries included

    @property
    def charges_made(self) -> int:
        """Distinct charges that moved money (repeated keys do not count)."""
        with self._lock:
            return len(self._charges)

    def charges_for(self, idempotency_key: str) -> int:
        with self._lock:
            return 1 if idempotency_key in self._charges else 0

    def charge_reference(self, idempotency_key: str) -> str | None:
        with self._lock:
            record = self._charges.get(idempotency_key)
            return record.charge.reference if record else None

    def refunded_minor(self, charge_reference: str) -> int:
        with self._lock:
            record = self._by_reference.get(charge_reference)
            return record.refunded_minor if record else 0

    def charge(self, request: ChargeRequest) -> Charge:
        with self._lock:
            self.attempts[request.idempotency_key] += 1
            known = self._charges.get(request.idempotency_key)
            if known is not None:
                return known.charge
            number = request.card.number
            if number == CARD_DECLINED:
                raise GatewayDeclined("card_declined")
            if number == CARD_TIMES_OUT:
                raise GatewayTimeout("the sandbox gateway did not answer in time")
            if number == CARD_TRANSIENT and self.attempts[request.idempotency_key] <= self.transient_failures:
                raise GatewayUnavailable("sandbox processing error, try again")
            digest = hashlib.sha256(request.idempotency_key.encode()).hexdigest()
            charge = Charge(
                reference=f"ch_sandbox_{digest[:24]}",
                card_token=f"tok_sandbox_{hashlib.sha256(number.encode()).hexdigest()[:24]}",
                card_last4=request.card.last4,
                card_brand=card_brand(number),
                amount_minor=request.amount_minor,
            )
            record = _ChargeRecord(charge, request.currency)
            self._charges[request.idempotency_key] = record
            self._by_reference[charge.reference] = record
            return charge

    def refund(self, request: RefundRequest) -> GatewayRefund:
        with self._lock:
            self.attempts[request.idempotency_key] += 1
            known = self._refunds.get(request.idempotency_key)
            if known is not None:
                return known
            record = self._by_reference.get(request.charge_reference)
            if record is None:
                raise GatewayDeclined("unknown_charge")
            if request.amount_minor <= 0 or record.refunded_minor + request.amount_minor > record.charge.amount_minor:
                raise GatewayDeclined("refund_exceeds_charge")
            record.refunded_minor += request.amount_minor
            digest = hashlib.sha256(request.idempotency_key.encode()).hexdigest()
            refund = GatewayRefund(reference=f"rf_sandbox_{digest[:24]}", amount_minor=request.amount_minor)
            self._refunds[request.idempotency_key] = refund
            return refund
