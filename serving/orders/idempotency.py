"""Idempotent placement: what makes two requests "the same" (pure).

Two requests are the same when their *parsed* bodies are equal: key order and
whitespace do not matter, values do. The hash is stored with the key, so a replay
with a different body is detected even after the first order changed status.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

# Printable ASCII without spaces, like the keys clients generate (UUIDs, ULIDs).
_KEY = re.compile(r"^[!-~]{1,255}$")
HEADER = "Idempotency-Key"


def is_valid_key(key: str) -> bool:
    return bool(_KEY.fullmatch(key))


def request_hash(body: dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()
