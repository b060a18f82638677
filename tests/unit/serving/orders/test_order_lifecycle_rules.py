import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.events.orders import OrderAccepted, OrderCancelled, OrderRejected, OrderStatusChange
from contracts.registry import spec_for
from contracts.topics import ORDERS
from serving.orders.domain import LineItem, Order, OrderStatus, lifecycle, place_order
from serving.orders.domain.events import transition_envelope
from serving.orders.domain.lifecycle import (
    Actor,
    ActorNotPermitted,
    CancelReason,
    IllegalTransition,
    MissingDetail,
    RejectionReason,
    apply,
    decide,
)

S, A, R = OrderStatus, Actor, CancelReason
NOW = datetime(2026, 1, 2, 12, 0, tzinfo=UTC)

# The lifecycle as the architecture states it, written out independently of the
# implementation's table: (from, to, reason) -> who may do it (admins always may).
EXPECTED: dict[tuple[OrderStatus, OrderStatus, CancelReason | None], set[Actor]] = {
    (S.PENDING, S.ACCEPTED, None): {A.RESTAURANT},
    (S.ACCEPTED, S.PREPARING, None): {A.RESTAURANT},
    (S.PREPARING, S.READY, None): {A.RESTAURANT},
    (S.READY, S.ASSIGNED, None): {A.SYSTEM},
    (S.ASSIGNED, S.PICKED, None): {A.COURIER},
    (S.PICKED, S.OUT_FOR_DELIVERY, None): {A.COURIER},
    (S.OUT_FOR_DELIVERY, S.DELIVERED, None): {A.COURIER},
    (S.DELIVERED, S.COMPLETED, None): {A.SYSTEM},
    (S.PENDING, S.CANCELLED, R.CUSTOMER_CANCELLED): {A.CUSTOMER},
    (S.ACCEPTED, S.CANCELLED, R.CUSTOMER_CANCELLED): {A.CUSTOMER},
    (S.PREPARING, S.CANCELLED, R.CUSTOMER_CANCELLED): {A.CUSTOMER},
    (S.PENDING, S.CANCELLED, R.RESTAURANT_REJECTED): {A.RESTAURANT},
    (S.ACCEPTED, S.CANCELLED, R.RESTAURANT_REJECTED): {A.RESTAURANT},
    (S.PENDING, S.CANCELLED, R.PAYMENT_FAILED): {A.SYSTEM},
    (S.ACCEPTED, S.CANCELLED, R.PAYMENT_FAILED): {A.SYSTEM},
    (S.PENDING, S.CANCELLED, R.ACCEPT_TIMEOUT): {A.SYSTEM},
}
EARLY = {S.PENDING, S.ACCEPTED, S.PREPARING}


def new_order(subtotal_each: int = 10000) -> Order:
    return place_order(
        order_id=uuid.uuid4(),
        customer_id="cust-1",
        restaurant_id="rest-1",
        city="Pune",
        currency="INR",
        lines=[LineItem("thali", "Thali", 2, subtotal_each)],
        delivery_fee_minor=3000,
        placed_at=NOW - timedelta(minutes=5),
    )


def details(target: OrderStatus, reason: CancelReason | None) -> dict[str, object]:
    extra: dict[str, object] = {}
    if target is S.ACCEPTED:
        extra["prep_time_minutes"] = 15
    if reason is R.RESTAURANT_REJECTED:
        extra["rejection_reason"] = RejectionReason.OUT_OF_STOCK
    return extra


def test_the_table_is_exactly_the_documented_lifecycle_with_admins_allowed_everywhere() -> None:
    actual = {(rule.source, rule.target, rule.reason): set(rule.actors) for rule in lifecycle.TRANSITIONS}
    assert actual == {key: actors | {A.ADMIN} for key, actors in EXPECTED.items()}


def test_completed_and_cancelled_are_the_only_terminal_states() -> None:
    assert lifecycle.TERMINAL == {S.COMPLETED, S.CANCELLED}


def test_cancelled_is_reachable_only_from_pending_accepted_and_preparing() -> None:
    sources = {rule.source for rule in lifecycle.TRANSITIONS if rule.target is S.CANCELLED}
    assert sources == EARLY
    assert all(rule.reason is not None for rule in lifecycle.TRANSITIONS if rule.target is S.CANCELLED)


calls = st.lists(
    st.tuples(st.sampled_from(list(OrderStatus)), st.sampled_from(list(Actor)), st.sampled_from([None, *R])),
    max_size=40,
)


@given(calls)
def test_no_sequence_of_calls_reaches_a_state_the_table_forbids_and_every_illegal_call_is_refused(
    sequence: list[tuple[OrderStatus, Actor, CancelReason | None]],
) -> None:
    order = new_order()
    visited = [order.status]
    for target, actor, reason in sequence:
        allowed = EXPECTED.get((order.status, target, reason))
        try:
            change = apply(order, target, actor=actor, actor_id="x", now=NOW, reason=reason, **details(target, reason))  # type: ignore[arg-type]
        except IllegalTransition:
            assert allowed is None
            continue
        except ActorNotPermitted:
            assert allowed is not None and actor not in allowed | {A.ADMIN}
            continue
        assert allowed is not None and actor in allowed | {A.ADMIN}
        assert change.before is order and change.after.status is target
        order = change.after
        visited.append(order.status)
    for source, target in zip(visited, visited[1:], strict=False):
        assert any((source, target) == key[:2] for key in EXPECTED)
    if S.CANCELLED in visited:
        assert visited[-1] is S.CANCELLED and order.cancellation_reason is not None


