"""``RestaurantSearch`` on PostgreSQL: full-text (tsvector) plus pg_trgm word similarity.

SQL does the filtering (bounding box, then the exact haversine radius; text match;
cuisine, rating, pure-veg) and returns each candidate's signals; ``ranking.relevance``
orders them in Python, where the formula is unit-tested. "Open now" depends on each
restaurant's weekly hours in its own timezone, so it is checked in Python on the
candidates too (``hours.is_open_at``). Candidates are capped (by text match, then
distance) at ``CANDIDATES`` rows, which bounds the work per query.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from serving.kernel.clock import utc_now
from serving.restaurants.domain import hours, ranking
from serving.restaurants.domain.search import (
    GeoFilter,
    ItemHit,
    ItemQuery,
    RestaurantHit,
    RestaurantQuery,
    Suggestion,
)

CANDIDATES = 500
# Trigram word similarity above which a word counts as "the same word, misspelt":
# "biriyani" vs "biryani" is 0.67, unrelated words score below 0.3.
TYPO_THRESHOLD = 0.5

_DISTANCE_SQL = """
    2 * 6371.0088 * asin(least(1, sqrt(
        power(sin(radians({lat} - :lat) / 2), 2)
        + cos(radians(:lat)) * cos(radians({lat})) * power(sin(radians({lon} - :lon) / 2), 2))))
