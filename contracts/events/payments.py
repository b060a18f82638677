"""Events of the payment aggregate, keyed by order_id on the payments topic.

One order's payment events (pending, succeeded or failed, refunded) share the key,
so consumers such as the order saga see them in the order they happened.
"""

from __future__ import annotations

import uuid
from typing import ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.money import CurrencyCode, MinorUnits

PaymentMethod = Literal["card", "wallet", "cod"]


class PaymentOutcome(BaseModel):
    """What the outcomes of one payment attempt (pending, succeeded, failed) all carry;
    not an event type itself. Each outcome adds when it happened (and a failure why)."""

    event_type: ClassVar[str]
    schema_version: ClassVar[int]

    model_config = ConfigDict(frozen=True, extra="forbid")

    payment_id: uuid.UUID
    order_id: uuid.UUID
    customer_id: str
    method: PaymentMethod
    amount_minor: MinorUnits
    currency: CurrencyCode


class PaymentPending(PaymentOutcome):
    """A cash-on-delivery payment was recorded; the cash is collected on delivery."""

    event_type: ClassVar[str] = "PaymentPending"
    schema_version: ClassVar[int] = 1

    recorded_at: AwareDatetime


class PaymentSucceeded(PaymentOutcome):
    """The money for an order is ours: card captured, wallet debited or COD cash settled."""

    event_type: ClassVar[str] = "PaymentSucceeded"
    schema_version: ClassVar[int] = 1

    succeeded_at: AwareDatetime


class PaymentFailed(PaymentOutcome):
    """A payment attempt failed for good (declined, or the gateway stayed unavailable)."""

    event_type: ClassVar[str] = "PaymentFailed"
    schema_version: ClassVar[int] = 1

    reason: str = Field(max_length=200)
    failed_at: AwareDatetime


class PaymentRefunded(BaseModel):
    """Part or all of a succeeded payment went back to the customer."""

    event_type: ClassVar[str] = "PaymentRefunded"
    schema_version: ClassVar[int] = 1

    model_config = ConfigDict(frozen=True, extra="forbid")

    refund_id: uuid.UUID
    payment_id: uuid.UUID
    order_id: uuid.UUID
    customer_id: str
    amount_minor: MinorUnits
    refunded_total_minor: MinorUnits = Field(description="All refunds of the payment so far, this one included.")
    destination: Literal["wallet", "original"]
    currency: CurrencyCode
    refunded_at: AwareDatetime
