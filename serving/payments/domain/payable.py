"""Whether an order may be paid for: by whom, in which states, for exactly what amount."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from serving.kernel.field_errors import FieldError
from serving.payments.errors import AmountMismatch, OrderNotPayable, UnknownOrder

# An order can be paid for until the kitchen starts on it. A later payment would be
# for food already being made unpaid-for, and the saga cancels on PaymentFailed only
# in these two states, so a retry after a failed card is possible exactly here.
PAYABLE_ORDER_STATUSES = frozenset({"PENDING", "ACCEPTED"})


@dataclass(frozen=True)
class OrderToPay:
    """What payments needs to know of an order: whose it is, its state, and what it costs."""

    order_id: uuid.UUID
    customer_id: str
    status: str
    total_minor: int
    currency: str


def check_payable(order: OrderToPay | None, customer_id: str, amount_minor: int, currency: str) -> None:
    """Nothing if ``customer_id`` may pay exactly ``amount_minor`` for ``order`` now; else
    UnknownOrder, OrderNotPayable or AmountMismatch.

    Someone else's order is refused like a missing one, so ids cannot be probed.
    """
    if order is None or order.customer_id != customer_id:
        raise UnknownOrder("No such order to pay for.", [FieldError("order_id", "No such order of yours.")])
    if order.status not in PAYABLE_ORDER_STATUSES:
        message = f"The order is {order.status}; it can no longer be paid for."
        raise OrderNotPayable(message, [FieldError("order_id", message)])
    errors: list[FieldError] = []
    if currency != order.currency:
        errors.append(FieldError("currency", f"The order is in {order.currency}."))
    if amount_minor != order.total_minor:
        errors.append(FieldError("amount_minor", f"Must equal the order's total, {order.total_minor} minor units."))
    if errors:
        raise AmountMismatch("The payment does not match the order.", errors)
