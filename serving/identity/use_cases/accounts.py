"""Accounts: registration (the API's and the operator's ``create-admin``) and profiles.
Each runs in one database transaction."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from serving.identity.adapters import repository
from serving.identity.domain.accounts import User, normalize_email
from serving.identity.domain.passwords import hash_password
from serving.identity.use_cases.errors import DuplicateField
from serving.kernel.auth import Role
from serving.kernel.clock import utc_now


def _duplicate(exc: IntegrityError) -> DuplicateField | None:
    field = repository.duplicate_field(exc)
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


def create_admin(engine: Engine, *, email: str, password: str, name: str, phone: str | None = None) -> User:
    """For the operator's command line only: the API never creates admins."""
    return register(engine, email=email, phone=phone, password=password, name=name, role=Role.ADMIN)
