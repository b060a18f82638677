"""Pure rules of the restaurants service: who may manage a restaurant, what changed."""

from __future__ import annotations

from collections.abc import Mapping

from serving.kernel.auth import Principal, Role

# Fields whose change a consumer (orders, search, cache) has to react to.
ITEM_EVENT_FIELDS = frozenset({"name", "price_minor", "available", "stock", "is_veg"})


def owns(principal: Principal, owner_id: str) -> bool:
    """A restaurant account manages only its own restaurants."""
    return principal.role is Role.RESTAURANT and principal.subject == owner_id


def may_edit_details(principal: Principal, owner_id: str) -> bool:
    """Details (hours, status, address) may also be corrected by an admin."""
    return principal.role is Role.ADMIN or owns(principal, owner_id)


def may_see_owner(principal: Principal, owner_id: str) -> bool:
    """Who owns a restaurant is shown to that owner and admins only: account ids do not leak."""
    return may_edit_details(principal, owner_id)


def changed_fields(before: Mapping[str, object], after: Mapping[str, object]) -> list[str]:
    """Names of the fields in ``after`` whose value differs from ``before``, sorted."""
    return sorted(name for name, value in after.items() if before.get(name) != value)


NON_VEG_WORDS = frozenset(
    {
        "chicken", "mutton", "lamb", "fish", "prawn", "prawns", "egg", "eggs", "omelette", "keema",
        "beef", "pork", "bacon", "ham", "crab", "seafood", "kheema", "murgh", "gosht", "meat",
        "tuna", "salami", "pepperoni", "sausage", "shrimp", "squid", "kebab", "tikka",
    }
)  # fmt: skip


def looks_vegetarian(dish_name: str) -> bool:
    """A guess for seeded menus (the source has no veg flag): no meat, fish or egg word.

    "Paneer tikka" is vegetarian: paneer/veg/mushroom/aloo/gobi before a generic word
    like "tikka" or "kebab" keeps it veg.
    """
    words = {w.strip("()-,.&/") for w in dish_name.lower().split()}
    if words & {"paneer", "veg", "vegetable", "mushroom", "aloo", "gobi", "soya", "dal", "chana"}:
        words -= {"tikka", "kebab"}
    return not (words & NON_VEG_WORDS)
