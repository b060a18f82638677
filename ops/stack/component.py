"""What every local-stack component offers the manager."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

from ops.stack.config import StackConfig
from ops.stack.process import StackError, port_open, tail, wait_until


@dataclass(frozen=True)
class ComponentStatus:
    name: str
    running: bool
    ready: bool
    address: str
    pid: int | None
    log: Path


class Component(ABC):
    name: str
    start_timeout: float = 60.0

    def __init__(self, config: StackConfig) -> None:
        self.config = config

    @property
    def dir(self) -> Path:
        return self.config.root / self.name

    @property
    def log_path(self) -> Path:
        return self.config.logs_dir / f"{self.name}.log"

    @property
    @abstractmethod
    def port(self) -> int: ...

    @property
    def address(self) -> str:
        return f"{self.config.host}:{self.port}"

    @abstractmethod
    def pid(self) -> int | None:
        """The pid of the process this stack started, if it is alive."""

    @abstractmethod
    def _launch(self) -> None: ...

    @abstractmethod
    def ready(self) -> bool: ...

    @abstractmethod
    def stop(self) -> bool:
        """Stop what this stack started; returns whether anything was stopped."""

    def missing_binaries(self) -> list[str]:
        return []

    def start(self) -> None:
        if self.pid() is not None:
            self._wait_ready()
            return
        missing = self.missing_binaries()
        if missing:
            raise StackError(
                f"{self.name}: missing {', '.join(missing)}; run ./ops/bootstrap.sh to install"
            )
        if port_open(self.config.host, self.port):
            raise StackError(
                f"{self.name}: port {self.port} is taken by a process this stack did not start; "
                f"stop it or set another port (docs/stack.md)"
            )
        self.dir.mkdir(parents=True, exist_ok=True)
        self.config.logs_dir.mkdir(parents=True, exist_ok=True)
        self._launch()
        self._wait_ready()

    def _wait_ready(self) -> None:
        if not wait_until(lambda: self.pid() is not None and self.ready(), self.start_timeout):
            state = "exited" if self.pid() is None else f"not ready after {self.start_timeout:.0f}s"
            raise StackError(
                f"{self.name}: {state}; log {self.log_path}:\n{tail(self.log_path)}"
            )

    def status(self) -> ComponentStatus:
        pid = self.pid()
        return ComponentStatus(
            name=self.name,
            running=pid is not None,
            ready=pid is not None and self.ready(),
            address=self.address,
            pid=pid,
            log=self.log_path,
        )
