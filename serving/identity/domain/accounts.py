"""A user account and its rules: who may self-register, how emails compare."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from serving.kernel.auth import Role

SELF_REGISTER_ROLES = frozenset({Role.CUSTOMER, Role.RESTAURANT, Role.COURIER})


def normalize_email(email: str) -> str:
    """Emails are unique regardless of case: we store and compare them lower-cased."""
    return email.strip().lower()


@dataclass(frozen=True)
class User:
    user_id: uuid.UUID
    email: str
    phone: str | None
    password_hash: str
    role: Role
    name: str
    created_at: datetime
    updated_at: datetime
    suspended_at: datetime | None = None
