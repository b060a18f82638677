"""Redis 7 from Debian's packages, with its dump in the stack folder."""

from __future__ import annotations

import shutil
import subprocess

import redis

from ops.stack.component import Component
from ops.stack.process import StackError, pid_alive, read_pid, terminate


class Redis(Component):
    name = "redis"

    @property
    def port(self) -> int:
        return self.config.redis_port

    @property
    def pid_file(self) -> str:
        return str(self.dir / "redis.pid")

    def missing_binaries(self) -> list[str]:
        return [] if shutil.which("redis-server") else ["redis-server"]

    def pid(self) -> int | None:
        from pathlib import Path

        pid = read_pid(Path(self.pid_file))
        return pid if pid_alive(pid) else None

    def _launch(self) -> None:
        result = subprocess.run(
            [
                "redis-server", "--port", str(self.port), "--bind", self.config.host,
                "--dir", str(self.dir), "--daemonize", "yes", "--pidfile", self.pid_file,
                "--logfile", str(self.log_path), "--save", "60 1000", "--appendonly", "no",
            ],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise StackError(f"redis: redis-server failed: {result.stderr or result.stdout}")

    def ready(self) -> bool:
        try:
            client = redis.Redis(host=self.config.host, port=self.port, socket_timeout=1)
            try:
                return bool(client.ping())
            finally:
                client.close()
        except redis.RedisError:
            return False

    def stop(self) -> bool:
        pid = self.pid()
        if pid is None:
            return False
        terminate(pid)
        return True
