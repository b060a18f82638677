"""The payments service as one object: its dependencies, and each use case a method.

The router and the order saga's consumer call these; the work is done by the use
case modules of ``serving.payments.use_cases`` (one transaction each, refusals as the
typed errors of ``serving.payments.errors``).
"""

from __future__ import annotations

import uuid

from serving.kernel.auth import Principal
from serving.payments.domain.payment import Payment
from serving.payments.entrypoints.schemas import CreatePaymentRequest, RefundRequest, TopUpRequest, TransactionPage
from serving.payments.use_cases import cash_on_delivery, history, pay, refunds, wallet
from serving.payments.use_cases.dependencies import Dependencies, Outcome

__all__ = ["Outcome", "Payments"]


class Payments(Dependencies):
    """``Payments(engine, gateway, retry_policy=..., now=..., orders=...)``."""

    def create_payment(
        self, customer_id: str, request: CreatePaymentRequest, idempotency_key: str, *, trace_id: str | None = None
    ) -> Outcome:
        return pay.create_payment(self, customer_id, request, idempotency_key, trace_id=trace_id)

    def settle_cod(self, order_id: uuid.UUID, *, trace_id: str | None = None) -> Payment | None:
        return cash_on_delivery.settle_cod(self, order_id, trace_id=trace_id)

    def refund(
        self,
        caller: str,
        payment_id: uuid.UUID,
        request: RefundRequest,
        idempotency_key: str,
        *,
        trace_id: str | None = None,
    ) -> Outcome | None:
        return refunds.refund(self, caller, payment_id, request, idempotency_key, trace_id=trace_id)

    def top_up(self, customer_id: str, request: TopUpRequest, idempotency_key: str) -> Outcome:
        return wallet.top_up(self, customer_id, request, idempotency_key)

    def wallet_balance(self, customer_id: str) -> int:
        return wallet.wallet_balance(self, customer_id)

    def get_payment(self, payment_id: uuid.UUID, principal: Principal) -> Payment | None:
        return history.get_payment(self, payment_id, principal)

    def transactions(self, customer_id: str, cursor: int | None, limit: int) -> TransactionPage:
        return history.transactions(self, customer_id, cursor, limit)
