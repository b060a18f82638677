"""Suspending, reinstating and deleting accounts (operator commands), and what each
does to the tokens already out there.

PostgreSQL first, then Redis. The database change is what lasts: a suspended or
deleted user cannot log in or refresh, and suspension revokes every refresh family.
The Redis entry (``serving.kernel.auth.deny_subject``) refuses the access tokens
already issued, for as long as one can live; written after the commit, it also
covers a token a racing refresh issued just before. If Redis is down the database
change stands and RedisUnavailable is raised: those tokens then expire by themselves
within the access-token lifetime.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.engine import Engine

from serving.identity.adapters import repository
from serving.identity.domain.accounts import normalize_email
from serving.identity.use_cases.errors import NoSuchUser
from serving.kernel.auth import allow_subject, deny_subject
from serving.kernel.clock import utc_now
from serving.kernel.redis import LazyRedis


def suspend(
    engine: Engine, redis: LazyRedis, user_id: uuid.UUID, token_ttl_seconds: int, now: Callable[[], datetime] = utc_now
) -> None:
    """Raises NoSuchUser; RedisUnavailable after the suspension is committed. Idempotent."""
    moment = now()
    with engine.begin() as connection:
        if not repository.set_suspended(connection, user_id, moment):
            raise NoSuchUser(str(user_id))
        repository.revoke_user_refresh_tokens(connection, user_id, moment)
    deny_subject(redis, str(user_id), token_ttl_seconds)


def reinstate(engine: Engine, redis: LazyRedis, user_id: uuid.UUID) -> None:
    """Raises NoSuchUser; RedisUnavailable after the reinstatement is committed (new
    tokens are then refused until the old entry expires)."""
    with engine.begin() as connection:
        if not repository.set_suspended(connection, user_id, None):
            raise NoSuchUser(str(user_id))
    allow_subject(redis, str(user_id))


def delete(engine: Engine, redis: LazyRedis, user_id: uuid.UUID, token_ttl_seconds: int) -> None:
    """The user, their addresses and logins. Other services keep referring to the id.

    Raises NoSuchUser; RedisUnavailable after the deletion is committed.
    """
    with engine.begin() as connection:
        if not repository.delete_user(connection, user_id):
            raise NoSuchUser(str(user_id))
    deny_subject(redis, str(user_id), token_ttl_seconds)


def find_user_id(engine: Engine, *, email: str | None = None, user_id: str | None = None) -> uuid.UUID:
    """The id an operator named, by email or id. Raises NoSuchUser (also for a malformed id)."""
    try:
        wanted = uuid.UUID(user_id) if user_id is not None else None
    except ValueError:
        raise NoSuchUser(str(user_id)) from None
    with engine.connect() as connection:
        user = repository.find_user(
            connection, user_id=wanted, email=normalize_email(email) if email is not None else None
        )
    if user is None:
        raise NoSuchUser(email or str(user_id))
    return user.user_id
