"""The orders use cases' refusals as problem details: the one place that gives them an
HTTP status."""

from __future__ import annotations

import uuid

from serving.kernel.field_errors import FieldError
from serving.kernel.http import idempotency
from serving.kernel.http.problems import CONFLICT, FORBIDDEN, ProblemError
from serving.orders import errors

REFUSALS: tuple[type[Exception], ...] = (
    errors.OrderRejected,
    errors.IdempotencyKeyReused,
    errors.OutOfStock,
    errors.IllegalTransition,
    errors.ActorNotPermitted,
    errors.MissingDetail,
)


def not_found(order_id: uuid.UUID) -> ProblemError:
    # Same answer for "no such order" and "not yours": existence does not leak.
    return ProblemError(404, f"No order {order_id} was found.")


def problem_for(refusal: Exception) -> ProblemError:
    """The problem of one of ``REFUSALS`` (anything else is a bug: re-raised)."""
    match refusal:
        case errors.OrderRejected():
            return ProblemError(422, "The order breaks a business rule.", errors=refusal.errors)
        case errors.IdempotencyKeyReused():
            return idempotency.key_reused()
        case errors.OutOfStock():
            message = "Not enough stock to accept this order; it stays PENDING."
            return ProblemError(409, message, errors=refusal.errors, problem_type=CONFLICT)
        case errors.IllegalTransition():
            return ProblemError(409, str(refusal), errors=[FieldError("status", str(refusal))], problem_type=CONFLICT)
        case errors.ActorNotPermitted():
            return ProblemError(403, str(refusal), problem_type=FORBIDDEN)
        case errors.MissingDetail():
            return ProblemError(422, str(refusal), errors=[FieldError(refusal.field, str(refusal))])
    raise refusal
