"""Cart rules, and reading surge from Redis."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from serving.cart.domain import (
    Cart,
    CartConflict,
    CartRuleBroken,
    add_item,
    checked_out,
    remove_item,
    set_quantity,
)
from serving.kernel.redis import RedisUnavailable
from serving.orders.adapters.pricing_catalog import RedisSurge, surge_zone


def test_adding_the_same_item_twice_adds_up_the_quantities_in_first_added_order() -> None:
    cart = add_item(add_item(add_item(Cart(), "r1", "a", 2), "r1", "b", 1), "r1", "a", 3)
    assert cart == Cart("r1", {"a": 5, "b": 1})
    assert list(cart.items) == ["a", "b"]


def test_an_item_of_another_restaurant_conflicts_unless_the_cart_is_replaced() -> None:
    cart = add_item(Cart(), "r1", "a", 1)
    with pytest.raises(CartConflict) as conflict:
        add_item(cart, "r2", "z", 1)
    assert conflict.value.error.field == "restaurant_id"
    assert add_item(cart, "r2", "z", 1, replace_cart=True) == Cart("r2", {"z": 1})


def test_more_than_a_hundred_portions_of_one_item_are_refused_naming_quantity() -> None:
    with pytest.raises(CartRuleBroken) as broken:
        add_item(add_item(Cart(), "r1", "a", 60), "r1", "a", 41)
    assert broken.value.error.field == "quantity"


def test_setting_or_removing_an_item_not_in_the_cart_is_none_and_emptying_forgets_the_restaurant() -> None:
    cart = Cart("r1", {"a": 1})
    assert set_quantity(cart, "b", 2) is None and remove_item(cart, "b") is None
    assert set_quantity(cart, "a", 4) == Cart("r1", {"a": 4})
    assert remove_item(cart, "a") == Cart()


def test_a_checked_out_cart_is_empty_and_its_next_edit_starts_a_new_cart() -> None:
    spent = checked_out("order-1")
    assert spent.empty and spent.checked_out_as == "order-1"
    assert set_quantity(spent, "a", 2) is None and remove_item(spent, "a") is None
    assert add_item(spent, "r2", "z", 1) == Cart("r2", {"z": 1})


class _FakeRedis:
    def __init__(self, value: bytes | None = None, down: bool = False) -> None:
        self.value, self.down = value, down

    def call(self, what: str, operation: Callable[[Any], Any]) -> Any:
        if self.down:
            raise RedisUnavailable(what)
        return self.value


@pytest.mark.parametrize(
    ("stored", "down", "expected"),
    [
        (None, False, 10_000),
        (b"1.5", False, 15_000),
        (b"1.25", False, 12_500),
        (b"0.5", False, 10_000),  # a surge never discounts
        (b"99", False, 10_000),  # an absurd value is ignored, not charged
        (b"lots", False, 10_000),
        (b"inf", False, 10_000),
        (b"nan", False, 10_000),
        (b"2", True, 10_000),  # Redis down: no surge rather than no orders
    ],
)
def test_surge_is_read_as_basis_points_and_anything_odd_means_no_surge(
    stored: bytes | None, down: bool, expected: int
) -> None:
    assert RedisSurge(_FakeRedis(stored, down)).surge_bp(surge_zone(" New Delhi ")) == expected  # type: ignore[arg-type]
    assert surge_zone(" New Delhi ") == "new delhi"
