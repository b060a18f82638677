"""Opaque pagination cursors over (placed_at, order_id), newest first.

The cursor is the position of the last order a client has seen. Encoding it as
url-safe base64 of a tiny JSON object keeps it opaque (clients must not build
them) while making a tampered or truncated cursor a clean ``InvalidCursor``.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import datetime


class InvalidCursor(ValueError):
    pass


@dataclass(frozen=True)
class Cursor:
    placed_at: datetime
    order_id: uuid.UUID


def encode_cursor(cursor: Cursor) -> str:
    if cursor.placed_at.tzinfo is None:
        raise ValueError("placed_at must be timezone-aware")
    raw = json.dumps({"p": cursor.placed_at.isoformat(), "o": str(cursor.order_id)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(text: str) -> Cursor:
    """The position in ``text``, or InvalidCursor for anything we did not issue."""
    if not 1 <= len(text) <= 200:
        raise InvalidCursor("The cursor has the wrong length.")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        data = json.loads(raw)
        placed_at = datetime.fromisoformat(data["p"])
        order_id = uuid.UUID(data["o"])
    except (binascii.Error, ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        # AttributeError: uuid.UUID(7) and friends, from a cursor holding a number, not a string.
        raise InvalidCursor("The cursor is not one this API issued.") from None
    if placed_at.tzinfo is None:
        raise InvalidCursor("The cursor is not one this API issued.")
    return Cursor(placed_at, order_id)
