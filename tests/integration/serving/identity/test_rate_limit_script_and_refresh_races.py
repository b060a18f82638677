import threading
import uuid
from collections.abc import Callable

import pytest
import redis
from fastapi.testclient import TestClient

from ops.stack.config import StackConfig
from serving.kernel.gateway.token_bucket import LUA_TAKE
from tests.utils.people import User

pytestmark = pytest.mark.stack


def test_the_lua_script_takes_from_all_buckets_or_none_like_the_pure_reference(stack: StackConfig) -> None:
    client = redis.Redis.from_url(stack.redis_url)
    ip, user = f"test:rl:{uuid.uuid4().hex}:ip", f"test:rl:{uuid.uuid4().hex}:user"
    # capacity 5 / 0.001 per s for the IP, 2 / 0.001 per s for the user: no refill within the test
    args = [5, 0.001, 2, 0.001]
    try:
        waits = [int(client.eval(LUA_TAKE, 2, ip, user, *args)) for _ in range(3)]
        assert waits[:2] == [0, 0] and waits[2] > 0
        assert waits[2] == pytest.approx(1_000_000, rel=0.01)  # one token at 0.001/s = 1000 s
        # The refused request did not cost the IP bucket a token: 3 left of 5.
        assert float(client.hget(ip, "tokens") or 0) == pytest.approx(3, abs=0.01)
        assert float(client.hget(user, "tokens") or 0) == pytest.approx(0, abs=0.01)
        assert 0 < client.pttl(ip) <= 5_000_000 + 1000
    finally:
        client.delete(ip, user)
        client.close()


def test_two_refreshes_racing_with_one_token_never_both_succeed(
    client: TestClient, new_user: Callable[..., User]
) -> None:
    user = new_user()
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def spend() -> None:
        barrier.wait()
        statuses.append(client.post("/api/v1/auth/refresh", json={"refresh_token": user.refresh_token}).status_code)

    threads = [threading.Thread(target=spend) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(statuses) == [200, 401]
