"""apply_offer: percentage and flat discounts, minimum order, validity window, per-user limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from serving.restaurants.domain.offers import (
    InvalidOffer,
    Offer,
    OfferKind,
    OfferNotApplicable,
    apply_offer,
    is_valid_at,
    normalise_code,
    offer_errors,
    window_error,
)

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


def test_every_broken_offer_rule_is_reported_at_once_naming_its_field() -> None:
    errors = offer_errors(
        kind=OfferKind.PERCENTAGE,
        value=10_001,
        valid_from=END,
        valid_until=START,
        min_order_minor=-1,
        max_discount_minor=0,
        per_user_limit=0,
    )
    assert [e.field for e in errors] == [
        "value",
        "min_order_minor",
        "max_discount_minor",
        "per_user_limit",
        "valid_until",
    ]
    with pytest.raises(InvalidOffer) as invalid:
        offer(value=10_001, per_user_limit=0)
    assert [e.field for e in invalid.value.errors] == ["value", "per_user_limit"]


def test_a_flat_offer_has_no_maximum_discount_and_a_naive_time_is_named() -> None:
    errors = offer_errors(kind=OfferKind.FLAT, value=5000, valid_from=START, valid_until=END, max_discount_minor=100)
    assert [e.field for e in errors] == ["max_discount_minor"]
    naive = offer_errors(kind=OfferKind.FLAT, value=5000, valid_from=START, valid_until=datetime(2026, 12, 1))
    assert [e.field for e in naive] == ["valid_until"]
    assert offer_errors(kind=OfferKind.PERCENTAGE, value=10_000, valid_from=START, valid_until=END) == []


def test_the_window_says_whether_an_offer_has_not_started_or_has_expired() -> None:
    assert is_valid_at(offer(), START) and not is_valid_at(offer(), END)
    assert window_error(offer(), NOW) is None
    assert "not valid yet" in (window_error(offer(), START - timedelta(seconds=1)) or "")
    assert "expired" in (window_error(offer(), END) or "")
    with pytest.raises(OfferNotApplicable, match="expired"):
        apply_offer(offer(), subtotal_minor=10_000, now=END, redemptions_by_user=0)


def test_codes_compare_without_case() -> None:
    assert normalise_code("diwali20") == normalise_code("DIWALI20") == "DIWALI20"
