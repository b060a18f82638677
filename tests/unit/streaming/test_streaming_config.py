"""Flags and TIFFIN_ variables of the city-order-metrics job (streaming/config.py)."""

from pathlib import Path

import pytest

from contracts.topics import CITY_ORDER_METRICS, ORDERS
from streaming.config import (
    CityOrderMetricsSettings,
    StartingOffsets,
    parse_city_order_metrics_args,
    parse_duration_ms,
)


@pytest.mark.parametrize(
    ("text", "ms"),
    [("500ms", 500), ("10s", 10_000), ("10", 10_000), ("1min", 60_000), ("2m", 120_000),
     ("1h", 3_600_000), (" 5 s ", 5_000), ("0", 0)],
)  # fmt: skip
def test_durations(text: str, ms: int) -> None:
    assert parse_duration_ms(text) == ms


@pytest.mark.parametrize("text", ["", "ten seconds", "1.5s", "-1s", "5d"])
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration_ms(text)


def test_defaults_come_from_the_registry_and_the_stack_environment() -> None:
    settings, args = parse_city_order_metrics_args([], {"TIFFIN_KAFKA_BOOTSTRAP": "127.0.0.1:59092"})
    assert settings.bootstrap_servers == "127.0.0.1:59092"
    assert settings.source_topic == ORDERS.name
    assert settings.sink_topic == CITY_ORDER_METRICS.name
    assert settings.window_ms == 60_000
    assert settings.starting_offsets == StartingOffsets("group-offsets")
    assert settings.checkpoint_interval_ms > 0
    assert settings.connector_jar is not None and settings.connector_jar.name.endswith(".jar")
    assert not args.explain


def test_flags_beat_job_variables_which_beat_defaults() -> None:
    environ = {
        "TIFFIN_KAFKA_BOOTSTRAP": "stack:1",
        "TIFFIN_CITY_ORDER_METRICS_BOOTSTRAP_SERVERS": "job:2",
        "TIFFIN_CITY_ORDER_METRICS_WINDOW": "2min",
        "TIFFIN_CITY_ORDER_METRICS_IDLE_TIMEOUT": "3s",
        "TIFFIN_CITY_ORDER_METRICS_CONNECTOR_JAR": "/opt/connector.jar",
    }
    settings, _ = parse_city_order_metrics_args(
        ["--idle-timeout", "750ms", "--starting-offsets", "timestamp:1700000000000"], environ
    )
    assert settings.bootstrap_servers == "job:2"
    assert settings.window_ms == 120_000
    assert settings.idle_timeout_ms == 750
    assert settings.starting_offsets == StartingOffsets("timestamp", 1_700_000_000_000)
    assert settings.connector_jar == Path("/opt/connector.jar")


@pytest.mark.parametrize(
    "argv",
    [
        [],  # no bootstrap servers anywhere
        ["--bootstrap-servers", "k:1", "--window", "1500ms"],
        ["--bootstrap-servers", "k:1", "--max-out-of-orderness", "500ms"],
        ["--bootstrap-servers", "k:1", "--checkpoint-interval", "0"],
        ["--bootstrap-servers", "k:1", "--starting-offsets", "yesterday"],
        ["--bootstrap-servers", "k:1", "--parallelism", "0"],
        ["--bootstrap-servers", "k:1", "--window", "soon"],
    ],
)
def test_invalid_settings_stop_before_flink_starts(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        parse_city_order_metrics_args(argv, {})
    assert exit_info.value.code == 2


@pytest.mark.parametrize("text", ["earliest", "LATEST", "group-offsets", "timestamp:0"])
def test_starting_offsets_round_trip(text: str) -> None:
    assert str(StartingOffsets.parse(text)) == text.lower()


def test_settings_validate_themselves() -> None:
    with pytest.raises(ValueError, match="whole number of seconds"):
        CityOrderMetricsSettings(bootstrap_servers="k:1", window_ms=90_500)
