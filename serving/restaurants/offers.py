"""Offers (discount codes) and the pure rule that prices one against a cart.

The orders service calls ``apply_offer`` with the subtotal it computed itself and the
number of times the customer already redeemed the offer; the result is a discount in
minor units, never more than the subtotal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from serving.field_errors import FieldError


class OfferKind(StrEnum):
    PERCENTAGE = "PERCENTAGE"  # value = basis points (1000 = 10 %)
    FLAT = "FLAT"  # value = minor units off


@dataclass(frozen=True)
class Offer:
    code: str
    kind: OfferKind
    value: int
    valid_from: datetime
    valid_until: datetime
    min_order_minor: int = 0
    max_discount_minor: int | None = None  # cap for percentage offers ("up to Rs 100")
    per_user_limit: int | None = None  # None: unlimited redemptions per customer
    restaurant_id: str | None = None  # None: valid at every restaurant

    def __post_init__(self) -> None:
        if self.value <= 0 or (self.kind is OfferKind.PERCENTAGE and self.value > 10_000):
            raise ValueError("value must be positive (percentage: at most 10000 basis points)")
        if self.valid_until <= self.valid_from:
            raise ValueError("valid_until must be after valid_from")
        if self.valid_from.tzinfo is None or self.valid_until.tzinfo is None:
            raise ValueError("validity times must be timezone-aware")


class OfferNotApplicable(Exception):
    """The offer cannot be used on this order; ``error`` names the field to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.error = FieldError("offer_code", message)


def apply_offer(
    offer: Offer,
    *,
    subtotal_minor: int,
    now: datetime,
    redemptions_by_user: int,
    restaurant_id: str | None = None,
) -> int:
    """The discount in minor units, or OfferNotApplicable saying why not.

    Percentages round down (the platform never gives away a fraction of a paisa more
    than promised).
    """
    if subtotal_minor < 0:
        raise ValueError("subtotal_minor must not be negative")
    if not offer.valid_from <= now < offer.valid_until:
        raise OfferNotApplicable(f"Offer {offer.code} is not valid at this time.")
    if offer.restaurant_id is not None and offer.restaurant_id != restaurant_id:
        raise OfferNotApplicable(f"Offer {offer.code} is not valid at this restaurant.")
    if subtotal_minor < offer.min_order_minor:
        raise OfferNotApplicable(f"Offer {offer.code} needs an order of at least {offer.min_order_minor} minor units.")
    if offer.per_user_limit is not None and redemptions_by_user >= offer.per_user_limit:
        raise OfferNotApplicable(f"Offer {offer.code} was already used the maximum number of times.")
    if offer.kind is OfferKind.PERCENTAGE:
        discount = subtotal_minor * offer.value // 10_000
        if offer.max_discount_minor is not None:
            discount = min(discount, offer.max_discount_minor)
    else:
        discount = offer.value
    return min(discount, subtotal_minor)
