"""`tiffin demo`: real orders through every layer, with a progress display and a report.

API (FastAPI + PostgreSQL) → outbox relay → Kafka → PyFlink per-minute metrics →
raw Parquet layer → dbt mart (via the Dagster job) → Streamlit page. The orders are of
real dishes of the seeded restaurants (``ops.seeded_catalogue``), priced by the server;
each layer is checked against what the API said it placed (the 201 bodies). The
simulated city replaces the simple order generator later.
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from datetime import UTC, datetime
from itertools import islice
from typing import TYPE_CHECKING

import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from contracts.topics import CITY_ORDER_METRICS, ORDERS
from ops.demo_checks import Check, Ledger, PlacedOrder, compare_windows, duplicates, window_start
from ops.environment import patched_environ
from ops.kafka_reader import end_offsets, read_from
from ops.processes import Background, start_api, start_relay
from ops.stack.config import StackConfig
from ops.stack.manager import LocalStack
from simulation.order_requests import Restaurant, order_requests

if TYPE_CHECKING:
    from streaming.launcher import JobProcess

CUSTOMERS = 25
QUIET_DAGSTER = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


class Demo:
    def __init__(self, config: StackConfig, rate: float, duration_s: float, api_port: int, console: Console):
        self.config, self.rate, self.duration_s, self.api_port = config, rate, duration_s, api_port
        self.console = console
        self.checks: list[Check] = []
        self.ledger = Ledger()
        self.background: list[Background] = []
        self.flink_job: JobProcess | None = None
        self.catalogue: list[Restaurant] = []

    # ── plumbing ────────────────────────────────────────────────────────────────
    def step(self, message: str) -> None:
        self.console.print(f"[bold cyan]▶[/] {message}")

    def check(self, layer: str, what: str, expected: object, got: object, ok: bool, started: float) -> None:
        check = Check(layer, what, str(expected), str(got), ok, time.monotonic() - started)
        self.checks.append(check)
        mark = "[green]✔[/]" if ok else "[red]✘[/]"
        self.console.print(f"  {mark} {layer}: {what}: {got}")

    # ── the run ─────────────────────────────────────────────────────────────────
    def run(self) -> bool:
        try:
            self.start_everything()
            self.place_orders()
            self.verify_kafka()
            self.verify_flink()
            self.verify_warehouse()
            self.verify_dashboard()
        finally:
            self.stop_everything()
        self.report()
        return all(c.ok for c in self.checks)

    def start_everything(self) -> None:
        from serving.migrations.registry import migrate
        from streaming.launcher import start_job, wait_until_running

        self.step("starting the local stack (PostgreSQL, Redis, Kafka)")
        LocalStack(self.config).up(on_progress=lambda line: self.console.print(f"  {line}"))
        self.step("migrating the schemas")
        migrate(self.config.postgres_url)
        self.step("seeding the restaurants (as `tiffin seed`) and opening them all day, so any hour works")
        self.catalogue = self._seeded_catalogue()
        self.console.print(f"  {len(self.catalogue)} restaurants, {sum(len(r.dishes) for r in self.catalogue)} dishes")
        env, logs = self.config.env(), self.config.logs_dir
        self.step(f"starting the API on http://127.0.0.1:{self.api_port} and the outbox relay")
        self.background.append(start_api(env, self.api_port, logs / "api.log"))
        self.background.append(start_relay(env, logs / "relay.log"))
        self.step("starting the PyFlink city-metrics job (about 15-30 s)")
        with self.console.status("waiting for the job's first checkpoint"):
            self.flink_job = start_job("city_order_metrics", env, ["--starting-offsets", "latest"])
            wait_until_running(self.flink_job, timeout=180)
        self.orders_start = end_offsets(self.config.kafka_bootstrap, ORDERS.name)
        self.metrics_start = end_offsets(self.config.kafka_bootstrap, CITY_ORDER_METRICS.name)

    def _seeded_catalogue(self) -> list[Restaurant]:
        from ops.seeded_catalogue import open_seeded_catalogue
        from serving.kernel.db import create_engine

        engine = create_engine(self.config.postgres_url)
        try:
            return open_seeded_catalogue(engine)
        finally:
            engine.dispose()

    def stop_everything(self) -> None:
        from streaming.launcher import stop_job

        if self.flink_job is not None:
            stop_job(self.flink_job)
        for process in reversed(self.background):
            process.stop()

    def place_orders(self) -> None:
        from serving.kernel.auth import issue_access_token
        from serving.settings import ServingSettings

        settings = ServingSettings()
        tokens = [issue_access_token(f"demo-customer-{uuid.uuid4().hex[:6]}", "CUSTOMER", settings)
                  for _ in range(CUSTOMERS)]  # fmt: skip
        total = int(self.rate * self.duration_s)
        bodies = order_requests(self.catalogue, seed=int(time.time()))
        self.step(f"placing {total} orders over {self.duration_s:.0f}s through POST /api/v1/orders")
        started = time.monotonic()
        failures = 0
        columns = (TextColumn("  orders"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with (
            httpx.Client(base_url=f"http://127.0.0.1:{self.api_port}", timeout=10) as client,
            Progress(*columns, console=self.console) as progress,
        ):
            task = progress.add_task("orders", total=total)
            for index, body in enumerate(islice(bodies, total)):
                due = started + index / self.rate
                time.sleep(max(0.0, due - time.monotonic()))
                failures += not self._post(client, body, tokens[index % CUSTOMERS])
                progress.advance(task)
        self.check("API + PostgreSQL", "orders accepted (201)", total, total - failures, failures == 0, started)

    def _post(self, client: httpx.Client, body: dict[str, object], token: str) -> bool:
        response = client.post("/api/v1/orders", json=body, headers={"Authorization": f"Bearer {token}"})
        if response.status_code != 201:
            self.console.print(f"  [red]{response.status_code}[/] {response.text[:200]}")
            return False
        # The ledger keeps the order as the server priced it: every later check compares
        # with these totals and the restaurant's city, never with sums of its own.
        order = response.json()
        self.ledger.orders.append(PlacedOrder(
            order_id=order["order_id"], city=order["city"], total_minor=order["total_minor"],
            placed_at=datetime.fromisoformat(order["placed_at"]),
        ))  # fmt: skip
        return True

    def verify_kafka(self) -> None:
        started = time.monotonic()
        wanted = self.ledger.ids
        with self.console.status("waiting for the relay to publish every OrderPlaced"):
            records = read_from(
                self.config.kafka_bootstrap, ORDERS.name, self.orders_start,
                lambda got: wanted <= {r.key.decode() for r in got}, timeout_s=60,
            )  # fmt: skip
        keys = [r.key.decode() for r in records if r.key.decode() in wanted]
        self.check("Kafka orders.v1", "OrderPlaced events, keyed by order id", len(wanted),
                   f"{len(set(keys))} ({duplicates(keys)} duplicates)", set(keys) == wanted, started)  # fmt: skip

    def verify_flink(self) -> None:
        """Waits for the window of the last order to close; traffic keeps flowing meanwhile,
        as in a real city, because only a later event moves event time past a window's end."""
        started = time.monotonic()
        last_window = window_start(self.ledger.last_placed_at())
        trickle_bodies = order_requests(self.catalogue, seed=99)
        emitted: dict[tuple[str, datetime], tuple[int, int]] = {}
        from serving.kernel.auth import issue_access_token
        from serving.settings import ServingSettings

        token = issue_access_token("demo-trickle", "CUSTOMER", ServingSettings())
        deadline = time.monotonic() + 150
        with (
            httpx.Client(base_url=f"http://127.0.0.1:{self.api_port}", timeout=10) as client,
            self.console.status(
                f"waiting for Flink to close the {last_window:%H:%M} UTC minute (a slow trickle of orders continues)"
            ),
        ):
            while time.monotonic() < deadline:
                records = read_from(self.config.kafka_bootstrap, CITY_ORDER_METRICS.name, self.metrics_start,
                                    lambda got: False, timeout_s=2)  # fmt: skip
                emitted = _windows(records)
                if any(start >= last_window for _, start in emitted):
                    break
                self._post(client, next(trickle_bodies), token)
        closed = {key: value for key, value in emitted.items() if key[1] <= last_window}
        expected = {k: v for k, v in self.ledger.by_city_minute().items() if k[1] <= last_window}
        matched, problems = compare_windows(expected, closed)
        for problem in problems[:5]:
            self.console.print(f"  [red]{problem}[/]")
        orders_in_windows = sum(count for count, _ in closed.values())
        self.check("Flink metrics.city_orders_1m.v1", "per-city minute windows matching the orders placed",
                   f"{len(expected)} windows", f"{matched}/{len(closed)} windows, {orders_in_windows} orders",
                   bool(closed) and not problems and len(closed) == len(expected), started)  # fmt: skip

    def verify_warehouse(self) -> None:
        import duckdb

        from orchestration.definitions import make_definitions

        started = time.monotonic()
        self.step("running the Dagster warehouse job: Kafka → raw Parquet → dbt staging → mart")
        # The local resources read this stack's Kafka and warehouse from the environment
        # when made; the CLI's own environment may name other ports (or none).
        with self.console.status("ingest + dbt build"), patched_environ(self.config.env()):
            result = (
                make_definitions("local")
                .resolve_job_def("warehouse_job")
                .execute_in_process(run_config=QUIET_DAGSTER, raise_on_error=False)
            )
        self.check("Dagster", "warehouse_job", "success", "success" if result.success else "failed",
                   result.success, started)  # fmt: skip
        warehouse = self.config.warehouse_dir
        raw_glob = str(warehouse / "raw" / "**" / "*.parquet")
        started = time.monotonic()
        ids = sorted(self.ledger.ids)
        con = duckdb.connect()
        raw_ids = {row[0] for row in con.execute(
            f"select distinct aggregate_id from read_parquet('{raw_glob}') where event_type = 'OrderPlaced'"
        ).fetchall()}  # fmt: skip
        found = len(set(ids) & raw_ids)
        self.check("raw layer (Parquet)", "orders landed with partition and offset", len(ids), found,
                   found == len(ids), started)  # fmt: skip
        started = time.monotonic()
        mart = warehouse / "marts" / "city_daily_orders.parquet"
        mart_orders, mart_gmv = con.execute(
            f"select coalesce(sum(order_count), 0), coalesce(sum(gmv_minor), 0) from read_parquet('{mart}') "
            "where city is not null"  # an empty dbt-duckdb external model is one all-null row
        ).fetchone() or (0, 0)  # fmt: skip
        raw_orders = len(raw_ids)
        self.check("dbt mart city_daily_orders", "orders in the mart = distinct orders in the raw layer",
                   raw_orders, mart_orders, mart_orders == raw_orders, started)  # fmt: skip
        self.mart_summary = (int(mart_orders or 0), int(mart_gmv or 0))

    def verify_dashboard(self) -> None:
        from streamlit.testing.v1 import AppTest

        from ops.paths import REPO_ROOT

        started = time.monotonic()
        # AppTest runs the page in this process: it reads the stack's settings from the
        # environment, which is put back afterwards so nothing leaks into the caller.
        with patched_environ(self.config.env()):
            app = AppTest.from_file(str(REPO_ROOT / "dashboards" / "streamlit_app.py"), default_timeout=60).run()
        rendered = " ".join(str(m.value) for m in app.metric) if app.metric else ""
        ok = not app.exception and bool(app.metric)
        self.check("Streamlit dashboard", "orders page renders the mart", "metrics shown",
                   rendered[:80] or "nothing rendered", ok, started)  # fmt: skip

    def report(self) -> None:
        table = Table(title="Tiffin walking skeleton: what flowed where", show_lines=False)
        for column in ("", "layer", "check", "expected", "got", "s"):
            table.add_column(column)
        for c in self.checks:
            table.add_row("✔" if c.ok else "✘", c.layer, c.what, c.expected, c.got, f"{c.seconds:.1f}")
        self.console.print(table)
        placed = self.ledger.orders
        if placed:
            self.console.print(
                f"{len(placed)} orders worth ₹{self.ledger.gmv_minor / 100:,.2f} in "
                f"{len({o.city for o in placed})} cities. Logs: {self.config.logs_dir}. "
                "Look around: `tiffin dashboard`, `tiffin dagster`, docs/stack.md (kcat); "
                "stop with `tiffin stack down`."
            )


def _windows(records: list[object]) -> dict[tuple[str, datetime], tuple[int, int]]:
    windows: dict[tuple[str, datetime], tuple[int, int]] = {}
    for record in records:
        value = json.loads(record.value)  # type: ignore[attr-defined]
        start = datetime.fromisoformat(value["window_start"].replace("Z", "+00:00")).astimezone(UTC)
        windows[(value["city"], start)] = (int(value["order_count"]), int(value["gmv_minor"]))
    return windows


def run_demo(rate: float, duration_s: float, api_port: int, console: Console | None = None) -> bool:
    # A pipe or CI log gets 80 columns by default, which folds the report table.
    console = console or Console(width=None if sys.stdout.isatty() else 140)
    config = StackConfig.from_env()
    return Demo(config, rate, duration_s, api_port, console).run()
