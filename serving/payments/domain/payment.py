"""Pure payment rules: methods, statuses, the payment limit, refund limits and idempotency
fingerprints.

No I/O here; the caller supplies ids and clocks.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from contracts.money import MAX_PAYMENT_MINOR
from serving.kernel.field_errors import FieldError
from serving.payments.errors import NotRefundable, RefundTooLarge

SUPPORTED_CURRENCIES = frozenset({"INR"})
# Shared with orders, which refuse an order dearer than this (one source of truth).
MAX_AMOUNT_MINOR = MAX_PAYMENT_MINOR

# Ids derived from (caller, operation, Idempotency-Key): a client that resubmits after
# a crash gets the same payment id, hence the same gateway idempotency key, so the
# gateway answers with the first charge instead of making a second.
_ID_NAMESPACE = uuid.UUID("6f7a1f0e-2b43-4d8e-9a55-3c1d2a9b7e64")


class Method(StrEnum):
    CARD = "card"
    WALLET = "wallet"
    COD = "cod"


class PaymentStatus(StrEnum):
    PENDING = "PENDING"  # COD: recorded, cash collected on delivery
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class RefundDestination(StrEnum):
    WALLET = "wallet"
    ORIGINAL = "original"  # back the way it came: card via the gateway, wallet to wallet


@dataclass(frozen=True)
class Payment:
    payment_id: uuid.UUID
    order_id: uuid.UUID
    customer_id: str
    method: Method
    status: PaymentStatus
    amount_minor: int
    refunded_minor: int
    currency: str
    created_at: datetime
    updated_at: datetime
    card_last4: str | None = None
    card_brand: str | None = None
    card_token: str | None = None
    gateway_reference: str | None = None
    failure_reason: str | None = None

    @property
    def refundable_minor(self) -> int:
        return self.amount_minor - self.refunded_minor if self.status is PaymentStatus.SUCCEEDED else 0


@dataclass(frozen=True)
class Refund:
    refund_id: uuid.UUID
    payment_id: uuid.UUID
    amount_minor: int
    destination: RefundDestination
    gateway_reference: str | None
    created_at: datetime


def derived_id(caller: str, operation: str, idempotency_key: str) -> uuid.UUID:
    return uuid.uuid5(_ID_NAMESPACE, f"{caller}\x1f{operation}\x1f{idempotency_key}")


def fingerprint(operation: str, body: Mapping[str, Any]) -> str:
    """A digest of what was asked, to tell "the same request again" from "a different one
    under a reused key". Card numbers go in only as a hash, so nothing stored reveals them."""
    canonical = json.dumps({"operation": operation, "body": body}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def resolve_refund(
    payment: Payment, amount_minor: int | None, destination: RefundDestination
) -> tuple[int, RefundDestination]:
    """The amount and concrete destination of a refund, or NotRefundable / RefundTooLarge.

    ``amount_minor`` None means "everything not yet refunded". COD cash cannot go back
    the way it came, so "original" for COD means the wallet.
    """
    if payment.status is not PaymentStatus.SUCCEEDED:
        raise NotRefundable(
            f"Only a succeeded payment can be refunded; this one is {payment.status.value}.",
            [FieldError("payment_id", "The payment has not succeeded.")],
        )
    remaining = payment.amount_minor - payment.refunded_minor
    amount = remaining if amount_minor is None else amount_minor
    if remaining == 0:
        raise NotRefundable(
            "The payment is already fully refunded.", [FieldError("amount_minor", "Nothing is left to refund.")]
        )
    if not 1 <= amount <= remaining:
        raise RefundTooLarge(
            "A refund cannot exceed what is left of the payment.",
            [FieldError("amount_minor", f"At most {remaining} minor units can still be refunded.")],
        )
    if destination is RefundDestination.ORIGINAL and payment.method is not Method.CARD:
        destination = RefundDestination.WALLET
    return amount, destination
