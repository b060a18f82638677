"""Popular searches: a Redis sorted set of normalised queries and how often they were asked.

Key ``tiffin:search:v1:popular`` (member = normalised query, score = count). Counting is
best effort: Redis being down never fails a search.
"""

from __future__ import annotations

import logging

import redis

from serving.search.ranking import normalise_query

log = logging.getLogger(__name__)

POPULAR_KEY = "tiffin:search:v1:popular"


def record_search(client: redis.Redis[bytes], text: str, key: str = POPULAR_KEY) -> None:
    query = normalise_query(text)
    if len(query) < 2:
        return
    try:
        client.zincrby(key, 1, query)
    except redis.RedisError as exc:
        log.warning("could not count search %r (%s)", query, exc)


def popular_searches(client: redis.Redis[bytes], limit: int, key: str = POPULAR_KEY) -> list[tuple[str, int]]:
    try:
        rows = client.zrevrange(key, 0, limit - 1, withscores=True)
    except redis.RedisError as exc:
        log.warning("could not read popular searches (%s)", exc)
        return []
    return [(member.decode() if isinstance(member, bytes) else str(member), int(score)) for member, score in rows]
