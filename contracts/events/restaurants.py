"""Events of the restaurant aggregate (its menu included), keyed by restaurant_id."""

from __future__ import annotations

import uuid
from typing import ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.money import MinorUnits

Change = Literal["CREATED", "UPDATED", "DELETED"]


class RestaurantChanged(BaseModel):
    """A restaurant was created or its details (hours, status, address, ...) changed."""

    event_type: ClassVar[str] = "RestaurantChanged"
    schema_version: ClassVar[int] = 1

    model_config = ConfigDict(frozen=True, extra="forbid")

    restaurant_id: uuid.UUID
    change: Change
    changed_fields: list[str]
    name: str
    city: str
    status: str
    changed_at: AwareDatetime


class MenuItemChanged(BaseModel):
    """A menu item was added, deleted, or its price, availability or stock changed."""

    event_type: ClassVar[str] = "MenuItemChanged"
    schema_version: ClassVar[int] = 1

    model_config = ConfigDict(frozen=True, extra="forbid")

    restaurant_id: uuid.UUID
    item_id: uuid.UUID
    change: Change
    changed_fields: list[str]
    name: str
    price_minor: MinorUnits
    available: bool
    stock: int | None = Field(default=None, ge=0, description="None: not stock-tracked.")
    changed_at: AwareDatetime


class RestaurantReviewed(BaseModel):
    """A customer rated a delivered order; carries the restaurant's rating after it.

    The reviewer is not named: ``order_id`` leads to them for whoever may see the order,
    and the comment stays in the restaurants database rather than in every consumer.
    """

    event_type: ClassVar[str] = "RestaurantReviewed"
    schema_version: ClassVar[int] = 1

    model_config = ConfigDict(frozen=True, extra="forbid")

    restaurant_id: uuid.UUID
    review_id: uuid.UUID
    order_id: uuid.UUID
    rating: int = Field(ge=1, le=5)
    rating_avg: float = Field(ge=0, le=5, description="The restaurant's average after this review.")
    rating_count: int = Field(ge=1, description="The restaurant's number of ratings after this review.")
    reviewed_at: AwareDatetime
