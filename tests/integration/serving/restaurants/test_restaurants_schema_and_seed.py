"""The real-data seed loads idempotently (the schema itself: tests/integration/serving/test_serving_migrations.py)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from serving.restaurants.adapters.tables import menu_items, outbox, restaurants
from serving.restaurants.entrypoints.seed import restaurant_uuid, seed, seed_owner

pytestmark = pytest.mark.stack


def test_seeding_loads_real_restaurants_once_and_again_changes_nothing(engine: Engine) -> None:
    first = seed(engine)
    second = seed(engine)
    assert (first.restaurants_inserted, first.items_inserted) == (150, 1200)
    assert (second.restaurants_inserted, second.items_inserted) == (0, 0)
    assert len(set(first.restaurant_ids)) == 150 and second.restaurant_ids == first.restaurant_ids
    assert restaurant_uuid("308322") in first.restaurant_ids
    with engine.connect() as connection:
        hauz_khas = connection.execute(
            sa.select(restaurants).where(restaurants.c.restaurant_id == restaurant_uuid("308322"))
        ).one()
        dishes = connection.execute(
            sa.select(sa.func.count()).where(menu_items.c.restaurant_id == hauz_khas.restaurant_id)
        ).scalar_one()
        seeded_events = connection.execute(
            sa.select(sa.func.count()).select_from(outbox).where(outbox.c.message_key == str(hauz_khas.restaurant_id))
        ).scalar_one()
    assert hauz_khas.name == "Hauz Khas Social" and hauz_khas.city == "New Delhi"
    assert hauz_khas.owner_id == seed_owner("308322")
    assert 28.5 < hauz_khas.lat < 28.6 and 77.1 < hauz_khas.lon < 77.3
    assert hauz_khas.rating_avg == 4.3 and hauz_khas.popularity == 7931
    assert dishes == 8
    assert seeded_events == 0  # an initial load, not business changes
