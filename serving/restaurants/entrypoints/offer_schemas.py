"""Request and response bodies of the offers API (strict integers, unknown fields rejected).

Bounds keep every amount far inside BIGINT; rules that relate two fields (a percentage
of at most 100 %, the end after the start) are ``offers.offer_errors``, answered as
422s naming the field like the schema's own errors.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from serving.restaurants.adapters.offer_store import StoredOffer
from serving.restaurants.domain.offers import CODE_PATTERN, OfferKind, normalise_code

MAX_OFFER_MINOR = 100_000_000  # Rs 10,00,000: no discount or minimum order is larger
MAX_PER_USER_LIMIT = 1_000


def _in_utc(value: datetime) -> datetime:
    # Stored and compared in UTC; an offset that pushes the instant past year 9999
    # (or before year 1) has no UTC form, which is a bad value, not a server error.
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("must be a time between the years 1 and 9999 in UTC") from None


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_in_utc)]
OfferCode = Annotated[
    str,
    Field(min_length=1, max_length=32, pattern=CODE_PATTERN, examples=["DIWALI20"]),
    AfterValidator(normalise_code),
]
AmountMinor = Annotated[int, Field(strict=True, ge=0, le=MAX_OFFER_MINOR)]


class OfferCreate(BaseModel):
    """A discount code of the restaurant; codes compare without case and are stored upper case."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "code": "DIWALI20",
                    "kind": "PERCENTAGE",
                    "value": 2000,
                    "min_order_minor": 30000,
                    "max_discount_minor": 10000,
                    "per_user_limit": 1,
                    "valid_until": "2026-11-30T18:30:00Z",
                }
            ]
        },
    )

    code: OfferCode
    kind: OfferKind
    value: Annotated[int, Field(strict=True, ge=1, le=MAX_OFFER_MINOR)] = Field(
        description="PERCENTAGE: basis points (2000 = 20 %, at most 10000); FLAT: minor units off."
    )
    min_order_minor: AmountMinor = Field(default=0, description="Items subtotal the order needs, in minor units.")
    max_discount_minor: Annotated[int, Field(strict=True, ge=1, le=MAX_OFFER_MINOR)] | None = Field(
        default=None, description="Cap of a PERCENTAGE offer; null = no cap."
    )
    per_user_limit: Annotated[int, Field(strict=True, ge=1, le=MAX_PER_USER_LIMIT)] | None = Field(
        default=None, description="Orders per customer that may use it (cancelled ones do not count); null = any."
    )
    valid_from: UtcDatetime | None = Field(default=None, description="Start (inclusive); null = now.")
    valid_until: UtcDatetime = Field(description="End (exclusive); must be in the future.")


class OfferOut(BaseModel):
    code: str
    restaurant_id: uuid.UUID
    kind: OfferKind
    value: int
    min_order_minor: int
    max_discount_minor: int | None
    per_user_limit: int | None
    valid_from: AwareDatetime
    valid_until: AwareDatetime
    active: bool
    created_at: AwareDatetime

    @classmethod
    def from_stored(cls, stored: StoredOffer) -> OfferOut:
        offer = stored.offer
        return cls(
            code=offer.code,
            restaurant_id=stored.restaurant_id,
            kind=offer.kind,
            value=offer.value,
            min_order_minor=offer.min_order_minor,
            max_discount_minor=offer.max_discount_minor,
            per_user_limit=offer.per_user_limit,
            valid_from=offer.valid_from,
            valid_until=offer.valid_until,
            active=stored.active,
            created_at=stored.created_at,
        )
