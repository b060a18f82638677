"""Order placement over HTTP, priced from the catalogue, compared with pgbench running the same SQL.

    .venv/bin/python -m bench.order_placement_vs_pgbench --requests 3000 --concurrency 16 --pgbench-seconds 30

One scratch database of the local stack, migrated and seeded with the real
restaurants, every one open all day (``ops.seeded_catalogue``: the seeded hours,
11:00-23:00 or 18:00-02:00 Asia/Kolkata, would close every restaurant at night and
the server would refuse every order, so the benchmark would only run in the
daytime). Every item also gets a large tracked stock (for pgbench's stock update).
Then, in the same run:

1. the API as ``tiffin serve`` runs it (``--workers``, one per core by default), pricing
   every order from the catalogue as it always does, takes ``requests`` real ``POST /api/v1/orders`` with
   ``concurrency`` in flight (``bench.order_post``'s machinery): JWT auth, validation,
   the idempotency-key lookup, then in one transaction the catalogue reads (restaurant,
   opening hours, the ordered items' prices and availability), the priced order
   (GST, packaging, distance fee with the zone's surge from Redis), its lines, status
   history, ``OrderPlaced`` outbox row and the ``Idempotency-Key`` row. The bodies
   come from the seeded catalogue (``simulation.order_requests``): a random
   restaurant's UUID, 1-3 of its available items with quantities 1-3 and the menu
   price the client last saw, ``INR``, a ``delivery_location`` 0.5-6 km away; each
   request has its own ``Idempotency-Key``. No offer codes (none are seeded).
2. ``pgbench -c <concurrency> -j 2 -T <seconds> -M prepared`` runs
   ``pgbench_script()`` on the same PostgreSQL. Each transaction replays one of the
   measured HTTP bodies, picked at random from ``public.bench_plan``, which holds
   those bodies priced by the service's own ``CatalogPricing`` (so line counts,
   amounts and ``OrderPlaced`` payload sizes match the HTTP side one for one): the
   in one transaction the idempotency-key lookup, the restaurant-row SELECT and the
   items' price SELECT the pricing issues, a stock update
   ``UPDATE restaurants.menu_items SET stock = stock - 1 WHERE item_id = … AND stock >= 1``
   (kept from the client-pricing version; catalog placement itself holds no stock,
   accepting does, so this is extra work on pgbench's side), the ``orders.orders`` row
   with every column the table has (breakdown and ``offer_code`` included), one
   ``orders.order_lines`` row per line, the ``orders.order_status_history`` row, the
   ``orders.outbox`` row and the ``orders.idempotency_keys`` row.

Afterwards ``check_orders`` joins the stored HTTP orders (through their keys) to
``bench_plan`` and fails the run unless every one has the plan's line count and
amounts; the result records the pgbench orders' mean line count next to the bodies'.

The ratio HTTP / pgbench says how much of the database's capacity for this
transaction the service delivers; pgbench is the ceiling (no HTTP, JSON, auth or
Python in the path). Both load generators share the 2 cores with the server, so the
load average before and after the run is recorded with the numbers.
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
from sqlalchemy.engine import Connection

from bench.common import drop_database, running_stack, save_result, scratch_database
from bench.order_post import measure_orders, serve_api
from bench.wrk_orders import run_wrk, wrk_keys
from ops.processes import default_workers
from ops.seeded_catalogue import open_seeded_catalogue
from serving.kernel.auth import issue_access_token
from serving.kernel.db import create_engine
from serving.kernel.http import idempotency
from serving.kernel.redis import LazyRedis
from serving.migrations.registry import migrate
from serving.orders import bootstrap as orders_bootstrap
from serving.orders.domain.events import order_placed_envelope
from serving.orders.entrypoints.schemas import PlaceOrderRequest
from serving.orders.use_cases.placement import build_order
from serving.restaurants.adapters.tables import menu_items
from serving.settings import ServingSettings
from simulation.order_requests import MAX_LINES, Restaurant, order_requests

TPS_LINE = re.compile(r"tps = ([\d.]+) \(without initial connection time\)")
LATENCY_LINE = re.compile(r"latency average = ([\d.]+) ms")
STOCK = 1_000_000_000
CUSTOMERS = 50  # measure_orders' tokens: bench-customer-0 … bench-customer-49


def prepare_catalogue(url: str) -> list[Restaurant]:
    """Seed the real restaurants, open them all day, give every item a large stock; the menus."""
    engine = create_engine(url)
    try:
        catalogue = open_seeded_catalogue(engine)
        with engine.begin() as connection:
            connection.execute(sa.update(menu_items).values(stock=STOCK))
        return catalogue
    finally:
        engine.dispose()


# pgbench_script has a branch per line count: order_requests orders 1 to MAX_LINES dishes.
PLAN_COLUMNS = (
    ["n", "rid", "city", "nlines"]
    + [f"{field}{k}" for k in range(1, MAX_LINES + 1) for field in ("item", "name", "qty", "price", "total")]
    + ["subtotal", "discount", "tax", "packaging", "fee", "total", "offer", "rhash", "payload"]
)


def build_plan(url: str, settings: ServingSettings, bodies: list[dict[str, Any]]) -> dict[str, Any]:
    """Price each body with the service's CatalogPricing into ``public.bench_plan`` (pgbench's orders)."""
    engine = create_engine(url)
    redis = LazyRedis(settings.redis_url, timeout_seconds=settings.redis_timeout_seconds)
    pricing = orders_bootstrap.catalog_pricing(settings.orders, redis)
    rows: list[dict[str, Any]] = []
    try:
        with engine.begin() as connection:
            for n, body in enumerate(bodies, start=1):
                request = PlaceOrderRequest.model_validate(body).to_placement()
                order = build_order(connection, request, f"bench-customer-{n % CUSTOMERS}", pricing, datetime.now(UTC))
                row: dict[str, Any] = {
                    "n": n,
                    "rid": order.restaurant_id,
                    "city": order.city,
                    "nlines": len(order.lines),
                    "subtotal": order.totals.subtotal_minor,
                    "discount": order.totals.discount_minor,
                    "tax": order.totals.tax_minor,
                    "packaging": order.totals.packaging_minor,
                    "fee": order.totals.delivery_fee_minor,
                    "total": order.totals.total_minor,
                    "offer": order.offer_code or "",  # none: '', NULLIF(:offer, '') in the script
                    "rhash": request.fingerprint(),
                    "payload": order_placed_envelope(order).model_dump_json(),
                }
                # Unused line slots repeat the first line; the script never reads them.
                for k in range(1, MAX_LINES + 1):
                    line = order.lines[k - 1] if k <= len(order.lines) else order.lines[0]
                    row |= {
                        f"item{k}": line.item_id,
                        f"name{k}": line.name,
                        f"qty{k}": line.quantity,
                        f"price{k}": line.unit_price_minor,
                        f"total{k}": line.line_total_minor,
                    }
                rows.append(row)
            _create_plan_table(connection)
            placeholders = ", ".join(f":{c}" for c in PLAN_COLUMNS)
            connection.execute(
                sa.text(f"INSERT INTO public.bench_plan ({', '.join(PLAN_COLUMNS)}) VALUES ({placeholders})"), rows
            )
    finally:
        redis.close()
        engine.dispose()
    counts = [row["nlines"] for row in rows]
    return {
        "orders": len(rows),
        "lines_per_order_mean": round(sum(counts) / len(counts), 3),
        "lines_histogram": {str(k): counts.count(k) for k in range(1, MAX_LINES + 1)},
        "total_minor_mean": round(sum(row["total"] for row in rows) / len(rows)),
        "payload_bytes_mean": round(sum(len(row["payload"]) for row in rows) / len(rows)),
    }


def _create_plan_table(connection: Connection) -> None:
    texts = {"rid", "city", "offer", "rhash", "payload"} | {
        f"{f}{k}" for k in range(1, MAX_LINES + 1) for f in ("item", "name")
    }
    columns = ", ".join(
        f"{c} {'integer PRIMARY KEY' if c == 'n' else 'text' if c in texts else 'bigint'}" for c in PLAN_COLUMNS
    )
    connection.execute(sa.text(f"CREATE TABLE public.bench_plan ({columns})"))


def _lines_branch(count: int) -> list[str]:
    """The items' price SELECT and the line INSERTs of an order with ``count`` lines."""
    ids = ", ".join(f":item{k}" for k in range(1, count + 1))
    commands = [
        "SELECT item_id, restaurant_id, name, price_minor, available, stock FROM restaurants.menu_items"
        f" WHERE restaurant_id = :rid AND item_id IN ({ids});",
    ]
    commands += [
        "INSERT INTO orders.order_lines (order_id, line_no, item_id, name, quantity, unit_price_minor,"
        f" line_total_minor) VALUES (:oid, {k}, :item{k}, :name{k}, :qty{k}, :price{k}, :total{k});"
        for k in range(1, count + 1)
    ]
    return commands


