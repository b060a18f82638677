"""A complaint about one input field; pure, so domain code can raise it without FastAPI."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    field: str  # path inside the request, e.g. "lines[0].quantity"
    message: str
