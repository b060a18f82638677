"""The typed errors of the restaurants use cases; routers (and peers, through ``api``) map them.

Refusals of a review are the pure rule's own (``domain.reviews.ReviewRefused``).
"""

from __future__ import annotations

import uuid

from serving.kernel.field_errors import FieldError


class MenuRuleBroken(Exception):
    """A valid-looking request that breaks a menu rule (e.g. unknown category)."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors


class OfferRuleBroken(Exception):
    """The offer cannot exist as asked; ``errors`` name the fields."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors


class OfferCodeTaken(Exception):
    """The restaurant already has an offer with this code (deactivated ones count)."""


class InsufficientStock(Exception):
    """At least one item has fewer portions left than asked; nothing was reserved."""

    def __init__(self, item_ids: list[uuid.UUID]) -> None:
        super().__init__(f"not enough stock for {', '.join(map(str, item_ids))}")
        self.item_ids = item_ids
