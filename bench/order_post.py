"""Order placement latency and throughput at a fixed concurrency, over real HTTP.

    .venv/bin/python -m bench.order_post --requests 3000 --concurrency 16

Starts the API as ``tiffin serve`` does (``--workers``, one per core by default; rate
limits off) on a scratch database of the local stack seeded with the real restaurants, open all day
(``ops.seeded_catalogue``), warms it up, then keeps `concurrency` requests in flight
until `requests` have completed. Each POST is the real thing: validation, pricing
from the catalogue (restaurant, hours, the dishes' prices, tax, a distance fee with
the zone's surge from Redis), the order, its lines and the OrderPlaced outbox row in
one PostgreSQL transaction. The bodies are ``simulation.order_requests`` of the
seeded catalogue, without an ``Idempotency-Key``: ``bench.order_placement_vs_pgbench``
measures the same placement with a key each, next to pgbench. The load generator runs
on the same 2-core machine, so it competes with the server for CPU; compare runs on
the same machine only.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import httpx

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
from ops.processes import api_command, default_workers
from ops.seeded_catalogue import open_seeded_catalogue
from ops.stack.config import StackConfig
from ops.stack.process import free_port, terminate, wait_until
from serving.kernel.auth import issue_access_token
from serving.kernel.db import create_engine
from serving.migrations.registry import migrate
from serving.settings import ServingSettings
from simulation.order_requests import order_requests


async def fire(
    base_url: str,
    bodies: list[dict[str, Any]],
    tokens: list[str],
    concurrency: int,
    headers: list[dict[str, str]] | None = None,
) -> list[float]:
    """POST every body with ``concurrency`` in flight; ``headers[i]`` (if given) goes with ``bodies[i]``."""
    if headers is not None and len(headers) != len(bodies):
        raise ValueError("one headers dict per body")
    calls = []
    for index, body in enumerate(bodies):
        sent = {"Authorization": f"Bearer {tokens[index % len(tokens)]}"}
        if headers is not None:
            sent.update(headers[index])
        calls.append(Call("POST", "/api/v1/orders", sent, body))
    return await at_concurrency(base_url, calls, concurrency, 201)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--workers", type=int, default=default_workers(), help="API worker processes")
    args = parser.parse_args()

    config = running_stack()
    database = scratch_database(config, "bench_orders")
    url = config.postgres_url_for(database)
    settings = ServingSettings.of(database_url=url, kafka_bootstrap=config.kafka_bootstrap)
    try:
        migrate(url)
        engine = create_engine(url)
        try:
            catalogue = open_seeded_catalogue(engine)
        finally:
            engine.dispose()
        bodies = list(islice(order_requests(catalogue, seed=5), args.warmup + args.requests))
        with serve_api(config, url, {"TIFFIN_RATE_LIMIT_ENABLED": "false"}, workers=args.workers) as served:
            measured = measure_orders(served, settings, args.requests, args.concurrency, args.warmup, bodies)
        result = {**measured, "bodies": f"simulation.order_requests of {len(catalogue)} seeded restaurants, seed 5"}
        path = save_result("order_post", result)
        lat = result["latency_ms"]
        print(
            f"POST /api/v1/orders: {result['throughput_per_second']} req/s "
            f"at concurrency {args.concurrency}; "
            f"p50 {lat['p50']} ms, p95 {lat['p95']} ms, p99 {lat['p99']} ms  ({path})"
        )
    finally:
        drop_database(config, database)


@dataclass(frozen=True)
class Served:
    """A running API: where it answers, the pid of its server process (workers below it)."""

    base_url: str
    pid: int
    workers: int
    log: Path

    @property
    def description(self) -> str:
        return f"uvicorn, {self.workers} worker{'s' if self.workers > 1 else ''}"


@contextmanager
def serve_api(
    config: StackConfig, database_url: str, extra_env: dict[str, str] | None = None, workers: int = 1
) -> Iterator[Served]:
    """The API as ``tiffin serve`` runs it (``ops.processes.api_command``) on ``database_url``,
    with ``workers`` processes; its JSON logs go to a file, as a deployment's would."""
    port = free_port()
    env = {
        **os.environ,
        **config.env(),
        "TIFFIN_DATABASE_URL": database_url,
        **(extra_env or {}),
    }
    command = api_command(port, "--log-level", "warning", "--no-access-log", workers=workers)
    log = Path(tempfile.gettempdir()) / f"tiffin-bench-api-{port}.log"
    with log.open("wb") as handle:
        server = subprocess.Popen(command, env=env, stdout=handle, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        if not wait_until(lambda: _healthy(base_url), 60):
            raise RuntimeError(f"API did not start; log {log}")
        yield Served(base_url, server.pid, workers, log)
    except BaseException:
        print(f"the API's log: {log}")
        raise
    else:
        log.unlink(missing_ok=True)
    finally:
        terminate(server.pid)


@contextmanager
def profiled(pid: int, svg: Path | None) -> Iterator[None]:
    """A py-spy flame graph of ``pid`` and its workers while the block runs (nothing if ``svg`` is None)."""
    if svg is None:
        yield
        return
    spy = Path(sys.executable).parent / "py-spy"
    command = [str(spy), "record", "--pid", str(pid), "--subprocesses", "--nonblocking", "--gil", "--rate", "200"]
    recorder = subprocess.Popen([*command, "--format", "flamegraph", "--output", str(svg)])
    time.sleep(1)  # attached before the load starts
    try:
        yield
    finally:
        recorder.send_signal(signal.SIGINT)  # py-spy writes the file on SIGINT
        recorder.wait(timeout=60)


def measure_orders(
    served: Served,
    settings: ServingSettings,
    requests: int,
    concurrency: int,
    warmup: int,
    bodies: list[dict[str, Any]],
    headers: list[dict[str, str]] | None = None,
    profile: Path | None = None,
) -> dict[str, Any]:
    """Warm up, then POST ``requests`` orders with ``concurrency`` in flight; throughput and latencies.

    ``bodies``: ``warmup + requests`` of them, warm-up first; ``headers`` are per-request
    extra headers aligned with ``bodies`` (e.g. a unique ``Idempotency-Key`` each).
    """
    tokens = [issue_access_token(f"bench-customer-{i}", "CUSTOMER", settings) for i in range(50)]
    if len(bodies) != warmup + requests or (headers is not None and len(headers) != len(bodies)):
        raise ValueError("need warmup + requests bodies (and as many headers, if any)")
    extra = headers or [{} for _ in bodies]
    asyncio.run(fire(served.base_url, bodies[:warmup], tokens, concurrency, extra[:warmup]))
    with profiled(served.pid, profile):
        cpu_before = cpu_seconds(served.pid)
        started = time.perf_counter()
        latencies = sorted(asyncio.run(fire(served.base_url, bodies[warmup:], tokens, concurrency, extra[warmup:])))
        elapsed = time.perf_counter() - started
        server_cpu = cpu_seconds(served.pid) - cpu_before
    return {
        "requests": requests,
        "concurrency": concurrency,
        "throughput_per_second": round(requests / elapsed, 1),
        "latency_ms": {
            name: round(percentile(latencies, q) * 1000, 2) for name, q in (("p50", 0.50), ("p95", 0.95), ("p99", 0.99))
        },
        # CPU the server (all its processes) spent per request: steadier than throughput on a shared machine.
        "server_cpu_ms_per_request": round(server_cpu * 1000 / requests, 2),
        "server": served.description,
    }


def _healthy(base_url: str) -> bool:
    try:
        return httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


if __name__ == "__main__":
    main()
