"""apply_offer: percentage and flat discounts, minimum order, validity window, per-user limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from serving.restaurants.offers import Offer, OfferKind, OfferNotApplicable, apply_offer

START = datetime(2026, 11, 1, tzinfo=UTC)
END = datetime(2026, 12, 1, tzinfo=UTC)
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def offer(**overrides: object) -> Offer:
    fields: dict[str, object] = {
        "code": "TIFFIN20", "kind": OfferKind.PERCENTAGE, "value": 2000, "valid_from": START, "valid_until": END,
    }  # fmt: skip
    fields.update(overrides)
    return Offer(**fields)  # type: ignore[arg-type]


def test_a_percentage_offer_takes_its_share_rounded_down() -> None:
    assert apply_offer(offer(), subtotal_minor=12_345, now=NOW, redemptions_by_user=0) == 2469


def test_a_percentage_offer_is_capped_by_its_maximum_discount() -> None:
    capped = offer(max_discount_minor=10_000)
    assert apply_offer(capped, subtotal_minor=100_000, now=NOW, redemptions_by_user=0) == 10_000


def test_a_flat_offer_never_discounts_more_than_the_subtotal() -> None:
    flat = offer(kind=OfferKind.FLAT, value=15_000)
    assert apply_offer(flat, subtotal_minor=20_000, now=NOW, redemptions_by_user=0) == 15_000
    assert apply_offer(flat, subtotal_minor=9_000, now=NOW, redemptions_by_user=0) == 9_000


def test_an_order_below_the_minimum_value_gets_no_discount() -> None:
    with pytest.raises(OfferNotApplicable) as refused:
        apply_offer(offer(min_order_minor=30_000), subtotal_minor=29_999, now=NOW, redemptions_by_user=0)
    assert refused.value.error.field == "offer_code"
    assert apply_offer(offer(min_order_minor=30_000), subtotal_minor=30_000, now=NOW, redemptions_by_user=0) == 6000


@pytest.mark.parametrize("at", [START - timedelta(seconds=1), END, END + timedelta(days=1)])
def test_an_offer_outside_its_validity_window_is_refused(at: datetime) -> None:
    with pytest.raises(OfferNotApplicable):
        apply_offer(offer(), subtotal_minor=10_000, now=at, redemptions_by_user=0)


def test_the_window_includes_its_start() -> None:
    assert apply_offer(offer(), subtotal_minor=10_000, now=START, redemptions_by_user=0) == 2000


def test_a_customer_cannot_redeem_more_often_than_the_per_user_limit() -> None:
    once = offer(per_user_limit=1)
    assert apply_offer(once, subtotal_minor=10_000, now=NOW, redemptions_by_user=0) == 2000
    with pytest.raises(OfferNotApplicable):
        apply_offer(once, subtotal_minor=10_000, now=NOW, redemptions_by_user=1)


def test_a_restaurant_specific_offer_only_works_there() -> None:
    local = offer(restaurant_id="r-1")
    assert apply_offer(local, subtotal_minor=10_000, now=NOW, redemptions_by_user=0, restaurant_id="r-1") == 2000
    with pytest.raises(OfferNotApplicable):
        apply_offer(local, subtotal_minor=10_000, now=NOW, redemptions_by_user=0, restaurant_id="r-2")


@pytest.mark.parametrize(
    "overrides",
    [
        {"value": 0},
        {"value": 10_001},
        {"valid_until": START},
        {"valid_from": datetime(2026, 11, 1), "valid_until": datetime(2026, 12, 1)},
    ],
)
def test_an_impossible_offer_cannot_be_constructed(overrides: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        offer(**overrides)
