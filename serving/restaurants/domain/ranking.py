"""The relevance score of a restaurant hit: pure, documented in docs/restaurants-and-search.md.

    score = 0.55 * text + 0.20 * nearness + 0.15 * rating + 0.10 * popularity

each component in [0, 1]:

- text: how well the query matches (1 for a full-text hit on the name, else the best of
  full-text on cuisines/dishes (0.8) and trigram word similarity, which is what lets
  "biriyani" find "biryani"); 1 when there is no query, so the rest decides;
- nearness: 1 - distance / radius (1 at the customer's door, 0 at the radius);
  0.5 when no location was given;
- rating: average rating / 5, shrunk toward 3.5 while there are few ratings
  (a Bayesian average with 20 pseudo-ratings), so one 5-star review does not win;
- popularity: log(1 + votes) / log(1 + 10,000), capped at 1.

Text dominates so a relevant place beats a popular irrelevant one; among equally
relevant places, distance matters more than rating and popularity.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

WEIGHTS = {"text": 0.55, "nearness": 0.20, "rating": 0.15, "popularity": 0.10}
PRIOR_RATING = 3.5
PRIOR_COUNT = 20
POPULARITY_SATURATION = 10_000


@dataclass(frozen=True)
class Signals:
    text: float  # 0..1
    distance_km: float | None
    radius_km: float
    rating_avg: float
    rating_count: int
    popularity: int


def bayesian_rating(avg: float, count: int) -> float:
    return (avg * count + PRIOR_RATING * PRIOR_COUNT) / (count + PRIOR_COUNT)


def components(signals: Signals) -> dict[str, float]:
    if signals.distance_km is None:
        nearness = 0.5
    else:
        nearness = max(0.0, 1.0 - signals.distance_km / signals.radius_km)
    rating = bayesian_rating(signals.rating_avg, max(signals.rating_count, 0)) / 5.0
    popularity = min(1.0, math.log1p(max(signals.popularity, 0)) / math.log1p(POPULARITY_SATURATION))
    return {
        "text": min(max(signals.text, 0.0), 1.0),
        "nearness": nearness,
        "rating": min(max(rating, 0.0), 1.0),
        "popularity": popularity,
    }


def relevance(signals: Signals) -> float:
    parts = components(signals)
    return round(sum(WEIGHTS[name] * value for name, value in parts.items()), 6)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (the SQL query uses the same formula)."""
    r = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) enclosing the circle; an index-friendly prefilter."""
    dlat = math.degrees(radius_km / 6371.0088)
    cos_lat = max(math.cos(math.radians(lat)), 1e-6)
    dlon = min(180.0, math.degrees(radius_km / (6371.0088 * cos_lat)))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


def normalise_query(text: str) -> str:
    """Lower case, single spaces: the key under which popular searches are counted."""
    return " ".join(text.lower().split())[:100]