@pytest.mark.parametrize("status", list(OrderStatus))
def test_a_move_to_the_same_status_is_always_illegal(status: OrderStatus) -> None:
    with pytest.raises(IllegalTransition):
        decide(status, status, A.ADMIN)


def test_cancelling_without_a_reason_is_illegal_even_for_an_admin() -> None:
    with pytest.raises(IllegalTransition):
        decide(S.PENDING, S.CANCELLED, A.ADMIN, None)


def test_accepting_sets_the_ready_estimate_and_needs_a_prep_time() -> None:
    order = new_order()
    change = apply(order, S.ACCEPTED, actor=A.RESTAURANT, actor_id="owner", now=NOW, prep_time_minutes=25)
    assert change.after.estimated_ready_at == NOW + timedelta(minutes=25)
    with pytest.raises(MissingDetail) as missing:
        apply(order, S.ACCEPTED, actor=A.RESTAURANT, actor_id="owner", now=NOW)
    assert missing.value.field == "prep_time_minutes"


def test_an_illegal_move_is_reported_as_illegal_before_any_missing_detail() -> None:
    delivered = new_order()
    for target in (S.ACCEPTED, S.PREPARING, S.READY, S.ASSIGNED, S.PICKED, S.OUT_FOR_DELIVERY, S.DELIVERED):
        delivered = apply(delivered, target, actor=A.ADMIN, actor_id="ops", now=NOW, **details(target, None)).after  # type: ignore[arg-type]
    with pytest.raises(IllegalTransition):
        apply(delivered, S.ACCEPTED, actor=A.ADMIN, actor_id="ops", now=NOW)


@pytest.mark.parametrize(
    ("status", "fee"),
    [(S.PENDING, 0), (S.ACCEPTED, 0), (S.PREPARING, 20000)],
)
def test_a_customer_cancels_free_until_the_kitchen_starts_and_pays_for_the_food_after(
    status: OrderStatus, fee: int
) -> None:
    order = new_order(subtotal_each=10000)
    assert lifecycle.customer_cancellation_fee_minor(status, order.totals.subtotal_minor) == fee
    while order.status is not status:
        nxt = {S.PENDING: S.ACCEPTED, S.ACCEPTED: S.PREPARING}[order.status]
        order = apply(order, nxt, actor=A.RESTAURANT, actor_id="o", now=NOW, **details(nxt, None)).after  # type: ignore[arg-type]
    change = apply(order, S.CANCELLED, actor=A.CUSTOMER, actor_id="cust-1", now=NOW, reason=R.CUSTOMER_CANCELLED)
    assert change.cancellation_fee_minor == fee
    event = transition_envelope(change)
    cancelled = OrderCancelled.model_validate(event.payload)
    assert cancelled.refund_due_minor == order.totals.total_minor - fee
    assert cancelled.reason == "customer_cancelled"


@pytest.mark.parametrize("status", [S.READY, S.ASSIGNED, S.PICKED, S.OUT_FOR_DELIVERY, S.DELIVERED, S.COMPLETED])
def test_a_customer_can_no_longer_cancel_once_the_food_is_ready(status: OrderStatus) -> None:
    with pytest.raises(IllegalTransition):
        decide(status, S.CANCELLED, A.CUSTOMER, R.CUSTOMER_CANCELLED)


def test_a_restaurant_cannot_cancel_as_the_customer_and_a_customer_cannot_accept() -> None:
    with pytest.raises(ActorNotPermitted):
        decide(S.PENDING, S.CANCELLED, A.RESTAURANT, R.CUSTOMER_CANCELLED)
    with pytest.raises(ActorNotPermitted):
        decide(S.PENDING, S.ACCEPTED, A.CUSTOMER)


def test_every_transition_makes_one_registered_past_tense_event_keyed_by_the_order_id() -> None:
    for rule in lifecycle.TRANSITIONS:
        order = new_order()
        from dataclasses import replace

        order = replace(order, status=rule.source)
        change = apply(
            order, rule.target, actor=A.ADMIN, actor_id="ops", now=NOW, reason=rule.reason,
            **details(rule.target, rule.reason),  # type: ignore[arg-type]
        )  # fmt: skip
        envelope = transition_envelope(change, trace_id="trace-12345678")
        spec = spec_for(envelope.event_type)
        assert spec.topic is ORDERS
        assert envelope.aggregate_id == str(order.order_id)
        assert envelope.occurred_at == NOW and envelope.trace_id == "trace-12345678"
        event = spec.payload.model_validate(envelope.payload)
        assert isinstance(event, OrderStatusChange)
        assert (event.from_status, event.to_status) == (rule.source.value, rule.target.value)
        if rule.reason is R.RESTAURANT_REJECTED:
            assert isinstance(event, OrderRejected) and event.rejection_reason == "out_of_stock"
        elif rule.target is S.CANCELLED:
            assert isinstance(event, OrderCancelled) and event.reason == rule.reason
        if rule.target is S.ACCEPTED:
            assert isinstance(event, OrderAccepted)
            assert event.estimated_ready_at == NOW + timedelta(minutes=15)
