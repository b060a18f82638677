"""Settings of the streaming jobs: command-line flags with TIFFIN_ environment fallbacks.

Pure Python (no pyflink), so the main environment can test it and the launcher can
check arguments before it spends fifteen seconds starting a JVM.
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from contracts.topics import CITY_ORDER_METRICS, ORDERS
from streaming.paths import default_connector_jar

_DURATION = re.compile(r"^\s*(\d+)\s*(ms|s|sec|min|m|h)?\s*$")
_UNIT_MS = {"ms": 1, "s": 1000, "sec": 1000, "min": 60_000, "m": 60_000, "h": 3_600_000}
STARTING_OFFSET_MODES = ("earliest", "latest", "group-offsets")
# The job logs this line once Flink accepted it; the launcher's readiness check parses it.
JOB_SUBMITTED_LOG = "tiffin streaming job submitted: name={name} job_id={job_id}"
DEFAULT_GROUP_ID = "tiffin.streaming.city-order-metrics"
DEFAULT_JOB_NAME = "tiffin-city-order-metrics"


def parse_duration_ms(text: str) -> int:
    """'60s', '500ms', '1min', '2m', '1h'; a bare number is seconds."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"not a duration: {text!r} (use e.g. 500ms, 10s, 1min, 1h)")
    return int(match.group(1)) * _UNIT_MS[match.group(2) or "s"]


@dataclass(frozen=True)
class StartingOffsets:
    """Where the source starts when the job has no state: a mode, or a record timestamp."""

    mode: str  # earliest | latest | group-offsets | timestamp
    timestamp_ms: int | None = None

    @classmethod
    def parse(cls, text: str) -> StartingOffsets:
        value = text.strip().lower()
        if value in STARTING_OFFSET_MODES:
            return cls(value)
        if value.startswith("timestamp:"):
            millis = value.removeprefix("timestamp:")
            if millis.isdigit():
                return cls("timestamp", int(millis))
        raise ValueError(
            f"starting offsets must be one of {', '.join(STARTING_OFFSET_MODES)} or timestamp:<epoch ms>, got {text!r}"
        )

    def __str__(self) -> str:
        return f"timestamp:{self.timestamp_ms}" if self.mode == "timestamp" else self.mode


@dataclass(frozen=True)
class CityOrderMetricsSettings:
    bootstrap_servers: str
    source_topic: str = ORDERS.name
    sink_topic: str = CITY_ORDER_METRICS.name
    group_id: str = DEFAULT_GROUP_ID
    window_ms: int = 60_000
    max_out_of_orderness_ms: int = 5_000
    idle_timeout_ms: int = 10_000
    starting_offsets: StartingOffsets = StartingOffsets("group-offsets")
    checkpoint_interval_ms: int = 5_000
    parallelism: int = 1
    job_name: str = DEFAULT_JOB_NAME
    connector_jar: Path | None = None

    def __post_init__(self) -> None:
        problems = []
        if not self.bootstrap_servers:
            problems.append("bootstrap servers are required (--bootstrap-servers or TIFFIN_KAFKA_BOOTSTRAP)")
        if self.window_ms < 1000 or self.window_ms % 1000:
            problems.append(f"window must be a whole number of seconds, got {self.window_ms} ms")
        if self.max_out_of_orderness_ms < 0 or self.max_out_of_orderness_ms % 1000:
            problems.append(
                f"max out-of-orderness must be a whole number of seconds >= 0, got {self.max_out_of_orderness_ms} ms"
            )
        if self.idle_timeout_ms < 0:
            problems.append(f"idle timeout must be >= 0 (0 disables), got {self.idle_timeout_ms} ms")
        if self.checkpoint_interval_ms <= 0:
            problems.append(
                "checkpointing is what makes delivery at-least-once: the interval must be > 0, "
                f"got {self.checkpoint_interval_ms} ms"
            )
        if self.parallelism < 1:
            problems.append(f"parallelism must be >= 1, got {self.parallelism}")
        if problems:
            raise ValueError("; ".join(problems))


