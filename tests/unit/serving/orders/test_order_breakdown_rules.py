"""A stored order's itemised price: totals, the OrderPlaced breakdown, the cancel fee, offer codes."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from contracts.events.orders import OrderCancelled, OrderPlaced
from serving.cart.entrypoints.schemas import Checkout
from serving.orders.domain import LineItem, Order, OrderStatus, OrderTotals, lifecycle, place_order, price_order
from serving.orders.domain.events import order_placed_envelope, transition_envelope
from serving.orders.domain.pricing import ChargeRates, breakdown
from serving.orders.entrypoints.schemas import OrderOut, PlaceOrderRequest
from serving.restaurants.entrypoints.offer_schemas import OfferCreate

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
THALI = LineItem("thali", "Thali", 2, 20_000)


def discounted_order(**overrides: Any) -> Order:
    fields: dict[str, Any] = {
        "order_id": uuid.uuid4(), "customer_id": "cust-1", "restaurant_id": "rest-1", "city": "Pune",
        "currency": "INR", "lines": [THALI], "delivery_fee_minor": 2500, "placed_at": NOW,
        "discount_minor": 8000, "tax_minor": 1600, "packaging_minor": 1500, "offer_code": "DIWALI20",
    }  # fmt: skip
    fields.update(overrides)
    return place_order(**fields)


def test_the_total_is_items_less_discount_plus_tax_packaging_and_delivery() -> None:
    totals = discounted_order().totals
    assert (totals.subtotal_minor, totals.discount_minor, totals.tax_minor, totals.packaging_minor) == (
        40_000,
        8000,
        1600,
        1500,
    )
    assert totals.total_minor == 40_000 - 8000 + 1600 + 1500 + 2500
    assert totals.food_minor == totals.total_minor - 2500


def test_the_pricing_breakdown_is_the_orders_price_one_type_one_total() -> None:
    rates = ChargeRates(tax_bp=500, packaging_per_item_minor=500, packaging_flat_minor=500)
    charges = breakdown([THALI], rates=rates, delivery_fee_minor=2500, discount_minor=8000)
    order = discounted_order(tax_minor=charges.tax_minor, packaging_minor=charges.packaging_minor)
    assert charges == order.totals  # the same OrderTotals, not a look-alike with its own formula
    assert order.totals.total_minor == charges.total_minor


def test_a_price_is_its_parts_so_its_total_cannot_disagree_with_them() -> None:
    price = OrderTotals(subtotal_minor=40_000, delivery_fee_minor=2500, discount_minor=8000, tax_minor=1600)
    assert price.total_minor == 40_000 - 8000 + 1600 + 2500
    assert replace(price, tax_minor=0).total_minor == 40_000 - 8000 + 2500


def test_without_charges_an_order_costs_items_plus_delivery_as_before() -> None:
    totals = price_order([THALI], 2500)
    assert (totals.discount_minor, totals.tax_minor, totals.packaging_minor) == (0, 0, 0)
    assert totals.total_minor == 42_500


@pytest.mark.parametrize(
    "charges",
    [{"discount_minor": 40_001}, {"discount_minor": -1}, {"tax_minor": -1}, {"packaging_minor": -5}],
)
def test_impossible_charges_are_a_pricing_bug_not_an_order(charges: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        price_order([THALI], 2500, **charges)


def test_a_discount_always_names_the_offer_it_came_from() -> None:
    with pytest.raises(ValueError):
        discounted_order(offer_code=None)


def test_order_placed_carries_the_breakdown_and_older_events_still_validate() -> None:
    order = discounted_order()
    payload = order_placed_envelope(order).payload
    assert {k: payload[k] for k in ("subtotal_minor", "discount_minor", "tax_minor", "packaging_minor")} == {
        "subtotal_minor": 40_000,
        "discount_minor": 8000,
        "tax_minor": 1600,
        "packaging_minor": 1500,
    }
    assert payload["offer_code"] == "DIWALI20" and payload["total_minor"] == order.totals.total_minor
    older = {
        k: v for k, v in payload.items() if k not in ("discount_minor", "tax_minor", "packaging_minor", "offer_code")
    }
    older["total_minor"] = older["subtotal_minor"] + older["delivery_fee_minor"]
    parsed = OrderPlaced.model_validate(older)
    assert (parsed.discount_minor, parsed.tax_minor, parsed.packaging_minor, parsed.offer_code) == (0, 0, 0, None)


def test_the_response_shows_every_part_of_the_price() -> None:
    out = OrderOut.from_order(discounted_order()).model_dump()
    assert out["items_subtotal_minor"] == out["subtotal_minor"] == 40_000
    assert (out["discount_minor"], out["tax_minor"], out["packaging_minor"], out["delivery_fee_minor"]) == (
        8000,
        1600,
        1500,
        2500,
    )
    assert out["offer_code"] == "DIWALI20" and out["total_minor"] == 37_600


def test_cancelling_while_preparing_costs_the_food_as_charged_never_more_than_was_paid() -> None:
    # 50 % off: the undiscounted subtotal (40000) would exceed everything paid (25000).
    order = discounted_order(discount_minor=20_000, tax_minor=1000, packaging_minor=0, delivery_fee_minor=4000)
    for target, prep in ((OrderStatus.ACCEPTED, 10), (OrderStatus.PREPARING, None)):
        change = lifecycle.apply(
            order, target, actor=lifecycle.Actor.RESTAURANT, actor_id="o", now=NOW, prep_time_minutes=prep
        )
        order = change.after
    change = lifecycle.apply(
        order,
        OrderStatus.CANCELLED,
        actor=lifecycle.Actor.CUSTOMER,
        actor_id="cust-1",
        now=NOW + timedelta(minutes=1),
        reason=lifecycle.CancelReason.CUSTOMER_CANCELLED,
    )
    assert change.cancellation_fee_minor == 40_000 - 20_000 + 1000
    cancelled = OrderCancelled.model_validate(transition_envelope(change).payload)
    assert cancelled.refund_due_minor == 4000  # the delivery fee


BODY: dict[str, Any] = {
    "restaurant_id": "rest-1",
    "lines": [{"item_id": "thali", "quantity": 1}],
    "currency": "INR",
}


def test_an_offer_code_is_parsed_upper_case_so_either_spelling_is_the_same_request() -> None:
    lower = PlaceOrderRequest.model_validate({**BODY, "offer_code": "diwali20"})
    upper = PlaceOrderRequest.model_validate({**BODY, "offer_code": "DIWALI20"})
    assert lower == upper and lower.offer_code == "DIWALI20"
    assert Checkout.model_validate({"offer_code": "Diwali20"}).offer_code == "DIWALI20"


@pytest.mark.parametrize("code", ["", "has space", "x" * 33, "-leading", 20, None])
def test_a_malformed_offer_code_is_refused_naming_offer_code(code: object) -> None:
    body = {**BODY, "offer_code": code}
    if code is None:
        assert PlaceOrderRequest.model_validate(body).offer_code is None
        return
    with pytest.raises(ValidationError) as invalid:
        PlaceOrderRequest.model_validate(body)
    assert [error["loc"] for error in invalid.value.errors()] == [("offer_code",)]


OFFER: dict[str, Any] = {"code": "tiffin10", "kind": "FLAT", "value": 1000, "valid_until": "2030-01-01T00:00:00Z"}


def test_an_offer_body_is_normalised_to_an_upper_case_code_and_utc_times() -> None:
    offer = OfferCreate.model_validate({**OFFER, "valid_until": "2030-01-01T05:30:00+05:30"})
    assert offer.code == "TIFFIN10"
    assert offer.valid_until == datetime(2030, 1, 1, tzinfo=UTC) and offer.valid_until.tzinfo is UTC


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"valid_until": "9999-12-31T23:00:00-05:00"}, "valid_until"),  # no UTC form
        ({"valid_until": "2030-01-01T00:00:00"}, "valid_until"),  # naive
        ({"value": 0}, "value"),
        ({"value": "1000"}, "value"),
        ({"kind": "BOGO"}, "kind"),
        ({"per_user_limit": 0}, "per_user_limit"),
        ({"surprise": True}, "surprise"),
    ],
)
def test_a_bad_offer_body_names_the_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as invalid:
        OfferCreate.model_validate({**OFFER, **change})
    assert [error["loc"][0] for error in invalid.value.errors()] == [field]
