import time
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from serving.kernel.gateway.json_logging import RequestIdFilter
from tests.utils.logs import collected_logs
from tests.utils.people import User

pytestmark = pytest.mark.stack


def test_the_ip_bucket_answers_429_with_retry_after_once_spent_and_never_limits_healthz(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(rate_limit_ip_capacity=3, rate_limit_ip_refill_per_second=0.01)
    answers = [client.get("/api/v1/users/me").status_code for _ in range(3)]
    limited = client.get("/api/v1/users/me", headers={"X-Request-ID": "req-rate-limited-1"})

    assert answers == [401, 401, 401]  # unauthenticated requests count against the IP too
    assert limited.status_code == 429
    assert limited.headers["content-type"] == "application/problem+json"
    assert limited.json()["type"] == "urn:tiffin:problem:rate-limited"
    assert 1 <= int(limited.headers["retry-after"]) <= 101  # one token at 0.01/s
    assert limited.headers["x-request-id"] == "req-rate-limited-1"
    assert all(client.get("/healthz").status_code == 200 for _ in range(5))


def test_the_user_bucket_limits_one_user_without_touching_another(
    make_client: Callable[..., TestClient], new_user: Callable[..., User]
) -> None:
    client = make_client(rate_limit_user_capacity=2, rate_limit_user_refill_per_second=0.01)
    greedy, patient = new_user(), new_user()

    greedy_answers = [client.get("/api/v1/users/me", headers=greedy.headers).status_code for _ in range(3)]
    patient_answer = client.get("/api/v1/users/me", headers=patient.headers).status_code

    assert greedy_answers == [200, 200, 429]
    assert patient_answer == 200


def test_a_bucket_refills_with_time(make_client: Callable[..., TestClient]) -> None:
    # A slow refill, so a loaded machine's pause between the first two calls cannot refill it.
    client = make_client(rate_limit_ip_capacity=1, rate_limit_ip_refill_per_second=0.25)
    assert client.get("/api/v1/nothing").status_code == 404
    assert client.get("/api/v1/nothing").status_code == 429
    time.sleep(4.1)  # one token's worth at 0.25/s
    assert client.get("/api/v1/nothing").status_code == 404


def test_when_redis_is_down_requests_pass_unlimited_and_tokens_are_accepted(
    make_client: Callable[..., TestClient], new_user: Callable[..., User]
) -> None:
    user = new_user()
    client = make_client(redis_url="redis://127.0.0.1:9/0", rate_limit_ip_capacity=1)
    answers = [client.get("/api/v1/users/me", headers=user.headers).status_code for _ in range(3)]
    assert answers == [200, 200, 200]


def test_with_denylist_fail_closed_an_unreachable_redis_is_a_503_not_a_free_pass(
    make_client: Callable[..., TestClient], new_user: Callable[..., User]
) -> None:
    user = new_user()
    client = make_client(redis_url="redis://127.0.0.1:9/0", denylist_fail_closed=True)
    response = client.get("/api/v1/users/me", headers=user.headers)
    assert response.status_code == 503
    assert response.headers["retry-after"]
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", "/healthz", 200),
        ("GET", "/api/v1/users/me", 401),
        ("POST", "/api/v1/auth/login", 422),
        ("GET", "/api/v1/nowhere", 404),
    ],
)
def test_a_well_formed_request_id_is_echoed_on_every_answer(
    client: TestClient, method: str, path: str, expected: int
) -> None:
    response = client.request(method, path, headers={"X-Request-ID": "trace-0123456789"}, json={})
    assert response.status_code == expected
    assert response.headers["x-request-id"] == "trace-0123456789"


def test_a_missing_or_malformed_request_id_is_replaced_by_a_fresh_one(client: TestClient) -> None:
    generated = client.get("/healthz").headers["x-request-id"]
    replaced = client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"}).headers["x-request-id"]
    assert len(generated) == len(replaced) == 32 and generated != replaced


def test_log_lines_written_while_serving_a_request_carry_its_id(
    client: TestClient, new_user: Callable[..., User]
) -> None:
    user = new_user()
    with collected_logs(RequestIdFilter()) as logs:
        client.get("/api/v1/users/me", headers={**user.headers, "X-Request-ID": "trace-logs-42xyz"})
    access = [r for r in logs.records if r.getMessage() == "request finished"]
    assert access and all(getattr(r, "request_id", None) == "trace-logs-42xyz" for r in access)
    assert access[-1].__dict__["status"] == 200


def test_credential_endpoints_have_their_own_small_bucket_per_ip(make_client: Callable[..., TestClient]) -> None:
    client = make_client(rate_limit_auth_capacity=2, rate_limit_auth_refill_per_second=0.01)
    logins = [
        client.post("/api/v1/auth/login", json={"email": "x@y.co", "password": "wrong-password"}).status_code
        for _ in range(3)
    ]
    assert logins == [401, 401, 429]
    assert client.get("/api/v1/users/me").status_code == 401  # other routes are not affected
