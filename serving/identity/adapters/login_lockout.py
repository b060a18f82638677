"""Per-account login throttle in Redis, beside the gateway's per-address buckets.

The per-address buckets cannot stop a guesser who spreads attempts over many
addresses; this counts attempts per login identifier (the normalised email or phone)
wherever they come from. ``max_failures`` attempts in ``window_seconds`` that do not
succeed lock the identifier for ``lockout_seconds``: every login for it is then a 429
with ``Retry-After``, the right password included, and costs no Argon2 hash. A
successful login resets the count. The owner gets back in when the lock expires by
itself (bounded by the setting) or when an operator lifts it
(``python -m serving.identity unlock``).

An attempt is counted *before* the password is checked, atomically, so racing
requests get at most ``max_failures`` guesses between them. Unknown identifiers are
counted and locked like real ones: a lock says nothing about whether an account
exists. Keys hold a SHA-256 of the identifier, not the email or phone itself.

Fails open: with Redis unreachable logins go on (the per-address limits fail open too,
and refusing every login because a cache is down would be an outage).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from serving.identity.domain.accounts import normalize_email
from serving.identity.settings import IdentitySettings
from serving.kernel.redis import LazyRedis, RedisUnavailable

# KEYS: attempts counter, lock. ARGV: max failures, window ms, lockout ms.
# Returns 0 (go ahead; the attempt is counted) or the lock's remaining milliseconds.
LUA_ADMIT = """
local locked = redis.call('PTTL', KEYS[2])
if locked > 0 then return locked end
local attempts = redis.call('INCR', KEYS[1])
if attempts == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if attempts > tonumber(ARGV[1]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  redis.call('DEL', KEYS[1])
  return tonumber(ARGV[3])
end
return 0
"""


def login_identifier(email: str | None, phone: str | None) -> str:
    """What a lock is keyed by: the email as stored (lower-case), else the phone."""
    return f"email:{normalize_email(email)}" if email is not None else f"phone:{phone}"


@dataclass(frozen=True)
class LoginLockout:
    redis: LazyRedis
    settings: IdentitySettings
    namespace: str  # the deployment's service name, like the gateway's buckets

    def _keys(self, identifier: str) -> tuple[str, str]:
        digest = hashlib.sha256(identifier.encode()).hexdigest()
        prefix = f"tiffin:identity:{self.namespace}:login-"
        return prefix + "attempts:" + digest, prefix + "locked:" + digest

    def admit(self, identifier: str) -> int | None:
        """Count a login attempt: None to go ahead, else the whole seconds (at least 1) the
        identifier stays locked."""
        keys = self._keys(identifier)
        args = (
            self.settings.login_max_failures,
            self.settings.login_failure_window_seconds * 1000,
            self.settings.login_lockout_seconds * 1000,
        )
        try:
            wait_ms = int(
                self.redis.call(
                    "login lockout",
                    lambda client: client.eval(LUA_ADMIT, 2, *keys, *args),  # type: ignore[no-untyped-call]
                )
            )
        except RedisUnavailable:
            return None  # fail open; LazyRedis logged it
        return max(1, -(-wait_ms // 1000)) if wait_ms > 0 else None

    def succeeded(self, identifier: str) -> None:
        """A correct password: the failures before it no longer count."""
        attempts, _ = self._keys(identifier)
        try:
            self.redis.call("login lockout reset", lambda client: client.delete(attempts))
        except RedisUnavailable:
            pass  # the count expires with its window

    def unlock(self, identifier: str) -> bool:
        """Lift a lock and forget the failures (the operator's way back in for an owner).

        Returns whether there was a lock. Raises RedisUnavailable.
        """
        attempts, locked = self._keys(identifier)
        was_locked = self.redis.call("login unlock", lambda client: client.delete(locked))
        self.redis.call("login unlock", lambda client: client.delete(attempts))
        return bool(was_locked)
