"""Paying for an order: check it against the order, record it, then take the money by
the chosen method (``pay_by_card``, ``pay_by_wallet``; cash on delivery stays PENDING
until ``cash_on_delivery.settle_cod``)."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from serving.kernel.field_errors import FieldError
from serving.payments.adapters import idempotency_keys, repository
from serving.payments.adapters.events import payment_outcome_envelope
from serving.payments.domain.payable import check_payable
from serving.payments.domain.payment import Method, Payment, PaymentStatus, derived_id
from serving.payments.entrypoints.schemas import CreatePaymentRequest, PaymentOut
from serving.payments.errors import InvalidPaymentRequest, OrderAlreadyPaid
from serving.payments.use_cases.dependencies import Dependencies, Outcome, claim_key
from serving.payments.use_cases.pay_by_card import charge_card
from serving.payments.use_cases.pay_by_wallet import debit_wallet


def create_payment(
    deps: Dependencies,
    customer_id: str,
    request: CreatePaymentRequest,
    idempotency_key: str,
    *,
    trace_id: str | None = None,
) -> Outcome:
    """Pay for an order by card, wallet or COD: the payment (FAILED if the card was
    declined or the gateway stayed down), or a PaymentError: InvalidPaymentRequest,
    UnknownOrder, OrderNotPayable, AmountMismatch, OrderAlreadyPaid, InsufficientFunds,
    IdempotencyConflict."""
    errors = request.card_errors()
    if errors:
        raise InvalidPaymentRequest("The payment request is not valid; fix: card.", errors)
    payment_id = derived_id(customer_id, "payment", idempotency_key)
    with deps.engine.begin() as connection:
        replayed = claim_key(deps, connection, customer_id, idempotency_key, request.fingerprint())
        if replayed is not None:
            return replayed
        order = deps.orders.order_to_pay(connection, request.order_id)
        check_payable(order, customer_id, request.amount_minor, request.currency)
        now = deps.now()
        payment = Payment(
            payment_id=payment_id,
            order_id=request.order_id,
            customer_id=customer_id,
            method=request.method,
            status=PaymentStatus.PENDING,
            amount_minor=request.amount_minor,
            refunded_minor=0,
            currency=request.currency,
            created_at=now,
            updated_at=now,
        )
        # Inserted first: the order's unique index makes a concurrent second payment
        # for the same order wait here, then fail, before it can reach the gateway.
        _insert_live_payment(connection, payment)
        if request.method is Method.WALLET:
            payment = debit_wallet(connection, payment, now)
        elif request.method is Method.CARD:
            assert request.card is not None  # card_errors() checked it
            payment = charge_card(deps, connection, payment, request.card.details(), now)
        repository.update_payment(connection, payment)
        repository.append_event(connection, payment_outcome_envelope(payment, trace_id=trace_id))
        outcome = Outcome(PaymentOut.from_payment(payment).model_dump(mode="json"))
        idempotency_keys.store_response(connection, customer_id, idempotency_key, outcome.body)
    return outcome


def _insert_live_payment(connection: Connection, payment: Payment) -> None:
    try:
        repository.insert_payment(connection, payment)
    except repository.LivePaymentExists:
        raise OrderAlreadyPaid(
            "The order already has a pending or succeeded payment.",
            [FieldError("order_id", "The order already has a pending or succeeded payment.")],
        ) from None