def pgbench_script(plan_size: int) -> str:
    """The catalog-priced order transaction as a pgbench script (one SQL command per line).

    Statement for statement what ``serving.orders.use_cases.placement.place_order`` issues with
    ``CatalogPricing`` and an ``Idempotency-Key`` (traced with SQLAlchemy events),
    plus the stock update. Differences, all costing pgbench rather than HTTP: the
    lines are one INSERT each (the service sends them as one psycopg executemany,
    pipelined), and the stock update, which placement does not do. The key lookup
    runs in autocommit (the service wraps it in BEGIN … ROLLBACK on its own pooled
    connection).
    """
    customer = "'bench-customer-' || :customer"
    order_columns = (
        "order_id, customer_id, restaurant_id, city, status, currency, subtotal_minor, delivery_fee_minor,"
        " total_minor, placed_at, discount_minor, tax_minor, packaging_minor, offer_code"
    )
    # One \if branch per line count, so each transaction is exactly the order it replays.
    branches: list[str] = []
    for count in range(1, MAX_LINES + 1):
        keyword = "\\if" if count == 1 else "\\elif" if count < MAX_LINES else "\\else"
        branches.append(keyword if keyword == "\\else" else f"{keyword} :nlines = {count}")
        branches += _lines_branch(count)
    branches.append("\\endif")
    # The items' SELECT must come before the stock update and the order INSERT, as in
    # the service, so the branch is split: SELECT now, line INSERTs after the order row.
    selects = [line for line in branches if not line.startswith("INSERT")]
    inserts = [line for line in branches if not line.startswith("SELECT")]
    commands = [
        f"\\set n random(1, {plan_size})",
        f"\\set customer random(0, {CUSTOMERS - 1})",
        "SELECT gen_random_uuid() AS oid, gen_random_uuid() AS eid, gen_random_uuid()::text AS ikey, p.*"
        " FROM public.bench_plan p WHERE p.n = :n \\gset",
        "BEGIN;",
        # The replay check of the Idempotency-Key, inside the placing transaction.
        "SELECT request_hash, order_id FROM orders.idempotency_keys"
        f" WHERE customer_id = {customer} AND idempotency_key = :ikey;",
        # CatalogPricing: the restaurant (status, hours, place), then the items.
        "SELECT name, city, status, lat, lon, timezone, opening_hours FROM restaurants.restaurants"
        " WHERE restaurant_id = :rid;",
        *selects,
        "UPDATE restaurants.menu_items SET stock = stock - 1 WHERE item_id = :item1 AND stock >= 1;",
        f"INSERT INTO orders.orders ({order_columns}) VALUES (:oid, {customer}, :rid, :city, 'PENDING', 'INR',"
        " :subtotal, :fee, :total, now(), :discount, :tax, :packaging, NULLIF(:offer, ''));",
        *inserts,
        "INSERT INTO orders.order_status_history (order_id, from_status, to_status, actor, actor_id, changed_at)"
        f" VALUES (:oid, NULL, 'PENDING', 'customer', {customer}, now()) RETURNING id;",
        "INSERT INTO orders.outbox (event_id, topic, message_key, event_type, payload, occurred_at)"
        " VALUES (:eid, 'orders.v1', :oid, 'OrderPlaced', :payload::jsonb, now()) RETURNING id;",
        "INSERT INTO orders.idempotency_keys (customer_id, idempotency_key, request_hash, order_id, created_at)"
        f" VALUES ({customer}, :ikey, :rhash, :oid, now()) ON CONFLICT DO NOTHING RETURNING order_id;",
        "COMMIT;",
    ]
    return "\n".join(commands) + "\n"


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


