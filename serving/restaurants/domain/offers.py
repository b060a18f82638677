"""Offers (discount codes) and the pure rules that check one and price it against a cart.

The orders service has ``apply_offer`` applied (``api.offer_discount``) with the
subtotal it computed itself and the number of times the customer already redeemed the
offer; the result is a discount in minor units, never more than the subtotal. ``offer_errors`` is the one place an
offer's own consistency is decided: the dataclass refuses to exist without it and
the offers API answers its errors as 422s naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from serving.kernel.field_errors import FieldError


class OfferKind(StrEnum):
    PERCENTAGE = "PERCENTAGE"  # value = basis points (1000 = 10 %)
    FLAT = "FLAT"  # value = minor units off


MAX_PERCENTAGE_BP = 10_000
# Codes are what a customer types at checkout: short, no spaces, compared without case.
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$"


def normalise_code(code: str) -> str:
    """The stored form of a code: codes are case-insensitive, so "diwali20" is "DIWALI20"."""
    return code.strip().upper()


class InvalidOffer(ValueError):
    """An offer that cannot exist; ``errors`` name the fields at fault."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors


def offer_errors(
    *,
    kind: OfferKind,
    value: int,
    valid_from: datetime,
    valid_until: datetime,
    min_order_minor: int = 0,
    max_discount_minor: int | None = None,
    per_user_limit: int | None = None,
) -> list[FieldError]:
    """Every broken rule of an offer at once, each naming its field."""
    errors: list[FieldError] = []
    if value <= 0 or (kind is OfferKind.PERCENTAGE and value > MAX_PERCENTAGE_BP):
        errors.append(
            FieldError("value", f"Must be positive (a percentage in basis points: at most {MAX_PERCENTAGE_BP}).")
        )
    if min_order_minor < 0:
        errors.append(FieldError("min_order_minor", "Must not be negative."))
    if max_discount_minor is not None:
        if max_discount_minor <= 0:
            errors.append(FieldError("max_discount_minor", "Must be positive (or absent: no cap)."))
        elif kind is OfferKind.FLAT:
            # A cap on a flat amount is either pointless or a second, contradicting amount.
            errors.append(FieldError("max_discount_minor", "Only a PERCENTAGE offer has a maximum discount."))
    if per_user_limit is not None and per_user_limit < 1:
        errors.append(FieldError("per_user_limit", "Must be at least 1 (or absent: unlimited)."))
    if valid_from.tzinfo is None or valid_until.tzinfo is None:
        naive = "valid_from" if valid_from.tzinfo is None else "valid_until"
        errors.append(FieldError(naive, "Must be timezone-aware."))
    elif valid_until <= valid_from:
        errors.append(FieldError("valid_until", "Must be after valid_from."))
    return errors


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
        errors = offer_errors(
            kind=self.kind,
            value=self.value,
            valid_from=self.valid_from,
            valid_until=self.valid_until,
            min_order_minor=self.min_order_minor,
            max_discount_minor=self.max_discount_minor,
            per_user_limit=self.per_user_limit,
        )
        if errors:
            raise InvalidOffer(errors)


class OfferNotApplicable(Exception):
    """The offer cannot be used on this order; ``error`` names the field to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.error = FieldError("offer_code", message)


def is_valid_at(offer: Offer, now: datetime) -> bool:
    """Inside the validity window: the start counts, the end does not."""
    return offer.valid_from <= now < offer.valid_until


def window_error(offer: Offer, now: datetime) -> str | None:
    """Why the offer cannot be used at ``now`` because of its window, or None if it can."""
    if now < offer.valid_from:
        return f"Offer {offer.code} is not valid yet; it starts at {offer.valid_from.isoformat()}."
    if now >= offer.valid_until:
        return f"Offer {offer.code} has expired (it ended at {offer.valid_until.isoformat()})."
    return None


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
    window = window_error(offer, now)
    if window is not None:
        raise OfferNotApplicable(window)
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
