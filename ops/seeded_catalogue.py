"""The seeded restaurants, ready to take orders: what the demo and the benchmarks order from.

``open_seeded_catalogue`` loads the committed sample as ``tiffin seed`` does (idempotent,
UUIDv5 ids), opens the sample's restaurants all day and reads their available dishes.
The sample's opening hours are invented (the source data has none) and close every
restaurant between 02:00 and 11:00 India time, when the server would refuse every
order; open all day, the demo and the benchmarks run at any hour. Restaurants made
through the API keep their hours. The change is made in PostgreSQL, where pricing reads
hours; a restaurant page cached in Redis shows the old hours until its TTL ends.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from serving.restaurants.adapters.tables import menu_items, restaurants
from serving.restaurants.domain.hours import WEEKDAYS
from serving.restaurants.entrypoints.seed import seed
from simulation.order_requests import Dish, Restaurant

OPEN_ALL_DAY = {day: [{"open": "00:00", "close": "00:00"}] for day in WEEKDAYS}  # 00:00-00:00 is 24 h


def open_seeded_catalogue(engine: Engine) -> list[Restaurant]:
    """Seed, open the sample's restaurants all day, and return the active ones with their
    available dishes (sorted by id, so a seeded request stream is reproducible)."""
    ids = seed(engine).restaurant_ids
    with engine.begin() as connection:
        connection.execute(
            sa.update(restaurants).where(restaurants.c.restaurant_id.in_(ids)).values(opening_hours=OPEN_ALL_DAY)
        )
        dishes: dict[uuid.UUID, list[Dish]] = {}
        for row in connection.execute(
            sa.select(menu_items.c.restaurant_id, menu_items.c.item_id, menu_items.c.price_minor)
            .where(menu_items.c.restaurant_id.in_(ids), menu_items.c.available)
            .order_by(menu_items.c.restaurant_id, menu_items.c.item_id)
        ):
            dishes.setdefault(row.restaurant_id, []).append(Dish(str(row.item_id), row.price_minor))
        places = connection.execute(
            sa.select(restaurants.c.restaurant_id, restaurants.c.lat, restaurants.c.lon)
            .where(restaurants.c.restaurant_id.in_(ids), restaurants.c.status == "ACTIVE")
            .order_by(restaurants.c.restaurant_id)
        )
        return [
            Restaurant(str(p.restaurant_id), p.lat, p.lon, tuple(dishes[p.restaurant_id]))
            for p in places
            if p.restaurant_id in dishes
        ]
