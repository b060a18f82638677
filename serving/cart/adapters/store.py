"""Carts in Redis: one JSON value per customer, ``tiffin:cart:v1:{customer_id}``, with a TTL.

Every write renews the TTL, so an abandoned cart disappears by itself. Writes are
optimistic (WATCH/MULTI): two tabs editing one cart never lose an update silently;
the loser re-reads and retries, with jittered backoff, for as long as others keep
winning (each round someone commits, so a burst of edits drains). Only a failing
Redis is CartUnavailable; a cart that never held still for the whole budget is CartBusy.

A checkout first claims the cart (``tiffin:cart-checkout:v1:{customer_id}`` holds its
Idempotency-Key): while claimed, other checkouts and edits are refused, so one cart
becomes at most one order. The claim is let go when the checkout ends: as an empty
cart that remembers the order, or untouched if the order was refused. Its TTL frees
the cart of a checkout that died half-way.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import cast

import redis
from redis.backoff import EqualJitterBackoff
from redis.retry import Retry

from serving.cart.domain import Cart

PREFIX = "tiffin:cart:v1:"
CHECKOUT_PREFIX = "tiffin:cart-checkout:v1:"
# Far longer than a placement takes (one transaction); only a crashed checkout waits it out.
CHECKOUT_CLAIM_SECONDS = 30
# Up to ~1.5 s of retries (2 ms doubling to 50 ms, half jittered): far more than one
# customer's own burst of parallel edits needs.
_WATCH_RETRIES = 40
_BACKOFF = EqualJitterBackoff(cap=0.05, base=0.002)

# KEYS: cart, claim. ARGV: Idempotency-Key, claim seconds. {0} if another key holds
# the claim, else {1, the cart or nil}: the cart read under the claim cannot change.
_CLAIM = """
local holder = redis.call('GET', KEYS[2])
if holder and holder ~= ARGV[1] then
  return {0}
end
redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[2])
return {1, redis.call('GET', KEYS[1])}
"""
# KEYS: cart, claim. ARGV: Idempotency-Key, the cart to leave ('' = leave it as it is),
# cart TTL. The claim is dropped only if it is still this key's.
_RELEASE = """
if ARGV[2] ~= '' then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
end
if redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('DEL', KEYS[2])
end
return 1
"""


class CartUnavailable(Exception):
    """Redis cannot be reached (a 503): carts live nowhere else."""


class CartBusy(Exception):
    """Other writes to the cart kept winning for the whole retry budget (a 409: retry)."""


class CheckoutInProgress(Exception):
    """Another checkout (another Idempotency-Key) holds the cart (a 409)."""


def cart_key(customer_id: str) -> str:
    return PREFIX + customer_id


def checkout_claim_key(customer_id: str) -> str:
    return CHECKOUT_PREFIX + customer_id


def _decode(raw: bytes | None) -> Cart:
    if raw is None:
        return Cart()
    data = json.loads(raw)
    items = {str(k): int(v) for k, v in data["items"]}
    return Cart(data["restaurant_id"], items, checked_out_as=data.get("checked_out_as"))


def _encode(cart: Cart) -> str:
    data: dict[str, object] = {"restaurant_id": cart.restaurant_id, "items": list(cart.items.items())}
    if cart.checked_out_as is not None:
        data["checked_out_as"] = cart.checked_out_as
    return json.dumps(data)


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

        ``change`` may raise (a cart rule): nothing is written then either. A cart being
        checked out is CheckoutInProgress: what is ordered is what the customer saw.
        """
        key, claim = cart_key(customer_id), checkout_claim_key(customer_id)

        def attempt() -> Cart | None:
            with self._redis.pipeline() as pipe:
                # Watching the claim too: a checkout that claims meanwhile voids this write.
                pipe.watch(key, claim)
                raw, holder = cast("list[bytes | None]", pipe.mget(key, claim))
                if holder is not None:
                    raise CheckoutInProgress(customer_id)
                changed = change(_decode(raw))
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

    def claim_checkout(self, customer_id: str, idempotency_key: str) -> Cart:
        """The cart, claimed for the checkout under ``idempotency_key``; CheckoutInProgress if
        another key holds it. The same key again shares the claim (a retry; the orders
        service's Idempotency-Key makes the two one order)."""
        script = self._redis.register_script(_CLAIM)
        keys = [cart_key(customer_id), checkout_claim_key(customer_id)]
        try:
            claimed = script(keys=keys, args=[idempotency_key, CHECKOUT_CLAIM_SECONDS])
        except redis.RedisError as exc:
            raise CartUnavailable(str(exc)) from exc
        if not claimed[0]:
            raise CheckoutInProgress(customer_id)
        raw = claimed[1] if len(claimed) > 1 else None
        return _decode(raw if isinstance(raw, bytes) else None)

    def release_checkout(self, customer_id: str, idempotency_key: str, *, leave: Cart | None = None) -> None:
        """End the checkout's claim, leaving ``leave`` as the cart (None: the cart as it is)."""
        script = self._redis.register_script(_RELEASE)
        keys = [cart_key(customer_id), checkout_claim_key(customer_id)]
        left = _encode(leave) if leave is not None else ""
        try:
            script(keys=keys, args=[idempotency_key, left, self._ttl])
        except redis.RedisError as exc:
            raise CartUnavailable(str(exc)) from exc
