"""Regenerate the committed seed sample in serving/restaurants/seed_data/ from the shared data.

    python -m serving.restaurants.entrypoints.seed_build      # reads TIFFIN_SHARED_DATA (default ../shared/data)

Restaurants: Zomato restaurants (``zomato_restaurants/zomato.csv``, latin-1) in India
with non-zero coordinates: the most-voted 60 in New Delhi, 25 each in Gurgaon and
Noida, 10 in Faridabad, and the 30 most-voted elsewhere, with their real names,
addresses, coordinates, cuisines, ratings and votes.

Menus: the source has none per restaurant, so each gets 8 real dishes with real prices
from ``zomato_menu_items/menu_items.parquet``, drawn from the most-voted dishes of its
own cuisines (same city first), one category per cuisine. Opening hours are not in the
data either: a deterministic mix (most 11:00-23:00, every 5th a late-night 18:00-02:00,
every 7th closed on Mondays), documented in docs/restaurants-and-search.md.
"""

from __future__ import annotations

import csv
import hashlib
import os
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

SEED_DIR = Path(__file__).parents[1] / "seed_data"  # serving/restaurants/seed_data
RESTAURANTS_CSV = SEED_DIR / "restaurants.csv"
ITEMS_CSV = SEED_DIR / "menu_items.csv"
QUOTAS = {"New Delhi": 60, "Gurgaon": 25, "Noida": 25, "Faridabad": 10}
OTHERS = 30
ITEMS_PER_RESTAURANT = 8
POOL_SIZE = 40
FALLBACK_CUISINE = "north indian"


def shared_data_dir() -> Path:
    default = Path(__file__).resolve().parents[4] / "shared" / "data"
    return Path(os.environ.get("TIFFIN_SHARED_DATA", default))


def rupees_to_paise(price: float) -> int:
    return int((Decimal(str(price)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _stable(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)


def hours_profile(zomato_id: str) -> str:
    n = _stable(zomato_id)
    if n % 5 == 0:
        return "late_night"
    if n % 7 == 0:
        return "closed_monday"
    return "regular"


def build(shared: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    import polars as pl

    raw = pl.read_csv(shared / "zomato_restaurants" / "zomato.csv", encoding="latin1", infer_schema_length=0)
    india = (
        raw.filter(pl.col("Country Code") == "1")
        .with_columns(
            pl.col("Latitude").cast(pl.Float64),
            pl.col("Longitude").cast(pl.Float64),
            pl.col("Votes").cast(pl.Int64),
            pl.col("Aggregate rating").cast(pl.Float64),
        )
        .filter((pl.col("Latitude") != 0) & (pl.col("Longitude") != 0) & pl.col("Cuisines").is_not_null())
        .unique("Restaurant ID", keep="first")
        .sort(["Votes", "Restaurant ID"], descending=[True, False])
    )
    chosen = [india.filter(pl.col("City") == city).head(n) for city, n in QUOTAS.items()]
    chosen.append(india.filter(~pl.col("City").is_in(list(QUOTAS))).head(OTHERS))
    picked = pl.concat(chosen)

    menu = (
        pl.read_parquet(shared / "zomato_menu_items" / "menu_items.parquet")
        .with_columns(
            pl.col("City").str.strip_chars(),
            pl.col("Item_Name").str.strip_chars(),
            pl.col("Cuisine").str.to_lowercase().alias("cuisine_key"),
        )
        .filter(
            pl.col("Prices").is_between(20, 2000)
            & pl.col("Item_Name").str.len_chars().is_between(3, 60)
            & pl.col("Item_Name").str.contains(r"^[A-Za-z0-9 &()'\-,./+]+$")
        )
        .sort(["Votes", "Item_Name"], descending=[True, False])
    )

    def pool(cuisine: str, city: str) -> list[tuple[str, float]]:
        dishes: list[tuple[str, float]] = []
        seen: set[str] = set()
        for frame in (menu.filter((pl.col("cuisine_key") == cuisine) & (pl.col("City") == city)),
                      menu.filter(pl.col("cuisine_key") == cuisine)):  # fmt: skip
            for name, price in zip(frame["Item_Name"], frame["Prices"], strict=True):
                if name.lower() not in seen and len(dishes) < POOL_SIZE:
                    seen.add(name.lower())
                    dishes.append((name, price))
        return dishes

    menu_cuisines = set(menu["cuisine_key"].drop_nulls().unique().to_list())
    restaurants: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    for row in picked.iter_rows(named=True):
        zid = row["Restaurant ID"]
        cuisines = [c.strip() for c in row["Cuisines"].split(",") if c.strip()][:10]
        rating = row["Aggregate rating"] or 0.0
        restaurants.append({
            "zomato_id": zid, "name": row["Restaurant Name"].strip(), "address": row["Address"].strip(),
            "city": row["City"], "locality": row["Locality"], "lat": row["Latitude"], "lon": row["Longitude"],
            "cuisines": "|".join(cuisines), "rating_avg": rating,
            "rating_count": row["Votes"] if rating > 0 else 0, "votes": row["Votes"],
            "hours_profile": hours_profile(zid),
        })  # fmt: skip
        keys = [c.lower() for c in cuisines if c.lower() in menu_cuisines] or [FALLBACK_CUISINE]
        pools = {key: pool(key, row["City"]) for key in keys}
        offset = _stable(zid) % 10
        taken: set[str] = set()
        cursor = dict.fromkeys(keys, offset)
        while len(taken) < ITEMS_PER_RESTAURANT and any(cursor[k] < len(pools[k]) for k in keys):
            for key in keys:
                if len(taken) >= ITEMS_PER_RESTAURANT or cursor[key] >= len(pools[key]):
                    continue
                name, price = pools[key][cursor[key]]
                cursor[key] += 1
                if name.lower() in taken:
                    continue
                taken.add(name.lower())
                items.append({
                    "zomato_id": zid, "category": key.title(), "name": name,
                    "price_minor": rupees_to_paise(price),
                })  # fmt: skip
    return restaurants, items


def write(rows: list[dict[str, Any]], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    restaurant_rows, item_rows = build(shared_data_dir())
    SEED_DIR.mkdir(exist_ok=True)
    write(restaurant_rows, RESTAURANTS_CSV)
    write(item_rows, ITEMS_CSV)
    print(f"wrote {len(restaurant_rows)} restaurants and {len(item_rows)} items to {SEED_DIR}")  # noqa: T201
