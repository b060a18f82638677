"""Server-side prices from the restaurants catalogue (``TIFFIN_ORDER_PRICING=catalog``).

The embedded deployment keeps both services in one database, so the catalogue is
read through ``serving.restaurants.adapters.inventory`` on the placing transaction's
connection: the order is stored with exactly the prices it was checked against.
A client's ``name``/``unit_price_minor`` are optional; a sent price that differs
from the menu is a 422 "price changed" (the cart shows a stale menu: re-read it).
An ``offer_code`` is looked up in ``restaurants.offers`` the same way; its per-customer
limit is counted in ``orders.orders`` (this service's own data) under a lock that
lasts until the order commits.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from serving.kernel.field_errors import FieldError
from serving.kernel.redis import LazyRedis, RedisUnavailable
from serving.orders import pricing, repository
from serving.orders.domain import LineItem, OrderRejected
from serving.orders.ports import NoSurge, PricedOrder, PriceQuery, RequestedLine, SurgeSource
from serving.restaurants.adapters import inventory, offer_store
from serving.restaurants.adapters.tables import restaurants
from serving.restaurants.domain import hours
from serving.restaurants.domain.offers import Offer, OfferNotApplicable, apply_offer, normalise_code, window_error
from serving.settings import ServingSettings

log = logging.getLogger(__name__)

SURGE_PREFIX = "tiffin:surge:v1:"
MAX_SURGE_BP = 50_000  # x5: a typo in an ops tool must not charge Rs 2,000 for a delivery


def surge_zone(city: str) -> str:
    """The pickup zone of a restaurant; the city until delivery zones exist."""
    return city.strip().lower()


class RedisSurge:
    """Reads ``tiffin:surge:v1:{zone}`` (a decimal multiplier, e.g. ``1.5``); x1.0 when absent.

    Surge is a nicety: Redis down, or a value that is not a sane multiplier, prices
    without surge (logged) instead of refusing orders.
    """

    def __init__(self, redis: LazyRedis) -> None:
        self._redis = redis

    def surge_bp(self, zone: str) -> int:
        try:
            raw = self._redis.call("surge read", lambda client: client.get(SURGE_PREFIX + zone))
        except RedisUnavailable:
            log.warning("surge unavailable for zone %s; pricing without surge", zone)
            return pricing.BASIS_POINTS
        if raw is None:
            return pricing.BASIS_POINTS
        try:
            bp = round(float(raw) * pricing.BASIS_POINTS)
        except (ValueError, OverflowError):  # not a number, nan, inf
            bp = -1
        if not pricing.BASIS_POINTS <= bp <= MAX_SURGE_BP:
            log.error("ignoring surge %r of zone %s", raw, zone)
            return pricing.BASIS_POINTS
        return bp


def _reject(field: str, message: str) -> OrderRejected:
    return OrderRejected([FieldError(field, message)])


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


class CatalogPricing:
    """The ``MenuPricing`` port backed by the restaurants schema."""

    def __init__(
        self,
        tariff: pricing.DeliveryTariff | None = None,
        surge: SurgeSource | None = None,
        rates: pricing.ChargeRates | None = None,
    ) -> None:
        self._tariff = tariff or pricing.DeliveryTariff()
        self._surge = surge or NoSurge()
        self._rates = rates or pricing.ChargeRates()

    def price(
        self,
        connection: Connection,
        query: PriceQuery,
    ) -> PricedOrder:
        rid = _uuid(query.restaurant_id)
        # One read of everything pricing needs of the restaurant (a hot path: every placement).
        place = None if rid is None else connection.execute(
            sa.select(
                restaurants.c.name, restaurants.c.city, restaurants.c.status, restaurants.c.lat, restaurants.c.lon,
                restaurants.c.timezone, restaurants.c.opening_hours,
            ).where(restaurants.c.restaurant_id == rid)
        ).first()  # fmt: skip
        if rid is None or place is None:
            raise _reject("restaurant_id", f"No restaurant {query.restaurant_id} exists.")
        if not hours.is_open_at(hours.hours_from_json(place.opening_hours), place.timezone, place.status, query.now):
            raise _reject("restaurant_id", f"{place.name} is not taking orders right now.")
        lines, errors = self._lines(connection, rid, query.requested)
        offer: Offer | None = None
        if query.offer_code is not None:
            # Checked even when a line is refused, so one round trip reports both.
            offer, problem = _usable_offer(connection, rid, query.offer_code, query.now)
            if problem is not None:
                errors.append(FieldError("offer_code", problem))
        if errors:
            raise OrderRejected(errors)
        discount = 0
        if offer is not None:
            discount = self._discount(connection, offer, query.customer_id, str(rid), lines, query.now)
        # The client's delivery_fee_minor is ignored: the fee is the server's.
        distance = 0.0
        drop = query.delivery_location
        if drop is not None:
            distance = pricing.haversine_km(place.lat, place.lon, drop.lat, drop.lon)
        fee = pricing.delivery_fee_minor(self._tariff, distance, self._surge.surge_bp(surge_zone(place.city)))
        charges = pricing.breakdown(lines, rates=self._rates, delivery_fee_minor=fee, discount_minor=discount)
        return PricedOrder(
            lines,
            delivery_fee_minor=charges.delivery_fee_minor,
            city=place.city,  # whatever the client sent: the restaurant is where it is
            discount_minor=charges.discount_minor,
            tax_minor=charges.tax_minor,
            packaging_minor=charges.packaging_minor,
            offer_code=offer.code if offer is not None else None,
            restaurant_id=str(rid),
        )

    @staticmethod
    def _discount(
        connection: Connection, offer: Offer, customer_id: str, restaurant_id: str, lines: list[LineItem], now: datetime
    ) -> int:
        redemptions = 0
        if offer.per_user_limit is not None:
            repository.lock_offer_redemptions(connection, customer_id, restaurant_id, offer.code)
            redemptions = repository.count_offer_redemptions(connection, customer_id, restaurant_id, offer.code)
        try:
            return apply_offer(
                offer,
                subtotal_minor=sum(line.line_total_minor for line in lines),
                now=now,
                redemptions_by_user=redemptions,
                restaurant_id=restaurant_id,
            )
        except OfferNotApplicable as refused:
            raise OrderRejected([refused.error]) from None

    def _lines(
        self, connection: Connection, rid: uuid.UUID, requested: Sequence[RequestedLine]
    ) -> tuple[list[LineItem], list[FieldError]]:
        ids = {line.item_id: _uuid(line.item_id) for line in requested}
        menu = inventory.priced_items(connection, rid, [i for i in ids.values() if i is not None])
        errors: list[FieldError] = []
        lines: list[LineItem] = []
        for index, line in enumerate(requested):
            item_uuid = ids[line.item_id]
            item = menu.get(item_uuid) if item_uuid is not None else None
            if item is None:
                # Unknown, malformed, or another restaurant's item: the same answer.
                errors.append(FieldError(f"lines[{index}].item_id", f"This restaurant has no item {line.item_id}."))
                continue
            if not item.available:
                errors.append(FieldError(f"lines[{index}].item_id", f"{item.name} is not available right now."))
                continue
            if line.unit_price_minor is not None and line.unit_price_minor != item.price_minor:
                errors.append(
                    FieldError(
                        f"lines[{index}].unit_price_minor",
                        f"Price changed: {item.name} now costs {item.price_minor} minor units.",
                    )
                )
                continue
            lines.append(LineItem(str(item.item_id), item.name, line.quantity, item.price_minor))
        return lines, errors


def _usable_offer(
    connection: Connection, restaurant_id: uuid.UUID, offer_code: str, now: datetime
) -> tuple[Offer | None, str | None]:
    """The restaurant's offer if it exists, is active and is inside its window; else why not.

    Another restaurant's code is simply unknown here: offers belong to one restaurant.
    """
    code = normalise_code(offer_code)
    stored = offer_store.find_offer(connection, restaurant_id, code)
    if stored is None:
        return None, f"This restaurant has no offer {code}."
    if not stored.active:
        return None, f"Offer {code} is no longer active."
    problem = window_error(stored.offer, now)
    return (None, problem) if problem is not None else (stored.offer, None)


def catalog_pricing_from(settings: ServingSettings, redis: LazyRedis | None) -> CatalogPricing:
    """The catalogue pricing the settings describe (tariff, tax, packaging), surge from ``redis``."""
    tariff = pricing.DeliveryTariff(
        base_fee_minor=settings.orders.delivery_base_fee_minor,
        included_km=settings.orders.delivery_included_km,
        per_km_minor=settings.orders.delivery_per_km_minor,
    )
    rates = pricing.ChargeRates(
        tax_bp=settings.orders.order_tax_bp,
        packaging_per_item_minor=settings.orders.order_packaging_per_item_minor,
        packaging_flat_minor=settings.orders.order_packaging_flat_minor,
    )
    return CatalogPricing(tariff, RedisSurge(redis) if redis is not None else None, rates)
