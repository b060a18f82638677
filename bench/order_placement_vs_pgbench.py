"""Order placement over HTTP compared with pgbench running the same SQL transaction.

    .venv/bin/python -m bench.order_placement_vs_pgbench --requests 3000 --concurrency 16 --pgbench-seconds 30

One scratch database of the local stack, migrated and seeded with the real
restaurants (``serving.restaurants.seed``). Then, in the same run:

1. the API under uvicorn (1 worker) takes ``requests`` real ``POST /api/v1/orders``
   with ``concurrency`` in flight (``bench.order_post``'s machinery): JWT auth,
   validation, pricing and the order's transaction;
2. ``pgbench -c <concurrency> -j 2 -T <seconds> -M prepared`` runs a custom script with
   the equivalent SQL transaction on the same PostgreSQL: the stock reservation
   ``UPDATE restaurants.menu_items SET stock = stock - 1 WHERE item_id = … AND stock >= 1``,
   the ``orders.orders`` row, the order's lines (as many as the HTTP bodies have on
   average), the ``orders.order_status_history`` row and the ``orders.outbox`` row
   carrying a real ``OrderPlaced`` envelope of the same size.

The ratio HTTP / pgbench says how much of the database's capacity for this
transaction the service delivers; pgbench is the ceiling (no HTTP, JSON, auth or
Python in the path). Both load generators share the 2 cores with the server.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import tempfile
import uuid
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.common import drop_database, running_stack, save_result, scratch_database
from bench.order_post import measure_orders, serve_api
from serving.db import create_engine, migrate
from serving.orders.domain import LineItem, place_order
from serving.orders.events import order_placed_envelope
from serving.restaurants.seed import seed
from serving.settings import ServingSettings
from simulation.order_requests import order_requests
from simulation.sample_data import load_sample

TPS_LINE = re.compile(r"tps = ([\d.]+) \(without initial connection time\)")
LATENCY_LINE = re.compile(r"latency average = ([\d.]+) ms")
STOCK = 1_000_000_000


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def pgbench_script(line_count: int, item_count: int) -> str:
    """The order transaction as a pgbench script (one SQL command per line)."""
    request = next(iter(order_requests(load_sample(), seed=5)))
    order = place_order(
        order_id=uuid.uuid4(),
        customer_id="bench-customer-1",
        restaurant_id=request["restaurant_id"],
        city=request["city"],
        currency=request["currency"],
        lines=[LineItem(**line) for line in request["lines"]],
        delivery_fee_minor=request["delivery_fee_minor"],
        placed_at=datetime.now(UTC),
    )
    payload = order_placed_envelope(order).model_dump_json()
    lines = "\n".join(
        "INSERT INTO orders.order_lines (order_id, line_no, item_id, name, quantity, unit_price_minor, "
        f"line_total_minor) VALUES (:oid, {n}, 'item-{n}', 'Masala dosa', 2, 12000, 24000);"
        for n in range(1, line_count + 1)
    )
    subtotal = 24000 * line_count
    customer = "'bench-customer-' || :customer"
    commands = [
        f"\\set item random(1, {item_count})",
        "\\set customer random(1, 50)",
        "SELECT gen_random_uuid() AS oid, gen_random_uuid() AS eid \\gset",
        "BEGIN;",
        "UPDATE restaurants.menu_items SET stock = stock - 1"
        " WHERE item_id = (SELECT item_id FROM public.bench_items WHERE n = :item) AND stock >= 1;",
        "INSERT INTO orders.orders (order_id, customer_id, restaurant_id, city, status, currency,"
        " subtotal_minor, delivery_fee_minor, total_minor, placed_at)"
        f" VALUES (:oid, {customer}, 'rest-1', 'Pune', 'PENDING', 'INR', {subtotal}, 3000, {subtotal + 3000}, now());",
        lines,
        "INSERT INTO orders.order_status_history (order_id, from_status, to_status, actor, actor_id, changed_at)"
        f" VALUES (:oid, NULL, 'PENDING', 'customer', {customer}, now());",
        "INSERT INTO orders.outbox (event_id, topic, message_key, event_type, payload, occurred_at)"
        f" VALUES (:eid, 'orders.v1', :oid, 'OrderPlaced', {_sql_literal(payload)}::jsonb, now());",
        "COMMIT;",
    ]
    return "\n".join(commands) + "\n"


def prepare_stock(url: str) -> int:
    """Seed the real restaurants, give every item a large tracked stock, number them for pgbench."""
    engine = create_engine(url)
    try:
        seed(engine)
        with engine.begin() as connection:
            connection.execute(sa.text("UPDATE restaurants.menu_items SET stock = :s"), {"s": STOCK})
            connection.execute(
                sa.text(
                    "CREATE TABLE public.bench_items AS "
                    "SELECT row_number() OVER (ORDER BY item_id) AS n, item_id FROM restaurants.menu_items"
                )
            )
            connection.execute(sa.text("ALTER TABLE public.bench_items ADD PRIMARY KEY (n)"))
            return int(connection.execute(sa.text("SELECT count(*) FROM public.bench_items")).scalar_one())
    finally:
        engine.dispose()


def run_pgbench(dsn: str, script: str, concurrency: int, seconds: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "order.sql"
        path.write_text(script)
        command = [
            "pgbench",
            "-n",  # no vacuum of pgbench's own tables (we have none)
            "-M",
            "prepared",
            "-c",
            str(concurrency),
            "-j",
            "2",
            "-T",
            str(seconds),
            "-f",
            str(path),
            dsn,
        ]
        done = subprocess.run(command, capture_output=True, text=True, env={**os.environ}, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"pgbench failed: {done.stderr}\n{done.stdout}")
    tps = TPS_LINE.search(done.stdout)
    latency = LATENCY_LINE.search(done.stdout)
    if tps is None:
        raise RuntimeError(f"no tps in pgbench output:\n{done.stdout}")
    return {
        "tps": round(float(tps.group(1)), 1),
        "latency_avg_ms": float(latency.group(1)) if latency else None,
        "command": " ".join(command[:-3] + ["order.sql", "<dsn>"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--pgbench-seconds", type=int, default=30)
    args = parser.parse_args()

    config = running_stack()
    database = scratch_database(config, "bench_order_vs_pgbench")
    url = config.postgres_url_for(database)
    try:
        migrate(url)
        items = prepare_stock(url)
        bodies = list(islice(order_requests(load_sample(), seed=5), args.warmup + args.requests))
        mean_lines = max(1, round(sum(len(b["lines"]) for b in bodies) / len(bodies)))
        settings = ServingSettings(database_url=url, kafka_bootstrap=config.kafka_bootstrap)
        with serve_api(config, url, {"TIFFIN_RATE_LIMIT_ENABLED": "false"}) as base_url:
            http = measure_orders(base_url, settings, args.requests, args.concurrency, args.warmup)
        dsn = config.postgres_dsn.rsplit("/", 1)[0] + f"/{database}"
        pgbench = run_pgbench(dsn, pgbench_script(mean_lines, items), args.concurrency, args.pgbench_seconds)
        result = {
            "concurrency": args.concurrency,
            "http": http,
            "pgbench": {**pgbench, "seconds": args.pgbench_seconds, "lines_per_order": mean_lines},
            "ratio_http_to_pgbench": round(http["throughput_per_second"] / pgbench["tps"], 3),
        }
        path = save_result("order_placement_vs_pgbench", result)
        lat = http["latency_ms"]
        print(
            f"HTTP POST /api/v1/orders: {http['throughput_per_second']} req/s, p50 {lat['p50']} ms, "
            f"p95 {lat['p95']} ms, p99 {lat['p99']} ms; pgbench same transaction: {pgbench['tps']} tps "
            f"(avg {pgbench['latency_avg_ms']} ms); ratio {result['ratio_http_to_pgbench']}  ({path})"
        )
    finally:
        drop_database(config, database)


if __name__ == "__main__":
    main()
