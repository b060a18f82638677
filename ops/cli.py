"""The `tiffin` command: the local stack, each runtime, the demo and the test suite."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import click

from ops.paths import DBT_PROJECT_DIR, REPO_ROOT
from ops.stack.config import StackConfig
from ops.stack.manager import LocalStack
from ops.stack.process import StackError, tail


def _stack() -> LocalStack:
    return LocalStack(StackConfig.from_env())


def _fail(message: str) -> None:
    click.secho(message, fg="red", err=True)
    sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Tiffin: a food-delivery platform on real PostgreSQL, Redis, Kafka and Flink.

    Start with `tiffin demo` (everything, end to end) or `tiffin stack up`.
    Settings come from TIFFIN_* environment variables (docs/settings.md).
    """


@main.group()
def stack() -> None:
    """Start, stop and inspect the local stack (PostgreSQL, Redis, Kafka)."""


@stack.command("up")
def stack_up() -> None:
    """Start every component (idempotent) and create the registry's topics."""
    local = _stack()
    try:
        statuses = local.up(on_progress=lambda line: click.echo(f"  {line}"))
    except StackError as error:
        _fail(str(error))
    for status in statuses:
        click.secho(f"✔ {status.name:<9} {status.address:<17} pid {status.pid}", fg="green")
    click.echo(f"data and logs under {local.config.root}")


@stack.command("down")
def stack_down() -> None:
    """Stop what `stack up` started (nothing else)."""
    stopped = _stack().down()
    click.echo(f"stopped: {', '.join(stopped) if stopped else 'nothing was running'}")


@stack.command("status")
def stack_status() -> None:
    """Show each component's address, pid and readiness."""
    any_down = False
    for status in _stack().status():
        state = "ready" if status.ready else ("starting" if status.running else "stopped")
        any_down |= not status.ready
        colour = "green" if status.ready else "yellow"
        click.secho(f"{status.name:<9} {state:<9} {status.address:<17} log {status.log}", fg=colour)
    sys.exit(1 if any_down else 0)


@stack.command("logs")
@click.argument("component", type=click.Choice(["postgres", "redis", "kafka"]))
@click.option("-n", "--lines", default=40, show_default=True)
def stack_logs(component: str, lines: int) -> None:
    """Print the end of a component's log."""
    click.echo(tail(_stack().component(component).log_path, lines))


@main.command("test")
@click.argument("pytest_args", nargs=-1, type=click.UNPROCESSED)
def run_tests(pytest_args: tuple[str, ...]) -> None:
    """Run ruff, mypy and the whole pytest suite (extra arguments go to pytest)."""
    bin_dir = REPO_ROOT / ".venv" / "bin"
    steps = [
        ("ruff", [str(bin_dir / "ruff"), "check", "."]),
        ("mypy", [str(bin_dir / "mypy"), *MYPY_TARGETS]),
        ("pytest", [str(bin_dir / "python"), "-m", "pytest", *pytest_args]),
    ]
    for name, command in steps:
        click.secho(f"── {name} ──", bold=True)
        started = time.monotonic()
        code = subprocess.call(command, cwd=REPO_ROOT)
        click.echo(f"{name} finished in {time.monotonic() - started:.0f}s with exit code {code}")
        if code != 0:
            sys.exit(code)


MYPY_TARGETS = ["contracts", "ops", "serving", "ingest", "ml", "simulation", "streaming"]


@main.command("dbt", context_settings={"ignore_unknown_options": True})
@click.argument("dbt_args", nargs=-1, type=click.UNPROCESSED)
def run_dbt(dbt_args: tuple[str, ...]) -> None:
    """Run dbt on the project in dbt/ with its own profiles.yml (e.g. `tiffin dbt build`)."""
    config = StackConfig.from_env()
    # DuckDB creates neither the database file's folder nor the folder of external marts.
    (config.warehouse_dir / "marts").mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **config.env()}
    dbt = str(REPO_ROOT / ".venv" / "bin" / "dbt")
    args = [dbt, *dbt_args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    sys.exit(subprocess.call(args, env=env))


@main.command("demo")
@click.option("--rate", default=4.0, show_default=True, help="orders per second")
@click.option("--duration", default=45.0, show_default=True, help="seconds of order traffic")
@click.option("--api-port", default=58080, show_default=True, envvar="TIFFIN_API_PORT")
def demo(rate: float, duration: float, api_port: int) -> None:
    """The main job: real orders through API, Kafka, Flink, raw layer, dbt and dashboard."""
    from ops.demo import run_demo
    from streaming.launcher import JobStartError

    # The demo signs its customers' tokens in this process, with the stack's secret.
    os.environ["TIFFIN_JWT_SECRET"] = StackConfig.from_env().jwt_secret()
    try:
        ok = run_demo(rate, duration, api_port)
    except (StackError, JobStartError) as error:
        _fail(str(error))
    sys.exit(0 if ok else 1)


@main.command("walkthrough")
def walkthrough() -> None:
    """One order from register to delivered-and-rated with curl (ops/walkthrough.sh) on a fresh API."""
    from ops.walkthrough import run_walkthrough

    try:
        code = run_walkthrough(StackConfig.from_env())
    except StackError as error:
        _fail(str(error))
    sys.exit(code)


@main.command("serve")
@click.option("--port", default=58080, show_default=True, envvar="TIFFIN_API_PORT")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    envvar="TIFFIN_API_WORKERS",
    help="API processes sharing the port [default: one per core; docs/performance.md]",
)
@click.option("--reload", is_flag=True, help="restart on code changes (development; one process)")
def serve(port: int, workers: int | None, reload: bool) -> None:
    """Run the API (all services in one ASGI app) after migrating the schema."""
    from ops.processes import api_command, default_workers
    from serving.migrations.registry import migrate

    if reload and workers not in (None, 1):
        _fail("--reload runs one process; drop --workers")
    env = StackConfig.from_env().env()
    os.environ.update(env)
    migrate(env["TIFFIN_DATABASE_URL"])
    command = api_command(port, "--reload") if reload else api_command(port, workers=workers or default_workers())
    # Replaced by the server, so a SIGTERM to this pid reaches uvicorn (and its workers) itself.
    os.execv(command[0], command)


