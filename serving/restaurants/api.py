"""The restaurants service's public API: the only module another service may import.

Functions take the caller's ``Connection``: in the embedded deployment every schema
lives in one database, so a peer's question is answered inside the peer's own
transaction (ADR 0004) and the answer holds until the peer commits. They return frozen
dataclasses, never rows or this service's models. Restaurant and item ids arrive as
the caller keeps them (text): one that is not a UUID is simply unknown. A split
deployment replaces these bodies with calls to the restaurants service; callers do
not change.

- orders, placing: ``quote`` (one crossing for everything pricing reads) and
  ``offer_discount`` (the pure discount rule, on the quoted terms);
- orders, accepting and cancelling: ``reserve_stock`` / ``release_stock``, then,
  after its commit, ``forget_cached``;
- orders, authorising: ``owns_restaurant``, ``restaurants_owned_by``;
- cart: ``available_items`` (what may go into a cart), ``restaurant_facts``;
- both, validating requests: ``OFFER_CODE_PATTERN``, ``normalise_offer_code``.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import redis
from sqlalchemy.engine import Connection

from contracts.envelope import EventEnvelope
from serving.restaurants.adapters import inventory, offer_store
from serving.restaurants.adapters.cache.restaurant_cache import RestaurantCache, handle_change_event
from serving.restaurants.domain import hours, offers
from serving.restaurants.use_cases.errors import InsufficientStock as InsufficientStock
from serving.restaurants.use_cases.stock import release_stock as release_stock
from serving.restaurants.use_cases.stock import reserve_stock as reserve_stock

# Codes are what a customer types at checkout: short, no spaces, compared without case.
OFFER_CODE_PATTERN = offers.CODE_PATTERN
normalise_offer_code = offers.normalise_code
# Why an offer cannot be used on an order; ``error`` names ``offer_code``.
OfferNotApplicable = offers.OfferNotApplicable


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


@dataclass(frozen=True)
class RestaurantFacts:
    """Where a restaurant is and what it is called."""

    restaurant_id: uuid.UUID
    name: str
    city: str
    lat: float
    lon: float
    status: str


@dataclass(frozen=True)
class QuoteLine:
    """One line as the customer asked for it; ``unit_price_minor`` is only the client's claim."""

    item_id: str
    quantity: int = 1
    unit_price_minor: int | None = None


@dataclass(frozen=True)
class MenuItem:
    """An item as the restaurant sells it now: the server's price, never the client's."""

    item_id: uuid.UUID
    name: str
    price_minor: int
    available: bool
    stock: int | None  # portions left; None: not stock-tracked


@dataclass(frozen=True)
class QuotedLine:
    requested: QuoteLine
    item: MenuItem | None  # None: the restaurant has no such item (unknown, malformed or another's)

    @property
    def price_changed(self) -> bool:
        """The client claimed a price and the menu's differs."""
        claimed = self.requested.unit_price_minor
        return self.item is not None and claimed is not None and claimed != self.item.price_minor


@dataclass(frozen=True)
class OfferTerms:
    """A usable discount code of the restaurant (active and inside its window when quoted)."""

    code: str
    restaurant_id: uuid.UUID
    kind: str  # "PERCENTAGE" (value in basis points) | "FLAT" (value in minor units)
    value: int
    valid_from: datetime
    valid_until: datetime
    min_order_minor: int
    max_discount_minor: int | None
    per_user_limit: int | None  # None: any number of orders per customer


@dataclass(frozen=True)
class Quote:
    """Everything pricing needs of one restaurant at one instant, read in one crossing."""

    restaurant: RestaurantFacts
    open: bool  # takes orders at the quoted instant (ACTIVE and inside its hours)
    lines: tuple[QuotedLine, ...]  # one per requested line, in order
    offer: OfferTerms | None = None  # the asked code, if usable
    offer_refusal: str | None = None  # why the asked code is not usable


def _facts(summary: inventory.RestaurantSummary) -> RestaurantFacts:
    return RestaurantFacts(summary.restaurant_id, summary.name, summary.city, summary.lat, summary.lon, summary.status)


def _summary(connection: Connection, restaurant_id: str) -> inventory.RestaurantSummary | None:
    rid = _uuid(restaurant_id)
    return None if rid is None else inventory.restaurant_summary(connection, rid)


def restaurant_facts(connection: Connection, restaurant_id: str) -> RestaurantFacts | None:
    summary = _summary(connection, restaurant_id)
    return None if summary is None else _facts(summary)


