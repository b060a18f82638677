"""The payments service's refusals as problem documents: one table, the only place
their HTTP statuses are chosen (docs/payments.md lists them per route)."""

from __future__ import annotations

from serving.kernel.http.problems import CONFLICT, ProblemError
from serving.payments.errors import (
    AmountMismatch,
    CardDeclined,
    GatewayStillUnavailable,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidPaymentRequest,
    NotRefundable,
    OrderAlreadyPaid,
    OrderNotPayable,
    PaymentError,
    RefundDeclined,
    RefundTooLarge,
    UnknownOrder,
)

INSUFFICIENT_FUNDS = "urn:tiffin:problem:insufficient-funds"
GATEWAY_PROBLEM = "urn:tiffin:problem:payment-gateway"

# Every refusal of the service, as (status, problem type); None: the status's own type.
PROBLEMS: dict[type[PaymentError], tuple[int, str | None]] = {
    InvalidPaymentRequest: (422, None),
    UnknownOrder: (404, None),
    OrderNotPayable: (409, CONFLICT),
    AmountMismatch: (422, None),
    OrderAlreadyPaid: (409, CONFLICT),
    InsufficientFunds: (409, INSUFFICIENT_FUNDS),
    NotRefundable: (409, CONFLICT),
    RefundTooLarge: (422, None),
    IdempotencyConflict: (409, CONFLICT),
    CardDeclined: (402, GATEWAY_PROBLEM),
    RefundDeclined: (502, GATEWAY_PROBLEM),
    GatewayStillUnavailable: (503, GATEWAY_PROBLEM),
}


def problem_for(refused: PaymentError) -> ProblemError:
    """The problem document answering ``refused``."""
    status, problem_type = next(PROBLEMS[kind] for kind in type(refused).__mro__ if kind in PROBLEMS)
    return ProblemError(status, refused.detail, errors=refused.errors, problem_type=problem_type)
