"""Appending events to an outbox, inside the caller's transaction."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from contracts.envelope import EventEnvelope
from contracts.registry import spec_for


def outbox_row(envelope: EventEnvelope) -> dict[str, Any]:
    """The row for one event: its registered topic, keyed by the aggregate id."""
    return {
        "event_id": envelope.event_id,
        "topic": spec_for(envelope.event_type).topic.name,
        "message_key": envelope.aggregate_id,
        "event_type": envelope.event_type,
        "payload": envelope.model_dump(mode="json"),
        "occurred_at": envelope.occurred_at,
    }


def append_to_outbox(connection: Connection, outbox: sa.Table, envelope: EventEnvelope) -> None:
    """Insert the event; it commits or rolls back with the caller's state change."""
    connection.execute(sa.insert(outbox).values(outbox_row(envelope)))
