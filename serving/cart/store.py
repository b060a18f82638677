"""Carts in Redis: one JSON value per customer, ``tiffin:cart:v1:{customer_id}``, with a TTL.

Every write renews the TTL, so an abandoned cart disappears by itself. Writes are
optimistic (WATCH/MULTI): two tabs editing one cart never lose an update silently;
the loser re-reads and retries, with jittered backoff, for as long as others keep
winning (each round someone commits, so a burst of edits drains). Only a failing
Redis is CartUnavailable; a cart that never held still for the whole budget is CartBusy.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import redis
from redis.backoff import EqualJitterBackoff
from redis.retry import Retry

from serving.cart.domain import Cart

PREFIX = "tiffin:cart:v1:"
# Up to ~1.5 s of retries (2 ms doubling to 50 ms, half jittered): far more than one
# customer's own burst of parallel edits needs.
_WATCH_RETRIES = 40
_BACKOFF = EqualJitterBackoff(cap=0.05, base=0.002)


class CartUnavailable(Exception):
    """Redis cannot be reached (a 503): carts live nowhere else."""


class CartBusy(Exception):
    """Other writes to the cart kept winning for the whole retry budget (a 409: retry)."""


def cart_key(customer_id: str) -> str:
    return PREFIX + customer_id


def _decode(raw: bytes | None) -> Cart:
    if raw is None:
        return Cart()
    data = json.loads(raw)
    return Cart(data["restaurant_id"], {str(k): int(v) for k, v in data["items"]})


def _encode(cart: Cart) -> str:
    return json.dumps({"restaurant_id": cart.restaurant_id, "items": list(cart.items.items())})


class CartStore:
    def __init__(self, client: redis.Redis[bytes], ttl_seconds: int) -> None:
        self._redis = client
        self._ttl = ttl_seconds

    def load(self, customer_id: str) -> Cart:
        try:
            raw = self._redis.get(cart_key(customer_id))
        except redis.RedisError as exc:
            raise CartUnavailable(str(exc)) from exc
        return _decode(raw if isinstance(raw, bytes) else None)

    def update(self, customer_id: str, change: Callable[[Cart], Cart | None]) -> Cart | None:
        """Apply ``change`` to the stored cart atomically; None (nothing written) if it returns None.

        ``change`` may raise (a cart rule): nothing is written then either.
        """
        key = cart_key(customer_id)

        def attempt() -> Cart | None:
            with self._redis.pipeline() as pipe:
                pipe.watch(key)
                raw = pipe.get(key)
                changed = change(_decode(raw if isinstance(raw, bytes) else None))
                if changed is None:
                    return None
                pipe.multi()
                if changed.empty:
                    pipe.delete(key)
                else:
                    pipe.set(key, _encode(changed), ex=self._ttl)
                pipe.execute()  # WatchError if someone else wrote the cart meanwhile
                return changed

        # Only a lost WATCH is retried here; a Redis failure is not contention.
        retry = Retry(_BACKOFF, _WATCH_RETRIES, supported_errors=(redis.WatchError,))
        try:
            return retry.call_with_retry(attempt, lambda _error: None)
        except redis.WatchError as exc:  # a RedisError too: caught first
            raise CartBusy("the cart kept changing under this request") from exc
        except redis.RedisError as exc:
            raise CartUnavailable(str(exc)) from exc

    def clear(self, customer_id: str) -> None:
        try:
            self._redis.delete(cart_key(customer_id))
        except redis.RedisError as exc:
            raise CartUnavailable(str(exc)) from exc
