"""Who manages a restaurant, what counts as a change, and the seed's vegetarian guess."""

from __future__ import annotations

import pytest

from serving.kernel.auth import Principal, Role
from serving.restaurants.domain.restaurant import (
    changed_fields,
    looks_vegetarian,
    may_edit_details,
    may_see_owner,
    owns,
)


def test_only_the_owning_restaurant_account_owns_a_restaurant() -> None:
    assert owns(Principal("u-1", Role.RESTAURANT), "u-1")
    assert not owns(Principal("u-2", Role.RESTAURANT), "u-1")
    assert not owns(Principal("u-1", Role.CUSTOMER), "u-1")  # same id, wrong role
    assert not owns(Principal("admin", Role.ADMIN), "u-1")


def test_an_admin_may_also_edit_details() -> None:
    assert may_edit_details(Principal("admin", Role.ADMIN), "u-1")
    assert may_edit_details(Principal("u-1", Role.RESTAURANT), "u-1")
    assert not may_edit_details(Principal("u-1", Role.COURIER), "u-1")


def test_only_the_owner_and_admins_see_who_owns_a_restaurant() -> None:
    assert may_see_owner(Principal("u-1", Role.RESTAURANT), "u-1")
    assert may_see_owner(Principal("admin", Role.ADMIN), "u-1")
    assert not may_see_owner(Principal("u-2", Role.RESTAURANT), "u-1")
    assert not may_see_owner(Principal("u-1", Role.CUSTOMER), "u-1")  # same id, wrong role
    assert not may_see_owner(Principal("c-9", Role.COURIER), "u-1")


def test_only_values_that_differ_are_changes() -> None:
    before = {"price_minor": 100, "available": True, "name": "Idli"}
    assert changed_fields(before, {"price_minor": 100, "available": False}) == ["available"]
    assert changed_fields(before, {}) == []


@pytest.mark.parametrize(
    ("dish", "veg"),
    [
        ("Chicken Biryani", False),
        ("Egg Fried Rice", False),
        ("Mutton Rogan Josh", False),
        ("Paneer Tikka", True),
        ("Veg Biryani", True),
        ("Masala Dosa", True),
        ("Chicken Tikka", False),
    ],
)
def test_the_seed_guesses_vegetarian_dishes_from_their_names(dish: str, veg: bool) -> None:
    assert looks_vegetarian(dish) is veg
