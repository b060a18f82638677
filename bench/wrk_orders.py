"""The order placement load from ``wrk`` (Debian's package): a C load generator, so the
Python client's own CPU is out of the measurement.

A generated Lua script posts the measured bodies of ``bench_plan`` round robin (each
thread starting elsewhere), signed by the benchmark's customers, each with its own
``Idempotency-Key`` ``wrk-<plan row>-<thread>-<count>``: afterwards ``wrk_keys`` reads
the keys back from PostgreSQL and ``check_orders`` compares every order wrk placed with
its plan row, like the Python client's. wrk runs pinned to the machine's last core
(``taskset``) with one thread, so it takes at most that core from the server.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from serving.kernel.db import create_engine

KEY_PREFIX = "wrk-"
_KEY = re.compile(r"^wrk-(\d+)-\d+-\d+$")

_SCRIPT = """
local bodies = {%(bodies)s}
local tokens = {%(tokens)s}
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  count = 0
  failures = 0
  first_failure = ""
end

function request()
  count = count + 1
  local n = ((id * 997 + count) %% #bodies) + 1
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. tokens[(count %% #tokens) + 1],
    ["Idempotency-Key"] = string.format("%(prefix)s%%d-%%d-%%d", n, id, count),
  }
  return wrk.format("POST", "/api/v1/orders", headers, bodies[n])
end

function response(status, headers, body)
  if status ~= 201 then
    failures = failures + 1
    if first_failure == "" then first_failure = status .. " " .. string.sub(body, 1, 300) end
  end
end

function done(summary, latency, requests)
  local failures, first = 0, ""
  for _, thread in ipairs(threads) do
    failures = failures + thread:get("failures")
    if first == "" then first = thread:get("first_failure") end
  end
  io.write(string.format(
    '{"requests": %%d, "seconds": %%.3f, "p50_us": %%d, "p90_us": %%d, "p99_us": %%d, "max_us": %%d,' ..
    ' "socket_errors": %%d, "failures": %%d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, failures))
  if first ~= "" then io.write("first failure: " .. first .. "\\n") end
end
"""


def _lua_string(text: str) -> str:
    level = "=" * 3  # [===[ … ]===]: no JSON body holds "]===]"
    assert f"]{level}]" not in text
    return f"[{level}[{text}]{level}]"


def script(bodies: list[dict[str, Any]], tokens: list[str]) -> str:
    """The Lua script; ``bodies[i]`` is plan row ``i + 1``."""
    return _SCRIPT % {
        "bodies": ",\n".join(_lua_string(json.dumps(body)) for body in bodies),
        "tokens": ", ".join(_lua_string(token) for token in tokens),
        "prefix": KEY_PREFIX,
    }


def available() -> bool:
    return shutil.which("wrk") is not None


def run_wrk(
    base_url: str, bodies: list[dict[str, Any]], tokens: list[str], concurrency: int, seconds: int
) -> dict[str, Any]:
    """``wrk -t1 -c<concurrency> -d<seconds>`` with the order script; its numbers."""
    last_core = str((os.cpu_count() or 1) - 1)
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "orders.lua"
        path.write_text(script(bodies, tokens))
        command = ["wrk", "-t1", f"-c{concurrency}", f"-d{seconds}s", "--timeout", "30s", "-s", str(path), base_url]
        if shutil.which("taskset"):
            command = ["taskset", "-c", last_core, *command]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed: {done.stderr}\n{done.stdout}")
    line = next((line for line in done.stdout.splitlines() if line.startswith('{"requests"')), None)
    if line is None:
        raise RuntimeError(f"no summary in wrk's output:\n{done.stdout}")
    numbers = json.loads(line)
    if numbers["failures"] or numbers["socket_errors"]:
        raise RuntimeError(f"wrk: {numbers['failures']} answers were not 201, {numbers['socket_errors']} socket errors"
                           f"\n{done.stdout}")  # fmt: skip
    return {
        "requests": numbers["requests"],
        "throughput_per_second": round(numbers["requests"] / numbers["seconds"], 1),
        "latency_ms": {
            "p50": round(numbers["p50_us"] / 1000, 2),
            "p90": round(numbers["p90_us"] / 1000, 2),
            "p99": round(numbers["p99_us"] / 1000, 2),
        },
        "command": " ".join(command[:-3] + ["orders.lua", "<api>"]),
    }


def wrk_keys(url: str) -> dict[str, int | None]:
    """Every Idempotency-Key wrk sent that made an order, with the plan row its body came from."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            query = sa.text("SELECT idempotency_key FROM orders.idempotency_keys WHERE idempotency_key LIKE 'wrk-%'")
            keys: list[str] = list(connection.execute(query).scalars())
            found: dict[str, int | None] = {}
            for key in keys:
                match = _KEY.match(key)
                if match is None:
                    raise RuntimeError(f"unexpected key {key!r}")
                found[key] = int(match.group(1))
            return found
    finally:
        engine.dispose()
