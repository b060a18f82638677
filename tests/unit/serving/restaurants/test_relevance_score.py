"""The documented relevance formula, distance maths and query normalisation."""

from __future__ import annotations

import pytest

from serving.restaurants.domain.ranking import (
    Signals,
    bayesian_rating,
    bounding_box,
    haversine_km,
    normalise_query,
    relevance,
)


def signals(**overrides: object) -> Signals:
    fields: dict[str, object] = {
        "text": 0.8, "distance_km": 2.0, "radius_km": 5.0, "rating_avg": 4.0, "rating_count": 100,
        "popularity": 500,
    }  # fmt: skip
    fields.update(overrides)
    return Signals(**fields)  # type: ignore[arg-type]


def test_a_much_better_text_match_outranks_a_nearer_better_rated_more_popular_place() -> None:
    relevant = signals(text=1.0, distance_km=3.0, rating_avg=3.8, popularity=200)
    popular = signals(text=0.55, distance_km=2.0, rating_avg=4.5, rating_count=500, popularity=5000)
    assert relevance(relevant) > relevance(popular)


def test_with_equal_text_the_nearer_place_wins() -> None:
    assert relevance(signals(distance_km=0.5)) > relevance(signals(distance_km=4.5))


def test_with_equal_text_and_distance_rating_then_popularity_decide() -> None:
    assert relevance(signals(rating_avg=4.6)) > relevance(signals(rating_avg=3.6))
    assert relevance(signals(popularity=5000)) > relevance(signals(popularity=5))


def test_one_five_star_review_does_not_beat_many_good_ones() -> None:
    assert bayesian_rating(5.0, 1) < bayesian_rating(4.5, 1000)


def test_the_score_stays_between_zero_and_one() -> None:
    best = signals(text=1.0, distance_km=0.0, rating_avg=5.0, rating_count=10**6, popularity=10**7)
    worst = signals(text=0.0, distance_km=5.0, rating_avg=0.0, rating_count=10**6, popularity=0)
    assert 0.0 <= relevance(worst) < relevance(best) <= 1.0


def test_haversine_matches_a_known_distance() -> None:
    # Connaught Place to India Gate, about 2.3 km.
    assert haversine_km(28.6315, 77.2167, 28.6129, 77.2295) == pytest.approx(2.41, abs=0.1)


def test_the_bounding_box_contains_the_whole_circle() -> None:
    lat, lon, radius = 28.6, 77.2, 5.0
    min_lat, max_lat, min_lon, max_lon = bounding_box(lat, lon, radius)
    assert haversine_km(lat, lon, max_lat, lon) == pytest.approx(radius, rel=1e-3)
    assert haversine_km(lat, lon, lat, max_lon) == pytest.approx(radius, rel=1e-2)
    assert min_lat < lat < max_lat and min_lon < lon < max_lon


def test_popular_searches_are_counted_case_and_space_insensitively() -> None:
    assert normalise_query("  Chicken   BIRYANI ") == "chicken biryani"
