"""The consumer framework's offset bookkeeping after a failure (pure; the whole loop runs
against real Kafka in tests/integration/serving/kernel/test_idempotent_consumer_framework.py)."""

from __future__ import annotations

from serving.kernel.messaging.consumer import rewind_positions
from serving.kernel.messaging.processed_events import poison_event_id


def test_a_failing_record_rewinds_to_itself_and_to_the_partitions_not_reached() -> None:
    # p0 polled 10..12, 10 done, 11 failed; p1 polled 7..7, never reached.
    assert rewind_positions({"p0": (10, 12), "p1": (7, 7)}, {"p0": 11}) == {"p0": 11, "p1": 7}


def test_a_partition_finished_in_full_needs_no_rewind() -> None:
    # p1 ran to its end before p0's first record failed.
    assert rewind_positions({"p0": (10, 12), "p1": (7, 8)}, {"p1": 9}) == {"p0": 10}


def test_a_failure_on_the_first_record_rewinds_everything_polled() -> None:
    assert rewind_positions({"p0": (0, 4), "p1": (3, 3)}, {}) == {"p0": 0, "p1": 3}


def test_a_poison_record_is_recorded_under_an_id_fixed_by_its_place_in_the_log() -> None:
    assert poison_event_id("orders.v1", 0, 5) == poison_event_id("orders.v1", 0, 5)
    assert poison_event_id("orders.v1", 0, 5) != poison_event_id("orders.v1", 1, 5)
    assert poison_event_id("orders.v1", 0, 5) != poison_event_id("orders.v1", 0, 6)
