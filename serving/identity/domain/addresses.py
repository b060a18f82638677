"""A user's delivery address (at most one per user is the default)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Address:
    address_id: uuid.UUID
    user_id: uuid.UUID
    label: str
    line: str
    city: str
    lat: float
    lon: float
    is_default: bool
    created_at: datetime
    updated_at: datetime
