"""Names shared by the batch side's assets, jobs and schedules."""

from pathlib import Path

from dagster import AssetKey

from contracts.topics import ORDERS

INGEST = "ingest"
WAREHOUSE = "warehouse"

# The dbt source kafka_raw.orders_v1 names this key in its meta (dagster: asset_key).
RAW_ORDERS_KEY = AssetKey(["raw", "orders_v1"])
RAW_ORDERS_TOPIC = ORDERS.name

# Serialises everything that opens the DuckDB file for writing (one writer process).
DUCKDB_WRITER_POOL = "duckdb_writer"

# The dbt project beside this package (the repository's dbt/ folder).
DBT_PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt"
