"""The batch side's composition root: `dagster dev -m orchestration.definitions`.

Importing it builds nothing: Dagster calls ``defs`` (a lazy ``@definitions`` entry
point) when it loads the code location, and only then is the dbt manifest prepared.
"""

from typing import Any

from dagster import Definitions, definitions

from orchestration.assets.dbt import build_dbt_assets, tiffin_dbt_project
from orchestration.assets.ingest import raw_orders_v1
from orchestration.jobs import warehouse_job
from orchestration.resources import resources_for, tiffin_env
from orchestration.schedules import warehouse_schedule


def make_definitions(env: str, resources: dict[str, Any] | None = None) -> Definitions:
    """Local resources read TIFFIN_KAFKA_BOOTSTRAP and TIFFIN_WAREHOUSE_DIR when this is called."""
    project = tiffin_dbt_project(env)
    return Definitions(
        assets=[raw_orders_v1, build_dbt_assets(project)],
        jobs=[warehouse_job],
        schedules=[warehouse_schedule(env)],
        resources={**resources_for(env, project), **(resources or {})},
    )


@definitions
def defs() -> Definitions:
    return make_definitions(tiffin_env())
