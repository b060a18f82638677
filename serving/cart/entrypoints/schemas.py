"""Request and response bodies of the cart API (strict integers, unknown fields rejected)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from serving.cart.domain import Cart
from serving.orders.api import DeliveryLocation, Identifier, OfferCode, Quantity


class CartLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item_id: Identifier
    quantity: Quantity


class CartOut(BaseModel):
    restaurant_id: str | None = Field(description="null while the cart is empty.")
    items: list[CartLine]

    @classmethod
    def from_cart(cls, cart: Cart) -> CartOut:
        return cls(
            restaurant_id=cart.restaurant_id,
            items=[CartLine(item_id=item_id, quantity=quantity) for item_id, quantity in cart.items.items()],
        )


class PutCart(BaseModel):
    """The whole cart at once (e.g. a "reorder")."""

    model_config = ConfigDict(extra="forbid")

    restaurant_id: Identifier
    items: list[CartLine] = Field(min_length=1, max_length=50)


class AddItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    restaurant_id: Identifier
    item_id: Identifier
    quantity: Quantity = 1
    replace: bool = Field(default=False, strict=True, description="Empty a cart of another restaurant first.")


class SetQuantity(BaseModel):
    model_config = ConfigDict(extra="forbid")

    quantity: Quantity


class Checkout(BaseModel):
    model_config = ConfigDict(extra="forbid")

    delivery_location: DeliveryLocation | None = None
    offer_code: OfferCode | None = Field(default=None, description="A discount code of the cart's restaurant.")
