"""The three outcomes of a payment attempt share one base, and sharing it changed none of
their payloads: the same fields, in the same order, as strict as before."""

import uuid
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from contracts.events.payments import (
    PaymentFailed,
    PaymentOutcome,
    PaymentPending,
    PaymentRefunded,
    PaymentSucceeded,
)
from contracts.registry import spec_for
from contracts.topics import PAYMENTS

COMMON = ["payment_id", "order_id", "customer_id", "method", "amount_minor", "currency"]
FIELDS = {
    PaymentPending: [*COMMON, "recorded_at"],
    PaymentSucceeded: [*COMMON, "succeeded_at"],
    PaymentFailed: [*COMMON, "reason", "failed_at"],
}


def _common() -> dict[str, object]:
    return {
        "payment_id": uuid.uuid4(),
        "order_id": uuid.uuid4(),
        "customer_id": "cust-1",
        "method": "card",
        "amount_minor": 27500,
        "currency": "INR",
    }


def test_pending_succeeded_and_failed_are_payment_outcomes_and_a_refund_is_not() -> None:
    assert all(issubclass(event, PaymentOutcome) for event in FIELDS)
    assert not issubclass(PaymentRefunded, PaymentOutcome)
    assert list(PaymentOutcome.model_fields) == COMMON
    # The base is not an event: nothing is registered under its name.
    with pytest.raises(KeyError):
        spec_for("PaymentOutcome")


@pytest.mark.parametrize("event", list(FIELDS))
def test_each_outcome_keeps_its_fields_their_order_and_its_registration(event: type[PaymentOutcome]) -> None:
    assert list(event.model_fields) == FIELDS[event]
    assert list(event.model_json_schema()["properties"]) == FIELDS[event]
    assert event.model_json_schema()["required"] == FIELDS[event]
    spec = spec_for(event.event_type)
    assert (spec.payload, spec.topic, spec.schema_version) == (event, PAYMENTS, 1)


def test_the_payload_json_is_unchanged_and_still_strict() -> None:
    failed = PaymentFailed.model_validate({**_common(), "reason": "card_declined", "failed_at": datetime.now(UTC)})
    assert list(failed.model_dump(mode="json")) == FIELDS[PaymentFailed]
    with pytest.raises(ValidationError):
        PaymentSucceeded.model_validate({**_common(), "succeeded_at": datetime.now(UTC), "extra": 1})
    with pytest.raises(ValidationError):
        PaymentPending.model_validate({**_common(), "recorded_at": datetime(2026, 1, 1)})  # naive time
    with pytest.raises(ValidationError):
        failed.reason = "changed"
