"""Request and response bodies of the restaurants API.

Numbers that mean money or counts are strict integers (``"2"``, ``2.0`` and ``true``
are rejected); unknown fields are rejected, so a typo never silently does nothing.
The views (``RestaurantView``, ``MenuView``) are also what the cache stores; the
``…Out`` models add ``is_open_now``, which depends on the clock and so is computed on
every read, never cached. ``RestaurantOut`` also depends on the caller: only the owner
and admins see ``owner_id``.
"""

from __future__ import annotations

import uuid
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from serving.restaurants.domain import hours

Text200 = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")]
Text500 = Annotated[str, Field(min_length=1, max_length=500, pattern=r"^[^\x00-\x1f\x7f]+$")]
Description = Annotated[str, Field(max_length=1000, pattern=r"^[^\x00-\x08\x0b-\x1f\x7f]*$")]
CityName = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$")]
Cuisine = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[^\x00-\x1f\x7f,]+$")]
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
PriceMinor = Annotated[int, Field(strict=True, ge=0, le=10_000_000)]
Stock = Annotated[int, Field(strict=True, ge=0, le=1_000_000)]
Position = Annotated[int, Field(strict=True, ge=0, le=10_000)]
PhotoUrl = Annotated[str, Field(max_length=500, pattern=r"^https?://[^\s\x00-\x1f\x7f]+$")]
HHMM = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["11:00"])]
Status = Literal["ACTIVE", "INACTIVE", "CLOSED"]


class IntervalIn(BaseModel):
    """One opening interval in local time; ``close`` <= ``open`` runs past midnight."""

    model_config = ConfigDict(extra="forbid")

    open: HHMM
    close: HHMM


DayIntervals = Annotated[list[IntervalIn], Field(max_length=4)]


class OpeningHours(BaseModel):
    """Intervals per weekday; a day without intervals is closed."""

    model_config = ConfigDict(extra="forbid")

    mon: DayIntervals = []
    tue: DayIntervals = []
    wed: DayIntervals = []
    thu: DayIntervals = []
    fri: DayIntervals = []
    sat: DayIntervals = []
    sun: DayIntervals = []

    def intervals(self) -> dict[str, list[hours.Interval]]:
        return hours.hours_from_json(self.model_dump())

    @classmethod
    def every_day(cls, opens: str, closes: str) -> OpeningHours:
        return cls.model_validate({day: [{"open": opens, "close": closes}] for day in hours.WEEKDAYS})


def _check_timezone(value: str) -> str:
    if not hours.is_known_timezone(value):
        raise ValueError("must be an IANA timezone such as Asia/Kolkata")
    return value


# The one type of every time-zone field: a name of the tz database, nothing else.
TimezoneName = Annotated[
    str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_+\-/]+$"), AfterValidator(_check_timezone)
]


class RestaurantCreate(BaseModel):
    """The owner is the caller (the token's subject), never a body field."""

    model_config = ConfigDict(extra="forbid")

    name: Text200
    address: Text500
    city: CityName
    lat: Latitude
    lon: Longitude
    cuisines: Annotated[list[Cuisine], Field(max_length=10)] = []
    timezone: TimezoneName = hours.DEFAULT_TIMEZONE
    opening_hours: OpeningHours = Field(default_factory=lambda: OpeningHours.every_day("11:00", "23:00"))
    status: Status = "ACTIVE"


class RestaurantPatch(BaseModel):
    """Fields to change; absent fields stay as they are (null is not allowed)."""

    model_config = ConfigDict(extra="forbid")

    name: Text200 | None = None
    address: Text500 | None = None
    city: CityName | None = None
    lat: Latitude | None = None
    lon: Longitude | None = None
    cuisines: Annotated[list[Cuisine], Field(max_length=10)] | None = None
    timezone: TimezoneName | None = None
    opening_hours: OpeningHours | None = None
    status: Status | None = None

    def changes(self) -> dict[str, object]:
        """Only the fields the client sent; an explicit null is refused by the router."""
        return {name: getattr(self, name) for name in self.model_fields_set}


class _Restaurant(BaseModel):
    restaurant_id: uuid.UUID
    owner_id: str | None
    name: str
    address: str
    city: str
    lat: float
    lon: float
    cuisines: list[str]
    timezone: str
    opening_hours: OpeningHours
    status: Status
    rating_avg: float
    rating_count: int
    popularity: int = Field(description="Votes / orders count; a relevance signal for search.")
    created_at: AwareDatetime
    updated_at: AwareDatetime


class RestaurantView(_Restaurant):
    """The restaurant as the service and the cache hold it: always with its owner."""

    owner_id: str


# The restaurant as one caller sees it (use_cases.restaurants.present).
class RestaurantOut(_Restaurant):
    owner_id: str | None = Field(
        description="The owning account: shown to that owner and to admins only, null for everyone else."
    )
    is_open_now: bool = Field(description="From today's hours in the restaurant's timezone and its status.")


class CategoryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text200
    position: Position = 0


class CategoryPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text200 | None = None
    position: Position | None = None


class CategoryOut(BaseModel):
    category_id: uuid.UUID
    restaurant_id: uuid.UUID
    name: str
    position: int


class ItemCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text200
    description: Description = ""
    price_minor: PriceMinor = Field(description="Price in minor units (paise).")
    is_veg: Annotated[bool, Field(strict=True)]
    photo_url: PhotoUrl | None = None
    available: Annotated[bool, Field(strict=True)] = True
    stock: Stock | None = Field(default=None, description="Portions left; null = not stock-tracked.")
    category_id: uuid.UUID | None = None


class ItemPatch(BaseModel):
    """Fields to change. ``stock``, ``photo_url`` and ``category_id`` may be set to null."""

    model_config = ConfigDict(extra="forbid")

    name: Text200 | None = None
    description: Description | None = None
    price_minor: PriceMinor | None = None
    is_veg: Annotated[bool, Field(strict=True)] | None = None
    photo_url: PhotoUrl | None = None
    available: Annotated[bool, Field(strict=True)] | None = None
    stock: Stock | None = None
    category_id: uuid.UUID | None = None

    NULLABLE: ClassVar[frozenset[str]] = frozenset({"stock", "photo_url", "category_id"})

    def changes(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.model_fields_set}


class MenuItemOut(BaseModel):
    item_id: uuid.UUID
    restaurant_id: uuid.UUID
    category_id: uuid.UUID | None
    name: str
    description: str
    price_minor: int
    is_veg: bool
    photo_url: str | None
    available: bool
    stock: int | None
    updated_at: AwareDatetime


class MenuCategoryOut(CategoryOut):
    items: list[MenuItemOut]


class MenuView(BaseModel):
    restaurant_id: uuid.UUID
    categories: list[MenuCategoryOut]
    uncategorised: list[MenuItemOut] = Field(description="Items in no category.")


class MenuOut(MenuView):
    is_open_now: bool
