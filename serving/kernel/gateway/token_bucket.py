"""Token-bucket arithmetic, pure: the reference the Redis Lua script implements.

A bucket holds up to ``capacity`` tokens and gains ``refill_per_second`` tokens per
second; a request takes one. Several buckets (per IP, per user) are checked
together: the request passes only if every bucket has a token, and only then is a
token taken from each, so a refused request costs nothing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class BucketLimit:
    capacity: int
    refill_per_second: float


@dataclass(frozen=True)
class BucketState:
    tokens: float
    updated_ms: int


@dataclass(frozen=True)
class Decision:
    allowed: bool
    states: tuple[BucketState, ...]
    retry_after_ms: int  # 0 when allowed

    @property
    def retry_after_seconds(self) -> int:
        """For the Retry-After header: whole seconds, at least 1 when refused."""
        return max(1, math.ceil(self.retry_after_ms / 1000)) if not self.allowed else 0


def refill(state: BucketState | None, limit: BucketLimit, now_ms: int) -> float:
    """Tokens in the bucket at ``now_ms``; a bucket never seen before is full."""
    if state is None:
        return float(limit.capacity)
    elapsed_ms = max(0, now_ms - state.updated_ms)  # a clock step backwards adds nothing
    return min(float(limit.capacity), state.tokens + elapsed_ms * limit.refill_per_second / 1000)


def take(states: Sequence[BucketState | None], limits: Sequence[BucketLimit], now_ms: int) -> Decision:
    """Take one token from every bucket, or from none (and say how long to wait)."""
    levels = [refill(state, limit, now_ms) for state, limit in zip(states, limits, strict=True)]
    wait_ms = 0
    for level, limit in zip(levels, limits, strict=True):
        if level < 1:
            wait_ms = max(wait_ms, math.ceil((1 - level) * 1000 / limit.refill_per_second))
    allowed = wait_ms == 0
    if allowed:
        levels = [level - 1 for level in levels]
    return Decision(allowed, tuple(BucketState(level, now_ms) for level in levels), wait_ms)


# The same arithmetic in Redis, atomically across all buckets of one request.
# KEYS: bucket keys. ARGV: capacity_1, refill_per_second_1, capacity_2, ...
# Returns the milliseconds to wait (0 = allowed, a token was taken from each bucket).
# Redis's own clock is used, so app servers with skewed clocks agree.
LUA_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local levels = {}
local wait = 0
for i = 1, #KEYS do
  local cap = tonumber(ARGV[2 * i - 1])
  local rate = tonumber(ARGV[2 * i]) / 1000
  local saved = redis.call('HMGET', KEYS[i], 'tokens', 'ts')
  local level = tonumber(saved[1])
  local ts = tonumber(saved[2])
  if level == nil or ts == nil then
    level = cap
  else
    level = math.min(cap, level + math.max(0, now - ts) * rate)
  end
  levels[i] = level
  if level < 1 then
    wait = math.max(wait, math.ceil((1 - level) / rate))
  end
end
for i = 1, #KEYS do
  local cap = tonumber(ARGV[2 * i - 1])
  local rate = tonumber(ARGV[2 * i]) / 1000
  local level = levels[i]
  if wait == 0 then level = level - 1 end
  redis.call('HSET', KEYS[i], 'tokens', string.format('%.6f', level), 'ts', now)
  -- Forget a bucket once it would be full again anyway.
  redis.call('PEXPIRE', KEYS[i], math.ceil(cap / rate) + 1000)
end
return wait
"""
