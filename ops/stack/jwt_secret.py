"""The local stack's JWT secret: random, one per stack folder, kept with its data.

No secret in the repository can sign tokens: each stack folder gets its own
(``<root>/jwt-secret``, mode 0600) on first use — ``tiffin stack up``, ``tiffin token``
or anything that asks ``StackConfig.env()`` — and everything the CLI starts gets it as
``TIFFIN_JWT_SECRET``. Deleting the file logs everyone out at the next start.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

FILE_NAME = "jwt-secret"


def read_or_create(root: Path) -> str:
    path = root / FILE_NAME
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    root.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)  # 384 bits; HS256 wants at least 256
    try:
        # O_EXCL: two first uses at once agree on one secret (the loser reads the winner's).
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read(path)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secret + "\n")
    return secret


def _read(path: Path) -> str:
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        path.chmod(0o600)  # only its owner may read a signing key
    secret = path.read_text().strip()
    if len(secret) < 32:
        raise ValueError(f"{path} holds no usable JWT secret (at least 32 characters); delete it to get a new one")
    return secret
