"""Outbox relay throughput, compared with Kafka's own ProducerPerformance in the same run.

    .venv/bin/python -m bench.outbox_relay --rows 20000

Both sides publish the same number of records of the same size to a fresh
3-partition topic on the same broker with the same producer guarantees
(acks=all, idempotence, one request in flight, linger 5 ms). The relay's number
includes its PostgreSQL work: locking a batch, reading it, and marking it
published in the same transaction. The ratio relay / ProducerPerformance is the
figure to compare between runs; absolute numbers drift with the machine.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import time
from datetime import UTC, datetime
from itertools import islice

import sqlalchemy as sa

from bench.common import (
    drop_database,
    drop_topics,
    running_stack,
    save_result,
    scratch_database,
    scratch_topic,
)
from contracts.envelope import EventEnvelope
from ops.seeded_catalogue import open_seeded_catalogue
from serving.kernel.db import create_engine
from serving.kernel.messaging.kafka_producer import kafka_producer_factory
from serving.kernel.messaging.outbox_message import OutboxRecord, kafka_message
from serving.kernel.messaging.outbox_writer import outbox_row
from serving.kernel.messaging.relay import OutboxRelay
from serving.kernel.messaging.running import drain
from serving.migrations.registry import migrate
from serving.orders.adapters.tables import outbox
from serving.orders.bootstrap import catalog_pricing
from serving.orders.domain.events import order_placed_envelope
from serving.orders.entrypoints.schemas import PlaceOrderRequest
from serving.orders.settings import OrderSettings
from serving.orders.use_cases.placement import build_order
from serving.settings import ServingSettings
from simulation.order_requests import order_requests

PERF_LINE = re.compile(r"(\d+) records sent, ([\d.]+) records/sec \(([\d.]+) MB/sec\), ([\d.]+) ms avg latency")


def envelopes(engine: sa.Engine, count: int) -> list[EventEnvelope]:
    """Real OrderPlaced envelopes: orders of the seeded restaurants, priced and built by the
    orders service's own code (default tariff and rates, no surge), nothing stored."""
    catalogue = open_seeded_catalogue(engine)
    pricing = catalog_pricing(OrderSettings(), redis=None)
    now = datetime.now(UTC)
    with engine.connect() as connection:
        return [
            order_placed_envelope(
                build_order(connection, PlaceOrderRequest.model_validate(body).to_placement(), f"bench-{i % 50}",
                            pricing, now)
            )
            for i, body in enumerate(islice(order_requests(catalogue, seed=11), count))
        ]  # fmt: skip


def seed_outbox(engine: sa.Engine, topic: str, rows: list[EventEnvelope]) -> int:
    """Insert the rows; returns the mean Kafka value size in bytes."""
    values = [{**outbox_row(envelope), "topic": topic} for envelope in rows]
    with engine.begin() as connection:
        for start in range(0, len(values), 2000):
            connection.execute(sa.insert(outbox), values[start : start + 2000])
    sizes = [
        len(
            kafka_message(
                OutboxRecord(0, str(v["event_id"]), topic, v["message_key"], v["event_type"], v["payload"])
            ).value
        )
        for v in values
    ]
    return round(sum(sizes) / len(sizes))


def producer_performance(kafka_lib: str, bootstrap: str, topic: str, records: int, size: int) -> dict[str, float]:
    command = [
        "java",
        "-Xmx512m",
        "-cp",
        f"{kafka_lib}/*",
        "org.apache.kafka.tools.ProducerPerformance",
        "--topic",
        topic,
        "--num-records",
        str(records),
        "--record-size",
        str(size),
        "--throughput",
        "-1",
        "--producer-props",
        f"bootstrap.servers={bootstrap}",
        "acks=all",
        "enable.idempotence=true",
        "max.in.flight.requests.per.connection=1",
        "linger.ms=5",
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    match = PERF_LINE.findall(output)[-1]
    return {
        "records": int(match[0]),
        "records_per_second": float(match[1]),
        "mb_per_second": float(match[2]),
        "avg_latency_ms": float(match[3]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args()

    config = running_stack()
    database = scratch_database(config, "bench_relay")
    relay_topic = scratch_topic(config, "relay")
    perf_topic = scratch_topic(config, "perf")
    try:
        url = config.postgres_url_for(database)
        migrate(url)
        engine = create_engine(url)
        record_size = seed_outbox(engine, relay_topic, envelopes(engine, args.rows))
        settings = ServingSettings.of(
            database_url=url, kafka_bootstrap=config.kafka_bootstrap, outbox_batch_size=args.batch_size
        )
        relay = OutboxRelay(
            engine, kafka_producer_factory(settings), args.batch_size, outbox=outbox, publish_timeout_seconds=60
        )
        started = time.perf_counter()
        published = drain(relay)
        relay_seconds = time.perf_counter() - started
        relay.close()
        assert published == args.rows, f"relayed {published} of {args.rows}"
        relay_rate = published / relay_seconds

        perf = producer_performance(
            str(config.kafka_lib_dir), config.kafka_bootstrap, perf_topic, args.rows, record_size
        )
        result = {
            "rows": args.rows,
            "record_size_bytes": record_size,
            "relay_batch_size": args.batch_size,
            "relay_records_per_second": round(relay_rate),
            "relay_seconds": round(relay_seconds, 2),
            "producer_performance": perf,
            "ratio_relay_to_producer_performance": round(relay_rate / perf["records_per_second"], 3),
        }
        path = save_result("outbox_relay", result)
        print(f"relay: {relay_rate:,.0f} rows/s ({published} rows of ~{record_size} B in {relay_seconds:.2f}s)")
        print(f"ProducerPerformance: {perf['records_per_second']:,.0f} records/s, same size and acks")
        print(f"ratio relay/ProducerPerformance = {result['ratio_relay_to_producer_performance']}  ({path})")
        engine.dispose()
    finally:
        drop_topics(config, [relay_topic, perf_topic])
        drop_database(config, database)


if __name__ == "__main__":
    main()
