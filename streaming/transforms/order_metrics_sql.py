"""The city-order-metrics transform as Flink SQL text (no pyflink import).

Same rules as streaming/transforms/order_metrics.py, written so the whole pipeline runs
inside the JVM: the JSON decoding, the watermark (pushed into the Kafka source, one per
partition, with idleness), the window de-duplication by event_id and the window
aggregate. No Python worker process is started, which keeps start-up near 15 s and
the per-record cost at Java speed.
"""

from __future__ import annotations

from streaming.config import CityOrderMetricsSettings, StartingOffsets
from streaming.transforms.order_metrics import OCCURRED_AT_PATTERN, ORDER_PLACED

SOURCE_TABLE = "orders_source"
ORDER_PLACED_VIEW = "order_placed"
SINK_TABLE = "city_order_metrics_sink"

# The same pattern as the Python rules; Flink's REGEXP is Java regex, which reads it alike.
OCCURRED_AT_REGEX = OCCURRED_AT_PATTERN.pattern
# TO_TIMESTAMP_LTZ takes fixed-width patterns, so the fraction is dropped before parsing:
# event time is then whole seconds, which assigns every event to the same window as the
# exact time would (windows are whole seconds) and delays the watermark by < 1 s at most.
OCCURRED_AT_FORMAT = "yyyy-MM-dd'T'HH:mm:ssXXX"
# window_start / window_end are TIMESTAMP(3) in the session time zone, which the job pins to UTC.
WINDOW_BOUND_FORMAT = "yyyy-MM-dd'T'HH:mm:ss'Z'"


def sql_string(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def _with_options(options: dict[str, str]) -> str:
    return ",\n".join(f"  {sql_string(key)} = {sql_string(value)}" for key, value in options.items())


def startup_options(starting: StartingOffsets) -> dict[str, str]:
    if starting.mode == "earliest":
        return {"scan.startup.mode": "earliest-offset"}
    if starting.mode == "latest":
        return {"scan.startup.mode": "latest-offset"}
    if starting.mode == "group-offsets":
        # The group's committed offsets; a group that has none starts at the beginning.
        return {"scan.startup.mode": "group-offsets", "properties.auto.offset.reset": "earliest"}
    if starting.mode == "timestamp" and starting.timestamp_ms is not None:
        return {
            "scan.startup.mode": "timestamp",
            "scan.startup.timestamp-millis": str(starting.timestamp_ms),
        }
    raise ValueError(f"unsupported starting offsets: {starting}")


def source_options(settings: CityOrderMetricsSettings) -> dict[str, str]:
    options = {
        "connector": "kafka",
        "topic": settings.source_topic,
        "properties.bootstrap.servers": settings.bootstrap_servers,
        # The source commits its offsets to this group on every completed checkpoint.
        "properties.group.id": settings.group_id,
        **startup_options(settings.starting_offsets),
        "value.format": "json",
        # A record that is not JSON, or whose fields have the wrong type, is skipped
        # (its fields read as NULL and the view's filter drops it), never a job failure.
        "value.json.ignore-parse-errors": "true",
        "value.json.fail-on-missing-field": "false",
    }
    if settings.idle_timeout_ms > 0:
        options["scan.watermark.idle-timeout"] = f"{settings.idle_timeout_ms} ms"
    return options


def source_table_ddl(settings: CityOrderMetricsSettings) -> str:
    """The orders topic as a table with an event-time attribute from occurred_at."""
    seconds = settings.max_out_of_orderness_ms // 1000
    return f"""CREATE TEMPORARY TABLE {SOURCE_TABLE} (
  event_id STRING,
  event_type STRING,
  occurred_at STRING,
  payload ROW<city STRING, total_minor BIGINT>,
  event_time AS CASE
    WHEN REGEXP(occurred_at, {sql_string(OCCURRED_AT_REGEX)})
    THEN TO_TIMESTAMP_LTZ(REGEXP_REPLACE(occurred_at, '[.][0-9]+', ''), {sql_string(OCCURRED_AT_FORMAT)})
  END,
  WATERMARK FOR event_time AS event_time - INTERVAL '{seconds}' SECOND
) WITH (
{_with_options(source_options(settings))}
)"""


def order_placed_view_sql() -> str:
    """Valid OrderPlaced events only; everything else in the topic is skipped here."""
    return f"""CREATE TEMPORARY VIEW {ORDER_PLACED_VIEW} AS
SELECT event_id, payload.city AS city, payload.total_minor AS total_minor, event_time
FROM {SOURCE_TABLE}
WHERE event_type = {sql_string(ORDER_PLACED)}
  AND event_id IS NOT NULL AND CHAR_LENGTH(event_id) > 0
  AND payload.city IS NOT NULL AND CHAR_LENGTH(payload.city) > 0
  AND payload.total_minor IS NOT NULL AND payload.total_minor >= 0
  AND event_time IS NOT NULL"""


def sink_options(settings: CityOrderMetricsSettings) -> dict[str, str]:
    return {
        "connector": "kafka",
        "topic": settings.sink_topic,
        "properties.bootstrap.servers": settings.bootstrap_servers,
        # Kafka key = city (UTF-8), so one city's minutes stay in order on one partition.
        "key.format": "raw",
        "key.fields": "city",
        "value.format": "json",
        "value.fields-include": "ALL",
        # Records are flushed on every checkpoint; a restart may repeat some (never lose).
        "sink.delivery-guarantee": "at-least-once",
    }


def sink_table_ddl(settings: CityOrderMetricsSettings) -> str:
    """The metrics topic; one JSON value per record, fields as contracts.metrics.CityOrderMinute."""
    return f"""CREATE TEMPORARY TABLE {SINK_TABLE} (
  city STRING,
  window_start STRING,
  window_end STRING,
  order_count BIGINT,
  gmv_minor BIGINT
) WITH (
{_with_options(sink_options(settings))}
)"""


def insert_sql(settings: CityOrderMetricsSettings) -> str:
    """Tumbling event-time windows; the first delivery of each event_id per window counts."""
    seconds = settings.window_ms // 1000
    window = f"TUMBLE(TABLE {ORDER_PLACED_VIEW}, DESCRIPTOR(event_time), INTERVAL '{seconds}' SECOND)"
    bound = sql_string(WINDOW_BOUND_FORMAT)
    return f"""INSERT INTO {SINK_TABLE}
SELECT
  city,
  DATE_FORMAT(window_start, {bound}) AS window_start,
  DATE_FORMAT(window_end, {bound}) AS window_end,
  COUNT(*) AS order_count,
  SUM(total_minor) AS gmv_minor
FROM (
  SELECT *
  FROM (
    SELECT *,
      ROW_NUMBER() OVER (
        PARTITION BY window_start, window_end, event_id ORDER BY event_time ASC
      ) AS delivery
    FROM TABLE({window})
  )
  WHERE delivery = 1
)
GROUP BY city, window_start, window_end"""


def statements(settings: CityOrderMetricsSettings) -> list[str]:
    """DDL to run in order, then the INSERT as the last element."""
    return [
        source_table_ddl(settings),
        order_placed_view_sql(),
        sink_table_ddl(settings),
        insert_sql(settings),
    ]
