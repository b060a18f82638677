"""What the orders service needs from the restaurants service, as narrow protocols.

The restaurants service is being built alongside; until it lands, these have
conservative defaults. ``create_app`` callers (and tests) swap them through
``app.state.menu_pricing`` / ``app.state.restaurant_ownership``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from serving.orders.domain import LineItem

log = logging.getLogger(__name__)


class MenuPricing(Protocol):
    """Turns what the customer asked for into priced lines.

    The server-side implementation will look prices up in the restaurant's menu
    (and raise ``domain.OrderRejected`` naming ``lines[i].item_id`` for unknown or
    unavailable items); totals are always computed by ``domain.price_order``.
    """

    def price_lines(self, restaurant_id: str, requested: Sequence[LineItem]) -> list[LineItem]: ...


class ClientSentPricing:
    """Today's behaviour: the unit prices in the request are taken as they are."""

    def price_lines(self, restaurant_id: str, requested: Sequence[LineItem]) -> list[LineItem]:
        return list(requested)


class RestaurantOwnership(Protocol):
    """Is the caller (a RESTAURANT principal's subject) the owner of a restaurant?

    Runs on the orders transaction's connection, so the answer is consistent with
    the order row that was just locked.
    """

    def owns(self, connection: Connection, subject: str, restaurant_id: str) -> bool: ...

    def restaurants_of(self, connection: Connection, subject: str) -> list[str]: ...


class TableRestaurantOwnership:
    """Reads ``<schema>.<table>(<id_column>, owner_id)``; denies everything if it does not exist.

    The default is ``restaurants.restaurants``, owned by the restaurants service.
    Until that schema exists every ownership question is answered "no": denying is
    the safe failure for an authorisation check.
    """

    def __init__(
        self, schema: str = "restaurants", table: str = "restaurants", id_column: str = "restaurant_id"
    ) -> None:
        self._qualified = f"{schema}.{table}"
        self._table = sa.table(table, sa.column(id_column), sa.column("owner_id"), schema=schema)
        self._id = self._table.c[id_column]

    def _exists(self, connection: Connection) -> bool:
        found: object = connection.execute(sa.select(sa.func.to_regclass(self._qualified))).scalar_one()
        return found is not None

    def _query(self, connection: Connection, query: sa.Select[Any]) -> list[str]:
        if not self._exists(connection):
            return []
        try:
            # A savepoint: if the table's shape differs from what we expect, only
            # this query fails, never the caller's transaction.
            with connection.begin_nested():
                values: list[object] = list(connection.execute(query).scalars())
                return [str(value) for value in values]
        except sa.exc.DBAPIError:
            log.exception("cannot read restaurant ownership from %s; denying", self._qualified)
            return []

    def owns(self, connection: Connection, subject: str, restaurant_id: str) -> bool:
        query = sa.select(sa.cast(self._id, sa.Text)).where(
            sa.cast(self._id, sa.Text) == restaurant_id,
            sa.cast(self._table.c.owner_id, sa.Text) == subject,
        )
        return bool(self._query(connection, query))

    def restaurants_of(self, connection: Connection, subject: str) -> list[str]:
        query = sa.select(sa.cast(self._id, sa.Text)).where(sa.cast(self._table.c.owner_id, sa.Text) == subject)
        return sorted(set(self._query(connection, query)))
