"""Kafka topics landed in the warehouse raw layer as Parquet files, exactly once.

The raw layer owns its offsets: every file name holds the partition and offset range
it contains, so the next offset to read is derived from the files themselves
(docs/warehouse.md).
"""

from ingest.raw.layout import RawFile, topic_dir_name
from ingest.raw.loader import LoadResult, load_topic_to_parquet, raw_topic_dir

__all__ = ["LoadResult", "RawFile", "load_topic_to_parquet", "raw_topic_dir", "topic_dir_name"]
