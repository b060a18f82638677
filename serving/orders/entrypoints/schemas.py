"""The orders API's request and response bodies.

Numbers are strict integers (``"2"``, ``2.0`` and ``true`` are rejected): money is
never a float, and a client that sends the wrong type should hear about it. Bounds
match the OrderPlaced contract, so an accepted request always makes a valid event.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from serving.orders import domain
from serving.orders.domain import lifecycle
from serving.orders.ports import Location, RequestedLine
from serving.orders.use_cases.placement import PlacementRequest
from serving.restaurants import api as restaurants_api

# Identifiers: letters, digits and a few separators; no spaces or control characters.
Identifier = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:\-]*$")]
Quantity = Annotated[int, Field(strict=True, ge=1, le=domain.MAX_QUANTITY)]
UnitPriceMinor = Annotated[int, Field(strict=True, ge=0, le=domain.MAX_UNIT_PRICE_MINOR)]
# Case-insensitive: parsed to upper case, so "diwali20" and "DIWALI20" are the same request.
OfferCode = Annotated[
    str,
    Field(min_length=1, max_length=32, pattern=restaurants_api.OFFER_CODE_PATTERN, examples=["DIWALI20"]),
    AfterValidator(restaurants_api.normalise_offer_code),
]


class OrderLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item_id: Identifier
    quantity: Quantity
    # The menu decides the price; a sent one that differs from it is a 422 "price
    # changed" (docs/serving.md, Pricing): the client showed a stale menu.
    unit_price_minor: UnitPriceMinor | None = Field(
        default=None, description="Price of one item in minor units, as the client last saw it (optional)."
    )


class DeliveryLocation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)


class PlaceOrderRequest(BaseModel):
    """The customer is the caller (the token's subject), never a body field."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "restaurant_id": "5b0e7c4e-3f7a-4a51-9a55-0d3c1c2b9e10",
                    "lines": [
                        {"item_id": "1f0e7c4e-3f7a-4a51-9a55-0d3c1c2b9e11", "quantity": 2, "unit_price_minor": 12000}
                    ],
                    "delivery_location": {"lat": 12.9716, "lon": 77.5946},
                    "currency": "INR",
                }
            ]
        },
    )

    # Name, price, fee and city are the server's: it prices from the menu, charges a
    # fee for the distance to delivery_location, and the order's city is its restaurant's.
    restaurant_id: Identifier
    lines: list[OrderLineIn] = Field(min_length=1, max_length=domain.MAX_LINES)
    delivery_location: DeliveryLocation | None = None
    currency: Literal["INR"]
    offer_code: OfferCode | None = Field(default=None, description="A discount code of the restaurant.")

    def to_placement(self) -> PlacementRequest:
        """The placement this body asks for."""
        where = self.delivery_location
        return PlacementRequest(
            restaurant_id=self.restaurant_id,
            lines=tuple(RequestedLine(line.item_id, line.quantity, line.unit_price_minor) for line in self.lines),
            currency=self.currency,
            delivery_location=None if where is None else Location(where.lat, where.lon),
            offer_code=self.offer_code,
        )


class OrderLineOut(BaseModel):
    item_id: str
    name: str
    quantity: int
    unit_price_minor: int
    line_total_minor: int


class OrderOut(BaseModel):
    order_id: uuid.UUID
    customer_id: str
    restaurant_id: str
    city: str
    status: domain.OrderStatus
    currency: str
    lines: list[OrderLineOut]
    items_subtotal_minor: int = Field(description="Sum of the lines, before the discount.")
    discount_minor: int = Field(description="Off the items, from offer_code (0 without one).")
    tax_minor: int = Field(description="GST on the items after the discount.")
    packaging_minor: int
    delivery_fee_minor: int
    total_minor: int = Field(description="What the customer pays: items - discount + tax + packaging + delivery fee.")
    offer_code: str | None = Field(description="The offer the discount came from, upper case; null without one.")
    subtotal_minor: int = Field(description="Same as items_subtotal_minor (kept for existing clients).")
    placed_at: AwareDatetime
    # Lifecycle details; null until the restaurant accepts / unless cancelled.
    estimated_ready_at: AwareDatetime | None = None
    cancellation_reason: lifecycle.CancelReason | None = None

    @classmethod
    def from_order(cls, order: domain.Order) -> OrderOut:
        return cls(
            order_id=order.order_id,
            customer_id=order.customer_id,
            restaurant_id=order.restaurant_id,
            city=order.city,
            status=order.status,
            currency=order.currency,
            lines=[
                OrderLineOut(
                    item_id=line.item_id,
                    name=line.name,
                    quantity=line.quantity,
                    unit_price_minor=line.unit_price_minor,
                    line_total_minor=line.line_total_minor,
                )
                for line in order.lines
            ],
            items_subtotal_minor=order.totals.subtotal_minor,
            discount_minor=order.totals.discount_minor,
            tax_minor=order.totals.tax_minor,
            packaging_minor=order.totals.packaging_minor,
            delivery_fee_minor=order.totals.delivery_fee_minor,
            total_minor=order.totals.total_minor,
            offer_code=order.offer_code,
            subtotal_minor=order.totals.subtotal_minor,
            placed_at=order.placed_at,
            estimated_ready_at=order.estimated_ready_at,
            cancellation_reason=(
                lifecycle.CancelReason(order.cancellation_reason) if order.cancellation_reason else None
            ),
        )


class OrderPage(BaseModel):
    items: list[OrderOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")
