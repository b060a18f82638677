"""How refresh tokens rotate (no I/O).

Refresh tokens are opaque random strings; only their SHA-256 is stored (they carry
256 bits of entropy, so a slow hash adds nothing and a fast one allows an indexed
lookup). Every login starts a *family*; each refresh spends the presented token and
issues its successor in the same family. Presenting a token that was already spent
means two parties hold it — the legitimate client and a thief — and we cannot tell
which is which, so the whole family is revoked and both must log in again
(OAuth 2.0 Security BCP, RFC 9700 section 4.14.2).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import Enum


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class StoredRefreshToken:
    token_hash: str
    family_id: uuid.UUID
    user_id: uuid.UUID
    expires_at: datetime
    used_at: datetime | None
    revoked_at: datetime | None


class RefreshVerdict(Enum):
    ROTATE = "rotate"  # valid: spend it, issue its successor
    REUSED = "reused"  # spent before: revoke the whole family
    REJECT = "reject"  # unknown, expired or revoked: a plain 401


def judge_refresh(token: StoredRefreshToken | None, now: datetime) -> RefreshVerdict:
    if token is None or token.revoked_at is not None:
        return RefreshVerdict.REJECT
    if token.used_at is not None:
        return RefreshVerdict.REUSED
    if now >= token.expires_at:
        return RefreshVerdict.REJECT
    return RefreshVerdict.ROTATE
