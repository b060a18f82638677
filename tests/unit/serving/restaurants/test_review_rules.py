"""Who may review which order and how a rating moves the average."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from serving.kernel.auth import Principal, Role
from serving.restaurants.domain.reviews import (
    REVIEWABLE_STATUSES,
    OrderFacts,
    OrderNotDelivered,
    OrderNotFound,
    Rating,
    Review,
    add_rating,
    check_reviewable,
    is_author,
    same_restaurant,
)

RID = uuid.uuid4()


def order(status: str = "DELIVERED", customer: str = "cust-1", restaurant: str = str(RID)) -> OrderFacts:
    return OrderFacts(uuid.uuid4(), customer, restaurant, status)


@pytest.mark.parametrize("status", sorted(REVIEWABLE_STATUSES))
def test_the_customer_of_a_delivered_order_may_review_it(status: str) -> None:
    check_reviewable(order(status), "cust-1", RID)  # no exception


@pytest.mark.parametrize(
    "facts",
    [
        None,  # no such order
        order(customer="cust-2"),  # another customer's
        order(restaurant=str(uuid.uuid4())),  # another restaurant's
        order(restaurant="rest-legacy-text-id"),  # an order at a restaurant id that is no UUID
    ],
    ids=["missing", "other-customer", "other-restaurant", "non-uuid-restaurant"],
)
def test_an_order_that_is_not_yours_from_here_is_not_found_all_alike(facts: OrderFacts | None) -> None:
    with pytest.raises(OrderNotFound) as refused:
        check_reviewable(facts, "cust-1", RID)
    assert refused.value.error.field == "order_id"
    assert str(refused.value) == "No such order of yours from this restaurant."  # nothing tells the cases apart


def test_someone_elses_undelivered_order_is_not_found_rather_than_not_delivered() -> None:
    with pytest.raises(OrderNotFound):
        check_reviewable(order("PENDING", customer="cust-2"), "cust-1", RID)


@pytest.mark.parametrize(
    "status", ["PENDING", "ACCEPTED", "PREPARING", "READY", "ASSIGNED", "PICKED", "OUT_FOR_DELIVERY", "CANCELLED"]
)
def test_an_undelivered_order_is_a_conflict_naming_order_id(status: str) -> None:
    with pytest.raises(OrderNotDelivered) as refused:
        check_reviewable(order(status), "cust-1", RID)
    assert refused.value.error.field == "order_id"
    assert status in str(refused.value)


def test_the_orders_text_restaurant_id_matches_the_uuid_in_any_spelling() -> None:
    assert same_restaurant(str(RID), RID)
    assert same_restaurant(str(RID).upper(), RID)
    assert same_restaurant(RID.hex, RID)
    assert not same_restaurant(str(uuid.uuid4()), RID)
    assert not same_restaurant("", RID)


def test_the_first_rating_of_a_new_restaurant_is_its_average() -> None:
    assert add_rating(Rating(0.0, 0), 4) == Rating(4.0, 1)


def test_a_rating_adds_to_the_seeded_count_and_average() -> None:
    after = add_rating(Rating(4.3, 7), 5)
    assert after.count == 8
    assert after.average == pytest.approx((4.3 * 7 + 5) / 8)  # 4.3875
    again = add_rating(after, 1)
    assert again.count == 9 and again.average == pytest.approx((4.3 * 7 + 5 + 1) / 9)


@given(st.lists(st.integers(1, 5), min_size=1, max_size=300))
def test_ratings_added_one_by_one_are_the_mean_of_all_of_them(stars: list[int]) -> None:
    rating = Rating(0.0, 0)
    for s in stars:
        rating = add_rating(rating, s)
        assert 1.0 <= rating.average <= 5.0
    assert rating.count == len(stars)
    assert rating.average == pytest.approx(sum(stars) / len(stars), abs=1e-9)


@given(st.floats(0, 5), st.integers(0, 10_000_000), st.integers(1, 5))
def test_the_average_never_leaves_zero_to_five(average: float, count: int, stars: int) -> None:
    after = add_rating(Rating(average, count), stars)
    assert 0.0 <= after.average <= 5.0 and after.count == count + 1


@pytest.mark.parametrize("stars", [0, 6, -1])
def test_a_rating_outside_one_to_five_is_a_bug_of_the_caller(stars: int) -> None:
    with pytest.raises(ValueError):
        add_rating(Rating(4.0, 3), stars)


def review(customer: str = "cust-1") -> Review:
    return Review(uuid.uuid4(), RID, uuid.uuid4(), customer, 5, None, datetime.now(UTC))


def principal(subject: str, role: Role) -> Principal:
    return Principal(subject=subject, role=role)


def test_only_the_customer_who_wrote_a_review_is_its_author() -> None:
    assert is_author(review("cust-1"), principal("cust-1", Role.CUSTOMER))
    assert not is_author(review("cust-1"), principal("cust-2", Role.CUSTOMER))
    # Another role with the same subject string is still not the reviewing customer.
    assert not is_author(review("cust-1"), principal("cust-1", Role.ADMIN))
