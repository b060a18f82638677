"""A user's addresses: only the owner's are ever read or changed. Each runs in one
database transaction; the writes lock the user's row first, so "one default address"
never races."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from serving.identity.adapters import repository
from serving.identity.domain.addresses import Address
from serving.kernel.clock import utc_now


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
        if not repository.lock_user(connection, user_id):
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
        if not repository.lock_user(connection, user_id):
            return None
        if repository.find_address(connection, user_id, address_id) is None:
            return None
        if changes.get("is_default"):
            repository.clear_default_address(connection, user_id)
        return repository.update_address(connection, user_id, address_id, {**changes, "updated_at": now()})


def remove_address(engine: Engine, user_id: uuid.UUID, address_id: uuid.UUID) -> bool:
    with engine.begin() as connection:
        return repository.delete_address(connection, user_id, address_id)
