"""Popular searches: a Redis sorted set of normalised queries and how many people asked them.

Key ``tiffin:search:v2:popular`` (member = normalised query, score = count). A query
counts only if it found something (a string that matches nothing — a probe, an
injection attempt — never makes the list), and once per user per window
(``COUNT_WINDOW_SECONDS``): repeating a search, however fast, does not push it up; only
more people asking does. The "already counted" mark is a key per (user, query) that
expires with the window, ``tiffin:search:v2:counted:{sha256(user NUL query)}``.
Counting is best effort: Redis being down never fails a search. (``v1`` counted every
request, so it was stuffed; its key is simply no longer read.)
"""

from __future__ import annotations

import hashlib
import logging

import redis

from serving.restaurants.domain.ranking import normalise_query

log = logging.getLogger(__name__)

POPULAR_KEY = "tiffin:search:v2:popular"
COUNTED_PREFIX = "tiffin:search:v2:counted"
COUNT_WINDOW_SECONDS = 24 * 60 * 60

# One SET NX decides, atomically with the increment: racing requests of one user count once.
_COUNT_ONCE = """
if redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[2]) then
    redis.call('ZINCRBY', KEYS[1], 1, ARGV[1])
    return 1
end
return 0
"""


def counted_key(user_id: str, query: str) -> str:
    # Hashed: bounded key length, and no user ids in key names.
    digest = hashlib.sha256(f"{user_id}\x00{query}".encode()).hexdigest()
    return f"{COUNTED_PREFIX}:{digest}"


def countable(query: str, found_anything: bool) -> bool:
    """Whether a (normalised) search may count toward the popular list at all."""
    return found_anything and len(query) >= 2


def record_search(
    client: redis.Redis[bytes],
    user_id: str,
    text: str,
    *,
    found_anything: bool,
    key: str = POPULAR_KEY,
    window_seconds: int = COUNT_WINDOW_SECONDS,
) -> bool:
    """Count ``text`` for ``user_id``; True if it was counted (not seen from them in the window)."""
    query = normalise_query(text)
    if not countable(query, found_anything):
        return False
    try:
        # redis-py's stubs leave eval untyped; the call is plain EVAL.
        counted = client.eval(  # type: ignore[no-untyped-call]
            _COUNT_ONCE, 2, key, counted_key(user_id, query), query, window_seconds
        )
    except redis.RedisError as exc:
        log.warning("could not count search %r (%s)", query, exc)
        return False
    return bool(counted == 1)


def popular_searches(client: redis.Redis[bytes], limit: int, key: str = POPULAR_KEY) -> list[tuple[str, int]]:
    try:
        rows = client.zrevrange(key, 0, limit - 1, withscores=True)
    except redis.RedisError as exc:
        log.warning("could not read popular searches (%s)", exc)
        return []
    return [(member.decode() if isinstance(member, bytes) else str(member), int(score)) for member, score in rows]
