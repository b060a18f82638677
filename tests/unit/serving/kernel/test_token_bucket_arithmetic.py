from hypothesis import given
from hypothesis import strategies as st

from serving.kernel.gateway.token_bucket import BucketLimit, BucketState, take

LIMIT = BucketLimit(capacity=3, refill_per_second=2.0)


def test_a_new_bucket_is_full_and_allows_a_burst_of_its_capacity() -> None:
    states: list[BucketState | None] = [None]
    answers = []
    for _ in range(4):
        decision = take(states, [LIMIT], now_ms=1_000)
        answers.append(decision.allowed)
        states = list(decision.states)
    assert answers == [True, True, True, False]


def test_a_refused_request_says_how_long_until_the_next_token() -> None:
    empty = BucketState(tokens=0.25, updated_ms=1_000)
    decision = take([empty], [LIMIT], now_ms=1_000)
    assert not decision.allowed
    assert decision.retry_after_ms == 375  # 0.75 token at 2 per second
    assert decision.retry_after_seconds == 1  # Retry-After rounds up, never 0


def test_tokens_refill_with_time_but_never_beyond_capacity() -> None:
    empty = BucketState(tokens=0.0, updated_ms=0)
    assert take([empty], [LIMIT], now_ms=499).allowed is False
    assert take([empty], [LIMIT], now_ms=500).allowed is True
    after_an_hour = take([empty], [LIMIT], now_ms=3_600_000)
    assert after_an_hour.states[0].tokens == LIMIT.capacity - 1


def test_a_clock_stepping_backwards_adds_no_tokens() -> None:
    state = BucketState(tokens=0.5, updated_ms=10_000)
    assert take([state], [LIMIT], now_ms=5_000).allowed is False


def test_several_buckets_pass_together_or_not_at_all() -> None:
    ip, user = BucketLimit(100, 1.0), BucketLimit(1, 1.0)
    full, empty = BucketState(50.0, 0), BucketState(0.0, 0)
    refused = take([full, empty], [ip, user], now_ms=0)
    assert not refused.allowed
    assert refused.states[0].tokens == 50.0  # the IP bucket paid nothing for the refusal
    allowed = take([full, BucketState(1.0, 0)], [ip, user], now_ms=0)
    assert allowed.allowed and [s.tokens for s in allowed.states] == [49.0, 0.0]


@given(
    capacity=st.integers(1, 50),
    rate=st.floats(0.1, 100),
    gaps=st.lists(st.integers(0, 2_000), min_size=1, max_size=60),
)
def test_over_any_window_no_more_pass_than_capacity_plus_refill(capacity: int, rate: float, gaps: list[int]) -> None:
    limit = BucketLimit(capacity, rate)
    state: BucketState | None = None
    now, passed = 0, 0
    for gap in gaps:
        now += gap
        decision = take([state], [limit], now)
        passed += decision.allowed
        state = decision.states[0]
        assert 0 <= state.tokens <= capacity
    assert passed <= capacity + now * rate / 1000 + 1e-9
