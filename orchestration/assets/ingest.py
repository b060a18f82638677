"""Kafka topics landed in the warehouse raw layer."""

from dagster import MaterializeResult, MetadataValue, asset

from ingest.raw import load_topic_to_parquet, raw_topic_dir
from orchestration.constants import INGEST, RAW_ORDERS_KEY, RAW_ORDERS_TOPIC
from orchestration.resources import KafkaResource, WarehouseResource


@asset(key=RAW_ORDERS_KEY, group_name=INGEST, kinds={"kafka", "parquet"})
def raw_orders_v1(kafka: KafkaResource, warehouse: WarehouseResource) -> MaterializeResult:
    """The orders.v1 topic as Parquet files under <warehouse>/raw/orders_v1/, each record exactly once."""
    warehouse.prepare()
    result = load_topic_to_parquet(kafka.bootstrap, RAW_ORDERS_TOPIC, warehouse.raw_dir, timeout_s=kafka.load_timeout_s)
    return MaterializeResult(
        metadata={
            "rows_loaded": result.rows,
            "files_written": len(result.files),
            "caught_up": result.caught_up,
            "next_offsets": MetadataValue.json({str(p): o for p, o in result.next_offsets.items()}),
            "path": MetadataValue.path(str(raw_topic_dir(warehouse.raw_dir, RAW_ORDERS_TOPIC))),
        }
    )