"""


def _geo_clauses(near: GeoFilter | None, lat: str, lon: str, params: dict[str, Any]) -> tuple[str, list[str]]:
    if near is None:
        return "NULL::float8", []
    min_lat, max_lat, min_lon, max_lon = ranking.bounding_box(near.lat, near.lon, near.radius_km)
    params.update(
        lat=near.lat, lon=near.lon, radius=near.radius_km,
        min_lat=min_lat, max_lat=max_lat, min_lon=min_lon, max_lon=max_lon,
    )  # fmt: skip
    distance = _DISTANCE_SQL.format(lat=lat, lon=lon)
    return distance, [
        f"{lat} BETWEEN :min_lat AND :max_lat AND {lon} BETWEEN :min_lon AND :max_lon",  # index prefilter
        f"{distance} <= :radius",
    ]


def _like_prefix(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped}%"


class PostgresRestaurantSearch:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def search_restaurants(self, query: RestaurantQuery) -> list[RestaurantHit]:
        params: dict[str, Any] = {"q": query.text, "candidates": CANDIDATES, "typo": TYPO_THRESHOLD}
        distance, where = _geo_clauses(query.near, "r.lat", "r.lon", params)
        where.append("r.status = 'ACTIVE'")
        if query.text:
            text_match = """GREATEST(
                CASE WHEN to_tsvector('simple', r.name) @@ plainto_tsquery('simple', :q) THEN 1.0 ELSE 0 END,
                CASE WHEN r.search_vector @@ plainto_tsquery('simple', :q) THEN 0.8 ELSE 0 END,
                word_similarity(:q, r.search_text))"""
            where.append(
                "(r.search_vector @@ plainto_tsquery('simple', :q) OR word_similarity(:q, r.search_text) >= :typo)"
            )
        else:
            text_match = "1.0"
        if query.cuisine:
            params["cuisine"] = query.cuisine.lower()
            where.append("EXISTS (SELECT 1 FROM unnest(r.cuisines) c WHERE lower(c) = :cuisine)")
        if query.min_rating is not None:
            params["min_rating"] = query.min_rating
            where.append("r.rating_avg >= :min_rating")
        if query.veg_only:
            where.append(
                "EXISTS (SELECT 1 FROM restaurants.menu_items i WHERE i.restaurant_id = r.restaurant_id)"
                " AND NOT EXISTS (SELECT 1 FROM restaurants.menu_items i"
                " WHERE i.restaurant_id = r.restaurant_id AND NOT i.is_veg)"
            )
        sql = f"""
            SELECT r.restaurant_id, r.name, r.city, r.cuisines, r.rating_avg, r.rating_count, r.popularity,
                   r.status, r.timezone, r.opening_hours,
                   {distance} AS distance_km, {text_match} AS text_match
              FROM restaurants.restaurants r
             WHERE {" AND ".join(where)}
             ORDER BY text_match DESC, distance_km ASC NULLS LAST, r.popularity DESC
             LIMIT :candidates
        """
        with self._engine.connect() as connection:
            rows = connection.execute(sa.text(sql), params).all()
        at = query.at or utc_now()
        radius = query.near.radius_km if query.near else 1.0
        hits: list[RestaurantHit] = []
        for row in rows:
            is_open = hours.is_open_at(hours.hours_from_json(row.opening_hours), row.timezone, row.status, at)
            if query.open_now and not is_open:
                continue
            signals = ranking.Signals(
                text=float(row.text_match), distance_km=row.distance_km, radius_km=radius,
                rating_avg=row.rating_avg, rating_count=row.rating_count, popularity=row.popularity,
            )  # fmt: skip
            hits.append(
                RestaurantHit(
                    restaurant_id=row.restaurant_id,
                    name=row.name,
                    city=row.city,
                    cuisines=list(row.cuisines),
                    rating_avg=row.rating_avg,
                    rating_count=row.rating_count,
                    popularity=row.popularity,
                    distance_km=None if row.distance_km is None else round(row.distance_km, 3),
                    is_open_now=is_open,
                    score=ranking.relevance(signals),
                    text_match=round(float(row.text_match), 4),
                )  # fmt: skip
            )
        hits.sort(key=lambda h: (-h.score, h.distance_km or 0.0, h.name))
        return hits[: query.limit]

    def search_items(self, query: ItemQuery) -> list[ItemHit]:
        params: dict[str, Any] = {"q": query.text, "limit": query.limit, "typo": TYPO_THRESHOLD}
        distance, where = _geo_clauses(query.near, "r.lat", "r.lon", params)
        where += [
            "r.status = 'ACTIVE'",
            "i.available",
            "(to_tsvector('simple', i.name) @@ plainto_tsquery('simple', :q) OR word_similarity(:q, i.name) >= :typo)",
        ]
        if query.restaurant_id is not None:
            params["rid"] = query.restaurant_id
            where.append("i.restaurant_id = :rid")
        if query.veg_only:
            where.append("i.is_veg")
        sql = f"""
            SELECT i.item_id, i.name, i.price_minor, i.is_veg, r.restaurant_id, r.name AS restaurant_name,
                   {distance} AS distance_km,
                   GREATEST(CASE WHEN to_tsvector('simple', i.name) @@ plainto_tsquery('simple', :q)
                                 THEN 1.0 ELSE 0 END,
                            word_similarity(:q, i.name)) AS text_match
              FROM restaurants.menu_items i JOIN restaurants.restaurants r USING (restaurant_id)
             WHERE {" AND ".join(where)}
             ORDER BY text_match DESC, distance_km ASC NULLS LAST, r.popularity DESC, i.name
             LIMIT :limit
        """
        with self._engine.connect() as connection:
            rows = connection.execute(sa.text(sql), params).all()
        return [
            ItemHit(
                item_id=row.item_id,
                name=row.name,
                price_minor=row.price_minor,
                is_veg=row.is_veg,
                restaurant_id=row.restaurant_id,
                restaurant_name=row.restaurant_name,
                distance_km=None if row.distance_km is None else round(row.distance_km, 3),
                text_match=round(float(row.text_match), 4),
            )  # fmt: skip
            for row in rows
        ]

    def suggest(self, prefix: str, limit: int) -> list[Suggestion]:
        """Restaurant names, dishes and cuisines that start with (or fuzzily match) ``prefix``."""
        params = {"q": prefix, "prefix": _like_prefix(prefix), "word": "% " + _like_prefix(prefix), "limit": limit * 3}
        sql = """
            SELECT text, kind, weight, sim FROM (
                SELECT r.name AS text, 'restaurant' AS kind, r.popularity AS weight, word_similarity(:q, r.name) AS sim
                  FROM restaurants.restaurants r
                 WHERE r.status = 'ACTIVE'
                   AND (r.name ILIKE :prefix OR r.name ILIKE :word OR word_similarity(:q, r.name) >= 0.5)
                UNION ALL
                SELECT i.name, 'dish', count(*)::int, max(word_similarity(:q, i.name))
                  FROM restaurants.menu_items i
                 WHERE i.available
                   AND (i.name ILIKE :prefix OR i.name ILIKE :word OR word_similarity(:q, i.name) >= 0.5)
                 GROUP BY i.name
                UNION ALL
                SELECT c, 'cuisine', count(*)::int, max(word_similarity(:q, c))
                  FROM restaurants.restaurants r, unnest(r.cuisines) c
                 WHERE r.status = 'ACTIVE' AND (c ILIKE :prefix OR word_similarity(:q, c) >= 0.5)
                 GROUP BY c
            ) s
            ORDER BY (text ILIKE :prefix) DESC, sim DESC, weight DESC, text
            LIMIT :limit
        """
        with self._engine.connect() as connection:
            rows = connection.execute(sa.text(sql), params).all()
        seen: set[str] = set()
        suggestions: list[Suggestion] = []
        for row in rows:
            if row.text.lower() in seen:
                continue
            seen.add(row.text.lower())
            suggestions.append(Suggestion(text=row.text, kind=row.kind))
        return suggestions[:limit]
