"""The cart's pure rules; the cart model is importable from the package itself."""

from serving.cart.domain.cart import (
    Cart,
    CartConflict,
    CartRuleBroken,
    add_item,
    checked_out,
    remove_item,
    set_quantity,
)

__all__ = ["Cart", "CartConflict", "CartRuleBroken", "add_item", "checked_out", "remove_item", "set_quantity"]
