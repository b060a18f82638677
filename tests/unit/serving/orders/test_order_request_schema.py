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
from serving.orders.entrypoints.schemas import PlaceOrderRequest
from simulation.order_requests import order_requests
from simulation.sample_data import load_sample


def body(**overrides: Any) -> dict[str, Any]:
    request: dict[str, Any] = {
        "restaurant_id": "rest-42",
        "city": "Bengaluru",
        "lines": [{"item_id": "dosa", "name": "Masala dosa", "quantity": 2, "unit_price_minor": 12000}],
        "delivery_fee_minor": 3000,
        "currency": "INR",
    }
    request.update(overrides)
    return request


def error_locations(exc: ValidationError) -> set[tuple[int | str, ...]]:
    return {tuple(e["loc"]) for e in exc.errors()}


def test_every_simulated_order_request_is_a_valid_request() -> None:
    for raw in islice(order_requests(load_sample(), seed=11), 300):
        request = PlaceOrderRequest.model_validate(raw)
        assert (
            domain.check_new_order(request.currency, request.line_items(), request.delivery_fee_minor) == []
        )


@pytest.mark.parametrize("quantity", ["2", 2.0, True, None, -1, 0, 101])
def test_quantity_must_be_a_strict_integer_between_1_and_100(quantity: object) -> None:
    raw = body(lines=[{"item_id": "dosa", "name": "Dosa", "quantity": quantity, "unit_price_minor": 1}])
    with pytest.raises(ValidationError) as exc:
        PlaceOrderRequest.model_validate(raw)
    assert error_locations(exc.value) == {("lines", 0, "quantity")}


@pytest.mark.parametrize("price", [12.5, "100", -1, 10**30])
def test_money_is_never_a_float_a_string_negative_or_beyond_the_cap(price: object) -> None:
    with pytest.raises(ValidationError) as exc:
        PlaceOrderRequest.model_validate(body(delivery_fee_minor=price))
    assert error_locations(exc.value) == {("delivery_fee_minor",)}


def test_the_customer_is_never_taken_from_the_body() -> None:
    with pytest.raises(ValidationError) as exc:
        PlaceOrderRequest.model_validate(body(customer_id="someone-else"))
    assert error_locations(exc.value) == {("customer_id",)}


@pytest.mark.parametrize("city", ["", "Pune\x00", "x" * 65])
def test_text_without_control_characters_and_within_length(city: str) -> None:
    with pytest.raises(ValidationError):
        PlaceOrderRequest.model_validate(body(city=city))


def test_only_inr_is_accepted_for_now() -> None:
    with pytest.raises(ValidationError) as exc:
        PlaceOrderRequest.model_validate(body(currency="USD"))
    assert error_locations(exc.value) == {("currency",)}


line_strategy = st.fixed_dictionaries(
    {
        "item_id": st.from_regex(r"[a-z0-9][a-z0-9\-]{0,63}", fullmatch=True),
        "name": st.text(
            st.characters(min_codepoint=32, max_codepoint=0x2FFF, exclude_characters="\x7f"),
            min_size=1,
            max_size=200,
        ),
        "quantity": st.integers(1, domain.MAX_QUANTITY),
        "unit_price_minor": st.integers(0, domain.MAX_UNIT_PRICE_MINOR),
    }
)


@given(st.lists(line_strategy, min_size=1, max_size=5, unique_by=lambda line: line["item_id"]))
def test_an_accepted_request_always_makes_a_valid_order_placed_event(lines: list[dict[str, Any]]) -> None:
    request = PlaceOrderRequest.model_validate(body(lines=lines))
    try:
        order = domain.place_order(
            order_id=uuid.uuid4(),
            customer_id="cust-1",
            restaurant_id=request.restaurant_id,
            city=request.city,
            currency=request.currency,
            lines=request.line_items(),
            delivery_fee_minor=request.delivery_fee_minor,
            placed_at=datetime.now(UTC),
        )
    except domain.OrderRejected as rejected:
        # The one rule the schema cannot see: more than one payment could cover.
        assert [error.field for error in rejected.errors] == ["lines"]
        assert sum(line["quantity"] * line["unit_price_minor"] for line in lines) + 3000 > MAX_PAYMENT_MINOR
        return
    envelope = order_placed_envelope(order)
    event = OrderPlaced.model_validate(envelope.payload)
    assert event.total_minor == order.totals.total_minor
    assert envelope.aggregate_id == str(order.order_id)
