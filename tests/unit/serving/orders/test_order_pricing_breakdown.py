"""The itemised price of an order: integer arithmetic, half-up rounding, distance and surge."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from serving.orders.domain import MAX_DELIVERY_FEE_MINOR, LineItem
from serving.orders.domain.pricing import (
    BASIS_POINTS,
    ChargeRates,
    DeliveryTariff,
    breakdown,
    delivery_fee_minor,
    haversine_km,
    round_half_up,
)
from serving.orders.ports import NoSurge

TARIFF = DeliveryTariff(base_fee_minor=2000, included_km=2.0, per_km_minor=800)


def test_half_up_rounds_exact_halves_up_and_everything_else_to_the_nearest_paisa() -> None:
    assert round_half_up(5, 10) == 1  # 0.5 -> 1
    assert round_half_up(4, 10) == 0
    assert round_half_up(15, 10) == 2  # 1.5 -> 2 (not banker's 2 by accident: 2.5 below)
    assert round_half_up(25, 10) == 3  # 2.5 -> 3, where round() would say 2
    assert round_half_up(0, 7) == 0


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=1, max_value=10**6))
def test_half_up_is_never_more_than_half_a_unit_away(numerator: int, denominator: int) -> None:
    rounded = round_half_up(numerator, denominator)
    # An exact half rounds up, so the rounded value may be half a unit above, never below.
    assert -denominator <= 2 * (numerator - rounded * denominator) < denominator


def test_gst_is_five_percent_of_the_food_rounded_half_up_once_per_order() -> None:
    # 3 x 4550 + 1 x 1 = 13651 paise; 5 % = 682.55 -> 683
    lines = [LineItem("idli", "Idli", 3, 4550), LineItem("mint", "Mint", 1, 1)]
    result = breakdown(lines, rates=ChargeRates(), delivery_fee_minor=2000)
    assert result.subtotal_minor == 13651
    assert result.tax_minor == 683
    assert result.total_minor == 13651 + 683 + 2000


def test_tax_is_on_the_food_after_the_discount() -> None:
    lines = [LineItem("thali", "Thali", 1, 20000)]
    result = breakdown(lines, rates=ChargeRates(tax_bp=500), delivery_fee_minor=0, discount_minor=5000)
    assert result.tax_minor == 750  # 5 % of 15000
    assert result.total_minor == 20000 - 5000 + 750


def test_packaging_is_charged_per_portion_plus_once_per_order() -> None:
    lines = [LineItem("a", "A", 2, 100), LineItem("b", "B", 3, 100)]
    rates = ChargeRates(tax_bp=0, packaging_per_item_minor=500, packaging_flat_minor=1000)
    assert breakdown(lines, rates=rates, delivery_fee_minor=0).packaging_minor == 5 * 500 + 1000


def test_a_discount_larger_than_the_food_is_refused() -> None:
    with pytest.raises(ValueError):
        breakdown([LineItem("a", "A", 1, 100)], rates=ChargeRates(), delivery_fee_minor=0, discount_minor=101)


def test_the_distance_from_connaught_place_to_india_gate_is_about_two_and_a_half_km() -> None:
    assert haversine_km(28.6315, 77.2167, 28.6129, 77.2295) == pytest.approx(2.41, abs=0.05)
    assert haversine_km(12.97, 77.59, 12.97, 77.59) == 0.0


def test_the_base_fee_covers_the_included_distance() -> None:
    assert delivery_fee_minor(TARIFF, 0.0) == 2000
    assert delivery_fee_minor(TARIFF, 2.0) == 2000


def test_each_metre_beyond_the_included_distance_costs_its_share_of_the_per_km_rate() -> None:
    assert delivery_fee_minor(TARIFF, 5.0) == 2000 + 3 * 800
    assert delivery_fee_minor(TARIFF, 2.1) == 2000 + 80  # 100 m at 0.8 paise a metre
    assert delivery_fee_minor(TARIFF, 2.0006) == 2000 + 1  # 0.6 m -> 1 m -> 0.8 paise -> 1 paisa


def test_surge_multiplies_the_whole_fee_and_rounds_half_up() -> None:
    assert delivery_fee_minor(TARIFF, 0.0, surge_bp=15_000) == 3000
    assert delivery_fee_minor(DeliveryTariff(base_fee_minor=1001, per_km_minor=0), 0.0, surge_bp=15_000) == 1502


def test_a_surge_below_one_or_a_negative_distance_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        delivery_fee_minor(TARIFF, 1.0, surge_bp=9_999)
    with pytest.raises(ValueError):
        delivery_fee_minor(TARIFF, -1.0)


def test_the_fee_never_exceeds_the_order_schema_cap_however_far_and_surged() -> None:
    assert delivery_fee_minor(TARIFF, 20_000.0, surge_bp=50_000) == MAX_DELIVERY_FEE_MINOR


def test_no_surge_source_means_a_multiplier_of_one() -> None:
    assert NoSurge().surge_bp("pune") == BASIS_POINTS
