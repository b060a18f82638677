"""Creates the registry's topics (contracts/topics.py) with their partition counts."""

from __future__ import annotations

from collections.abc import Iterable

from kafka import KafkaAdminClient
from kafka.admin import NewPartitions, NewTopic

from contracts.topics import Topic


def ensure_topics(bootstrap: str, topics: Iterable[Topic]) -> list[str]:
    """Create missing topics and grow short ones; returns the names it created."""
    wanted = {t.name: t for t in topics}
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="tiffin-topics")
    try:
        existing = set(admin.list_topics())
        missing = [
            NewTopic(name=t.name, num_partitions=t.partitions, replication_factor=1)
            for name, t in wanted.items()
            if name not in existing
        ]
        if missing:
            admin.create_topics(missing)
        present = [name for name in wanted if name in existing]
        if present:
            grow = {}
            for description in admin.describe_topics(present):
                topic = wanted[description["name"]]
                if len(description["partitions"]) < topic.partitions:
                    grow[topic.name] = NewPartitions(total_count=topic.partitions)
            if grow:
                admin.create_partitions(grow)
        return [t.name for t in missing]
    finally:
        admin.close()
