"""Ports, folders and connection strings of one local stack, read from the environment.

Every setting has a TIFFIN_ environment variable (docs/stack.md). The test suite runs
its own stack in another folder on other ports, so it never touches a developer's.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ops.paths import FLINK_LIB_DIR, KAFKA_LIB_DIR, REPO_ROOT, STREAMING_PYTHON
from ops.stack import jwt_secret as jwt_secret_file

FLINK_KAFKA_CONNECTOR = "flink-sql-connector-kafka-5.0.0-2.2.jar"


def _port(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


@dataclass(frozen=True)
class StackConfig:
    root: Path
    postgres_port: int = 55432
    redis_port: int = 56379
    kafka_port: int = 59092
    kafka_controller_port: int = 59093
    host: str = "127.0.0.1"
    postgres_user: str = "tiffin"
    postgres_password: str = "tiffin"
    postgres_db: str = "tiffin"
    warehouse: Path | None = None  # default: <root>/warehouse

    @classmethod
    def from_env(cls) -> StackConfig:
        return cls(
            root=Path(os.environ.get("TIFFIN_STACK_DIR", REPO_ROOT / ".stack")).resolve(),
            postgres_port=_port("TIFFIN_PG_PORT", 55432),
            redis_port=_port("TIFFIN_REDIS_PORT", 56379),
            kafka_port=_port("TIFFIN_KAFKA_PORT", 59092),
            kafka_controller_port=_port("TIFFIN_KAFKA_CONTROLLER_PORT", 59093),
            warehouse=Path(os.environ["TIFFIN_WAREHOUSE_DIR"]).resolve()
            if os.environ.get("TIFFIN_WAREHOUSE_DIR")
            else None,
        )

    def env(self) -> dict[str, str]:
        """The variables that point a child process (or from_env) at this stack,
        the stack's JWT secret included (created on first use)."""
        return {
            "TIFFIN_STACK_DIR": str(self.root),
            "TIFFIN_PG_PORT": str(self.postgres_port),
            "TIFFIN_REDIS_PORT": str(self.redis_port),
            "TIFFIN_KAFKA_PORT": str(self.kafka_port),
            "TIFFIN_KAFKA_CONTROLLER_PORT": str(self.kafka_controller_port),
            "TIFFIN_DATABASE_URL": self.postgres_url,
            "TIFFIN_REDIS_URL": self.redis_url,
            "TIFFIN_KAFKA_BOOTSTRAP": self.kafka_bootstrap,
            "TIFFIN_WAREHOUSE_DIR": str(self.warehouse_dir),
            "TIFFIN_JWT_SECRET": self.jwt_secret(),
        }

    def jwt_secret(self) -> str:
        """This stack's own random JWT secret, ``<root>/jwt-secret`` (made on first use)."""
        return jwt_secret_file.read_or_create(self.root)

    @property
    def jwt_secret_path(self) -> Path:
        return self.root / jwt_secret_file.FILE_NAME

    def postgres_url_for(self, database: str) -> str:
        return (
            f"postgresql+psycopg://{self.postgres_user}:{self.postgres_password}"
            f"@{self.host}:{self.postgres_port}/{database}"
        )

    @property
    def postgres_url(self) -> str:
        return self.postgres_url_for(self.postgres_db)

    @property
    def postgres_dsn(self) -> str:
        """libpq form, for psql and pgbench."""
        return (
            f"postgresql://{self.postgres_user}:{self.postgres_password}"
            f"@{self.host}:{self.postgres_port}/{self.postgres_db}"
        )

    @property
    def redis_url(self) -> str:
        return f"redis://{self.host}:{self.redis_port}/0"

    @property
    def kafka_bootstrap(self) -> str:
        return f"{self.host}:{self.kafka_port}"

    @property
    def logs_dir(self) -> Path:
        return self.root / "logs"

    @property
    def warehouse_dir(self) -> Path:
        return self.warehouse or self.root / "warehouse"

    @property
    def kafka_lib_dir(self) -> Path:
        return KAFKA_LIB_DIR

    @property
    def flink_connector_jar(self) -> Path:
        return FLINK_LIB_DIR / FLINK_KAFKA_CONNECTOR

    @property
    def streaming_python(self) -> Path:
        return STREAMING_PYTHON
