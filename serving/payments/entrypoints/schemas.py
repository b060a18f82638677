"""The payments API's request and response bodies.

Amounts are strict integers in minor units (``"100"``, ``100.0`` and ``true`` are
rejected): money is never a float. Unknown fields are rejected, ``customer_id``
included: the customer is the token's subject.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from serving.kernel.field_errors import FieldError
from serving.payments.domain.gateway import CardDetails, luhn_valid
from serving.payments.domain.payment import MAX_AMOUNT_MINOR, Method, Payment, PaymentStatus, RefundDestination
from serving.payments.domain.payment import fingerprint as request_fingerprint

AmountMinor = Annotated[int, Field(strict=True, ge=1, le=MAX_AMOUNT_MINOR)]


class CardIn(BaseModel):
    """A card for one request; only its last four digits and the gateway's token are kept."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    number: str = Field(min_length=12, max_length=19, pattern=r"^[0-9]+$", repr=False)
    expiry_month: int = Field(strict=True, ge=1, le=12)
    expiry_year: int = Field(strict=True, ge=2000, le=2100)
    cvc: str = Field(min_length=3, max_length=4, pattern=r"^[0-9]+$", repr=False)

    @field_validator("number")
    @classmethod
    def _checksum(cls, number: str) -> str:
        if not luhn_valid(number):
            raise ValueError("The card number is not valid (checksum).")
        return number

    def details(self) -> CardDetails:
        return CardDetails(self.number, self.expiry_month, self.expiry_year, self.cvc)

    def fingerprint_view(self) -> dict[str, Any]:
        # The stored request fingerprint must not be a function of the full number alone.
        return {"last4": self.number[-4:], "expiry": [self.expiry_month, self.expiry_year]}


class CreatePaymentRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        hide_input_in_errors=True,
        json_schema_extra={
            "examples": [
                {
                    "order_id": "d6c10d89-5f9b-41dc-87d2-b2973b05068d",
                    "method": "card",
                    "amount_minor": 27500,
                    "currency": "INR",
                    "card": {"number": "4242424242424242", "expiry_month": 12, "expiry_year": 2030, "cvc": "123"},
                }
            ]
        },
    )

    order_id: uuid.UUID
    method: Method
    amount_minor: AmountMinor
    currency: Literal["INR"]
    card: CardIn | None = None

    def card_errors(self) -> list[FieldError]:
        """A card exactly when the method is card (checked here, not by pydantic, so the
        problem names the field ``card`` rather than the whole body)."""
        if self.method is Method.CARD and self.card is None:
            return [FieldError("card", "A card payment needs a card.")]
        if self.method is not Method.CARD and self.card is not None:
            return [FieldError("card", "Only a card payment takes a card.")]
        return []

    def fingerprint(self) -> str:
        body = self.model_dump(mode="json", exclude={"card"})
        body["card"] = self.card.fingerprint_view() if self.card else None
        return request_fingerprint("payment", body)


class RefundRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount_minor: AmountMinor | None = Field(default=None, description="Omit to refund everything not yet refunded.")
    destination: RefundDestination = RefundDestination.ORIGINAL

    def fingerprint(self, payment_id: uuid.UUID) -> str:
        return request_fingerprint(f"refund:{payment_id}", self.model_dump(mode="json"))


class TopUpRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    amount_minor: AmountMinor
    currency: Literal["INR"]
    card: CardIn

    def fingerprint(self) -> str:
        body = self.model_dump(mode="json", exclude={"card"})
        body["card"] = self.card.fingerprint_view()
        return request_fingerprint("topup", body)


class PaymentOut(BaseModel):
    payment_id: uuid.UUID
    order_id: uuid.UUID
    customer_id: str
    method: Method
    status: PaymentStatus
    amount_minor: int
    refunded_minor: int
    currency: str
    card_last4: str | None
    card_brand: str | None
    failure_reason: str | None
    created_at: AwareDatetime
    updated_at: AwareDatetime

    @classmethod
    def from_payment(cls, payment: Payment) -> PaymentOut:
        return cls(
            payment_id=payment.payment_id,
            order_id=payment.order_id,
            customer_id=payment.customer_id,
            method=payment.method,
            status=payment.status,
            amount_minor=payment.amount_minor,
            refunded_minor=payment.refunded_minor,
            currency=payment.currency,
            card_last4=payment.card_last4,
            card_brand=payment.card_brand,
            failure_reason=payment.failure_reason,
            created_at=payment.created_at,
            updated_at=payment.updated_at,
        )


class RefundOut(BaseModel):
    refund_id: uuid.UUID
    payment_id: uuid.UUID
    amount_minor: int
    destination: RefundDestination
    refunded_total_minor: int
    created_at: AwareDatetime


class TopUpOut(BaseModel):
    topup_id: uuid.UUID
    amount_minor: int
    balance_minor: int
    currency: str
    card_last4: str
    card_brand: str
    created_at: AwareDatetime


class WalletOut(BaseModel):
    customer_id: str
    balance_minor: int
    currency: str


class TransactionOut(BaseModel):
    entry_id: uuid.UUID
    kind: str
    payment_id: uuid.UUID | None
    amount_minor: int = Field(description="Signed: positive credits the wallet, negative debits it.")
    balance_after_minor: int
    created_at: datetime


class TransactionPage(BaseModel):
    items: list[TransactionOut]
    next_cursor: str | None = Field(description="Pass as ?cursor= for older transactions; null at the end.")
