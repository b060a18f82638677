"""Keyset-pagination cursors, newest first, and their checks.

Every "newest first" list (order history, a restaurant's reviews) pages by the
position of the last row a client has seen: its timestamp and its UUID, which breaks
ties. Encoding it as url-safe base64 of a tiny JSON object keeps it opaque (clients
must not build them) while making a tampered or truncated cursor a clean
``InvalidCursor``.

A list ordered by a bigint sequence (the wallet's ledger lines) pages by that id alone,
as decimal text; ``decode_sequence_cursor`` keeps it inside the column's range, so a
client's number never reaches PostgreSQL as an out-of-range bigint.
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


NOT_ISSUED = "The cursor is not one this API issued."
# Sequence ids are PostgreSQL bigint identities: they start at 1.
SEQUENCE_MIN, SEQUENCE_MAX = 1, 2**63 - 1


@dataclass(frozen=True)
class Cursor:
    at: datetime  # the row's timestamp (placed_at, created_at)
    row_id: uuid.UUID


def encode_cursor(cursor: Cursor) -> str:
    if cursor.at.tzinfo is None:
        raise ValueError("the cursor's timestamp must be timezone-aware")
    raw = json.dumps({"p": cursor.at.isoformat(), "o": str(cursor.row_id)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(text: str) -> Cursor:
    """The position in ``text``, or InvalidCursor for anything we did not issue."""
    if not 1 <= len(text) <= 200:
        raise InvalidCursor("The cursor has the wrong length.")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        data = json.loads(raw)
        at = datetime.fromisoformat(data["p"])
        row_id = uuid.UUID(data["o"])
    except (binascii.Error, ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        # AttributeError: uuid.UUID(7) and friends, from a cursor holding a number, not a string.
        raise InvalidCursor(NOT_ISSUED) from None
    if at.tzinfo is None:
        raise InvalidCursor(NOT_ISSUED)
    return Cursor(at, row_id)


def decode_sequence_cursor(text: str) -> int:
    """The bigint id in ``text``, or InvalidCursor for anything else (signs, spaces,
    non-ASCII digits, 0, numbers past bigint)."""
    # isdecimal() alone would take "１２"; the length check keeps int() cheap.
    if not (1 <= len(text) <= 19 and text.isascii() and text.isdecimal()):
        raise InvalidCursor(NOT_ISSUED)
    row_id = int(text)
    if not SEQUENCE_MIN <= row_id <= SEQUENCE_MAX:
        raise InvalidCursor(f"The cursor is out of range ({SEQUENCE_MIN}..{SEQUENCE_MAX}).")
    return row_id
