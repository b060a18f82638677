"""The Dagster definitions load, and wire ingest -> dbt the way the docs say."""

import pytest
from dagster import AssetKey


@pytest.fixture(scope="module")
def defs():
    # Loading (not importing) the definitions may run `dbt parse`; collection should not wait for it.
    from orchestration.definitions import defs

    return defs()


def test_the_definitions_load_with_the_warehouse_job_and_its_schedule(defs):
    job = defs.resolve_job_def("warehouse_job")
    schedule = defs.resolve_schedule_def("warehouse_every_15_minutes")

    assert schedule.cron_schedule == "*/15 * * * *"
    assert schedule.job_name == job.name


def test_the_dbt_source_is_the_ingest_asset_so_staging_runs_after_the_load(defs):
    graph = defs.resolve_asset_graph()

    assert graph.get(AssetKey(["stg_orders"])).parent_keys == {AssetKey(["raw", "orders_v1"])}
    assert graph.get(AssetKey(["city_daily_orders"])).parent_keys == {AssetKey(["stg_orders"])}


def test_the_job_covers_the_ingest_and_warehouse_groups(defs):
    job_keys = defs.resolve_job_def("warehouse_job").asset_layer.asset_graph.get_all_asset_keys()

    assert {AssetKey(["raw", "orders_v1"]), AssetKey(["stg_orders"]), AssetKey(["city_daily_orders"])} <= set(job_keys)


def test_dbt_tests_become_asset_checks_on_the_models(defs):
    checks = defs.resolve_asset_graph().asset_check_keys

    assert any(c.asset_key == AssetKey(["city_daily_orders"]) for c in checks)


def test_local_resources_follow_the_environment(defs, monkeypatch, tmp_path):
    from orchestration.definitions import make_definitions

    monkeypatch.setenv("TIFFIN_WAREHOUSE_DIR", str(tmp_path))
    monkeypatch.setenv("TIFFIN_KAFKA_BOOTSTRAP", "127.0.0.1:1")

    resources = make_definitions("local").resources

    assert resources["warehouse"].warehouse_dir == str(tmp_path)
    assert resources["kafka"].bootstrap == "127.0.0.1:1"
    assert resources["dbt"].target == "duckdb"
