import socket
from pathlib import Path

import pytest
import redis
from kafka import KafkaAdminClient

from contracts.topics import ALL_TOPICS
from ops.stack.config import StackConfig
from ops.stack.manager import LocalStack
from ops.stack.process import StackError
from ops.stack.redis import Redis

pytestmark = pytest.mark.stack


def test_every_component_answers_and_the_registry_topics_exist(stack: StackConfig) -> None:
    statuses = LocalStack(stack).status()
    assert [s.name for s in statuses] == ["postgres", "redis", "kafka"]
    assert all(s.ready for s in statuses)
    admin = KafkaAdminClient(bootstrap_servers=stack.kafka_bootstrap)
    try:
        described = {d["name"]: len(d["partitions"]) for d in admin.describe_topics([t.name for t in ALL_TOPICS])}
    finally:
        admin.close()
    assert described == {t.name: t.partitions for t in ALL_TOPICS}


def test_up_is_idempotent_and_keeps_the_same_processes(stack: StackConfig) -> None:
    local = LocalStack(stack)
    before = {s.name: s.pid for s in local.status()}
    after = {s.name: s.pid for s in local.up()}
    assert before == after


def test_a_taken_port_is_reported_with_the_port(stack: StackConfig, tmp_path: Path) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        config = StackConfig(root=tmp_path, redis_port=port)
        with pytest.raises(StackError, match=f"port {port} is taken"):
            Redis(config).start()


def test_down_leaves_alone_a_server_the_stack_did_not_start(stack: StackConfig, tmp_path: Path) -> None:
    foreign = StackConfig(root=tmp_path / "other", redis_port=stack.redis_port)
    assert Redis(foreign).stop() is False
    assert redis.Redis.from_url(stack.redis_url).ping()
