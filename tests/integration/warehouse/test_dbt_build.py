"""dbt build on DuckDB over raw Parquet written by the test: staging dedupe, the mart, its tests."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest

from contracts.topics import ORDERS
from ingest.raw import RawFile, raw_topic_dir
from ingest.raw.files import ensure_schema_file, write_raw_file
from ingest.raw.rows import KafkaMessage, message_to_row, rows_to_table
from ops.paths import DBT_PROJECT_DIR

DBT = str(Path(sys.executable).parent / "dbt")
IST = timezone(timedelta(hours=5, minutes=30))


def dbt_build(warehouse: Path) -> subprocess.CompletedProcess[str]:
    (warehouse / "marts").mkdir(parents=True, exist_ok=True)
    return subprocess.run(
        [DBT, "build", "--target-path", str(warehouse / "target"), "--log-path", str(warehouse / "logs")],
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, "TIFFIN_WAREHOUSE_DIR": str(warehouse), "DO_NOT_TRACK": "1"},
        capture_output=True,
        text=True,
        timeout=180,
    )


def land(warehouse: Path, partition: int, values: list[bytes | None]) -> None:
    directory = raw_topic_dir(warehouse / "raw", ORDERS.name)
    directory.mkdir(parents=True, exist_ok=True)
    ensure_schema_file(directory)
    loaded_at = datetime.now(UTC)
    messages = [KafkaMessage(ORDERS.name, partition, offset, b"k", v, 0) for offset, v in enumerate(values)]
    table = rows_to_table(message_to_row(m, "test-load", loaded_at) for m in messages)
    write_raw_file(table, directory, RawFile(partition, 0, len(values) - 1))


def query(sql: str, *params):
    with duckdb.connect() as con:
        return con.execute(sql, list(params)).fetchall()


@pytest.fixture(scope="module")
def warehouse_built(tmp_path_factory, make_order_placed):
    warehouse = tmp_path_factory.mktemp("warehouse")

    pune_1 = make_order_placed("Pune", 45_050, datetime(2026, 1, 1, 9, 0, tzinfo=UTC))
    pune_2 = make_order_placed("Pune", 20_000, datetime(2026, 1, 1, 23, 0, tzinfo=IST))  # 17:30 UTC
    pune_3 = make_order_placed("Pune", 10_001, datetime(2026, 1, 2, 1, 0, tzinfo=IST))  # Jan 1 UTC
    goa = make_order_placed("Goa", 30_000, datetime(2026, 1, 2, 12, 0, tzinfo=UTC))
    accepted = pune_1.model_copy(update={"event_id": uuid.uuid4(), "event_type": "OrderAccepted"})
    pune_1, pune_2, pune_3, goa, accepted = (e.to_json_bytes() for e in (pune_1, pune_2, pune_3, goa, accepted))
    land(warehouse, 0, [pune_1, pune_2, accepted, b"not json", None, pune_1])  # pune_1 redelivered
    land(warehouse, 1, [pune_3, goa, pune_2])  # pune_2 redelivered on another partition
    result = dbt_build(warehouse)
    return warehouse, result


def test_dbt_build_passes_with_its_data_tests_and_unit_tests(warehouse_built):
    _, result = warehouse_built

    assert result.returncode == 0, result.stdout[-4000:]
    assert "ERROR=0" in result.stdout
    assert "WARN=0" in result.stdout


def test_the_mart_is_a_parquet_file_with_one_row_per_city_per_utc_day(warehouse_built):
    warehouse, _ = warehouse_built
    mart = str(warehouse / "marts" / "city_daily_orders.parquet")

    rows = query(
        "select city, order_date, currency, order_count, gmv_minor, avg_order_value_minor "
        "from read_parquet(?) order by city, order_date",
        mart,
    )

    assert rows == [
        ("Goa", date(2026, 1, 2), "INR", 1, 30_000, 30_000),
        ("Pune", date(2026, 1, 1), "INR", 3, 75_051, 25_017),
    ]


def test_money_in_the_mart_stays_integer_minor_units(warehouse_built):
    warehouse, _ = warehouse_built
    mart = str(warehouse / "marts" / "city_daily_orders.parquet")

    types = dict(query("select column_name, column_type from (describe select * from read_parquet(?))", mart))

    assert types["gmv_minor"] == types["avg_order_value_minor"] == types["order_count"] == "BIGINT"


def test_staging_keeps_each_order_placed_event_once(warehouse_built):
    warehouse, _ = warehouse_built

    with duckdb.connect(str(warehouse / "tiffin.duckdb"), read_only=True) as con:
        count, distinct = con.execute("select count(*), count(distinct event_id) from stg_orders").fetchone()

    assert (count, distinct) == (4, 4)


def test_a_raw_layer_without_data_files_builds_an_empty_mart(tmp_path):
    warehouse = tmp_path / "warehouse"
    directory = raw_topic_dir(warehouse / "raw", ORDERS.name)
    directory.mkdir(parents=True)
    ensure_schema_file(directory)

    result = dbt_build(warehouse)

    assert result.returncode == 0, result.stdout[-4000:]
    mart = str(warehouse / "marts" / "city_daily_orders.parquet")
    assert query("select count(*) from read_parquet(?) where city is not null", mart) == [(0,)]
