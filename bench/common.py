"""Shared plumbing for the benchmarks: the stack, scratch databases and topics, reports."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import subprocess
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
from kafka import KafkaAdminClient
from kafka.admin import NewTopic

from ops.stack.config import StackConfig
from ops.stack.manager import LocalStack

RESULTS_DIR = Path(__file__).parent / "results"


@dataclass(frozen=True)
class Call:
    """One HTTP request of a load run."""

    method: str
    path: str
    headers: dict[str, str]
    json: Any = None


async def at_concurrency(base_url: str, calls: list[Call], concurrency: int, expected_status: int) -> list[float]:
    """Send every call with ``concurrency`` in flight on kept-alive connections; the
    latency of each, in seconds. Any other status than ``expected_status`` fails the run."""
    latencies: list[float] = []
    queue: asyncio.Queue[Call] = asyncio.Queue()
    for call in calls:
        queue.put_nowait(call)
    failures: list[str] = []

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            call = queue.get_nowait()
            started = time.perf_counter()
            response = await client.request(call.method, call.path, json=call.json, headers=call.headers)
            latencies.append(time.perf_counter() - started)
            if response.status_code != expected_status:
                failures.append(f"{call.method} {call.path}: {response.status_code} {response.text[:300]}")

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    if failures:
        raise RuntimeError(f"{len(failures)} requests did not return {expected_status}; the first: {failures[0]}")
    return latencies


def running_stack() -> StackConfig:
    config = StackConfig.from_env()
    LocalStack(config).up()
    # The benchmarks sign their tokens in this process, with the secret the API they start gets.
    os.environ["TIFFIN_JWT_SECRET"] = config.jwt_secret()
    return config


def scratch_database(config: StackConfig, prefix: str) -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = config.postgres_dsn.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name


def drop_database(config: StackConfig, name: str) -> None:
    admin = config.postgres_dsn.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def scratch_topic(config: StackConfig, prefix: str, partitions: int = 3) -> str:
    name = f"bench.{prefix}.{uuid.uuid4().hex[:8]}"
    admin = KafkaAdminClient(bootstrap_servers=config.kafka_bootstrap)
    try:
        admin.create_topics([NewTopic(name=name, num_partitions=partitions, replication_factor=1)])
    finally:
        admin.close()
    return name


def drop_topics(config: StackConfig, names: list[str]) -> None:
    admin = KafkaAdminClient(bootstrap_servers=config.kafka_bootstrap)
    try:
        admin.delete_topics(names)
    finally:
        admin.close()


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_kb = 0
    try:
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        pass
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()
    return {
        "cpu": cpu,
        "cores": len([1 for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("processor")]),
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "java": java[0] if java else "unknown",
        "os": platform.platform(),
    }


def process_tree(pid: int) -> list[int]:
    """``pid`` and every process below it (a server's workers), from /proc."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                todo += [int(child) for child in task.read_text().split()]
            except OSError:
                pass
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` and its descendants (all their threads), so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for member in process_tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / ticks


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


def save_result(name: str, result: dict[str, Any]) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    result = {"benchmark": name, "at": datetime.now(UTC).isoformat(), "machine": machine(), **result}
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    return path
