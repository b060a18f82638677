import uuid
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from contracts.events.restaurants import RestaurantReviewed
from contracts.registry import spec_for
from contracts.topics import RESTAURANTS


def reviewed(**overrides: object) -> RestaurantReviewed:
    fields: dict[str, object] = {
        "restaurant_id": uuid.uuid4(),
        "review_id": uuid.uuid4(),
        "order_id": uuid.uuid4(),
        "rating": 4,
        "rating_avg": 4.3875,
        "rating_count": 8,
        "reviewed_at": datetime.now(UTC),
    }
    fields.update(overrides)
    return RestaurantReviewed.model_validate(fields)


def test_restaurant_reviewed_travels_with_the_other_restaurant_changes() -> None:
    spec = spec_for("RestaurantReviewed")
    assert spec.topic is RESTAURANTS and spec.topic.key == "restaurant_id"
    assert spec.payload is RestaurantReviewed and spec.schema_version == 1


def test_its_payload_names_no_reviewer_and_round_trips_through_json() -> None:
    event = reviewed()
    assert "customer_id" not in event.model_dump()
    assert RestaurantReviewed.model_validate_json(event.model_dump_json()) == event


@pytest.mark.parametrize(
    "overrides", [{"rating": 0}, {"rating": 6}, {"rating_avg": 5.1}, {"rating_count": 0}, {"extra": 1}]
)
def test_impossible_ratings_are_refused(overrides: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        reviewed(**overrides)
