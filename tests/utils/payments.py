"""Parts of payment requests: a card of the sandbox's and an Idempotency-Key."""

from __future__ import annotations

import uuid
from typing import Any

from serving.payments.adapters.sandbox import CARD_SUCCEEDS


def new_key() -> str:
    """A new Idempotency-Key."""
    return f"key-{uuid.uuid4().hex}"


def card(number: str = CARD_SUCCEEDS) -> dict[str, Any]:
    """A card body with one of the sandbox's test numbers (docs/payments.md)."""
    return {"number": number, "expiry_month": 12, "expiry_year": 2030, "cvc": "123"}
