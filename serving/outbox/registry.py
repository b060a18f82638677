"""Every service's outbox table; the relay process publishes all of them.

A service with an outbox appends its table here (defined with
``serving.outbox.table.define_outbox_table`` in the service's own schema).
"""

from __future__ import annotations

import sqlalchemy as sa

from serving.orders.tables import outbox as orders_outbox
from serving.payments.tables import outbox as payments_outbox
from serving.restaurants.tables import outbox as restaurants_outbox

OUTBOX_TABLES: tuple[sa.Table, ...] = (orders_outbox, restaurants_outbox, payments_outbox)
