"""Reading and writing identity rows in PostgreSQL, on a connection the caller controls."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import IntegrityError

from serving.identity.adapters.tables import addresses, refresh_tokens, users
from serving.identity.domain.accounts import User
from serving.identity.domain.addresses import Address
from serving.identity.domain.refresh_tokens import StoredRefreshToken
from serving.kernel.auth import Role

# Which request field a unique constraint protects, for the 409's errors[].field.
_FIELD_BY_CONSTRAINT = {"uq_users_email": "email", "uq_users_phone": "phone"}


def _user(row: Row[Any]) -> User:
    return User(
        user_id=row.user_id,
        email=row.email,
        phone=row.phone,
        password_hash=row.password_hash,
        role=Role(row.role),
        name=row.name,
        created_at=row.created_at,
        updated_at=row.updated_at,
        suspended_at=row.suspended_at,
    )


def _address(row: Row[Any]) -> Address:
    return Address(**{c.name: getattr(row, c.name) for c in addresses.columns})


def insert_user(connection: Connection, user: User) -> None:
    connection.execute(
        sa.insert(users).values(
            user_id=user.user_id,
            email=user.email,
            phone=user.phone,
            password_hash=user.password_hash,
            role=user.role.value,
            name=user.name,
            created_at=user.created_at,
            updated_at=user.updated_at,
        )
    )


def find_user(
    connection: Connection, *, user_id: uuid.UUID | None = None, email: str | None = None, phone: str | None = None
) -> User | None:
    query = sa.select(users)
    if user_id is not None:
        query = query.where(users.c.user_id == user_id)
    elif email is not None:
        query = query.where(users.c.email == email)
    elif phone is not None:
        query = query.where(users.c.phone == phone)
    else:
        return None
    row = connection.execute(query).first()
    return _user(row) if row is not None else None


def duplicate_field(error: IntegrityError) -> str | None:
    """The field (``email``, ``phone``) whose unique constraint ``error`` broke; None for any other."""
    diag = getattr(error.orig, "diag", None)
    return _FIELD_BY_CONSTRAINT.get(getattr(diag, "constraint_name", None) or "")


def lock_user(connection: Connection, user_id: uuid.UUID) -> bool:
    """Lock the user's row until commit (False if there is none): serialises a user's address writes."""
    row = connection.execute(sa.select(users.c.user_id).where(users.c.user_id == user_id).with_for_update()).first()
    return row is not None


def update_user(connection: Connection, user_id: uuid.UUID, changes: dict[str, Any]) -> User | None:
    row = connection.execute(
        sa.update(users).where(users.c.user_id == user_id).values(**changes).returning(users)
    ).first()
    return _user(row) if row is not None else None


def set_suspended(connection: Connection, user_id: uuid.UUID, at: datetime | None) -> bool:
    """Suspend (``at``, keeping an earlier suspension's time) or reinstate (None); False if no such user."""
    value = sa.func.coalesce(users.c.suspended_at, at) if at is not None else None
    result = connection.execute(sa.update(users).where(users.c.user_id == user_id).values(suspended_at=value))
    return result.rowcount == 1


def delete_user(connection: Connection, user_id: uuid.UUID) -> bool:
    """The user and (by cascade) their addresses and refresh tokens."""
    return connection.execute(sa.delete(users).where(users.c.user_id == user_id)).rowcount == 1


def revoke_user_refresh_tokens(connection: Connection, user_id: uuid.UUID, now: datetime) -> int:
    """End every login of the user."""
    query = sa.update(refresh_tokens).where(refresh_tokens.c.user_id == user_id, refresh_tokens.c.revoked_at.is_(None))
    return connection.execute(query.values(revoked_at=now)).rowcount


def insert_refresh_token(connection: Connection, token: StoredRefreshToken, issued_at: datetime) -> None:
    connection.execute(
        sa.insert(refresh_tokens).values(
            token_hash=token.token_hash,
            family_id=token.family_id,
            user_id=token.user_id,
            issued_at=issued_at,
            expires_at=token.expires_at,
            used_at=token.used_at,
            revoked_at=token.revoked_at,
        )
    )


def lock_refresh_token(connection: Connection, token_hash: str) -> StoredRefreshToken | None:
    """The token row, locked until commit: two refreshes racing with one token serialise,
    and the second sees the first's ``used_at`` (a reuse)."""
    row = connection.execute(
        sa.select(refresh_tokens).where(refresh_tokens.c.token_hash == token_hash).with_for_update()
    ).first()
    if row is None:
        return None
    return StoredRefreshToken(
        token_hash=row.token_hash,
        family_id=row.family_id,
        user_id=row.user_id,
        expires_at=row.expires_at,
        used_at=row.used_at,
        revoked_at=row.revoked_at,
    )


def mark_refresh_token_used(connection: Connection, token_hash: str, now: datetime) -> None:
    connection.execute(sa.update(refresh_tokens).where(refresh_tokens.c.token_hash == token_hash).values(used_at=now))


def revoke_family(connection: Connection, family_id: uuid.UUID, now: datetime, user_id: uuid.UUID | None = None) -> int:
    query = sa.update(refresh_tokens).where(
        refresh_tokens.c.family_id == family_id, refresh_tokens.c.revoked_at.is_(None)
    )
    if user_id is not None:
        query = query.where(refresh_tokens.c.user_id == user_id)
    return connection.execute(query.values(revoked_at=now)).rowcount


def list_addresses(connection: Connection, user_id: uuid.UUID) -> list[Address]:
    rows = connection.execute(
        sa.select(addresses).where(addresses.c.user_id == user_id).order_by(addresses.c.created_at)
    ).all()
    return [_address(row) for row in rows]


def find_address(connection: Connection, user_id: uuid.UUID, address_id: uuid.UUID) -> Address | None:
    """Only the owner's: another user's address is as absent as a missing one."""
    row = connection.execute(
        sa.select(addresses).where(addresses.c.address_id == address_id, addresses.c.user_id == user_id)
    ).first()
    return _address(row) if row is not None else None


def clear_default_address(connection: Connection, user_id: uuid.UUID) -> None:
    connection.execute(
        sa.update(addresses).where(addresses.c.user_id == user_id, addresses.c.is_default).values(is_default=False)
    )


def insert_address(connection: Connection, address: Address) -> None:
    connection.execute(sa.insert(addresses).values(**vars(address)))


def update_address(
    connection: Connection, user_id: uuid.UUID, address_id: uuid.UUID, changes: dict[str, Any]
) -> Address | None:
    row = connection.execute(
        sa.update(addresses)
        .where(addresses.c.address_id == address_id, addresses.c.user_id == user_id)
        .values(**changes)
        .returning(addresses)
    ).first()
    return _address(row) if row is not None else None


def delete_address(connection: Connection, user_id: uuid.UUID, address_id: uuid.UUID) -> bool:
    result = connection.execute(
        sa.delete(addresses).where(addresses.c.address_id == address_id, addresses.c.user_id == user_id)
    )
    return result.rowcount == 1
