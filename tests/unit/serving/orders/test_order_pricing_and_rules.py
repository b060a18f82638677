import uuid
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.money import MAX_PAYMENT_MINOR
from serving.orders import domain
from serving.orders.domain import LineItem, OrderRejected, OrderStatus, place_order, price_order
from serving.payments import domain as payments_domain

PLACED_AT = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


def line(item_id: str = "dosa", quantity: int = 1, unit_price_minor: int = 12000) -> LineItem:
    return LineItem(
        item_id=item_id, name=item_id.title(), quantity=quantity, unit_price_minor=unit_price_minor
    )


def new_order(lines: list[LineItem], delivery_fee_minor: int = 3000, currency: str = "INR") -> domain.Order:
    return place_order(
        order_id=uuid.uuid4(),
        customer_id=f"cust-{uuid.uuid4().hex[:8]}",
        restaurant_id="rest-1",
        city="Pune",
        currency=currency,
        lines=lines,
        delivery_fee_minor=delivery_fee_minor,
        placed_at=PLACED_AT,
    )


def field_names(error: OrderRejected) -> set[str]:
    return {e.field for e in error.errors}


def test_subtotal_is_the_sum_of_quantity_times_unit_price_and_total_adds_the_fee() -> None:
    totals = price_order([line("dosa", 2, 12000), line("chai", 3, 2500)], delivery_fee_minor=3000)
    assert totals.subtotal_minor == 2 * 12000 + 3 * 2500
    assert totals.delivery_fee_minor == 3000
    assert totals.total_minor == 2 * 12000 + 3 * 2500 + 3000


def test_a_new_order_is_pending_with_server_computed_totals() -> None:
    order = new_order([line("idli", 4, 4550)], delivery_fee_minor=2000)
    assert order.status is OrderStatus.PENDING
    assert order.totals.total_minor == 4 * 4550 + 2000
    assert order.lines[0].line_total_minor == 4 * 4550


def test_free_items_and_free_delivery_are_allowed() -> None:
    order = new_order([line("water", 1, 0)], delivery_fee_minor=0)
    assert order.totals.total_minor == 0


@given(
    st.lists(
        st.tuples(st.integers(1, domain.MAX_QUANTITY), st.integers(0, domain.MAX_UNIT_PRICE_MINOR)),
        min_size=1,
        max_size=domain.MAX_LINES,
    ),
    st.integers(0, domain.MAX_DELIVERY_FEE_MINOR),
)
def test_totals_are_exact_integers_in_a_bigint_and_no_order_costs_more_than_a_payment_moves(
    quantities_and_prices: list[tuple[int, int]], fee: int
) -> None:
    lines = [line(f"item-{i}", q, p) for i, (q, p) in enumerate(quantities_and_prices)]
    totals = price_order(lines, delivery_fee_minor=fee)
    assert totals.total_minor == sum(q * p for q, p in quantities_and_prices) + fee
    assert isinstance(totals.total_minor, int)
    assert 0 <= totals.total_minor < 2**63
    if totals.total_minor <= MAX_PAYMENT_MINOR:
        assert new_order(lines, delivery_fee_minor=fee).totals == totals
    else:
        with pytest.raises(OrderRejected) as rejected:
            new_order(lines, delivery_fee_minor=fee)
        assert field_names(rejected.value) == {"lines"}


def test_an_order_may_cost_exactly_what_one_payment_moves_and_not_a_paisa_more() -> None:
    lines = [line("feast", 100, MAX_PAYMENT_MINOR // 100)]
    assert new_order(lines, delivery_fee_minor=0).totals.total_minor == MAX_PAYMENT_MINOR
    with pytest.raises(OrderRejected) as rejected:
        new_order(lines, delivery_fee_minor=1)
    assert field_names(rejected.value) == {"lines"}
    assert str(MAX_PAYMENT_MINOR + 1) in rejected.value.errors[0].message


def test_payments_take_at_most_the_amount_orders_are_capped_at() -> None:
    assert payments_domain.MAX_AMOUNT_MINOR == MAX_PAYMENT_MINOR


def test_an_unsupported_currency_is_rejected_naming_the_currency_field() -> None:
    with pytest.raises(OrderRejected) as rejected:
        new_order([line()], currency="USD")
    assert field_names(rejected.value) == {"currency"}


def test_every_broken_rule_is_reported_at_once_with_the_line_it_is_on() -> None:
    lines = [line("dosa"), line("chai", quantity=0), line("dosa", unit_price_minor=-1)]
    with pytest.raises(OrderRejected) as rejected:
        new_order(lines, delivery_fee_minor=-5)
    assert field_names(rejected.value) == {
        "delivery_fee_minor",
        "lines[1].quantity",
        "lines[2].unit_price_minor",
        "lines[2].item_id",
    }


def test_an_order_needs_at_least_one_line() -> None:
    with pytest.raises(OrderRejected) as rejected:
        new_order([])
    assert field_names(rejected.value) == {"lines"}


def test_a_naive_placement_time_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        place_order(
            order_id=uuid.uuid4(),
            customer_id="c",
            restaurant_id="r",
            city="Pune",
            currency="INR",
            lines=[line()],
            delivery_fee_minor=0,
            placed_at=datetime(2025, 1, 1),
        )
