"""Login sessions: log in, refresh (rotation with reuse detection, ``domain.refresh_tokens``)
and log out. A session is a refresh-token family and the access tokens tied to it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Connection, Engine

from serving.identity.adapters import repository
from serving.identity.adapters.login_lockout import LoginLockout, login_identifier
from serving.identity.domain import refresh_tokens
from serving.identity.domain.accounts import User, normalize_email
from serving.identity.domain.passwords import hash_password, needs_rehash, verify_password
from serving.identity.settings import IdentitySettings
from serving.identity.use_cases.errors import AccountLocked, InvalidRefreshToken, WrongCredentials
from serving.kernel.auth import Principal, deny_token, issue_access_token
from serving.kernel.clock import utc_now
from serving.kernel.redis import LazyRedis
from serving.kernel.settings import KernelSettings


@dataclass(frozen=True)
class Session:
    access_token: str
    access_expires_in: int
    refresh_token: str
    refresh_expires_in: int


def log_in(
    engine: Engine,
    lockout: LoginLockout,
    *,
    email: str | None,
    phone: str | None,
    password: str,
    settings: KernelSettings,
    identity: IdentitySettings,
) -> Session:
    """A new session for the right password. Raises AccountLocked (before any Argon2
    work) or WrongCredentials; every attempt counts against the account's lockout."""
    identifier = login_identifier(email, phone)
    locked_for = lockout.admit(identifier)
    if locked_for is not None:
        raise AccountLocked(locked_for)
    user = authenticate(engine, email=email, phone=phone, password=password)
    if user is None:
        raise WrongCredentials()
    lockout.succeeded(identifier)
    return start_session(engine, user, settings, identity)


def authenticate(engine: Engine, *, email: str | None, phone: str | None, password: str) -> User | None:
    """The user if the password matches; None for an unknown user, a wrong password or a
    suspended account, after the same Argon2 work in every case."""
    with engine.connect() as connection:
        user = repository.find_user(connection, email=normalize_email(email) if email else None, phone=phone)
    if not verify_password(user.password_hash if user else None, password) or user is None:
        return None
    if user.suspended_at is not None:
        return None
    if needs_rehash(user.password_hash):
        with engine.begin() as connection:
            repository.update_user(connection, user.user_id, {"password_hash": hash_password(password)})
    return user


def _start_or_continue(
    connection: Connection,
    user: User,
    family_id: uuid.UUID,
    settings: KernelSettings,
    identity: IdentitySettings,
    moment: datetime,
) -> Session:
    refresh_token = refresh_tokens.new_refresh_token()
    repository.insert_refresh_token(
        connection,
        refresh_tokens.StoredRefreshToken(
            token_hash=refresh_tokens.hash_refresh_token(refresh_token),
            family_id=family_id,
            user_id=user.user_id,
            expires_at=moment + timedelta(seconds=identity.refresh_token_ttl_seconds),
            used_at=None,
            revoked_at=None,
        ),
        issued_at=moment,
    )
    access = issue_access_token(str(user.user_id), user.role, settings, now=moment, session_id=str(family_id))
    refresh_ttl = identity.refresh_token_ttl_seconds
    return Session(access, settings.access_token_ttl_seconds, refresh_token, refresh_ttl)


def start_session(
    engine: Engine,
    user: User,
    settings: KernelSettings,
    identity: IdentitySettings,
    now: Callable[[], datetime] = utc_now,
) -> Session:
    """A login: a new refresh-token family and an access token tied to it."""
    with engine.begin() as connection:
        return _start_or_continue(connection, user, uuid.uuid4(), settings, identity, now())


def refresh(
    engine: Engine,
    refresh_token: str,
    settings: KernelSettings,
    identity: IdentitySettings,
    now: Callable[[], datetime] = utc_now,
) -> Session:
    """Spend a refresh token for a new pair. Raises InvalidRefreshToken.

    A reused token revokes its whole family; that revocation is committed even
    though the call fails.
    """
    moment = now()
    with engine.begin() as connection:
        stored = repository.lock_refresh_token(connection, refresh_tokens.hash_refresh_token(refresh_token))
        verdict = refresh_tokens.judge_refresh(stored, moment)
        user = None
        if stored is not None and verdict is refresh_tokens.RefreshVerdict.REUSED:
            repository.revoke_family(connection, stored.family_id, moment)  # committed on the way out
        elif stored is not None and verdict is refresh_tokens.RefreshVerdict.ROTATE:
            user = repository.find_user(connection, user_id=stored.user_id)
            if user is not None and user.suspended_at is not None:
                user = None  # suspension revokes the families too; this guards the race
        if stored is None or user is None:
            session = None
        else:
            repository.mark_refresh_token_used(connection, stored.token_hash, moment)
            session = _start_or_continue(connection, user, stored.family_id, settings, identity, moment)
    if session is None:
        raise InvalidRefreshToken(verdict.value)
    return session


def log_out(engine: Engine, redis: LazyRedis, principal: Principal) -> None:
    """End the caller's login: its access token is denied, then its refresh family revoked.

    Raises RedisUnavailable before changing anything, so the client can simply retry.
    """
    deny_token(redis, principal)
    if principal.session_id is None:
        return
    try:
        user_id, family_id = uuid.UUID(principal.subject), uuid.UUID(principal.session_id)
    except ValueError:
        return  # not a login token: there is no refresh family to revoke
    end_session(engine, user_id, family_id)


def end_session(
    engine: Engine, user_id: uuid.UUID, family_id: uuid.UUID, now: Callable[[], datetime] = utc_now
) -> None:
    """Revoke a login's refresh family (only the caller's own)."""
    with engine.begin() as connection:
        repository.revoke_family(connection, family_id, now(), user_id=user_id)
