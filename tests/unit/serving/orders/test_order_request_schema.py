import uuid
from datetime import UTC, datetime
from itertools import islice
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from contracts.events.orders import OrderPlaced
from contracts.money import MAX_PAYMENT_MINOR
from serving.orders import domain
from serving.orders.domain.events import order_placed_envelope
from serving.orders.domain.pricing import ChargeRates, breakdown
from serving.orders.entrypoints.schemas import PlaceOrderRequest
from simulation.order_requests import Dish, Restaurant, order_requests

RESTAURANT = "5b0e7c4e-3f7a-4a51-9a55-0d3c1c2b9e10"
DOSA = "1f0e7c4e-3f7a-4a51-9a55-0d3c1c2b9e11"


def body(**overrides: Any) -> dict[str, Any]:
    request: dict[str, Any] = {
        "restaurant_id": RESTAURANT,
        "lines": [{"item_id": DOSA, "quantity": 2, "unit_price_minor": 12000}],
        "delivery_location": {"lat": 12.97, "lon": 77.59},
        "currency": "INR",
    }
    request.update(overrides)
    return request


def error_locations(exc: ValidationError) -> set[tuple[int | str, ...]]:
    return {tuple(e["loc"]) for e in exc.errors()}


def test_every_simulated_order_request_is_a_valid_request_for_what_it_names() -> None:
    dishes = tuple(Dish(str(uuid.uuid4()), price) for price in (4550, 12000, 29900, 61000))
    catalogue = [Restaurant(str(uuid.uuid4()), 28.6, 77.2, dishes), Restaurant(str(uuid.uuid4()), 18.5, 73.8, dishes)]
    for raw in islice(order_requests(catalogue, seed=11), 300):
        placement = PlaceOrderRequest.model_validate(raw).to_placement()
        assert placement.restaurant_id == raw["restaurant_id"]
        assert [(line.item_id, line.quantity, line.unit_price_minor) for line in placement.lines] == [
            (line["item_id"], line["quantity"], line["unit_price_minor"]) for line in raw["lines"]
        ]


@pytest.mark.parametrize("quantity", ["2", 2.0, True, None, -1, 0, 101])
def test_quantity_must_be_a_strict_integer_between_1_and_100(quantity: object) -> None:
    raw = body(lines=[{"item_id": DOSA, "quantity": quantity}])
    with pytest.raises(ValidationError) as exc:
        PlaceOrderRequest.model_validate(raw)
    assert error_locations(exc.value) == {("lines", 0, "quantity")}


@pytest.mark.parametrize("price", [12.5, "100", -1, 10**30])
def test_money_is_never_a_float_a_string_negative_or_beyond_the_cap(price: object) -> None:
    with pytest.raises(ValidationError) as exc:
        PlaceOrderRequest.model_validate(body(lines=[{"item_id": DOSA, "quantity": 1, "unit_price_minor": price}]))
    assert error_locations(exc.value) == {("lines", 0, "unit_price_minor")}


def test_the_customer_is_never_taken_from_the_body() -> None:
    with pytest.raises(ValidationError) as exc:
        PlaceOrderRequest.model_validate(body(customer_id="someone-else"))
    assert error_locations(exc.value) == {("customer_id",)}


@pytest.mark.parametrize(
    ("overrides", "where"),
    [
        ({"lines": [{"item_id": DOSA, "quantity": 1, "name": "Masala dosa"}]}, ("lines", 0, "name")),
        ({"delivery_fee_minor": 3000}, ("delivery_fee_minor",)),
        ({"city": "Bengaluru"}, ("city",)),
    ],
)
def test_names_fees_and_cities_are_the_servers_so_a_body_may_not_send_them(
    overrides: dict[str, Any], where: tuple[int | str, ...]
) -> None:
    with pytest.raises(ValidationError) as exc:
        PlaceOrderRequest.model_validate(body(**overrides))
    assert error_locations(exc.value) == {where}


def test_only_inr_is_accepted_for_now() -> None:
    with pytest.raises(ValidationError) as exc:
        PlaceOrderRequest.model_validate(body(currency="USD"))
    assert error_locations(exc.value) == {("currency",)}


# A request's lines with what a menu may say of each dish: any name and price the
# restaurants service accepts (1-200 characters, 0 to Rs 1,00,000).
menu_line = st.fixed_dictionaries(
    {
        "item_id": st.uuids().map(str),
        "quantity": st.integers(1, domain.MAX_QUANTITY),
        "name": st.text(
            st.characters(min_codepoint=32, max_codepoint=0x2FFF, exclude_characters="\x7f"),
            min_size=1,
            max_size=200,
        ),
        "price_minor": st.integers(0, domain.MAX_UNIT_PRICE_MINOR),
    }
)


@given(st.lists(menu_line, min_size=1, max_size=5, unique_by=lambda line: line["item_id"]))
def test_an_accepted_request_priced_from_any_menu_always_makes_a_valid_order_placed_event(
    lines: list[dict[str, Any]],
) -> None:
    requested = [{"item_id": line["item_id"], "quantity": line["quantity"]} for line in lines]
    placement = PlaceOrderRequest.model_validate(body(lines=requested)).to_placement()
    priced = [
        domain.LineItem(asked.item_id, menu["name"], asked.quantity, menu["price_minor"])
        for asked, menu in zip(placement.lines, lines, strict=True)
    ]
    charges = breakdown(priced, rates=ChargeRates(), delivery_fee_minor=2000)
    try:
        order = domain.place_order(
            order_id=uuid.uuid4(),
            customer_id="cust-1",
            restaurant_id=placement.restaurant_id,
            city="Bengaluru",
            currency=placement.currency,
            lines=priced,
            delivery_fee_minor=charges.delivery_fee_minor,
            tax_minor=charges.tax_minor,
            packaging_minor=charges.packaging_minor,
            placed_at=datetime.now(UTC),
        )
    except domain.OrderRejected as rejected:
        # The one rule the schema cannot see: more than one payment could cover.
        assert [error.field for error in rejected.errors] == ["lines"]
        assert charges.total_minor > MAX_PAYMENT_MINOR
        return
    envelope = order_placed_envelope(order)
    event = OrderPlaced.model_validate(envelope.payload)
    assert event.total_minor == order.totals.total_minor == charges.total_minor
    assert envelope.aggregate_id == str(order.order_id)
