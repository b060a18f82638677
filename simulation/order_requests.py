"""Random but reproducible POST /api/v1/orders bodies from a catalogue of real restaurants.

The server prices every order from the restaurant's menu, so a body names only the
restaurant, its dishes by id with quantities and the price the customer last saw,
and where to deliver. The catalogue is the seeded one (``tiffin seed``; the demo and
the benchmarks read it with ``ops.seeded_catalogue``).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

MAX_LINES = 3
KM_PER_DEGREE_LAT = 111.2


@dataclass(frozen=True)
class Dish:
    item_id: str
    price_minor: int


@dataclass(frozen=True)
class Restaurant:
    """A restaurant taking orders, and the dishes it sells now."""

    restaurant_id: str
    lat: float
    lon: float
    dishes: tuple[Dish, ...]


def order_requests(catalogue: Sequence[Restaurant], seed: int = 7) -> Iterator[dict[str, Any]]:
    """Endless bodies: a random restaurant, 1-3 of its dishes with quantities 1-3 at their
    menu prices, delivered 0.5-6 km away in a random direction."""
    rng = random.Random(seed)
    while True:
        place = rng.choice(catalogue)
        chosen = rng.sample(place.dishes, k=min(len(place.dishes), rng.randint(1, MAX_LINES)))
        # A flat-earth offset: fine at a few kilometres.
        km, bearing = rng.uniform(0.5, 6.0), rng.uniform(0, 2 * math.pi)
        lat = place.lat + km * math.cos(bearing) / KM_PER_DEGREE_LAT
        lon = place.lon + km * math.sin(bearing) / (KM_PER_DEGREE_LAT * math.cos(math.radians(place.lat)))
        yield {
            "restaurant_id": place.restaurant_id,
            "lines": [
                {"item_id": dish.item_id, "quantity": rng.randint(1, 3), "unit_price_minor": dish.price_minor}
                for dish in chosen
            ],
            "delivery_location": {"lat": round(lat, 6), "lon": round(lon, 6)},
            "currency": "INR",
        }
