"""Random but reproducible order requests drawn from real restaurants and menus."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from simulation.sample_data import MenuItem

DELIVERY_FEE_MINOR = (2000, 3000, 4000, 5000)


def menus_by_restaurant(items: Sequence[MenuItem]) -> dict[str, list[MenuItem]]:
    menus: dict[str, list[MenuItem]] = defaultdict(list)
    for item in items:
        menus[item.restaurant_id].append(item)
    return dict(menus)


def order_requests(items: Sequence[MenuItem], seed: int = 7) -> Iterator[dict[str, Any]]:
    """Endless POST /api/v1/orders bodies: 1-4 distinct lines from one restaurant."""
    rng = random.Random(seed)
    menus = menus_by_restaurant(items)
    restaurant_ids = sorted(menus)
    while True:
        menu = menus[rng.choice(restaurant_ids)]
        lines = rng.sample(menu, k=min(len(menu), rng.randint(1, 4)))
        yield {
            "restaurant_id": menu[0].restaurant_id,
            "city": menu[0].city,
            "lines": [
                {"item_id": i.item_id, "name": i.item_name, "quantity": rng.randint(1, 3),
                 "unit_price_minor": i.price_minor}
                for i in lines
            ],
            "delivery_fee_minor": rng.choice(DELIVERY_FEE_MINOR),
            "currency": "INR",
        }


def total_minor(request: dict[str, Any]) -> int:
    subtotal = sum(line["quantity"] * line["unit_price_minor"] for line in request["lines"])
    return int(subtotal + request["delivery_fee_minor"])
