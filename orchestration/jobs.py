from dagster import AssetSelection, define_asset_job

from orchestration.constants import INGEST, WAREHOUSE

warehouse_job = define_asset_job(
    "warehouse_job",
    selection=AssetSelection.groups(INGEST, WAREHOUSE),
    description="Land Kafka topics in the raw layer, then dbt build staging and marts.",
)
