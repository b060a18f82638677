"""The saga's orders-side decisions (serving/orders/domain/system_cancels.py): which payment
events cancel, and the accept deadline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from serving.orders.domain import OrderStatus
from serving.orders.domain.system_cancels import accept_deadline, cancels_for_failed_payment


@pytest.mark.parametrize("status", [OrderStatus.PENDING, OrderStatus.ACCEPTED])
def test_a_failed_payment_cancels_an_order_the_restaurant_has_not_started(status: OrderStatus) -> None:
    assert cancels_for_failed_payment("PaymentFailed", status)


@pytest.mark.parametrize("status", [OrderStatus.PREPARING, OrderStatus.CANCELLED, OrderStatus.DELIVERED])
def test_a_failed_payment_leaves_an_order_alone_once_the_lifecycle_forbids_cancelling_it(status: OrderStatus) -> None:
    assert not cancels_for_failed_payment("PaymentFailed", status)


def test_other_payment_events_never_cancel() -> None:
    assert not cancels_for_failed_payment("PaymentSucceeded", OrderStatus.PENDING)


def test_the_accept_deadline_is_the_timeout_before_now_and_needs_an_aware_clock() -> None:
    now = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
    assert accept_deadline(now, timedelta(minutes=10)) == datetime(2026, 11, 25, 5, 50, tzinfo=UTC)
    with pytest.raises(ValueError):
        accept_deadline(now.replace(tzinfo=None), timedelta(minutes=10))
