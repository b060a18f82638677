"""The batch side's composition root: `dagster dev -m orchestration.definitions`."""

from typing import Any

from dagster import Definitions

from orchestration.assets.dbt import tiffin_dbt_models, tiffin_dbt_project
from orchestration.assets.ingest import raw_orders_v1
from orchestration.jobs import warehouse_job
from orchestration.resources import resources_for, tiffin_env
from orchestration.schedules import warehouse_schedule


def make_definitions(env: str, resources: dict[str, Any] | None = None) -> Definitions:
    """Local resources read TIFFIN_KAFKA_BOOTSTRAP and TIFFIN_WAREHOUSE_DIR when this is called."""
    return Definitions(
        assets=[raw_orders_v1, tiffin_dbt_models],
        jobs=[warehouse_job],
        schedules=[warehouse_schedule(env)],
        resources={**resources_for(env, tiffin_dbt_project), **(resources or {})},
    )


defs = make_definitions(tiffin_env())
