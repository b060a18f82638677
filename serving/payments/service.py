"""Payment use cases; each runs in one database transaction.

Money-moving calls (pay, refund, top up) first claim the caller's Idempotency-Key in
that same transaction, and store their answer there before committing: the effect
and the record of it commit together or not at all. A duplicate that arrives while
the first is still running waits on the key's row, then replays the stored answer.

A card call to the gateway happens inside the transaction, with retries. That keeps
"charged but not recorded" impossible to commit; if the process dies mid-call, the
transaction rolls back and the client's retry (same key) derives the same payment
id, hence the same gateway idempotency key, and the gateway returns the first charge
instead of making another. The price is a connection held during the gateway call.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from serving.kernel.auth import Principal, Role
from serving.kernel.field_errors import FieldError
from serving.payments.adapters import repository
from serving.payments.adapters.events import payment_outcome_envelope, payment_refunded_envelope
from serving.payments.adapters.orders_port import OrdersApi, PayableOrders
from serving.payments.adapters.repository import IdempotencyKeyReused, StoredResponse, WalletOverdrawn
from serving.payments.adapters.retry import RetryPolicy, call_with_retries
from serving.payments.domain import ledger
from serving.payments.domain.gateway import (
    CardDetails,
    Charge,
    ChargeRequest,
    GatewayDeclined,
    GatewayTimeout,
    GatewayUnavailable,
    PaymentGateway,
    RefundRequest,
    card_brand,
)
from serving.payments.domain.payable import check_payable
from serving.payments.domain.payment import (
    Method,
    Payment,
    PaymentStatus,
    Refund,
    RefundDestination,
    derived_id,
    resolve_refund,
)
from serving.payments.entrypoints.schemas import (
    CreatePaymentRequest,
    PaymentOut,
    RefundOut,
    TopUpOut,
    TopUpRequest,
    TransactionOut,
    TransactionPage,
)
from serving.payments.entrypoints.schemas import RefundRequest as RefundBody
from serving.payments.errors import (
    CardDeclined,
    GatewayStillUnavailable,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidPaymentRequest,
    OrderAlreadyPaid,
    RefundDeclined,
)

GATEWAY_UNAVAILABLE = "The card gateway is unavailable; retry with the same Idempotency-Key."


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Outcome:
    """What the router answers: a status and a JSON body, replayed verbatim for a repeated key."""

    status_code: int
    body: dict[str, Any]
    replayed: bool = False


@dataclass(frozen=True)
class Payments:
    """The payments service's dependencies; the order saga builds one and calls its methods."""

    engine: Engine
    gateway: PaymentGateway
    retry_policy: RetryPolicy = RetryPolicy()
    now: Callable[[], datetime] = _utc_now
    orders: PayableOrders = OrdersApi()

    # --- paying for an order --------------------------------------------------------

    def create_payment(
        self,
        customer_id: str,
        request: CreatePaymentRequest,
        idempotency_key: str,
        *,
        trace_id: str | None = None,
    ) -> Outcome:
        """Pay for an order by card, wallet or COD. 201 with the payment (FAILED if the
        card was declined or the gateway stayed down), or a PaymentError: UnknownOrder,
        OrderNotPayable, AmountMismatch, OrderAlreadyPaid, InsufficientFunds, ..."""
        errors = request.card_errors()
        if errors:
            raise InvalidPaymentRequest("The payment request is not valid; fix: card.", errors)
        payment_id = derived_id(customer_id, "payment", idempotency_key)
        with self.engine.begin() as connection:
            stored = self._claim(connection, customer_id, idempotency_key, request.fingerprint())
            if stored is not None:
                return Outcome(stored.status_code, stored.body, replayed=True)
            order = self.orders.order_to_pay(connection, request.order_id)
            check_payable(order, customer_id, request.amount_minor, request.currency)
            now = self.now()
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
                payment = replace(payment, status=PaymentStatus.SUCCEEDED)
                entry = ledger.wallet_payment(customer_id, payment.amount_minor, uuid.uuid4(), payment_id)
                try:
                    repository.post_entry(connection, entry, now)
                except WalletOverdrawn:
                    raise InsufficientFunds(
                        "The wallet balance is lower than the amount.",
                        [FieldError("amount_minor", "The wallet balance is lower than the amount.")],
                    ) from None
            elif request.method is Method.CARD:
                assert request.card is not None  # card_errors() checked it
                payment = self._charge_card_for(connection, payment, request, now)
            repository.update_payment(connection, payment)
            repository.append_event(connection, payment_outcome_envelope(payment, trace_id=trace_id))
            outcome = Outcome(201, PaymentOut.from_payment(payment).model_dump(mode="json"))
            repository.store_response(
                connection, customer_id, idempotency_key, StoredResponse(outcome.status_code, outcome.body)
            )
        return outcome

    def _charge_card_for(
        self, connection: Connection, payment: Payment, request: CreatePaymentRequest, now: datetime
    ) -> Payment:
        assert request.card is not None
        card = request.card.details()
        charge_request = ChargeRequest(
            idempotency_key=f"payment:{payment.payment_id}",
            amount_minor=payment.amount_minor,
            currency=payment.currency,
            card=card,
            description=f"Tiffin order {payment.order_id}",
        )
        try:
            charge = call_with_retries(lambda: self.gateway.charge(charge_request), self.retry_policy)
        except GatewayDeclined as declined:
            return _failed(payment, declined.reason, card)
        except GatewayTimeout:
            return _failed(payment, "gateway_timeout", card)
        except GatewayUnavailable:
            return _failed(payment, "gateway_unavailable", card)
        repository.post_entry(
            connection, ledger.card_payment(payment.amount_minor, uuid.uuid4(), payment.payment_id), now
        )
        return replace(
            payment,
            status=PaymentStatus.SUCCEEDED,
            card_last4=charge.card_last4,
            card_brand=charge.card_brand,
            card_token=charge.card_token,
            gateway_reference=charge.reference,
        )

    # --- reading --------------------------------------------------------------------

    def get_payment(self, payment_id: uuid.UUID, principal: Principal) -> Payment | None:
        """The payment if it exists and the principal may see it; otherwise None (a 404)."""
        with self.engine.connect() as connection:
            payment = repository.find_payment(connection, payment_id)
        if payment is None or not payment_visible_to(payment, principal):
            return None
        return payment

    def wallet_balance(self, customer_id: str) -> int:
        with self.engine.connect() as connection:
            return repository.balance_of(connection, ledger.wallet_account(customer_id)) or 0

    def transactions(self, customer_id: str, cursor: int | None, limit: int) -> TransactionPage:
        with self.engine.connect() as connection:
            lines = repository.account_history(connection, ledger.wallet_account(customer_id), cursor, limit + 1)
        page = lines[:limit]
        return TransactionPage(
            items=[
                TransactionOut(
                    entry_id=line.entry_id,
                    kind=line.kind,
                    payment_id=line.payment_id,
                    amount_minor=line.amount_minor,
                    balance_after_minor=line.balance_after_minor,
                    created_at=line.created_at,
                )
                for line in page
            ],
            next_cursor=str(page[-1].line_id) if len(lines) > limit else None,
        )

    # --- COD ------------------------------------------------------------------------

    def settle_cod(self, order_id: uuid.UUID, *, trace_id: str | None = None) -> Payment | None:
        """The courier handed over the cash: the order's COD payment succeeds.

        Idempotent: settling a settled payment changes nothing and returns it. None if
        the order has no pending or settled COD payment.
        """
        with self.engine.begin() as connection:
            payment = repository.find_live_cod_payment(connection, order_id)
            if payment is None or payment.status is PaymentStatus.SUCCEEDED:
                return payment
            now = self.now()
            payment = replace(payment, status=PaymentStatus.SUCCEEDED, updated_at=now)
            repository.post_entry(
                connection, ledger.cod_settlement(payment.amount_minor, uuid.uuid4(), payment.payment_id), now
            )
            repository.update_payment(connection, payment)
            repository.append_event(connection, payment_outcome_envelope(payment, trace_id=trace_id))
        return payment

    # --- refunds --------------------------------------------------------------------

    def refund(
        self,
        caller: str,
        payment_id: uuid.UUID,
        request: RefundBody,
        idempotency_key: str,
        *,
        trace_id: str | None = None,
    ) -> Outcome | None:
        """Refund part or all of a succeeded payment; None if there is no such payment.

        The payment row is locked first, so concurrent refunds of one payment queue up
        and each sees what the others refunded: together they never exceed the amount.
        """
        with self.engine.begin() as connection:
            stored = self._claim(connection, caller, idempotency_key, request.fingerprint(payment_id))
            if stored is not None:
                return Outcome(stored.status_code, stored.body, replayed=True)
            payment = repository.find_payment(connection, payment_id, for_update=True)
            if payment is None:
                return None
            amount, destination = resolve_refund(payment, request.amount_minor, request.destination)
            refund_id = derived_id(caller, f"refund:{payment_id}", idempotency_key)
            gateway_reference = None
            if destination is RefundDestination.ORIGINAL:
                gateway_reference = self._refund_card(payment, refund_id, amount)
            now = self.now()
            refund = Refund(refund_id, payment_id, amount, destination, gateway_reference, now)
            payment = replace(payment, refunded_minor=payment.refunded_minor + amount, updated_at=now)
            to_wallet = destination is RefundDestination.WALLET
            if to_wallet:
                repository.ensure_wallet(connection, payment.customer_id, payment.currency, now)
            entry = ledger.refund(
                payment.customer_id, amount, to_wallet=to_wallet, entry_id=refund_id, payment_id=payment_id
            )
            repository.post_entry(connection, entry, now)
            repository.insert_refund(connection, refund)
            repository.update_payment(connection, payment)
            repository.append_event(connection, payment_refunded_envelope(payment, refund, trace_id=trace_id))
            body = RefundOut(
                refund_id=refund_id,
                payment_id=payment_id,
                amount_minor=amount,
                destination=destination,
                refunded_total_minor=payment.refunded_minor,
                created_at=now,
            ).model_dump(mode="json")
            outcome = Outcome(201, body)
            repository.store_response(connection, caller, idempotency_key, StoredResponse(201, body))
        return outcome

    def _refund_card(self, payment: Payment, refund_id: uuid.UUID, amount: int) -> str:
        if payment.gateway_reference is None:
            raise AssertionError(f"card payment {payment.payment_id} succeeded without a gateway reference")
        request = RefundRequest(
            idempotency_key=f"refund:{refund_id}",
            charge_reference=payment.gateway_reference,
            amount_minor=amount,
            currency=payment.currency,
        )
        try:
            return call_with_retries(lambda: self.gateway.refund(request), self.retry_policy).reference
        except GatewayDeclined as declined:
            raise RefundDeclined(f"The card gateway refused the refund: {declined.reason}.") from None
        except GatewayUnavailable:
            raise GatewayStillUnavailable(GATEWAY_UNAVAILABLE) from None

    # --- wallet top-ups -------------------------------------------------------------

    def top_up(self, customer_id: str, request: TopUpRequest, idempotency_key: str) -> Outcome:
        """Charge the card and credit the wallet, both or neither."""
        topup_id = derived_id(customer_id, "topup", idempotency_key)
        with self.engine.begin() as connection:
            stored = self._claim(connection, customer_id, idempotency_key, request.fingerprint())
            if stored is not None:
                return Outcome(stored.status_code, stored.body, replayed=True)
            charge = self._charge_for_top_up(topup_id, request)
            now = self.now()
            repository.ensure_wallet(connection, customer_id, request.currency, now)
            balances = repository.post_entry(
                connection, ledger.top_up(customer_id, request.amount_minor, topup_id), now
            )
            body = TopUpOut(
                topup_id=topup_id,
                amount_minor=request.amount_minor,
                balance_minor=balances[ledger.wallet_account(customer_id)],
                currency=request.currency,
                card_last4=charge.card_last4,
                card_brand=charge.card_brand,
                created_at=now,
            ).model_dump(mode="json")
            repository.store_response(connection, customer_id, idempotency_key, StoredResponse(201, body))
        return Outcome(201, body)

    def _charge_for_top_up(self, topup_id: uuid.UUID, request: TopUpRequest) -> Charge:
        charge_request = ChargeRequest(
            idempotency_key=f"topup:{topup_id}",
            amount_minor=request.amount_minor,
            currency=request.currency,
            card=request.card.details(),
            description="Tiffin wallet top-up",
        )
        try:
            return call_with_retries(lambda: self.gateway.charge(charge_request), self.retry_policy)
        except GatewayDeclined as declined:
            raise CardDeclined(
                "The card was declined.", [FieldError("card.number", f"The card was declined ({declined.reason}).")]
            ) from None
        except GatewayUnavailable:
            raise GatewayStillUnavailable(GATEWAY_UNAVAILABLE) from None

    # --- shared ---------------------------------------------------------------------

    def _claim(self, connection: Connection, caller: str, key: str, fingerprint: str) -> StoredResponse | None:
        try:
            return repository.claim_idempotency_key(connection, caller, key, fingerprint, self.now())
        except IdempotencyKeyReused:
            raise IdempotencyConflict(
                "This Idempotency-Key was already used for a different request.",
                [FieldError("Idempotency-Key", "Already used for a different request; use a new key.")],
            ) from None


def payment_visible_to(payment: Payment, principal: Principal) -> bool:
    """Customers see their own payments; admins see every payment."""
    return principal.role is Role.ADMIN or (
        principal.role is Role.CUSTOMER and payment.customer_id == principal.subject
    )


def _failed(payment: Payment, reason: str, card: CardDetails) -> Payment:
    # Last four digits and brand only, so the customer recognises which card failed.
    return replace(
        payment,
        status=PaymentStatus.FAILED,
        failure_reason=reason,
        card_last4=card.last4,
        card_brand=card_brand(card.number),
    )


def _insert_live_payment(connection: Connection, payment: Payment) -> None:
    try:
        repository.insert_payment(connection, payment)
    except IntegrityError as exc:
        if "uq_payments_live_order" not in str(exc.orig):
            raise
        raise OrderAlreadyPaid(
            "The order already has a pending or succeeded payment.",
            [FieldError("order_id", "The order already has a pending or succeeded payment.")],
        ) from None
