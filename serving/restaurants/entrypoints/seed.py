"""Load the committed real-data sample (seed_data/) into the restaurants schema, idempotently.

    tiffin seed                                               # migrates the schema first
    python -m serving.restaurants.entrypoints.seed [--database-url URL]

Ids are UUIDv5 of the Zomato restaurant id (and dish name), so running it again inserts
nothing new and changes nothing an owner edited since (``ON CONFLICT DO NOTHING``).
Seeded restaurants belong to the owner ``seed-owner-<zomato id>``. Seeding writes no
outbox events: it is an initial load, not a business change.
"""

from __future__ import annotations

import argparse
import csv
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Engine

from serving.kernel.clock import utc_now
from serving.kernel.db import create_engine
from serving.kernel.settings import KernelSettings
from serving.restaurants.adapters import repository
from serving.restaurants.adapters.tables import menu_categories, menu_items, restaurants
from serving.restaurants.domain.hours import DEFAULT_TIMEZONE, WEEKDAYS
from serving.restaurants.domain.restaurant import looks_vegetarian

SEED_DIR = Path(__file__).parents[1] / "seed_data"  # serving/restaurants/seed_data
NAMESPACE = uuid.UUID("6f1d7a8e-3c2b-4e7a-9a51-7f0c2d1b9e44")

HOURS_PROFILES: dict[str, dict[str, list[dict[str, str]]]] = {
    "regular": {day: [{"open": "11:00", "close": "23:00"}] for day in WEEKDAYS},
    "late_night": {day: [{"open": "18:00", "close": "02:00"}] for day in WEEKDAYS},
    "closed_monday": {day: ([] if day == "mon" else [{"open": "11:00", "close": "23:00"}]) for day in WEEKDAYS},
}


def restaurant_uuid(zomato_id: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"zomato:{zomato_id}")


def seed_owner(zomato_id: str) -> str:
    return f"seed-owner-{zomato_id}"


@dataclass(frozen=True)
class SeedResult:
    restaurants_inserted: int
    items_inserted: int
    restaurant_ids: tuple[uuid.UUID, ...]  # of the whole sample, new or not


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def seed(engine: Engine, seed_dir: Path = SEED_DIR, *, now: datetime | None = None) -> SeedResult:
    at = now or utc_now()
    restaurant_rows: list[dict[str, Any]] = [
        {
            "restaurant_id": restaurant_uuid(r["zomato_id"]),
            "owner_id": seed_owner(r["zomato_id"]),
            "name": r["name"],
            "address": r["address"],
            "city": r["city"],
            "lat": float(r["lat"]),
            "lon": float(r["lon"]),
            "cuisines": [c for c in r["cuisines"].split("|") if c],
            "timezone": DEFAULT_TIMEZONE,
            "opening_hours": HOURS_PROFILES[r["hours_profile"]],
            "status": "ACTIVE",
            "rating_avg": float(r["rating_avg"]),
            "rating_count": int(r["rating_count"]),
            "popularity": int(r["votes"]),
            "search_text": r["name"],
            "created_at": at,
            "updated_at": at,
        }
        for r in _read(seed_dir / "restaurants.csv")
    ]
    item_rows = _read(seed_dir / "menu_items.csv")
    category_rows: dict[tuple[uuid.UUID, str], dict[str, Any]] = {}
    items: list[dict[str, Any]] = []
    for row in item_rows:
        rid = restaurant_uuid(row["zomato_id"])
        key = (rid, row["category"])
        if key not in category_rows:
            category_rows[key] = {
                "category_id": uuid.uuid5(NAMESPACE, f"category:{rid}:{row['category']}"),
                "restaurant_id": rid,
                "name": row["category"],
                "position": sum(1 for k in category_rows if k[0] == rid),
            }
        items.append(
            {
                "item_id": uuid.uuid5(NAMESPACE, f"item:{rid}:{row['name'].lower()}"),
                "restaurant_id": rid,
                "category_id": category_rows[key]["category_id"],
                "name": row["name"],
                "description": "",
                "price_minor": int(row["price_minor"]),
                "is_veg": looks_vegetarian(row["name"]),
                "photo_url": None,
                "available": True,
                "stock": None,
                "created_at": at,
                "updated_at": at,
            }
        )
    with engine.begin() as connection:
        inserted = connection.execute(
            insert(restaurants).values(restaurant_rows).on_conflict_do_nothing().returning(restaurants.c.restaurant_id)
        ).all()
        if category_rows:
            connection.execute(insert(menu_categories).values(list(category_rows.values())).on_conflict_do_nothing())
        new_items = connection.execute(
            insert(menu_items).values(items).on_conflict_do_nothing().returning(menu_items.c.item_id)
        ).all()
        for new in inserted:
            repository.refresh_search_text(connection, new.restaurant_id)
    return SeedResult(
        restaurants_inserted=len(inserted),
        items_inserted=len(new_items),
        restaurant_ids=tuple(row["restaurant_id"] for row in restaurant_rows),
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", default=None, help="default: TIFFIN_DATABASE_URL")
    args = parser.parse_args(argv)
    url = args.database_url or KernelSettings().database_url
    engine = create_engine(url)
    try:
        result = seed(engine)
        with engine.connect() as connection:
            total = connection.execute(sa.select(sa.func.count()).select_from(restaurants)).scalar_one()
    finally:
        engine.dispose()
    print(  # noqa: T201
        f"seeded {result.restaurants_inserted} new restaurants and {result.items_inserted} new items "
        f"({total} restaurants in total)"
    )


if __name__ == "__main__":
    main()
