"""Why the payments service refuses a call: one type per reason, no HTTP here.

Each error carries a ``detail`` for people and ``errors`` naming the fields to fix.
Nothing the refused call meant to write is committed. The router turns each type
into its problem document (one table, ``entrypoints/problems.py``); the order saga's
consumer tells "retry later" (``GatewayStillUnavailable``) from "refused for good"
(every other type) by type.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from serving.kernel.field_errors import FieldError


class PaymentError(Exception):
    """A payment rule was broken; ``code`` names the rule (stable, for logs and outcomes)."""

    code: ClassVar[str] = "payment_error"

    def __init__(self, detail: str, errors: Iterable[FieldError] = ()) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = tuple(errors)


class InvalidPaymentRequest(PaymentError):
    """The request contradicts itself (a card without the card method, or the reverse)."""

    code = "invalid_request"


class UnknownOrder(PaymentError):
    """No such order, or another customer's: answered alike, so order ids cannot be probed."""

    code = "unknown_order"


class OrderNotPayable(PaymentError):
    """The order is past paying for (the kitchen started, or it was cancelled)."""

    code = "order_not_payable"


class AmountMismatch(PaymentError):
    """The amount or currency is not the order's total."""

    code = "amount_mismatch"


class OrderAlreadyPaid(PaymentError):
    """The order already has a pending or succeeded payment."""

    code = "order_already_paid"


class InsufficientFunds(PaymentError):
    """The wallet balance is lower than the amount."""

    code = "insufficient_funds"


class NotRefundable(PaymentError):
    """The payment has not succeeded, or nothing of it is left to refund."""

    code = "not_refundable"


class RefundTooLarge(PaymentError):
    """The refund asks for more than is left of the payment."""

    code = "refund_too_large"


class IdempotencyConflict(PaymentError):
    """The Idempotency-Key was already used for a different request."""

    code = "idempotency_conflict"


class CardDeclined(PaymentError):
    """The card gateway declined a charge for good (a top-up; a declined order payment is
    recorded as a FAILED payment instead)."""

    code = "card_declined"


class RefundDeclined(PaymentError):
    """The card gateway refused a refund for good; retrying is refused the same way."""

    code = "refund_declined"


class GatewayStillUnavailable(PaymentError):
    """The card gateway stayed unavailable through every retry; the same call (same
    Idempotency-Key) may succeed later."""

    code = "gateway_unavailable"
