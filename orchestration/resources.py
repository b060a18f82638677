"""Resources per environment (TIFFIN_ENV = local | prod), with identical keys."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dagster import ConfigurableResource, EnvVar
from dagster_dbt import DbtCliResource, DbtProject

DBT_TARGETS = {"local": "duckdb", "prod": "bigquery"}
# The local stack's defaults (docs/stack.md); `tiffin dagster` and the demo set both variables.
LOCAL_KAFKA_BOOTSTRAP = "127.0.0.1:59092"
LOCAL_WAREHOUSE_DIR = str(Path(__file__).resolve().parent.parent / ".stack" / "warehouse")
# The dbt next to this interpreter, so nothing depends on PATH.
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")


class KafkaResource(ConfigurableResource):
    """Where the Kafka cluster is."""

    bootstrap: str
    load_timeout_s: float = 120.0


class WarehouseResource(ConfigurableResource):
    """The warehouse folder: raw/ (Parquet from ingest), tiffin.duckdb, marts/ (Parquet from dbt)."""

    warehouse_dir: str

    @property
    def root(self) -> Path:
        return Path(self.warehouse_dir).resolve()

    @property
    def raw_dir(self) -> Path:
        return self.root / "raw"

    @property
    def marts_dir(self) -> Path:
        return self.root / "marts"

    def prepare(self) -> None:
        """DuckDB creates neither the database file's folder nor COPY targets' folders."""
        self.marts_dir.mkdir(parents=True, exist_ok=True)
        self.raw_dir.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def dbt_env(self) -> Iterator[None]:
        """Point dbt (profiles.yml, sources) at this warehouse while a dbt process starts."""
        saved = os.environ.get("TIFFIN_WAREHOUSE_DIR")
        os.environ["TIFFIN_WAREHOUSE_DIR"] = str(self.root)
        try:
            yield
        finally:
            if saved is None:
                os.environ.pop("TIFFIN_WAREHOUSE_DIR", None)
            else:
                os.environ["TIFFIN_WAREHOUSE_DIR"] = saved


def tiffin_env() -> str:
    env = os.environ.get("TIFFIN_ENV", "local")
    if env not in DBT_TARGETS:
        raise ValueError(f"TIFFIN_ENV must be one of {sorted(DBT_TARGETS)}, not {env!r}")
    return env


def local_resources(dbt_project: DbtProject) -> dict[str, Any]:
    return {
        "kafka": KafkaResource(bootstrap=os.environ.get("TIFFIN_KAFKA_BOOTSTRAP", LOCAL_KAFKA_BOOTSTRAP)),
        "warehouse": WarehouseResource(warehouse_dir=os.environ.get("TIFFIN_WAREHOUSE_DIR", LOCAL_WAREHOUSE_DIR)),
        "dbt": DbtCliResource(project_dir=dbt_project, target=DBT_TARGETS["local"], dbt_executable=DBT_EXECUTABLE),
    }


def prod_resources(dbt_project: DbtProject) -> dict[str, Any]:
    return {
        "kafka": KafkaResource(bootstrap=EnvVar("TIFFIN_KAFKA_BOOTSTRAP")),
        "warehouse": WarehouseResource(warehouse_dir=EnvVar("TIFFIN_WAREHOUSE_DIR")),
        "dbt": DbtCliResource(project_dir=dbt_project, target=DBT_TARGETS["prod"], dbt_executable=DBT_EXECUTABLE),
    }


def resources_for(env: str, dbt_project: DbtProject) -> dict[str, Any]:
    return {"local": local_resources, "prod": prod_resources}[env](dbt_project)
