"""Throw-away Kafka topics, for records no other test's consumer expects."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from kafka import KafkaAdminClient
from kafka.admin import NewTopic


@contextmanager
def temporary_topic(bootstrap: str, prefix: str, partitions: int = 1) -> Iterator[str]:
    """A new topic ``<prefix>.<random>``, deleted afterwards; yields its name."""
    name = f"{prefix}.{uuid.uuid4().hex[:10]}"
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="tiffin-tests")
    try:
        admin.create_topics([NewTopic(name=name, num_partitions=partitions, replication_factor=1)])
        yield name
    finally:
        try:
            admin.delete_topics([name])
        except Exception:  # the broker may be mid-restart; the topic is harmless
            pass
        admin.close()
