"""End to end on the batch side: Kafka -> raw Parquet -> dbt -> mart Parquet -> Streamlit page."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboards import data

pytestmark = pytest.mark.stack

PAGE = str(Path(data.__file__).parent / "app_pages" / "orders_by_city.py")
TOTALS = (45_050, 20_000, 10_001)


@pytest.fixture(scope="module")
def job_run(stack, tmp_path_factory, make_order_placed, produce_orders):
    """Orders for a city of our own, then one run of warehouse_job into a fresh warehouse."""
    from orchestration.definitions import make_definitions

    warehouse = tmp_path_factory.mktemp("warehouse")
    city = f"Jobpur-{uuid.uuid4().hex[:8]}"
    produce_orders([make_order_placed(city, total, datetime.now(UTC)) for total in TOTALS])
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TIFFIN_WAREHOUSE_DIR", str(warehouse))
        env.setenv("TIFFIN_KAFKA_BOOTSTRAP", stack.kafka_bootstrap)
        result = make_definitions("local").resolve_job_def("warehouse_job").execute_in_process()
    return warehouse, city, result


def test_the_job_materialises_the_raw_layer_staging_and_the_mart(job_run):
    _, _, result = job_run

    assert result.success
    materialised = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert materialised == {"raw/orders_v1", "stg_orders", "city_daily_orders"}


def test_every_dbt_test_passes_as_an_asset_check(job_run):
    _, _, result = job_run

    evaluations = result.get_asset_check_evaluations()
    assert evaluations
    assert [e.check_name for e in evaluations if not e.passed and e.severity.value == "ERROR"] == []


def test_the_mart_parquet_has_todays_orders_of_the_city(job_run):
    warehouse, city, _ = job_run

    with duckdb.connect() as con:
        row = con.execute(
            "select order_count, gmv_minor, avg_order_value_minor from read_parquet(?) "
            "where city = ? and order_date = ?",
            [str(data.mart_path("city_daily_orders", warehouse)), city, datetime.now(UTC).date()],
        ).fetchone()

    assert row == (3, sum(TOTALS), 25_017)


def test_the_orders_by_city_page_shows_the_city_numbers_from_the_mart(job_run, monkeypatch):
    warehouse, city, _ = job_run
    monkeypatch.setenv("TIFFIN_WAREHOUSE_DIR", str(warehouse))

    at = AppTest.from_file(PAGE, default_timeout=30).run()
    at.multiselect[0].set_value([city]).run()

    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Orders"] == "3"
    assert metrics["GMV (INR)"] == "INR 750.51"
    assert metrics["Average order value (INR)"] == "INR 250.17"