@main.command("migrate")
def migrate_schema() -> None:
    """Bring every service schema of the stack's database to its newest revision (idempotent)."""
    from serving.migrations.registry import migrate

    env = StackConfig.from_env().env()
    migrate(env["TIFFIN_DATABASE_URL"])
    click.echo("schema is current")


@main.command("seed")
def seed() -> None:
    """Load the committed sample of 150 real restaurants and their menus (idempotent), after migrating."""
    from serving.migrations.registry import migrate

    env = StackConfig.from_env().env()
    os.environ.update(env)
    migrate(env["TIFFIN_DATABASE_URL"])
    sys.exit(subprocess.call([sys.executable, "-m", "serving.restaurants.entrypoints.seed"]))


@main.command("relay")
@click.option("--once", is_flag=True, help="publish what is pending, then exit")
def relay(once: bool) -> None:
    """Run the outbox relay (PostgreSQL outbox → Kafka) until Ctrl-C."""
    os.environ.update(StackConfig.from_env().env())
    sys.exit(subprocess.call([sys.executable, "-m", "serving.relay", "--migrate", *(["--once"] if once else [])]))


@main.command("consumers")
@click.argument("names", nargs=-1)
def consumers(names: tuple[str, ...]) -> None:
    """Run the services' Kafka consumers until Ctrl-C: all, or NAMES (orders-saga, payments-saga, accept-timeout,
    restaurant-cache)."""
    os.environ.update(StackConfig.from_env().env())
    sys.exit(subprocess.call([sys.executable, "-m", "serving.consumers", "--migrate", *(names or ("all",))]))


@main.command("stream", context_settings={"ignore_unknown_options": True})
@click.argument("job", default="city_order_metrics")
@click.argument("job_args", nargs=-1, type=click.UNPROCESSED)
def stream(job: str, job_args: tuple[str, ...]) -> None:
    """Run a PyFlink job in the streaming environment until Ctrl-C (`--help` after JOB for its flags)."""
    from streaming.launcher import start_job, stop_job

    process = start_job(job, StackConfig.from_env().env(), list(job_args))
    click.echo(f"{job} started (pid {process.pid}); log {process.log_path}")
    try:
        sys.exit(process.wait())
    except KeyboardInterrupt:
        stop_job(process)


@main.command("token")
@click.argument("subject")
@click.option("--role", type=click.Choice(["CUSTOMER", "RESTAURANT", "COURIER", "ADMIN"]), default="CUSTOMER")
def token(subject: str, role: str) -> None:
    """Mint a development access token for curl, signed with the stack's secret (<stack>/jwt-secret)."""
    from serving.kernel.auth import issue_access_token
    from serving.settings import ServingSettings

    settings = ServingSettings.of(jwt_secret=StackConfig.from_env().jwt_secret())
    click.echo(issue_access_token(subject, role, settings))


@main.command("ingest")
def ingest() -> None:
    """Land the orders topic in the raw Parquet layer once (what the Dagster asset does)."""
    from contracts.topics import ORDERS
    from ingest.raw.loader import load_topic_to_parquet

    config = StackConfig.from_env()
    result = load_topic_to_parquet(config.kafka_bootstrap, ORDERS.name, config.warehouse_dir / "raw")
    click.echo(f"{result.rows} rows into {len(result.files)} files; next offsets {result.next_offsets}")


@main.command("dagster")
@click.option("--port", default=58300, show_default=True)
def dagster(port: int) -> None:
    """Run the Dagster UI (`dagster dev`) on the batch definitions."""
    os.environ.update(StackConfig.from_env().env())
    dagster_bin = str(REPO_ROOT / ".venv" / "bin" / "dagster")
    sys.exit(subprocess.call([dagster_bin, "dev", "-m", "orchestration.definitions", "-p", str(port)]))


@main.command("dashboard")
@click.option("--port", default=58501, show_default=True)
def dashboard(port: int) -> None:
    """Run the Streamlit dashboards on the warehouse marts."""
    os.environ.update(StackConfig.from_env().env())
    app = str(REPO_ROOT / "dashboards" / "streamlit_app.py")
    sys.exit(subprocess.call([sys.executable, "-m", "streamlit", "run", app, "--server.port", str(port),
                              "--server.headless", "true"]))  # fmt: skip


if __name__ == "__main__":
    main()