ENV_PREFIX = "TIFFIN_CITY_ORDER_METRICS_"


def city_order_metrics_parser(environ: Mapping[str, str]) -> argparse.ArgumentParser:
    def env(name: str, default: str) -> str:
        return environ.get(ENV_PREFIX + name, default)

    parser = argparse.ArgumentParser(
        prog="python -m streaming.jobs.city_order_metrics",
        description=(
            "Per-city order count and GMV per event-time window, from the orders topic to "
            f"the metrics topic. Every flag also reads {ENV_PREFIX}<FLAG> from the environment."
        ),
    )
    parser.add_argument(
        "--bootstrap-servers",
        default=environ.get(ENV_PREFIX + "BOOTSTRAP_SERVERS", environ.get("TIFFIN_KAFKA_BOOTSTRAP", "")),
        help="Kafka bootstrap servers (default: TIFFIN_KAFKA_BOOTSTRAP)",
    )
    parser.add_argument("--source-topic", default=env("SOURCE_TOPIC", ORDERS.name))
    parser.add_argument("--sink-topic", default=env("SINK_TOPIC", CITY_ORDER_METRICS.name))
    parser.add_argument("--group-id", default=env("GROUP_ID", DEFAULT_GROUP_ID))
    parser.add_argument("--window", default=env("WINDOW", "60s"), help="tumbling window size (60s)")
    parser.add_argument(
        "--max-out-of-orderness",
        default=env("MAX_OUT_OF_ORDERNESS", "5s"),
        help="how far behind the newest event time an event may arrive and still count (5s)",
    )
    parser.add_argument(
        "--idle-timeout",
        default=env("IDLE_TIMEOUT", "10s"),
        help="a partition without records this long stops holding the watermark back (10s; 0 = never)",
    )
    parser.add_argument(
        "--starting-offsets",
        default=env("STARTING_OFFSETS", "group-offsets"),
        help="earliest | latest | group-offsets (committed, else earliest) | timestamp:<epoch ms>",
    )
    parser.add_argument("--checkpoint-interval", default=env("CHECKPOINT_INTERVAL", "5s"))
    parser.add_argument("--parallelism", type=int, default=int(env("PARALLELISM", "1")))
    parser.add_argument("--job-name", default=env("JOB_NAME", DEFAULT_JOB_NAME))
    parser.add_argument(
        "--connector-jar",
        default=env("CONNECTOR_JAR", str(default_connector_jar())),
        help="flink-sql-connector-kafka jar (default: TIFFIN_FLINK_CONNECTOR_JAR or .cache/jars/flink)",
    )
    parser.add_argument("--explain", action="store_true", help="print the optimised plan and exit without running")
    return parser


def parse_city_order_metrics_args(
    argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None
) -> tuple[CityOrderMetricsSettings, argparse.Namespace]:
    """Settings from flags, then TIFFIN_ variables, then defaults. Exits (code 2) when invalid."""
    environ = os.environ if environ is None else environ
    parser = city_order_metrics_parser(environ)
    args = parser.parse_args(argv)
    try:
        settings = CityOrderMetricsSettings(
            bootstrap_servers=args.bootstrap_servers,
            source_topic=args.source_topic,
            sink_topic=args.sink_topic,
            group_id=args.group_id,
            window_ms=parse_duration_ms(args.window),
            max_out_of_orderness_ms=parse_duration_ms(args.max_out_of_orderness),
            idle_timeout_ms=parse_duration_ms(args.idle_timeout),
            starting_offsets=StartingOffsets.parse(args.starting_offsets),
            checkpoint_interval_ms=parse_duration_ms(args.checkpoint_interval),
            parallelism=args.parallelism,
            job_name=args.job_name,
            connector_jar=Path(args.connector_jar) if args.connector_jar else None,
        )
    except ValueError as exc:
        parser.error(str(exc))
    return settings, args
