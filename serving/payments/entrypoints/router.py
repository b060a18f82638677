"""HTTP surface of the payments service (mounted under /api/v1): payments and the wallet."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.responses import JSONResponse

from serving.kernel.auth import CurrentPrincipal, Principal, Role, principal_with_role
from serving.kernel.field_errors import FieldError
from serving.kernel.http import idempotency
from serving.kernel.http.deps import TraceId
from serving.kernel.http.keyset_cursor import InvalidCursor, decode_sequence_cursor
from serving.kernel.http.problems import PROBLEM_RESPONSES, ProblemError
from serving.payments.entrypoints.deps import PaymentsService
from serving.payments.entrypoints.problems import problem_for
from serving.payments.entrypoints.schemas import (
    CreatePaymentRequest,
    PaymentOut,
    RefundOut,
    RefundRequest,
    TopUpOut,
    TopUpRequest,
    TransactionPage,
    WalletOut,
)
from serving.payments.errors import PaymentError
from serving.payments.service import Outcome

# Every error is a problem document; 402/409/502/503 come from the money rules and the gateway.
router = APIRouter(
    tags=["payments"],
    responses={**PROBLEM_RESPONSES, **dict.fromkeys((402, 403, 409, 502, 503), PROBLEM_RESPONSES[401])},
)

Service = PaymentsService
Customer = Annotated[Principal, Depends(principal_with_role(Role.CUSTOMER))]
# "System" callers (the order saga) call the service's functions in-process; over
# HTTP only an admin may refund or settle for now.
Admin = Annotated[Principal, Depends(principal_with_role(Role.ADMIN))]


def _required_key(value: str | None) -> str:
    key = idempotency.checked_key(value, required=True)
    assert key is not None  # checked_key raises for a missing required key
    return key


def _answer(outcome: Outcome, location: str | None = None) -> JSONResponse:
    headers = {idempotency.REPLAYED_HEADER: "true" if outcome.replayed else "false"}
    if location:
        headers["Location"] = location
    # Every money-moving call creates something (a payment, a refund, a top-up); a
    # replay answers as the first call did.
    return JSONResponse(outcome.body, status_code=status.HTTP_201_CREATED, headers=headers)


@router.post(
    "/payments",
    status_code=status.HTTP_201_CREATED,
    response_model=PaymentOut,
    summary="Pay for an order as the calling customer (card, wallet or cash on delivery)",
)
def create_payment(
    body: CreatePaymentRequest,
    principal: Customer,
    service: Service,
    request: Request,
    trace_id: TraceId,
    idempotency_key: idempotency.IdempotencyKeyHeader = None,
) -> JSONResponse:
    key = _required_key(idempotency_key)
    try:
        outcome = service.create_payment(principal.subject, body, key, trace_id=trace_id)
    except PaymentError as refused:
        raise problem_for(refused) from None
    return _answer(outcome, f"{request.url.path}/{outcome.body['payment_id']}")


@router.get(
    "/payments/transactions",
    response_model=TransactionPage,
    summary="The caller's wallet ledger, newest first",
)
def transactions(
    principal: Customer,
    service: Service,
    cursor: Annotated[str | None, Query(max_length=19, pattern=r"^[0-9]+$")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> TransactionPage:
    before = None
    if cursor is not None:
        try:
            before = decode_sequence_cursor(cursor)  # the pattern alone lets 2**63 reach PostgreSQL
        except InvalidCursor as invalid:
            raise ProblemError(422, str(invalid), errors=[FieldError("cursor", str(invalid))]) from None
    return service.transactions(principal.subject, before, limit)


@router.get("/payments/{payment_id}", response_model=PaymentOut, summary="One payment, to its customer or an admin")
def get_payment(payment_id: uuid.UUID, principal: CurrentPrincipal, service: Service) -> PaymentOut:
    payment = service.get_payment(payment_id, principal)
    if payment is None:
        # Same answer for "no such payment" and "not yours": existence does not leak.
        raise ProblemError(404, f"No payment {payment_id} was found.")
    return PaymentOut.from_payment(payment)


@router.post(
    "/payments/{payment_id}/refund",
    status_code=status.HTTP_201_CREATED,
    response_model=RefundOut,
    summary="Refund part or all of a payment (admin)",
)
def refund_payment(
    payment_id: uuid.UUID,
    body: RefundRequest,
    principal: Admin,
    service: Service,
    trace_id: TraceId,
    idempotency_key: idempotency.IdempotencyKeyHeader = None,
) -> JSONResponse:
    key = _required_key(idempotency_key)
    try:
        outcome = service.refund(principal.subject, payment_id, body, key, trace_id=trace_id)
    except PaymentError as refused:
        raise problem_for(refused) from None
    if outcome is None:
        raise ProblemError(404, f"No payment {payment_id} was found.")
    return _answer(outcome)


@router.post(
    "/payments/cod/{order_id}/settle",
    response_model=PaymentOut,
    summary="Cash on delivery was collected: settle the order's COD payment (admin; idempotent)",
)
def settle_cod(order_id: uuid.UUID, _principal: Admin, service: Service, trace_id: TraceId) -> PaymentOut:
    payment = service.settle_cod(order_id, trace_id=trace_id)
    if payment is None:
        raise ProblemError(404, f"Order {order_id} has no pending cash-on-delivery payment.")
    return PaymentOut.from_payment(payment)


@router.post(
    "/wallet/topups",
    status_code=status.HTTP_201_CREATED,
    response_model=TopUpOut,
    summary="Add money to the caller's wallet from a card",
)
def top_up(
    body: TopUpRequest,
    principal: Customer,
    service: Service,
    idempotency_key: idempotency.IdempotencyKeyHeader = None,
) -> JSONResponse:
    key = _required_key(idempotency_key)
    try:
        outcome = service.top_up(principal.subject, body, key)
    except PaymentError as refused:
        raise problem_for(refused) from None
    return _answer(outcome)


@router.get("/wallet", response_model=WalletOut, summary="The caller's wallet balance")
def wallet(principal: Customer, service: Service) -> WalletOut:
    return WalletOut(
        customer_id=principal.subject, balance_minor=service.wallet_balance(principal.subject), currency="INR"
    )
