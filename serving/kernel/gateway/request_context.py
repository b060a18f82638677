"""The current request's id, visible to every log line written while serving it."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

REQUEST_ID_HEADER = "X-Request-ID"
# Same rule as the orders service's trace ids: an id, not free text for the logs.
_WELL_FORMED = re.compile(r"^[A-Za-z0-9._:\-]{8,128}$")

request_id_var: ContextVar[str | None] = ContextVar("tiffin_request_id", default=None)


def accept_or_generate(candidate: str | None) -> str:
    """The caller's id if it is well formed; otherwise a fresh one (never the caller's junk)."""
    if candidate and _WELL_FORMED.match(candidate):
        return candidate
    return uuid.uuid4().hex
