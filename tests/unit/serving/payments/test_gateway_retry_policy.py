import pytest

from serving.payments.adapters.retry import RetryPolicy, call_with_retries
from serving.payments.domain.gateway import GatewayDeclined, GatewayTimeout, GatewayUnavailable


class Flaky:
    def __init__(self, failures: list[Exception]) -> None:
        self.failures = failures
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return "ok"


def test_transient_failures_are_retried_with_growing_capped_pauses_until_success() -> None:
    pauses: list[float] = []
    call = Flaky([GatewayUnavailable("a"), GatewayTimeout("b"), GatewayUnavailable("c")])
    policy = RetryPolicy(max_attempts=5, initial_seconds=0.1, cap_seconds=0.25, jitter=0)
    assert call_with_retries(call, policy, sleep=pauses.append) == "ok"
    assert call.calls == 4
    assert pauses == [0.1, 0.2, 0.25]


def test_the_last_transient_failure_propagates_once_the_attempts_are_used_up() -> None:
    pauses: list[float] = []
    call = Flaky([GatewayUnavailable(str(n)) for n in range(10)])
    with pytest.raises(GatewayUnavailable, match="2"):
        call_with_retries(call, RetryPolicy(max_attempts=3, jitter=0), sleep=pauses.append)
    assert call.calls == 3
    assert len(pauses) == 2


def test_a_decline_is_permanent_and_never_retried() -> None:
    pauses: list[float] = []
    call = Flaky([GatewayDeclined("card_declined")])
    with pytest.raises(GatewayDeclined):
        call_with_retries(call, RetryPolicy(max_attempts=5), sleep=pauses.append)
    assert call.calls == 1
    assert pauses == []


def test_a_policy_needs_at_least_one_attempt() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)
