"""Outbox relay throughput, compared with Kafka's own ProducerPerformance in the same run.

    .venv/bin/python -m bench.outbox_relay --rows 20000

Three measurements, each publishing the same number of records to a fresh 3-partition
topic on the same broker with the same producer settings (acks=all, idempotence, and
the relay's ``ProducerTuning``: batch size, in-flight requests, linger, compression):

1. the relay: PostgreSQL (claiming a batch and stamping it in one statement, committing
   after the acks) plus kafka-python;
2. kafka-python alone: the same messages, the same producer, the same sends per flush,
   no database: the ceiling of the Python client on this machine;
3. ProducerPerformance, Kafka's JVM tool from the same jars, records of the same size.

The ratio relay / ProducerPerformance is the figure to compare between runs; relay /
kafka-python says how much the database and the relay's own work cost. Absolute
numbers drift with the machine; the load average before and after is recorded.
"""

from __future__ import annotations

import argparse
import os
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
from serving.kernel.messaging.kafka_producer import ProducerTuning, kafka_producer_factory, producer_config
from serving.kernel.messaging.outbox_message import KafkaMessage, OutboxRecord, kafka_message
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


def seed_outbox(engine: sa.Engine, topic: str, rows: list[EventEnvelope]) -> list[KafkaMessage]:
    """Insert the rows; returns the Kafka messages the relay will make of them (read
    back as the relay reads them, so the sizes are the relay's)."""
    values = [{**outbox_row(envelope), "topic": topic} for envelope in rows]
    with engine.begin() as connection:
        for start in range(0, len(values), 2000):
            connection.execute(sa.insert(outbox), values[start : start + 2000])
        stored = connection.execute(
            sa.select(
                outbox.c.event_id, outbox.c.message_key, outbox.c.event_type, sa.cast(outbox.c.payload, sa.Text)
            ).order_by(outbox.c.id)
        ).all()
    return [kafka_message(OutboxRecord(0, str(row[0]), topic, row[1], row[2], row[3])) for row in stored]


def kafka_python_alone(
    bootstrap: str, topic: str, messages: list[KafkaMessage], per_flush: int, tuning: ProducerTuning
) -> float:
    """Records/s of kafka-python publishing ``messages`` as the relay does (same
    producer settings, ``per_flush`` sends then flush and every ack), no database."""
    from kafka import KafkaProducer

    producer = KafkaProducer(**producer_config(bootstrap, "bench-kafka-python", 60_000, tuning))
    try:
        producer.send(topic, value=b"warm-up", key=b"warm-up").get(timeout=30)  # metadata and connection
        started = time.perf_counter()
        for start in range(0, len(messages), per_flush):
            futures = [
                producer.send(m.topic, value=m.value, key=m.key, headers=list(m.headers))
                for m in messages[start : start + per_flush]
            ]
            producer.flush(timeout=60)
            for future in futures:
                future.get(timeout=60)
        return len(messages) / (time.perf_counter() - started)
    finally:
        producer.close(timeout=10)


def producer_performance(
    kafka_lib: str, bootstrap: str, topic: str, records: int, size: int, tuning: ProducerTuning
) -> dict[str, float]:
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
        *tuning.java_properties(),
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    match = PERF_LINE.findall(output)[-1]
    return {
        "records": int(match[0]),
        "records_per_second": float(match[1]),
        "mb_per_second": float(match[2]),
        "avg_latency_ms": float(match[3]),
    }


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def main() -> None:
    defaults = ServingSettings.of()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--batch-size", type=int, default=defaults.outbox_batch_size, help="relay rows per transaction")
    parser.add_argument("--batch-bytes", type=int, default=defaults.kafka_producer_batch_bytes)
    parser.add_argument("--in-flight", type=int, default=defaults.kafka_producer_max_in_flight)
    parser.add_argument("--linger-ms", type=int, default=defaults.kafka_producer_linger_ms)
    parser.add_argument("--compression", choices=["none", "gzip"], default=defaults.kafka_producer_compression)
    parser.add_argument("--save-as", default="outbox_relay", help="bench/results/<name>.json")
    args = parser.parse_args()
    tuning = ProducerTuning(args.batch_bytes, args.in_flight, args.linger_ms, args.compression)

    config = running_stack()
    database = scratch_database(config, "bench_relay")
    topics = [scratch_topic(config, name) for name in ("relay", "kafka-python", "perf")]
    relay_topic, alone_topic, perf_topic = topics
    load_before = load_average()
    try:
        url = config.postgres_url_for(database)
        migrate(url)
        engine = create_engine(url)
        events = envelopes(engine, args.rows)
        messages = seed_outbox(engine, relay_topic, events)
        record_size = round(sum(len(m.value) for m in messages) / len(messages))
        settings = ServingSettings.of(
            database_url=url,
            kafka_bootstrap=config.kafka_bootstrap,
            outbox_batch_size=args.batch_size,
            kafka_producer_batch_bytes=tuning.batch_bytes,
            kafka_producer_max_in_flight=tuning.max_in_flight,
            kafka_producer_linger_ms=tuning.linger_ms,
            kafka_producer_compression=tuning.compression,
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
        load_after_relay = load_average()

        alone_messages = [KafkaMessage(alone_topic, m.key, m.value, m.headers) for m in messages]
        alone_rate = kafka_python_alone(config.kafka_bootstrap, alone_topic, alone_messages, args.batch_size, tuning)

        perf = producer_performance(
            str(config.kafka_lib_dir), config.kafka_bootstrap, perf_topic, args.rows, record_size, tuning
        )
        result = {
            "rows": args.rows,
            "record_size_bytes": record_size,
            "relay_batch_size": args.batch_size,
            "producer_tuning": {
                "batch_bytes": tuning.batch_bytes,
                "max_in_flight": tuning.max_in_flight,
                "linger_ms": tuning.linger_ms,
                "compression": tuning.compression,
                "java_properties": tuning.java_properties(),
            },
            "relay_records_per_second": round(relay_rate),
            "relay_seconds": round(relay_seconds, 2),
            "kafka_python_alone_records_per_second": round(alone_rate),
            "producer_performance": perf,
            "ratio_relay_to_producer_performance": round(relay_rate / perf["records_per_second"], 3),
            "ratio_relay_to_kafka_python_alone": round(relay_rate / alone_rate, 3),
            "ratio_kafka_python_alone_to_producer_performance": round(alone_rate / perf["records_per_second"], 3),
            "load_average_1_5_15": {"before": load_before, "after_relay": load_after_relay, "after": load_average()},
        }
        path = save_result(args.save_as, result)
        print(f"relay: {relay_rate:,.0f} rows/s ({published} rows of ~{record_size} B in {relay_seconds:.2f}s)")
        print(f"kafka-python alone: {alone_rate:,.0f} records/s, same messages and producer settings")
        print(f"ProducerPerformance: {perf['records_per_second']:,.0f} records/s, same size and producer settings")
        print(
            f"ratio relay/ProducerPerformance = {result['ratio_relay_to_producer_performance']}, "
            f"relay/kafka-python = {result['ratio_relay_to_kafka_python_alone']}, "
            f"kafka-python/ProducerPerformance = {result['ratio_kafka_python_alone_to_producer_performance']}"
        )
        print(f"load average {load_before} -> {result['load_average_1_5_15']['after']}  ({path})")
        engine.dispose()
    finally:
        drop_topics(config, topics)
        drop_database(config, database)


if __name__ == "__main__":
    main()
