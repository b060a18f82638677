import pytest

from serving.kernel.messaging.backoff import ExponentialBackoff
from serving.kernel.messaging.kafka_producer import producer_config


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
    assert config["max_in_flight_requests_per_connection"] == 1


def test_every_producer_wait_is_bounded_by_the_timeout() -> None:
    config = producer_config("k:9092", "relay", timeout_ms=4000)
    assert config["max_block_ms"] == config["delivery_timeout_ms"] == config["bootstrap_timeout_ms"] == 4000
    assert config["delivery_timeout_ms"] >= config["request_timeout_ms"] + config["linger_ms"]


def test_the_relay_producer_config_only_uses_options_kafka_python_knows() -> None:
    from kafka import KafkaProducer

    assert set(producer_config("k:9092", "relay", 4000)) <= set(KafkaProducer.DEFAULT_CONFIG)
