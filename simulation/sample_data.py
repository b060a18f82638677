"""A small, committed sample of real restaurants and menu items for demos and tests.

Derived from the Zomato menu-items data set in the shared data folder
(docs/data.md names the source). `python -m simulation.sample_data` regenerates
simulation/data/menu_sample.csv from TIFFIN_SHARED_DATA (default ../shared/data).
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

SAMPLE_PATH = Path(__file__).parent / "data" / "menu_sample.csv"
RESTAURANTS_PER_CITY = 4
ITEMS_PER_RESTAURANT = 6


@dataclass(frozen=True)
class MenuItem:
    restaurant_id: str
    restaurant_name: str
    city: str
    cuisine: str
    item_id: str
    item_name: str
    price_minor: int


def rupees_to_paise(price: float | str) -> int:
    return int((Decimal(str(price)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def item_id(restaurant_id: str, item_name: str) -> str:
    """Readable but unique within 64 characters, even when long names share a prefix."""
    full = slug(f"{restaurant_id}-{item_name}")
    return f"{full[:55]}-{hashlib.sha256(full.encode()).hexdigest()[:8]}"


def load_sample(path: Path = SAMPLE_PATH) -> list[MenuItem]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [
            MenuItem(**{**row, "price_minor": int(row["price_minor"])})  # type: ignore[arg-type]
            for row in csv.DictReader(handle)
        ]


def shared_data_dir() -> Path:
    default = Path(__file__).resolve().parents[2] / "shared" / "data"
    return Path(os.environ.get("TIFFIN_SHARED_DATA", default))


def build_sample(source: Path) -> list[MenuItem]:
    """The best-voted restaurants per city and their best-voted priced items."""
    import polars as pl

    items = (
        pl.read_parquet(source)
        .with_columns(pl.col("City").str.strip_chars(), pl.col("Restaurant_Name").str.strip_chars())
        .filter(pl.col("Prices").is_between(20, 2000) & pl.col("Item_Name").str.len_chars().is_between(2, 80))
    )
    big_cities = items.group_by("City").len().filter(pl.col("len") > 1000)["City"].sort().to_list()
    sample: list[MenuItem] = []
    for city in big_cities:
        in_city = items.filter(pl.col("City") == city)
        top = (
            in_city.group_by("Restaurant_Name")
            .agg(pl.col("Delivery_Votes").max().alias("votes"), pl.col("Cuisine").first())
            .sort(["votes", "Restaurant_Name"], descending=[True, False])
            .head(RESTAURANTS_PER_CITY)
        )
        for restaurant, cuisine in zip(top["Restaurant_Name"], top["Cuisine"], strict=True):
            menu = (
                in_city.filter(pl.col("Restaurant_Name") == restaurant)
                .unique("Item_Name", keep="first")
                .sort(["Votes", "Item_Name"], descending=[True, False])
                .head(ITEMS_PER_RESTAURANT)
            )
            restaurant_id = slug(f"{city}-{restaurant}")
            for name, price in zip(menu["Item_Name"], menu["Prices"], strict=True):
                if any(i.item_id == item_id(restaurant_id, name) for i in sample):
                    continue  # names that differ only in case or punctuation
                sample.append(MenuItem(
                    restaurant_id=restaurant_id, restaurant_name=restaurant, city=city,
                    cuisine=cuisine or "", item_id=item_id(restaurant_id, name),
                    item_name=name, price_minor=rupees_to_paise(price),
                ))
    return sample


def write_sample(sample: list[MenuItem], path: Path = SAMPLE_PATH) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(MenuItem.__dataclass_fields__))
        writer.writeheader()
        writer.writerows(vars(item) for item in sample)


if __name__ == "__main__":
    source = shared_data_dir() / "zomato_menu_items" / "menu_items.parquet"
    rows = build_sample(source)
    write_sample(rows)
    print(f"wrote {len(rows)} items to {SAMPLE_PATH}")  # noqa: T201
