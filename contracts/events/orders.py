"""Events of the order aggregate, keyed by order_id on the orders topic."""

from __future__ import annotations

import uuid
from typing import ClassVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.money import CurrencyCode, MinorUnits


class OrderLine(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    item_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    quantity: int = Field(ge=1, le=100)
    unit_price_minor: MinorUnits


class OrderPlaced(BaseModel):
    """A customer placed an order; it is PENDING until the restaurant answers."""

    event_type: ClassVar[str] = "OrderPlaced"
    schema_version: ClassVar[int] = 1

    model_config = ConfigDict(frozen=True, extra="forbid")

    order_id: uuid.UUID
    customer_id: str
    restaurant_id: str
    city: str
    lines: list[OrderLine]
    subtotal_minor: MinorUnits
    delivery_fee_minor: MinorUnits
    total_minor: MinorUnits
    currency: CurrencyCode
    placed_at: AwareDatetime
