"""What search answers, independent of the engine behind it.

``RestaurantSearch`` is the port: the PostgreSQL adapter (``adapters.search_postgres``)
implements it today; an Elasticsearch/OpenSearch adapter fed from ``restaurants.v1``
could replace it without touching the router (ADR 0005).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class GeoFilter:
    lat: float
    lon: float
    radius_km: float


@dataclass(frozen=True)
class RestaurantQuery:
    text: str = ""  # empty: browse (nearby, filtered, ranked without text)
    near: GeoFilter | None = None
    cuisine: str | None = None
    veg_only: bool = False  # pure-veg restaurants: no non-veg item on the menu
    min_rating: float | None = None
    open_now: bool = False
    at: datetime | None = None  # "now" for open_now (tests pin it)
    limit: int = 20


@dataclass(frozen=True)
class RestaurantHit:
    restaurant_id: uuid.UUID
    name: str
    city: str
    cuisines: list[str]
    rating_avg: float
    rating_count: int
    popularity: int
    distance_km: float | None
    is_open_now: bool
    score: float
    text_match: float


@dataclass(frozen=True)
class ItemQuery:
    text: str
    restaurant_id: uuid.UUID | None = None
    near: GeoFilter | None = None
    veg_only: bool = False
    limit: int = 20


@dataclass(frozen=True)
class ItemHit:
    item_id: uuid.UUID
    name: str
    price_minor: int
    is_veg: bool
    restaurant_id: uuid.UUID
    restaurant_name: str
    distance_km: float | None
    text_match: float


@dataclass(frozen=True)
class Suggestion:
    text: str
    kind: str  # "restaurant" | "dish" | "cuisine"


class RestaurantSearch(Protocol):
    def search_restaurants(self, query: RestaurantQuery) -> list[RestaurantHit]: ...

    def search_items(self, query: ItemQuery) -> list[ItemHit]: ...

    def suggest(self, prefix: str, limit: int) -> list[Suggestion]: ...
