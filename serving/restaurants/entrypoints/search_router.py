"""HTTP surface of search and discovery over the restaurants service's own tables (mounted
under /api/v1/search, ADR 0005); any authenticated user."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from serving.kernel.auth import CurrentPrincipal
from serving.kernel.field_errors import FieldError
from serving.kernel.http.problems import PROBLEM_RESPONSES, ProblemError
from serving.restaurants.adapters.popular_searches import popular_searches, record_search
from serving.restaurants.domain.search import GeoFilter, ItemQuery, RestaurantQuery
from serving.restaurants.entrypoints.deps import RedisClient, Search

router = APIRouter(prefix="/search", tags=["search"], responses=PROBLEM_RESPONSES)
# The two searches are async routes with one explicit hand-off each for the query and
# its bookkeeping: a sync route costs FastAPI a second hand-off to validate the answer.

# Some visible character, no control characters (PostgreSQL text cannot hold NUL).
NON_BLANK_TEXT = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"
SearchText = Annotated[str, Query(max_length=100, pattern=r"^[^\x00-\x1f\x7f]*$")]
Lat = Annotated[float | None, Query(ge=-90, le=90, allow_inf_nan=False)]
Lon = Annotated[float | None, Query(ge=-180, le=180, allow_inf_nan=False)]
Radius = Annotated[float, Query(gt=0, le=50, allow_inf_nan=False, description="Kilometres around lat/lon.")]
Limit = Annotated[int, Query(ge=1, le=50)]


def _geo(lat: float | None, lon: float | None, radius_km: float) -> GeoFilter | None:
    if lat is None and lon is None:
        return None
    if lat is None or lon is None:
        missing = "lat" if lat is None else "lon"
        message = "lat and lon must be given together."
        raise ProblemError(422, f"The request is not valid; fix: {missing}.", errors=[FieldError(missing, message)])
    return GeoFilter(lat=lat, lon=lon, radius_km=radius_km)


class RestaurantHitOut(BaseModel):
    restaurant_id: uuid.UUID
    name: str
    city: str
    cuisines: list[str]
    rating_avg: float
    rating_count: int
    popularity: int
    distance_km: float | None
    is_open_now: bool
    score: float = Field(description="Relevance, see docs/restaurants-and-search.md.")
    text_match: float


class ItemHitOut(BaseModel):
    item_id: uuid.UUID
    name: str
    price_minor: int
    is_veg: bool
    restaurant_id: uuid.UUID
    restaurant_name: str
    distance_km: float | None
    text_match: float


class SuggestionOut(BaseModel):
    text: str
    kind: str


class PopularSearchOut(BaseModel):
    query: str
    count: int


@router.get("/restaurants", response_model=list[RestaurantHitOut], summary="Restaurants by text, place and filters")
async def search_restaurants(
    principal: CurrentPrincipal,
    search: Search,
    redis_client: RedisClient,
    q: SearchText = "",
    lat: Lat = None,
    lon: Lon = None,
    radius_km: Radius = 5.0,
    cuisine: Annotated[str | None, Query(min_length=1, max_length=40, pattern=r"^[^\x00-\x1f\x7f]+$")] = None,
    veg: Annotated[bool, Query(description="Only pure-veg restaurants.")] = False,
    min_rating: Annotated[float | None, Query(ge=0, le=5, allow_inf_nan=False)] = None,
    open_now: bool = False,
    limit: Limit = 20,
) -> list[RestaurantHitOut]:
    text = q.strip()
    query = RestaurantQuery(
        text=text, near=_geo(lat, lon, radius_km), cuisine=cuisine, veg_only=veg, min_rating=min_rating,
        open_now=open_now, limit=limit,
    )  # fmt: skip

    def run() -> list[RestaurantHitOut]:  # the blocking part: one hand-off to the thread pool
        hits = search.search_restaurants(query)
        if text:
            record_search(redis_client, principal.subject, text, found_anything=bool(hits))
        return [RestaurantHitOut(**vars(hit)) for hit in hits]

    return await run_in_threadpool(run)


@router.get("/items", response_model=list[ItemHitOut], summary="Dishes, within one restaurant or across all")
async def search_items(
    principal: CurrentPrincipal,
    search: Search,
    redis_client: RedisClient,
    q: Annotated[str, Query(min_length=1, max_length=100, pattern=NON_BLANK_TEXT)],
    restaurant_id: uuid.UUID | None = None,
    lat: Lat = None,
    lon: Lon = None,
    radius_km: Radius = 5.0,
    veg: bool = False,
    limit: Limit = 20,
) -> list[ItemHitOut]:
    text = q.strip()
    query = ItemQuery(text=text, restaurant_id=restaurant_id, near=_geo(lat, lon, radius_km), veg_only=veg, limit=limit)

    def run() -> list[ItemHitOut]:
        hits = search.search_items(query)
        record_search(redis_client, principal.subject, text, found_anything=bool(hits))
        return [ItemHitOut(**vars(hit)) for hit in hits]

    return await run_in_threadpool(run)


@router.get("/suggest", response_model=list[SuggestionOut], summary="Autocomplete: restaurants, dishes, cuisines")
def suggest(
    _principal: CurrentPrincipal,
    search: Search,
    q: Annotated[str, Query(min_length=1, max_length=50, pattern=NON_BLANK_TEXT)],
    limit: Annotated[int, Query(ge=1, le=20)] = 8,
) -> list[SuggestionOut]:
    return [SuggestionOut(text=s.text, kind=s.kind) for s in search.suggest(q.strip(), limit)]


@router.get(
    "/popular",
    response_model=list[PopularSearchOut],
    summary="Most frequent searches",
    description="`count`: how many users asked it (each once a day) and found something.",
)
def popular(
    _principal: CurrentPrincipal, redis_client: RedisClient, limit: Annotated[int, Query(ge=1, le=50)] = 10
) -> list[PopularSearchOut]:
    return [PopularSearchOut(query=text, count=count) for text, count in popular_searches(redis_client, limit)]