def check_orders(url: str, keys: dict[str, int | None]) -> dict[str, Any]:
    """Check the stored rows after both runs; the counts and the pgbench orders' shape.

    ``keys`` maps every HTTP request's Idempotency-Key to its ``bench_plan`` row (None
    for the warm-up): each measured order must have exactly the plan's line count and
    amounts (so pgbench replays what HTTP stored), and every order its key and event.
    """
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("CREATE TABLE public.bench_keys (idempotency_key text PRIMARY KEY, n integer)"))
            connection.execute(
                sa.text("INSERT INTO public.bench_keys VALUES (:k, :n)"), [{"k": k, "n": n} for k, n in keys.items()]
            )
            counts = {
                table: int(connection.execute(sa.text(f"SELECT count(*) FROM orders.{table}")).scalar_one())
                for table in ("orders", "order_lines", "idempotency_keys", "outbox")
            }
            per_order = (
                "SELECT o.order_id, o.subtotal_minor, o.tax_minor, o.packaging_minor, o.delivery_fee_minor,"
                " o.discount_minor, o.total_minor, k.idempotency_key,"
                " (SELECT count(*) FROM orders.order_lines l WHERE l.order_id = o.order_id) AS nlines"
                " FROM orders.orders o JOIN orders.idempotency_keys k ON k.order_id = o.order_id"
            )
            compared = connection.execute(
                sa.text(
                    f"SELECT count(*) AS checked, count(*) FILTER (WHERE (s.nlines, s.subtotal_minor, s.tax_minor,"
                    " s.packaging_minor, s.delivery_fee_minor, s.discount_minor, s.total_minor) IS DISTINCT FROM"
                    " (p.nlines, p.subtotal, p.tax, p.packaging, p.fee, p.discount, p.total)) AS different"
                    f" FROM ({per_order}) s JOIN public.bench_keys b USING (idempotency_key)"
                    " JOIN public.bench_plan p ON p.n = b.n"
                )
            ).one()
            pgbench_orders = connection.execute(
                sa.text(
                    "SELECT count(*) AS orders, avg(s.nlines) AS lines, avg(s.total_minor) AS total"
                    f" FROM ({per_order}) s"
                    " WHERE s.idempotency_key NOT IN (SELECT idempotency_key FROM public.bench_keys)"
                )
            ).one()
    finally:
        engine.dispose()
    if not counts["orders"] == counts["idempotency_keys"] == counts["outbox"]:
        raise RuntimeError(f"orders, keys and events disagree: {counts}")
    if compared.checked != sum(n is not None for n in keys.values()) or compared.different:
        raise RuntimeError(f"HTTP orders differ from pgbench's plan: {compared.different} of {compared.checked}")
    return {
        **counts,
        "http_orders_checked_against_plan": int(compared.checked),
        "pgbench_orders": int(pgbench_orders.orders),
        "pgbench_lines_per_order_mean": round(float(pgbench_orders.lines), 3),
        "pgbench_total_minor_mean": round(float(pgbench_orders.total)),
    }


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--pgbench-seconds", type=int, default=30)
    parser.add_argument("--seed", type=int, default=5, help="of the request bodies")
    parser.add_argument("--workers", type=int, default=default_workers(), help="API worker processes")
    parser.add_argument("--profile", type=Path, help="write a py-spy flame graph (SVG) of the measured HTTP run")
    parser.add_argument(
        "--wrk-seconds", type=int, default=0, help="then load the same server with wrk this long (bench.wrk_orders)"
    )
    args = parser.parse_args()

    load_before = _load()
    config = running_stack()
    database = scratch_database(config, "bench_order_vs_pgbench")
    url = config.postgres_url_for(database)
    try:
        migrate(url)
        catalogue = prepare_catalogue(url)
        bodies = list(islice(order_requests(catalogue, seed=args.seed), args.warmup + args.requests))
        headers = [{idempotency.HEADER: str(uuid.uuid4())} for _ in bodies]
        settings = ServingSettings.of(
            database_url=url, kafka_bootstrap=config.kafka_bootstrap, redis_url=config.redis_url
        )
        measured = bodies[args.warmup :]
        # Priced before the HTTP run, like the HTTP side at the same prices (a check: they must be placeable).
        plan = build_plan(url, settings, measured)
        with serve_api(config, url, {"TIFFIN_RATE_LIMIT_ENABLED": "false"}, workers=args.workers) as served:
            http = measure_orders(
                served,
                settings,
                args.requests,
                args.concurrency,
                args.warmup,
                bodies=bodies,
                headers=headers,
                profile=args.profile,
            )
            load_after_python = _load()
            wrk = None
            if args.wrk_seconds:
                tokens = [issue_access_token(f"bench-customer-{i}", "CUSTOMER", settings) for i in range(CUSTOMERS)]
                wrk = run_wrk(served.base_url, measured, tokens, args.concurrency, args.wrk_seconds)
        load_between = _load()
        dsn = config.postgres_dsn.rsplit("/", 1)[0] + f"/{database}"
        pgbench = run_pgbench(dsn, pgbench_script(plan["orders"]), args.concurrency, args.pgbench_seconds)
        # Plan row n is measured body n - 1 (build_plan numbers from 1); the warm-up has none.
        plan_rows = [None] * args.warmup + list(range(1, len(measured) + 1))
        keys = {h[idempotency.HEADER]: n for h, n in zip(headers, plan_rows, strict=True)}
        if wrk is not None:
            keys |= wrk_keys(url)
            # wrk stops with up to `concurrency` requests in flight: placed, but unanswered.
            if not 0 <= len(keys) - len(headers) - wrk["requests"] <= args.concurrency:
                raise RuntimeError(f"wrk got {wrk['requests']} answers, but {len(keys) - len(headers)} orders exist")
            wrk["orders_checked"] = len(keys) - len(headers)
        counts = check_orders(url, keys)
        result = {
            "concurrency": args.concurrency,
            "pricing": "catalog",
            "restaurants": len(catalogue),
            "items": sum(len(r.dishes) for r in catalogue),
            "opening_hours": "all restaurants open 00:00-00:00 (24 h) in the scratch database",
            "http": {**http, "idempotency_key": "unique per request"},
            "http_wrk": wrk,
            "orders": plan,
            "pgbench": {**pgbench, "seconds": args.pgbench_seconds, "replays": "the HTTP bodies, from bench_plan"},
            "rows_after": counts,
            "ratio_http_to_pgbench": round(http["throughput_per_second"] / pgbench["tps"], 3),
            "ratio_wrk_to_pgbench": round(wrk["throughput_per_second"] / pgbench["tps"], 3) if wrk else None,
            "load_average_1_5_15": {
                "before": load_before,
                "after_http": load_after_python,
                "after_wrk": load_between,
                "after": _load(),
            },
        }
        path = save_result("order_placement_vs_pgbench", result)
        lat = http["latency_ms"]
        if wrk is not None:
            print(
                f"wrk, same server: {wrk['throughput_per_second']} req/s, p50 {wrk['latency_ms']['p50']} ms, "
                f"p99 {wrk['latency_ms']['p99']} ms; ratio {round(wrk['throughput_per_second'] / pgbench['tps'], 3)}"
            )
        print(
            f"HTTP POST /api/v1/orders (catalog pricing): {http['throughput_per_second']} req/s, "
            f"p50 {lat['p50']} ms, p95 {lat['p95']} ms, p99 {lat['p99']} ms; pgbench same transaction: "
            f"{pgbench['tps']} tps (avg {pgbench['latency_avg_ms']} ms); ratio {result['ratio_http_to_pgbench']}; "
            f"load {result['load_average_1_5_15']}  ({path})"
        )
    finally:
        drop_database(config, database)


if __name__ == "__main__":
    main()
