"""Cart rules, pure: one restaurant per cart, bounded lines and quantities.

A cart is a wish list, not a reservation: prices are not stored (checkout prices
it from the menu), so a menu change can never leave a stale price in a cart.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from serving.kernel.field_errors import FieldError
from serving.orders.api import MAX_LINES, MAX_QUANTITY


class CartConflict(Exception):
    """The item is from another restaurant than the cart's (a 409 naming ``restaurant_id``)."""

    def __init__(self, current: str) -> None:
        super().__init__(f"The cart holds items of restaurant {current}; send replace=true to start a new cart.")
        self.error = FieldError("restaurant_id", str(self))


class CartRuleBroken(Exception):
    """A 422: ``error`` names the field."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.error = FieldError(field_name, message)


@dataclass(frozen=True)
class Cart:
    restaurant_id: str | None = None
    # item id -> quantity, in the order the items were first added
    items: dict[str, int] = field(default_factory=dict)
    # Set on the empty cart a checkout leaves behind: the order it became. Another
    # checkout of it is a 409 (not "empty"); the next edit starts a new cart.
    checked_out_as: str | None = None

    @property
    def empty(self) -> bool:
        return not self.items


def checked_out(order_id: str) -> Cart:
    """What a cart is once its checkout placed ``order_id``."""
    return Cart(checked_out_as=order_id)


def add_item(cart: Cart, restaurant_id: str, item_id: str, quantity: int, *, replace_cart: bool = False) -> Cart:
    """Add ``quantity`` portions (on top of what is there); another restaurant needs ``replace_cart``."""
    if not cart.empty and cart.restaurant_id != restaurant_id:
        if not replace_cart:
            raise CartConflict(str(cart.restaurant_id))
        cart = Cart()
    items = dict(cart.items)
    total = items.get(item_id, 0) + quantity
    if total > MAX_QUANTITY:
        raise CartRuleBroken("quantity", f"At most {MAX_QUANTITY} of one item per order.")
    if item_id not in items and len(items) >= MAX_LINES:
        raise CartRuleBroken("item_id", f"A cart holds at most {MAX_LINES} different items.")
    items[item_id] = total
    return Cart(restaurant_id, items)


def set_quantity(cart: Cart, item_id: str, quantity: int) -> Cart | None:
    """The cart with the item's quantity replaced; None if the item is not in the cart (a 404)."""
    if item_id not in cart.items:
        return None
    return replace(cart, items={**cart.items, item_id: quantity})


def remove_item(cart: Cart, item_id: str) -> Cart | None:
    """The cart without the item (an emptied cart forgets its restaurant); None if absent."""
    if item_id not in cart.items:
        return None
    items = {k: v for k, v in cart.items.items() if k != item_id}
    return Cart(cart.restaurant_id if items else None, items)
