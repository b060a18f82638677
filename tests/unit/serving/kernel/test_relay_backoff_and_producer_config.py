import pytest

from serving.kernel.messaging.backoff import ExponentialBackoff
from serving.kernel.messaging.kafka_producer import ProducerTuning, producer_config
from serving.settings import ServingSettings


def test_backoff_doubles_until_the_cap_and_restarts_after_a_success() -> None:
    backoff = ExponentialBackoff(initial=0.5, factor=2, cap=3, jitter=0)
    assert [backoff.next_delay() for _ in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    backoff.reset()
    assert backoff.next_delay() == 0.5


def test_jitter_only_ever_shortens_a_delay() -> None:
    backoff = ExponentialBackoff(initial=1, factor=2, cap=10, jitter=0.5, random_fraction=lambda: 1.0)
    assert backoff.next_delay() == 0.5


def test_a_days_long_outage_does_not_overflow_the_delay() -> None:
    backoff = ExponentialBackoff(initial=0.1, cap=30, jitter=0)
    delays = [backoff.next_delay() for _ in range(5000)]
    assert max(delays) == 30


def test_nonsense_backoff_parameters_are_refused() -> None:
    with pytest.raises(ValueError):
        ExponentialBackoff(initial=5, cap=1)


def test_the_relay_producer_waits_for_all_replicas_and_keeps_order() -> None:
    config = producer_config("127.0.0.1:1,127.0.0.1:2", "relay", timeout_ms=4000)
    assert config["bootstrap_servers"] == ["127.0.0.1:1", "127.0.0.1:2"]
    assert config["acks"] == "all"
    assert config["enable_idempotence"] is True
    # Idempotence keeps each partition in send order with up to 5 requests in flight.
    assert 1 <= config["max_in_flight_requests_per_connection"] <= 5


def test_every_producer_wait_is_bounded_by_the_timeout() -> None:
    config = producer_config("k:9092", "relay", timeout_ms=4000)
    assert config["max_block_ms"] == config["delivery_timeout_ms"] == config["bootstrap_timeout_ms"] == 4000
    assert config["delivery_timeout_ms"] >= config["request_timeout_ms"] + config["linger_ms"]


def test_the_relay_producer_config_only_uses_options_kafka_python_knows() -> None:
    from kafka import KafkaProducer

    assert set(producer_config("k:9092", "relay", 4000)) <= set(KafkaProducer.DEFAULT_CONFIG)


def test_the_producer_tuning_comes_from_settings_and_reaches_kafka_python() -> None:
    settings = ServingSettings.of(
        kafka_producer_batch_bytes=300_000,
        kafka_producer_max_in_flight=2,
        kafka_producer_linger_ms=7,
        kafka_producer_compression="gzip",
    )
    config = producer_config("k:9092", "relay", 4000, ProducerTuning.of(settings))
    assert config["batch_size"] == 300_000
    assert config["max_in_flight_requests_per_connection"] == 2
    assert config["linger_ms"] == 7
    assert config["compression_type"] == "gzip"
    assert config["max_request_size"] >= config["batch_size"]


def test_producer_performance_gets_the_same_settings_as_the_relay() -> None:
    tuning = ProducerTuning(batch_bytes=300_000, max_in_flight=3, linger_ms=7, compression="none")
    config = producer_config("k:9092", "relay", 4000, tuning)
    java = dict(line.split("=", 1) for line in tuning.java_properties())
    assert java["acks"] == config["acks"] and java["enable.idempotence"] == "true"
    assert int(java["batch.size"]) == config["batch_size"]
    assert int(java["max.in.flight.requests.per.connection"]) == config["max_in_flight_requests_per_connection"]
    assert int(java["linger.ms"]) == config["linger_ms"]
    assert int(java["max.request.size"]) == config["max_request_size"]
    assert java["compression.type"] == "none" and config["compression_type"] is None


@pytest.mark.parametrize(
    "tuning", [{"max_in_flight": 6}, {"max_in_flight": 0}, {"batch_bytes": 2_000_000}, {"linger_ms": -1}]
)
def test_producer_tuning_that_would_break_order_or_the_broker_is_refused(tuning: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        ProducerTuning(**tuning)  # type: ignore[arg-type]


def test_kafka_python_checksums_record_batches_in_c() -> None:
    # Without the crc32c package kafka-python falls back to a pure-Python CRC-32C,
    # which costs the relay more than the rest of its producer work.
    from kafka.record import util

    assert util.crc32c_c is not None
