"""Identity use cases: each runs in one database transaction."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from serving.identity.adapters import repository
from serving.identity.adapters.tables import users
from serving.identity.domain import refresh_tokens
from serving.identity.domain.accounts import User, normalize_email
from serving.identity.domain.addresses import Address
from serving.identity.domain.passwords import hash_password, needs_rehash, verify_password
from serving.identity.settings import IdentitySettings
from serving.kernel.auth import Role, issue_access_token
from serving.kernel.clock import utc_now
from serving.kernel.settings import KernelSettings

# Which request field a unique constraint protects, for the 409's errors[].field.
_FIELD_BY_CONSTRAINT = {"uq_users_email": "email", "uq_users_phone": "phone"}


class DuplicateField(Exception):
    def __init__(self, field: str) -> None:
        super().__init__(f"{field} is already registered")
        self.field = field


class InvalidRefreshToken(Exception):
    """Unknown, expired, revoked or reused: the client must log in again."""


@dataclass(frozen=True)
class Session:
    access_token: str
    access_expires_in: int
    refresh_token: str
    refresh_expires_in: int


def _duplicate(exc: IntegrityError) -> DuplicateField | None:
    diag = getattr(exc.orig, "diag", None)
    field = _FIELD_BY_CONSTRAINT.get(getattr(diag, "constraint_name", None) or "")
    return DuplicateField(field) if field else None


def register(
    engine: Engine,
    *,
    email: str,
    phone: str | None,
    password: str,
    name: str,
    role: Role,
    now: Callable[[], datetime] = utc_now,
) -> User:
    """Create a user. Raises DuplicateField (email or phone taken)."""
    moment = now()
    user = User(
        user_id=uuid.uuid4(),
        email=normalize_email(email),
        phone=phone,
        password_hash=hash_password(password),  # before the transaction: Argon2 is slow
        role=role,
        name=name,
        created_at=moment,
        updated_at=moment,
    )
    try:
        with engine.begin() as connection:
            repository.insert_user(connection, user)
    except IntegrityError as exc:
        duplicate = _duplicate(exc)
        if duplicate is None:
            raise
        raise duplicate from None
    return user


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


def end_session(
    engine: Engine, user_id: uuid.UUID, family_id: uuid.UUID, now: Callable[[], datetime] = utc_now
) -> None:
    """Revoke a login's refresh family (only the caller's own)."""
    with engine.begin() as connection:
        repository.revoke_family(connection, family_id, now(), user_id=user_id)


def get_user(engine: Engine, user_id: uuid.UUID) -> User | None:
    with engine.connect() as connection:
        return repository.find_user(connection, user_id=user_id)


def update_user(
    engine: Engine, user_id: uuid.UUID, changes: dict[str, Any], now: Callable[[], datetime] = utc_now
) -> User | None:
    """Apply profile changes (name, email, phone). Raises DuplicateField."""
    if "email" in changes:
        changes["email"] = normalize_email(changes["email"])
    try:
        with engine.begin() as connection:
            if not changes:
                return repository.find_user(connection, user_id=user_id)
            return repository.update_user(connection, user_id, {**changes, "updated_at": now()})
    except IntegrityError as exc:
        duplicate = _duplicate(exc)
        if duplicate is None:
            raise
        raise duplicate from None


def _lock_user(connection: Connection, user_id: uuid.UUID) -> bool:
    """Serialise a user's address writes, so "one default address" never races."""
    row = connection.execute(sa.select(users.c.user_id).where(users.c.user_id == user_id).with_for_update()).first()
    return row is not None


def list_addresses(engine: Engine, user_id: uuid.UUID) -> list[Address]:
    with engine.connect() as connection:
        return repository.list_addresses(connection, user_id)


def get_address(engine: Engine, user_id: uuid.UUID, address_id: uuid.UUID) -> Address | None:
    with engine.connect() as connection:
        return repository.find_address(connection, user_id, address_id)


def add_address(
    engine: Engine, user_id: uuid.UUID, fields: dict[str, Any], now: Callable[[], datetime] = utc_now
) -> Address | None:
    """None if the user does not exist (a token for a deleted or never-registered user)."""
    moment = now()
    with engine.begin() as connection:
        if not _lock_user(connection, user_id):
            return None
        if fields.get("is_default"):
            repository.clear_default_address(connection, user_id)
        address = Address(address_id=uuid.uuid4(), user_id=user_id, created_at=moment, updated_at=moment, **fields)
        repository.insert_address(connection, address)
    return address


def change_address(
    engine: Engine,
    user_id: uuid.UUID,
    address_id: uuid.UUID,
    changes: dict[str, Any],
    now: Callable[[], datetime] = utc_now,
) -> Address | None:
    with engine.begin() as connection:
        if not _lock_user(connection, user_id):
            return None
        if repository.find_address(connection, user_id, address_id) is None:
            return None
        if changes.get("is_default"):
            repository.clear_default_address(connection, user_id)
        return repository.update_address(connection, user_id, address_id, {**changes, "updated_at": now()})


def remove_address(engine: Engine, user_id: uuid.UUID, address_id: uuid.UUID) -> bool:
    with engine.begin() as connection:
        return repository.delete_address(connection, user_id, address_id)


def create_admin(engine: Engine, *, email: str, password: str, name: str, phone: str | None = None) -> User:
    """For the operator's command line only: the API never creates admins."""
    return register(engine, email=email, phone=phone, password=password, name=name, role=Role.ADMIN)
