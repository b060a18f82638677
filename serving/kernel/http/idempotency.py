"""The one Idempotency-Key rule of every money- or order-creating endpoint.

- ``Idempotency-Key``: 8–128 of ``A-Z a-z 0-9 . _ : -`` (UUIDs, ULIDs), scoped to the caller.
- The same key with the same parsed body answers the first answer again, with
  ``Idempotent-Replayed: true``; a first answer carries ``Idempotent-Replayed: false``.
- The same key with another body is a 409 naming ``Idempotency-Key``; a malformed key
  (or a missing one where the endpoint requires it) a 422 naming it.

Two bodies are the same when their parsed JSON is equal (key order and whitespace do
not matter, values do); the hash is stored with the key.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Annotated, Any

from fastapi import Header, Response

from serving.kernel.field_errors import FieldError
from serving.kernel.http.problems import CONFLICT, ProblemError

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_PATTERN = r"^[A-Za-z0-9_.:\-]{8,128}$"
_KEY = re.compile(KEY_PATTERN)
KEY_RULE = "8–128 of A-Z a-z 0-9 . _ : -"

_DESCRIPTION = (
    f"{KEY_RULE}. The same key with the same body answers the first answer again "
    f"(`{REPLAYED_HEADER}: true`); with another body, 409."
)
IdempotencyKeyHeader = Annotated[str | None, Header(alias=HEADER, description=_DESCRIPTION)]


def is_valid_key(key: str) -> bool:
    return bool(_KEY.fullmatch(key))


def request_hash(body: dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def checked_key(value: str | None, *, required: bool) -> str | None:
    """The key if well-formed; a 422 problem naming the header otherwise."""
    if value is None:
        if not required:
            return None
        message = f"The {HEADER} header is required on this call."
    elif is_valid_key(value):
        return value
    else:
        message = f"The {HEADER} must be {KEY_RULE}."
    raise ProblemError(422, message, errors=[FieldError(HEADER, message)])


def key_reused() -> ProblemError:
    message = f"This {HEADER} was already used with a different request body."
    return ProblemError(409, message, errors=[FieldError(HEADER, message)], problem_type=CONFLICT)


def mark_replayed(response: Response, replayed: bool) -> None:
    response.headers[REPLAYED_HEADER] = "true" if replayed else "false"
