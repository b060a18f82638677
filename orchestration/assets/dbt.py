"""The dbt project (dbt/) as assets: staging views and marts, with dbt tests as asset checks.

Built by ``build_dbt_assets`` when the definitions are loaded, not at import: the
assets need a current manifest, and producing one runs ``dbt parse``.
"""

import fcntl
from collections.abc import Iterator, Mapping
from typing import Any

from dagster import AssetExecutionContext
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.constants import DBT_PROJECT_DIR, DUCKDB_WRITER_POOL, WAREHOUSE
from orchestration.dbt_manifest import manifest_is_current
from orchestration.resources import DBT_EXECUTABLE, DBT_TARGETS, WarehouseResource


def tiffin_dbt_project(env: str) -> DbtProject:
    return DbtProject(project_dir=DBT_PROJECT_DIR, target=DBT_TARGETS[env])


def ensure_manifest(project: DbtProject) -> None:
    """`dbt parse` when the manifest is missing (it is never committed), older than the
    project's files (a new model or test would otherwise be unknown to Dagster), or
    under `dagster dev`."""
    if manifest_is_current(project.project_dir, project.manifest_path) and not project.preparer.using_dagster_dev():
        return
    project.manifest_path.parent.mkdir(parents=True, exist_ok=True)
    with open(project.manifest_path.parent / ".parse.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # several processes may load the definitions at once
        if manifest_is_current(project.project_dir, project.manifest_path) and not project.preparer.using_dagster_dev():
            return
        DbtCliResource(project_dir=project, dbt_executable=DBT_EXECUTABLE).cli(
            ["parse", "--quiet"], target_path=project.target_path
        ).wait()


class TiffinDbtTranslator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return WAREHOUSE


def build_dbt_assets(project: DbtProject) -> Any:
    """The dbt models as one multi-asset; parses the project first when its manifest is stale."""
    ensure_manifest(project)

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=TiffinDbtTranslator(),
        pool=DUCKDB_WRITER_POOL,
    )
    def tiffin_dbt_models(
        context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
    ) -> Iterator[Any]:
        """dbt build: staging views and marts (Parquet under <warehouse>/marts/ on DuckDB), then tests."""
        warehouse.prepare()
        with warehouse.dbt_env():  # the dbt process copies the environment when it starts
            invocation = dbt.cli(["build"], context=context)
        yield from invocation.stream()

    return tiffin_dbt_models
