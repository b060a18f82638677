"""Background processes the CLI and the demo start: the API server and the outbox relay."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import httpx

from ops.stack.process import StackError, tail, terminate, wait_until


class Background:
    """A child process logging to a file, stopped with SIGTERM then SIGKILL."""

    def __init__(self, name: str, command: list[str], env: Mapping[str, str], log: Path) -> None:
        log.parent.mkdir(parents=True, exist_ok=True)
        self.name, self.log = name, log
        with log.open("ab") as handle:
            self.process = subprocess.Popen(
                command,
                env={**os.environ, **env},
                stdout=handle,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    def alive(self) -> bool:
        return self.process.poll() is None

    def fail_if_dead(self) -> None:
        if not self.alive():
            raise StackError(f"{self.name} exited with {self.process.returncode}; log {self.log}:\n{tail(self.log)}")

    def stop(self) -> None:
        if self.alive():
            terminate(self.process.pid, timeout=15)
        self.process.wait(timeout=5)


def default_workers() -> int:
    """Worker processes when none are asked for: one per core (docs/performance.md says why)."""
    return max(1, os.cpu_count() or 1)


def api_command(port: int, *options: str, workers: int = 1) -> list[str]:
    """The API under uvicorn, as every launcher runs it; ``workers`` processes share the port.

    No ``Server`` header: it only tells a scanner which server to try exploits on.
    """
    command = [
        sys.executable, "-m", "uvicorn", "--factory", "serving.app:create_app",
        "--host", "127.0.0.1", "--port", str(port), "--no-server-header", *options,
    ]  # fmt: skip
    if workers > 1:
        command += ["--workers", str(workers)]
    return command


def start_api(env: Mapping[str, str], port: int, log: Path, workers: int | None = None) -> Background:
    """The API as ``tiffin serve`` runs it, ``default_workers()`` processes unless told otherwise."""
    command = api_command(port, "--log-level", "warning", workers=workers or default_workers())
    api = Background("api", command, env, log)
    base_url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        api.fail_if_dead()
        try:
            return httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    # Each worker imports the whole app: on a busy 2-core machine that takes a while.
    if not wait_until(healthy, 60):
        api.stop()
        raise StackError(f"api did not answer on {base_url} within 60s; log {log}:\n{tail(log)}")
    return api


def start_relay(env: Mapping[str, str], log: Path) -> Background:
    return Background("outbox relay", [sys.executable, "-m", "serving.relay"], env, log)
