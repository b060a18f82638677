"""Offer use cases: one transaction each; the same ownership rule as restaurant details.

A restaurant's owner (or an admin) manages its offers. ``None``/``False`` means "no
such restaurant or offer, or not yours": the router answers 404 to both, so other
owners' restaurants and codes do not leak.
"""

from __future__ import annotations

import uuid

from sqlalchemy.engine import Connection, Engine

from serving.kernel.auth import Principal
from serving.kernel.clock import Clock, utc_now
from serving.kernel.field_errors import FieldError
from serving.restaurants.adapters import inventory, offer_store
from serving.restaurants.domain import restaurant as domain
from serving.restaurants.domain.offers import offer_errors
from serving.restaurants.entrypoints.offer_schemas import OfferCreate, OfferOut
from serving.restaurants.use_cases.errors import OfferCodeTaken, OfferRuleBroken


def _managed(connection: Connection, principal: Principal, restaurant_id: uuid.UUID) -> bool:
    summary = inventory.restaurant_summary(connection, restaurant_id)
    return summary is not None and domain.may_edit_details(principal, summary.owner_id)


def create_offer(
    engine: Engine, principal: Principal, restaurant_id: uuid.UUID, body: OfferCreate, *, now: Clock = utc_now
) -> OfferOut | None:
    at = now()
    valid_from = body.valid_from or at
    with engine.begin() as connection:
        if not _managed(connection, principal, restaurant_id):
            return None
        errors = offer_errors(
            kind=body.kind,
            value=body.value,
            valid_from=valid_from,
            valid_until=body.valid_until,
            min_order_minor=body.min_order_minor,
            max_discount_minor=body.max_discount_minor,
            per_user_limit=body.per_user_limit,
        )
        if body.valid_until <= at and not any(e.field == "valid_until" for e in errors):
            # An offer that is over before it exists is a typo, never what an owner meant.
            errors.append(FieldError("valid_until", "Must be in the future."))
        if errors:
            raise OfferRuleBroken(errors)
        stored = offer_store.insert_offer(
            connection,
            {
                **body.model_dump(),
                "kind": body.kind.value,
                "restaurant_id": restaurant_id,
                "valid_from": valid_from,
                "active": True,
                "created_at": at,
            },
        )
        if stored is None:
            raise OfferCodeTaken(body.code)
    return OfferOut.from_stored(stored)


def list_offers(
    engine: Engine, principal: Principal, restaurant_id: uuid.UUID, *, now: Clock = utc_now
) -> list[OfferOut] | None:
    """Every offer for whoever manages the restaurant; for everyone else only the usable ones."""
    with engine.connect() as connection:
        summary = inventory.restaurant_summary(connection, restaurant_id)
        if summary is None:
            return None
        manager = domain.may_edit_details(principal, summary.owner_id)
        stored = offer_store.list_offers(connection, restaurant_id, usable_at=None if manager else now())
    return [OfferOut.from_stored(offer) for offer in stored]


def deactivate_offer(engine: Engine, principal: Principal, restaurant_id: uuid.UUID, code: str) -> bool:
    """Orders placed with it keep their discount; new orders can no longer use it."""
    with engine.begin() as connection:
        if not _managed(connection, principal, restaurant_id):
            return False
        return offer_store.deactivate_offer(connection, restaurant_id, code)
