"""Password hashing with Argon2id, and a verification that takes as long for unknown users.

argon2-cffi's defaults follow RFC 9106's second recommended option (t=3, 64 MiB,
p=4). Each hash embeds its parameters, so raising them later re-hashes old
passwords at the next login (``needs_rehash``).
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()
# Verified against when the user does not exist, so "no such user" costs one Argon2
# verification like "wrong password" does and response times reveal nothing.
_DUMMY_HASH = _hasher.hash("tiffin-no-such-user-dummy-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True if ``password`` matches; with ``stored_hash=None`` it does the same work and says False."""
    try:
        matches = _hasher.verify(stored_hash or _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return bool(matches) and stored_hash is not None


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)
