"""Menu changes write events to the restaurants outbox, invalidate the cache, and stock is
reserved atomically."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import redis
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from contracts.envelope import EventEnvelope
from serving.restaurants.adapters.cache.restaurant_cache import RestaurantCache, info_key, menu_key
from serving.restaurants.adapters.repository import find_menu
from serving.restaurants.adapters.tables import menu_items, outbox
from serving.restaurants.api import (
    InsufficientStock,
    QuoteLine,
    forget_cached,
    owns_restaurant,
    quote,
    release_stock,
    reserve_stock,
)
from serving.restaurants.entrypoints.schemas import MenuOut

pytestmark = pytest.mark.stack


def events_for(engine: Engine, restaurant_id: str) -> list[EventEnvelope]:
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(outbox.c.payload, outbox.c.topic)
            .where(outbox.c.message_key == restaurant_id)
            .order_by(outbox.c.id)
        ).all()
    assert all(row.topic == "restaurants.v1" for row in rows)
    return [EventEnvelope.model_validate(row.payload) for row in rows]


def test_price_availability_and_stock_changes_are_events_in_the_outbox(
    new_owner: Callable[..., Any], engine: Engine
) -> None:
    owner = new_owner()
    item = owner.add_item(price_minor=12000, stock=10)
    url = f"/api/v1/restaurants/{owner.rid}/menu/items/{item['item_id']}"
    assert owner.client.patch(url, json={"price_minor": 13500}, headers=owner.headers).status_code == 200
    assert owner.client.patch(url, json={"available": False, "stock": 0}, headers=owner.headers).status_code == 200
    assert owner.client.patch(url, json={"description": "crisp"}, headers=owner.headers).status_code == 200
    assert owner.client.delete(url, headers=owner.headers).status_code == 204

    events = events_for(engine, owner.rid)
    assert [e.event_type for e in events] == [
        "RestaurantChanged",
        "MenuItemChanged",
        "MenuItemChanged",
        "MenuItemChanged",
        "MenuItemChanged",
    ]  # fmt: skip  (a description change is not an event)
    created, priced, sold_out, deleted = (e.payload for e in events[1:])
    assert created["change"] == "CREATED" and created["price_minor"] == 12000
    assert priced["changed_fields"] == ["price_minor"] and priced["price_minor"] == 13500
    assert sold_out["changed_fields"] == ["available", "stock"] and sold_out["available"] is False
    assert deleted["change"] == "DELETED" and deleted["item_id"] == item["item_id"]
    assert all(e.producer == "restaurants" and e.aggregate_id == owner.rid for e in events)


def test_a_price_change_is_visible_on_the_next_read_despite_the_cache(
    new_owner: Callable[..., Any], redis_client: redis.Redis[bytes]
) -> None:
    owner = new_owner()
    item = owner.add_item(price_minor=12000)
    menu_url = f"/api/v1/restaurants/{owner.rid}/menu"
    first = owner.client.get(menu_url, headers=owner.headers).json()
    assert first["uncategorised"][0]["price_minor"] == 12000
    assert redis_client.exists(menu_key(owner.rid), info_key(owner.rid)) == 2  # read-through filled both

    url = f"{menu_url}/items/{item['item_id']}"
    owner.client.patch(url, json={"price_minor": 9900, "available": False}, headers=owner.headers)
    assert redis_client.exists(menu_key(owner.rid)) == 0
    second = owner.client.get(menu_url, headers=owner.headers).json()
    assert second["uncategorised"][0]["price_minor"] == 9900
    assert second["uncategorised"][0]["available"] is False
    assert 0 < redis_client.ttl(menu_key(owner.rid)) <= 300  # the TTL is only a safety net


def test_a_status_change_is_visible_on_the_next_read_despite_the_cache(new_owner: Callable[..., Any]) -> None:
    owner = new_owner()
    url = f"/api/v1/restaurants/{owner.rid}"
    assert owner.client.get(url, headers=owner.headers).json()["is_open_now"] is True
    owner.client.patch(url, json={"status": "CLOSED"}, headers=owner.headers)
    again = owner.client.get(url, headers=owner.headers).json()
    assert again["status"] == "CLOSED" and again["is_open_now"] is False


def test_reads_still_work_when_the_cache_holds_nothing_it_can_use(
    new_owner: Callable[..., Any], redis_client: redis.Redis[bytes]
) -> None:
    owner = new_owner()
    owner.add_item()
    redis_client.delete(menu_key(owner.rid), info_key(owner.rid))
    assert owner.client.get(f"/api/v1/restaurants/{owner.rid}/menu", headers=owner.headers).status_code == 200


def test_a_menu_served_from_the_cache_is_byte_for_byte_a_menu_out(
    new_owner: Callable[..., Any], redis_client: redis.Redis[bytes]
) -> None:
    owner = new_owner()
    category = owner.client.post(
        f"/api/v1/restaurants/{owner.rid}/menu/categories", json={"name": "Dosas"}, headers=owner.headers
    ).json()
    owner.add_item(name="Masala dosa", category_id=category["category_id"])
    owner.add_item(name="Filter coffee — ☕", stock=3)
    menu_url = f"/api/v1/restaurants/{owner.rid}/menu"

    filled = owner.client.get(menu_url, headers=owner.headers)  # a miss: read through, fill
    cached = owner.client.get(menu_url, headers=owner.headers)  # a hit: the stored bytes
    redis_client.delete(menu_key(owner.rid))  # the info still cached, the menu not
    half = owner.client.get(menu_url, headers=owner.headers)

    for answer in (filled, cached, half):
        assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
        assert answer.content == MenuOut.model_validate_json(answer.content).model_dump_json().encode()
    assert filled.content == cached.content == half.content
    assert cached.json()["is_open_now"] is True and cached.json()["categories"][0]["items"][0]["name"] == "Masala dosa"

    owner.client.patch(f"/api/v1/restaurants/{owner.rid}", json={"status": "CLOSED"}, headers=owner.headers)
    owner.client.get(menu_url, headers=owner.headers)
    closed = owner.client.get(menu_url, headers=owner.headers)
    assert closed.json()["is_open_now"] is False
    assert closed.content == MenuOut.model_validate_json(closed.content).model_dump_json().encode()


def test_stock_is_reserved_all_or_nothing_and_never_oversold(new_owner: Callable[..., Any], engine: Engine) -> None:
    owner = new_owner()
    rid = uuid.UUID(owner.rid)
    dosa = uuid.UUID(owner.add_item(name="Dosa", stock=5)["item_id"])
    vada = uuid.UUID(owner.add_item(name="Vada", stock=1)["item_id"])
    coffee = uuid.UUID(owner.add_item(name="Coffee", stock=None)["item_id"])
    foreign = uuid.UUID(new_owner().add_item(stock=100)["item_id"])
    events_before = len(events_for(engine, owner.rid))

    def stock() -> dict[uuid.UUID, int | None]:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.select(menu_items.c.item_id, menu_items.c.stock).where(
                    menu_items.c.item_id.in_([dosa, vada, coffee])
                )
            ).all()
        return {row.item_id: row.stock for row in rows}

    for impossible, short_item in (({dosa: 2, vada: 2}, vada), ({dosa: 1, foreign: 1}, foreign)):
        with engine.begin() as connection:
            with pytest.raises(InsufficientStock) as short:
                reserve_stock(connection, rid, impossible)
            assert short.value.item_ids == [short_item]
        assert stock() == {dosa: 5, vada: 1, coffee: None}  # nothing was taken, even in the same transaction
    assert len(events_for(engine, owner.rid)) == events_before

    # Ten concurrent single-portion reservations of five portions: exactly five succeed.
    results: list[bool] = []
    lock = threading.Lock()

    def buy() -> None:
        try:
            with engine.begin() as connection:
                reserve_stock(connection, rid, {dosa: 1, coffee: 3})
            ok = True
        except InsufficientStock:
            ok = False
        with lock:
            results.append(ok)

    threads = [threading.Thread(target=buy) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 5
    assert stock()[dosa] == 0
    stock_events = [e.payload for e in events_for(engine, owner.rid)[events_before:]]
    assert [e["stock"] for e in stock_events] == [4, 3, 2, 1, 0]  # in outbox order; untracked coffee: none
    assert all(e["changed_fields"] == ["stock"] and e["item_id"] == str(dosa) for e in stock_events)

    with engine.begin() as connection:
        released = release_stock(connection, rid, {dosa: 2, coffee: 1})
    assert [e.payload["stock"] for e in released] == [2]
    assert stock() == {dosa: 2, vada: 1, coffee: None}


def test_a_reservation_is_visible_in_the_cached_menu_once_its_events_are_handled(
    new_owner: Callable[..., Any], engine: Engine, redis_client: redis.Redis[bytes]
) -> None:
    owner = new_owner()
    dosa = owner.add_item(name="Dosa", stock=5)
    menu_url = f"/api/v1/restaurants/{owner.rid}/menu"
    assert owner.client.get(menu_url, headers=owner.headers).json()["uncategorised"][0]["stock"] == 5
    with engine.begin() as connection:
        appended = reserve_stock(connection, uuid.UUID(owner.rid), {uuid.UUID(dosa["item_id"]): 2})
    forget_cached(redis_client, appended)  # what the orders service (or the restaurants.v1 consumer) does after commit
    assert owner.client.get(menu_url, headers=owner.headers).json()["uncategorised"][0]["stock"] == 3


def test_the_orders_service_reads_server_prices_and_the_owner(new_owner: Callable[..., Any], engine: Engine) -> None:
    owner, other = new_owner(), new_owner()
    mine = owner.add_item(price_minor=4550)
    theirs = other.add_item()
    with engine.connect() as connection:
        quoted = quote(
            connection,
            owner.rid,
            [QuoteLine(mine["item_id"], 2, unit_price_minor=4000), QuoteLine(theirs["item_id"]), QuoteLine("x")],
            at=datetime.now(UTC),
        )
        owned = [owns_restaurant(connection, who, owner.rid) for who in (owner.id, other.id)]
    assert quoted is not None and quoted.restaurant.city == "Bengaluru" and quoted.open
    first, foreign, malformed = quoted.lines
    assert first.item is not None and first.item.price_minor == 4550 and first.price_changed
    assert foreign.item is None and malformed.item is None  # another restaurant's item is simply unknown
    assert owned == [True, False]


def test_a_read_that_started_before_a_change_cannot_put_the_old_menu_back(
    new_owner: Callable[..., Any], engine: Engine, redis_client: redis.Redis[bytes]
) -> None:
    owner = new_owner()
    item = owner.add_item(price_minor=12000)
    cache = RestaurantCache(redis_client, ttl_seconds=300)
    rid = uuid.UUID(owner.rid)
    version = cache.version(rid)  # a slow reader takes the version, then reads the old menu ...
    with engine.connect() as connection:
        old_menu = find_menu(connection, rid)
    url = f"/api/v1/restaurants/{owner.rid}/menu/items/{item['item_id']}"
    owner.client.patch(url, json={"price_minor": 9900}, headers=owner.headers)  # ... a write lands ...
    cache.put_menu(old_menu, version)  # ... and its late fill is refused
    assert redis_client.exists(menu_key(owner.rid)) == 0
    menu = owner.client.get(f"/api/v1/restaurants/{owner.rid}/menu", headers=owner.headers).json()
    assert menu["uncategorised"][0]["price_minor"] == 9900
