"""Menu reads and restaurant search over HTTP, warm caches, fixed concurrency.

    .venv/bin/python -m bench.menu_and_search --requests 3000 --concurrency 16

A scratch database of the local stack is migrated and seeded with the real
restaurants (``serving.restaurants.entrypoints.seed``: 150 Zomato restaurants, 1,200 dishes);
the API runs as ``tiffin serve`` runs it (``--workers``, one per core by default; rate
limits off) with the stack's Redis as the restaurant cache. Every menu is read once and every search is run once before
measuring, so menus come from Redis and search hits a warm PostgreSQL buffer cache.
Then ``requests`` GETs per endpoint with ``concurrency`` in flight:

- ``GET /api/v1/restaurants/{id}/menu`` over all seeded restaurants, round robin;
- ``GET /api/v1/search/restaurants?q=…&lat=…&lon=…`` with real cuisines and dish
  words, each at the location of a seeded restaurant (5 km radius, default).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from urllib.parse import urlencode

import sqlalchemy as sa

from bench.common import (
    Call,
    at_concurrency,
    cpu_seconds,
    drop_database,
    percentile,
    running_stack,
    save_result,
    scratch_database,
)
from bench.order_post import Served, serve_api
from ops.processes import default_workers
from serving.kernel.auth import issue_access_token
from serving.kernel.db import create_engine
from serving.migrations.registry import migrate
from serving.restaurants.entrypoints.seed import seed
from serving.settings import ServingSettings

QUERIES = [
    "biryani",
    "pizza",
    "north indian",
    "chinese",
    "paneer",
    "burger",
    "south indian",
    "momos",
    "cafe",
    "butter chicken",
    "dosa",
    "biriyani",  # the typo path (trigram similarity)
]


async def get_all(base_url: str, paths: list[str], token: str, concurrency: int) -> list[float]:
    headers = {"Authorization": f"Bearer {token}"}
    return await at_concurrency(base_url, [Call("GET", path, headers) for path in paths], concurrency, 200)


def summary(latencies: list[float], elapsed: float) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "throughput_per_second": round(len(ordered) / elapsed, 1),
        "p50_ms": round(percentile(ordered, 0.50) * 1000, 2),
        "p95_ms": round(percentile(ordered, 0.95) * 1000, 2),
        "p99_ms": round(percentile(ordered, 0.99) * 1000, 2),
    }


def measure(served: Served, paths: list[str], token: str, requests: int, concurrency: int) -> dict[str, float]:
    asyncio.run(get_all(served.base_url, paths, token, concurrency))  # warm-up: every distinct path once
    load = [paths[i % len(paths)] for i in range(requests)]
    cpu_before = cpu_seconds(served.pid)
    started = time.perf_counter()
    latencies = asyncio.run(get_all(served.base_url, load, token, concurrency))
    numbers = summary(latencies, time.perf_counter() - started)
    numbers["server_cpu_ms_per_request"] = round((cpu_seconds(served.pid) - cpu_before) * 1000 / requests, 2)
    return numbers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=default_workers(), help="API worker processes")
    args = parser.parse_args()

    config = running_stack()
    database = scratch_database(config, "bench_menu_search")
    url = config.postgres_url_for(database)
    try:
        migrate(url)
        engine = create_engine(url)
        try:
            seed(engine)
            with engine.connect() as connection:
                rows = connection.execute(
                    sa.text("SELECT restaurant_id, lat, lon FROM restaurants.restaurants ORDER BY restaurant_id")
                ).all()
        finally:
            engine.dispose()
        settings = ServingSettings.of(database_url=url, kafka_bootstrap=config.kafka_bootstrap)
        token = issue_access_token("bench-customer-menu", "CUSTOMER", settings)
        menu_paths = [f"/api/v1/restaurants/{row.restaurant_id}/menu" for row in rows]
        search_paths = [
            "/api/v1/search/restaurants?" + urlencode({"q": query, "lat": row.lat, "lon": row.lon})
            for index, row in enumerate(rows)
            for query in (QUERIES[index % len(QUERIES)],)
        ]
        load_before = [round(x, 2) for x in os.getloadavg()]
        with serve_api(config, url, {"TIFFIN_RATE_LIMIT_ENABLED": "false"}, workers=args.workers) as served:
            menu = measure(served, menu_paths, token, args.requests, args.concurrency)
            search = measure(served, search_paths, token, args.requests, args.concurrency)
        result = {
            "requests_per_endpoint": args.requests,
            "concurrency": args.concurrency,
            "restaurants": len(rows),
            "server": f"{served.description}, Redis restaurant cache warm",
            "menu": menu,
            "search_restaurants": search,
            "load_average_1_5_15": {"before": load_before, "after": [round(x, 2) for x in os.getloadavg()]},
        }
        path = save_result("menu_and_search", result)
        for name, numbers in (("GET …/menu", menu), ("GET /search/restaurants", search)):
            print(
                f"{name}: {numbers['throughput_per_second']} req/s at concurrency {args.concurrency}; "
                f"p50 {numbers['p50_ms']} ms, p95 {numbers['p95_ms']} ms, p99 {numbers['p99_ms']} ms"
            )
        print(path)
    finally:
        drop_database(config, database)


if __name__ == "__main__":
    main()