def available_items(connection: Connection, restaurant_id: str, item_ids: Collection[str]) -> frozenset[str] | None:
    """Which of ``item_ids`` the restaurant sells now (on its menu and available), as given;
    None if there is no such restaurant."""
    summary = _summary(connection, restaurant_id)
    if summary is None:
        return None
    ids = {item_id: _uuid(item_id) for item_id in item_ids}
    menu = inventory.priced_items(connection, summary.restaurant_id, [i for i in ids.values() if i is not None])
    return frozenset(
        item_id for item_id, parsed in ids.items() if parsed is not None and parsed in menu and menu[parsed].available
    )


def quote(
    connection: Connection,
    restaurant_id: str,
    lines: Sequence[QuoteLine],
    *,
    at: datetime,
    offer_code: str | None = None,
) -> Quote | None:
    """The restaurant (None if there is none), whether it is open at ``at``, each line's
    item and, if a code is given, the offer's terms or why it cannot be used at ``at``.

    Another restaurant's code is simply unknown here: offers belong to one restaurant.
    """
    place = _summary(connection, restaurant_id)
    if place is None:
        return None
    rid = place.restaurant_id
    is_open = hours.is_open_at(hours.hours_from_json(place.opening_hours), place.timezone, place.status, at)
    ids = {line.item_id: _uuid(line.item_id) for line in lines}
    menu = inventory.priced_items(connection, rid, [i for i in ids.values() if i is not None])
    quoted = []
    for line in lines:
        item_id = ids[line.item_id]
        found = menu.get(item_id) if item_id is not None else None
        quoted.append(QuotedLine(line, None if found is None else _menu_item(found)))
    offer, refusal = (None, None) if offer_code is None else _usable_offer(connection, rid, offer_code, at)
    return Quote(_facts(place), is_open, tuple(quoted), offer, refusal)


def _menu_item(priced: inventory.PricedItem) -> MenuItem:
    return MenuItem(priced.item_id, priced.name, priced.price_minor, priced.available, priced.stock)


def _usable_offer(
    connection: Connection, restaurant_id: uuid.UUID, offer_code: str, at: datetime
) -> tuple[OfferTerms | None, str | None]:
    code = offers.normalise_code(offer_code)
    stored = offer_store.find_offer(connection, restaurant_id, code)
    if stored is None:
        return None, f"This restaurant has no offer {code}."
    if not stored.active:
        return None, f"Offer {code} is no longer active."
    problem = offers.window_error(stored.offer, at)
    if problem is not None:
        return None, problem
    offer = stored.offer
    terms = OfferTerms(
        code=offer.code, restaurant_id=stored.restaurant_id, kind=offer.kind.value, value=offer.value,
        valid_from=offer.valid_from, valid_until=offer.valid_until, min_order_minor=offer.min_order_minor,
        max_discount_minor=offer.max_discount_minor, per_user_limit=offer.per_user_limit,
    )  # fmt: skip
    return terms, None


def offer_discount(terms: OfferTerms, *, subtotal_minor: int, at: datetime, redemptions_by_user: int) -> int:
    """The discount in minor units (never more than the subtotal), or ``OfferNotApplicable``.

    Pure: the caller counts the customer's earlier redemptions in its own data, under
    its own lock, and passes the count.
    """
    offer = offers.Offer(
        code=terms.code, kind=offers.OfferKind(terms.kind), value=terms.value, valid_from=terms.valid_from,
        valid_until=terms.valid_until, min_order_minor=terms.min_order_minor,
        max_discount_minor=terms.max_discount_minor, per_user_limit=terms.per_user_limit,
        restaurant_id=str(terms.restaurant_id),
    )  # fmt: skip
    return offers.apply_offer(
        offer,
        subtotal_minor=subtotal_minor,
        now=at,
        redemptions_by_user=redemptions_by_user,
        restaurant_id=str(terms.restaurant_id),
    )


def forget_cached(redis_client: redis.Redis[bytes], changes: Iterable[EventEnvelope]) -> None:
    """After the caller committed ``changes`` (e.g. ``reserve_stock``'s events): drop the
    cached restaurants and menus they changed, so the next read is fresh without waiting
    for the ``restaurant-cache`` consumer. Redis being down is logged, never raised."""
    cache = RestaurantCache(redis_client, ttl_seconds=None)  # only invalidates
    for envelope in changes:
        handle_change_event(cache, envelope)


def owns_restaurant(connection: Connection, user_id: str, restaurant_id: str) -> bool:
    """Whether ``user_id`` (a RESTAURANT account) owns the restaurant. Orders keep the id's
    canonical text; any other spelling is no restaurant."""
    summary = _summary(connection, restaurant_id)
    return summary is not None and str(summary.restaurant_id) == restaurant_id and summary.owner_id == user_id


def restaurants_owned_by(connection: Connection, user_id: str) -> list[str]:
    """The ids of ``user_id``'s restaurants, sorted."""
    return sorted(str(rid) for rid in inventory.restaurants_owned_by(connection, user_id))
