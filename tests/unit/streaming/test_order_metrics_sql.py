"""The Flink SQL text of the city-order-metrics job (streaming/transforms/order_metrics_sql.py).

What the SQL computes is checked against the Python rules by
tests/integration/streaming/test_city_order_metrics.py; here: the options and the shape.
"""

import re

import pytest

from contracts.topics import CITY_ORDER_METRICS, ORDERS
from streaming.config import CityOrderMetricsSettings, StartingOffsets
from streaming.transforms import order_metrics_sql as sql
from streaming.transforms.order_metrics import OCCURRED_AT_PATTERN


def settings(**changes: object) -> CityOrderMetricsSettings:
    return CityOrderMetricsSettings(bootstrap_servers="127.0.0.1:59092", **changes)  # type: ignore[arg-type]


def options_of(ddl: str) -> dict[str, str]:
    return dict(re.findall(r"^\s*'([^']+)' = '((?:[^']|'')*)'", ddl, flags=re.MULTILINE))


def test_the_source_reads_the_orders_topic_as_json_and_skips_bad_records() -> None:
    options = options_of(sql.source_table_ddl(settings()))
    assert options["connector"] == "kafka"
    assert options["topic"] == ORDERS.name
    assert options["properties.bootstrap.servers"] == "127.0.0.1:59092"
    assert options["properties.group.id"] == "tiffin.streaming.city-order-metrics"
    assert options["value.format"] == "json"
    assert options["value.json.ignore-parse-errors"] == "true"
    assert options["value.json.fail-on-missing-field"] == "false"


def test_the_watermark_trails_occurred_at_by_the_allowed_out_of_orderness() -> None:
    ddl = sql.source_table_ddl(settings(max_out_of_orderness_ms=7000))
    assert "WATERMARK FOR event_time AS event_time - INTERVAL '7' SECOND" in ddl
    assert "REGEXP(occurred_at," in ddl
    assert "TO_TIMESTAMP_LTZ(" in ddl


def test_sql_and_python_accept_the_same_timestamp_shapes() -> None:
    assert sql.OCCURRED_AT_REGEX == OCCURRED_AT_PATTERN.pattern
    assert sql.sql_string(sql.OCCURRED_AT_REGEX) in sql.source_table_ddl(settings())


def test_idle_partitions_stop_holding_the_watermark_after_the_idle_timeout() -> None:
    assert options_of(sql.source_table_ddl(settings(idle_timeout_ms=2500)))["scan.watermark.idle-timeout"] == "2500 ms"
    assert "scan.watermark.idle-timeout" not in options_of(sql.source_table_ddl(settings(idle_timeout_ms=0)))


@pytest.mark.parametrize(
    ("starting", "expected"),
    [
        (StartingOffsets("earliest"), {"scan.startup.mode": "earliest-offset"}),
        (StartingOffsets("latest"), {"scan.startup.mode": "latest-offset"}),
        (
            StartingOffsets("group-offsets"),
            {"scan.startup.mode": "group-offsets", "properties.auto.offset.reset": "earliest"},
        ),
        (
            StartingOffsets("timestamp", 1_700_000_000_000),
            {"scan.startup.mode": "timestamp", "scan.startup.timestamp-millis": "1700000000000"},
        ),
    ],
)
def test_starting_offsets_map_to_the_connector_startup_mode(
    starting: StartingOffsets, expected: dict[str, str]
) -> None:
    options = options_of(sql.source_table_ddl(settings(starting_offsets=starting)))
    assert {k: options[k] for k in expected} == expected


def test_the_sink_writes_json_keyed_by_city_at_least_once() -> None:
    ddl = sql.sink_table_ddl(settings())
    options = options_of(ddl)
    assert options["topic"] == CITY_ORDER_METRICS.name
    assert options["key.format"] == "raw"
    assert options["key.fields"] == "city"
    assert options["value.format"] == "json"
    assert options["value.fields-include"] == "ALL"
    assert options["sink.delivery-guarantee"] == "at-least-once"
    columns = re.findall(r"^\s+(\w+) (STRING|BIGINT),?$", ddl, flags=re.MULTILINE)
    assert [name for name, _ in columns] == [
        "city", "window_start", "window_end", "order_count", "gmv_minor"
    ]  # fmt: skip


def test_the_insert_is_a_tumbling_window_deduplicated_by_event_id() -> None:
    insert = sql.insert_sql(settings(window_ms=120_000))
    assert "TUMBLE(TABLE order_placed, DESCRIPTOR(event_time), INTERVAL '120' SECOND)" in insert
    assert "PARTITION BY window_start, window_end, event_id ORDER BY event_time ASC" in insert
    assert "GROUP BY city, window_start, window_end" in insert
    assert "yyyy-MM-dd''T''HH:mm:ss''Z''" in insert


def test_only_order_placed_events_with_a_city_and_total_reach_the_window() -> None:
    view = sql.order_placed_view_sql()
    assert "event_type = 'OrderPlaced'" in view
    for column in ("event_id", "payload.city", "payload.total_minor", "event_time"):
        assert f"{column} IS NOT NULL" in view


def test_names_with_quotes_are_escaped() -> None:
    ddl = sql.source_table_ddl(settings(group_id="it's-mine"))
    assert "'properties.group.id' = 'it''s-mine'" in ddl


def test_statements_end_with_the_insert() -> None:
    statements = sql.statements(settings())
    assert [s.split()[0] for s in statements] == ["CREATE", "CREATE", "CREATE", "INSERT"]
